"""Editing a model's record, on both backends: the owner or an administrator edits the
documentation, baseline and owner; the tier goes up by them and down only by a checker who
does not own it; a stale edit is a conflict; every edit names what changed; bad input stores
nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from governance.audit.models import AuditEvent
from governance.auth.roles import Role
from governance.errors import Conflict, PermissionDenied, ValidationError
from governance.registry import service as registry
from governance.registry.editing import update_model
from tests.factories import make_model, make_version
from tests.integration.test_kernel import _race


@pytest.fixture
def people(make_user):
    return (make_user(Role.DATA_SCIENTIST, "dana"), make_user(Role.DATA_SCIENTIST, "sam"),
            make_user(Role.COMPLIANCE_OFFICER, "carla"), make_user(Role.ADMIN, "ada"))  # fmt: skip


def _edit(workbench, who, changes, *, name="scorer", expected=None, reason="keep it current"):
    if expected is None:
        expected = workbench.run(registry.get_model, actor=who.actor(), name=name).row_version
    return workbench.run(update_model, actor=who.actor(), name=name, expected_version=expected,
                         reason=reason, changes=changes)  # fmt: skip


def _edits(workbench):
    with workbench.unit() as uow:
        return list(uow.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "registry.model_edited")
        ))  # fmt: skip


def test_the_owner_edits_documentation_and_the_event_names_what_changed(workbench, people):
    dana, *_ = people
    before = make_model(workbench, by=dana, name="scorer")
    after = _edit(workbench, dana, {"known_limitations": ["thin files", "new regions"],
                                    "performance_baseline": "accuracy >= 0.9"})  # fmt: skip
    assert after.known_limitations == ("thin files", "new regions")
    assert after.performance_baseline == {"accuracy": {"threshold": 0.9, "direction": ">="}}
    assert after.row_version == before.row_version + 1
    [event] = _edits(workbench)
    assert event.details["before"]["known_limitations"] == list(before.known_limitations)
    assert event.details["after"]["known_limitations"] == ["thin files", "new regions"]
    assert set(event.details["after"]) == {"known_limitations", "performance_baseline"}
    assert event.details["reason"] == "keep it current"


def test_only_the_owner_or_an_administrator_edits_the_record(workbench, people):
    dana, sam, carla, ada = people
    make_model(workbench, by=dana, name="scorer")
    with pytest.raises(PermissionDenied, match="owner or an administrator"):
        _edit(workbench, sam, {"training_data": "other data"})
    with pytest.raises(PermissionDenied):
        _edit(workbench, carla, {"training_data": "other data"})  # not a maker's role
    moved = _edit(workbench, ada, {"owner_id": sam.id}, reason="dana moved team")
    assert moved.owner == "sam"
    assert _edits(workbench)[0].details["after"] == {"owner_id": "sam"}


def test_the_tier_goes_up_by_the_maker_and_down_only_by_a_checker(workbench, people):
    dana, _, carla, _ = people
    make_model(workbench, by=dana, name="scorer", risk_tier="limited")
    assert _edit(workbench, dana, {"risk_tier": "high"}).risk_tier == "high"
    with pytest.raises(PermissionDenied, match="cannot lower its risk tier"):
        _edit(workbench, dana, {"risk_tier": "minimal"})
    assert _edit(
        workbench, carla, {"risk_tier": "limited"}, reason="no personal data"
    ).risk_tier == ("limited")


def test_a_model_with_a_deployed_version_cannot_become_unacceptable(workbench, people):
    dana, _, carla, _ = people
    make_model(workbench, by=dana, name="scorer")
    make_version(workbench, "scorer", maker=dana, checkers=(carla,), to="deployed")
    with pytest.raises(ValidationError, match="retire its deployed versions"):
        _edit(workbench, dana, {"risk_tier": "unacceptable"})
    assert workbench.run(registry.get_model, actor=dana.actor(), name="scorer").risk_tier == (
        "limited"
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"intended_use": ""}, "Intended use"),
        ({"training_data": "x" * 10_001}, "Training data"),
        ({"performance_baseline": "accuracy >> 2"}, "baseline"),
        ({"risk_tier": "extreme"}, "Risk tier"),
        ({"name": "renamed"}, "cannot be edited"),
        ({"intended_use": "Scores loan applications for manual review."}, "nothing differs"),
    ],
)
def test_bad_edits_are_refused_naming_the_field_and_store_nothing(
    workbench, people, changes, message
):
    dana, *_ = people
    before = make_model(workbench, by=dana, name="scorer")
    with pytest.raises(ValidationError, match=message):
        _edit(workbench, dana, changes)
    assert workbench.run(registry.get_model, actor=dana.actor(), name="scorer") == before
    assert _edits(workbench) == []


def test_an_edit_of_a_record_changed_meanwhile_is_a_conflict(workbench, people):
    dana, *_ = people
    seen = make_model(workbench, by=dana, name="scorer").row_version
    _edit(workbench, dana, {"training_data": "first"}, expected=seen)
    with pytest.raises(Conflict, match="meanwhile"):
        _edit(workbench, dana, {"training_data": "second"}, expected=seen)

    def edit(i: int):
        return _edit(workbench, dana, {"training_data": f"racer {i}"}, expected=seen + 1)

    outcomes = _race(edit)
    assert sum(isinstance(o, Conflict) for o in outcomes) == 1, outcomes
    [won] = [o for o in outcomes if not isinstance(o, Conflict)]
    assert workbench.run(registry.get_model, actor=dana.actor(),
                         name="scorer").training_data == won.training_data  # fmt: skip


def test_the_cli_edits_a_record_and_refuses_a_stale_one(sqlite_url):
    import json

    from tests.integration.test_cli import cli, create

    assert create(sqlite_url, "root", "admin").returncode == 0
    assert create(sqlite_url, "sci", "data_scientist").returncode == 0

    def run(*args: str):
        return cli(sqlite_url, "registry", "--actor", "sci", *args)

    assert run("register", "scorer", "--provider", "in-house", "--risk-tier", "limited",
               "--intended-use", "Loans").returncode == 0  # fmt: skip
    done = run("edit", "scorer", "--row-version", "1", "--reason", "review", "--limitation",
               "thin files", "--limitation", "new regions", "--format", "json")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["known_limitations"] == ["thin files", "new regions"]
    stale = run("edit", "scorer", "--row-version", "1", "--reason", "again", "--training-data", "x")
    assert stale.returncode == 2 and "meanwhile" in stale.stderr
    assert "Traceback" not in stale.stderr
