"""The service kernel on both backends: composed units, conflicts, refusals, typed events."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from governance.audit import service as audit
from governance.audit.events import AuditAction, Event, Resource
from governance.audit.models import AuditEvent
from governance.auth import service as auth
from governance.auth.models import User
from governance.auth.roles import Role
from governance.errors import AuthenticationFailed, Conflict, PermissionDenied, ValidationError
from governance.fairness import service as fairness
from governance.fairness.models import FairnessPolicyVersion
from governance.fairness.policy import Policy
from governance.kernel import clean_text
from tests.factories import PASSWORD, make_evidence_model

STALE_ACCOUNT = "Someone else changed this account meanwhile: reload and retry."
STALE_POLICY = "Someone else changed the fairness policy meanwhile: reload and retry."


def _events(workbench) -> list[str]:
    with workbench.unit() as uow:
        return list(uow.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def _roles(workbench) -> dict[str, str]:
    with workbench.unit() as uow:
        return {u.username: u.role for u in uow.session.scalars(select(User))}


def test_two_changes_compose_into_one_unit(workbench, admin, make_user):
    ann = make_user(Role.AUDITOR, "ann")
    bob = make_user(Role.AUDITOR, "bob")
    before = _events(workbench)
    with workbench.unit() as uow:
        auth.change_role(uow, actor=admin.actor(), user_id=ann.id, role=Role.EXECUTIVE)
        auth.change_role(uow, actor=admin.actor(), user_id=bob.id, role=Role.EXECUTIVE)
    assert _roles(workbench)["ann"] == _roles(workbench)["bob"] == "executive"
    assert _events(workbench) == [*before, "user.role_changed", "user.role_changed"]


def test_a_failure_in_the_second_change_leaves_neither_change_nor_event(
    workbench, admin, make_user
):
    ann = make_user(Role.AUDITOR, "ann")
    before_roles, before_events = _roles(workbench), _events(workbench)
    with pytest.raises(ValidationError, match="already has the role"), workbench.unit() as uow:
        auth.change_role(uow, actor=admin.actor(), user_id=ann.id, role=Role.EXECUTIVE)
        # The second change is refused by a rule after the first one was written and audited.
        auth.change_role(uow, actor=admin.actor(), user_id=ann.id, role=Role.EXECUTIVE)
    assert _roles(workbench) == before_roles
    assert _events(workbench) == before_events
    with workbench.unit() as uow:
        assert audit.verify_chain(uow).intact


def test_a_refusal_in_the_second_change_keeps_only_the_denial(workbench, admin, make_user):
    ann = make_user(Role.AUDITOR, "ann")
    officer = make_user(Role.COMPLIANCE_OFFICER, "officer")
    before_roles, before_events = _roles(workbench), _events(workbench)
    with pytest.raises(PermissionDenied), workbench.unit() as uow:
        auth.change_role(uow, actor=admin.actor(), user_id=ann.id, role=Role.EXECUTIVE)
        auth.create_user(
            uow, actor=officer.actor(), username="x-user", role=Role.AUDITOR, password="p" * 12
        )
    assert _roles(workbench) == before_roles
    assert _events(workbench) == [*before_events, "permission.denied"]


def test_a_failed_unit_removes_the_file_it_stored(workbench, make_user, tmp_path):
    from governance.fairness.engine import assess_file
    from governance.fairness.spec import AssessmentSpec

    scientist = make_user(Role.DATA_SCIENTIST, "sci")
    make_evidence_model(workbench, "m", by=scientist)
    path = tmp_path / "p.csv"
    path.write_text("label,prediction,g\n" + "1,1,a\n0,0,b\n1,0,a\n0,1,b\n" * 10)
    result = assess_file(
        path, AssessmentSpec(y_true="label", y_pred="prediction", sensitive=("g",))
    )
    with pytest.raises(ValidationError), workbench.unit() as uow:
        fairness.save_assessment(
            uow, actor=scientist.actor(), result=result, source=path, model_name="m"
        )
        assert any(workbench.artifacts.root.rglob("*.parquet"))
        raise ValidationError("a later step of the same unit fails")
    assert not any(workbench.artifacts.root.rglob("*.parquet"))
    assert "fairness.assessment_saved" not in _events(workbench)


def test_a_stale_account_edit_is_a_conflict(workbench, admin, make_user):
    ivy = make_user(Role.AUDITOR, "ivy")
    seen = ivy.row_version  # what the second administrator's page showed
    workbench.run(auth.change_role, actor=admin.actor(), user_id=ivy.id, role=Role.EXECUTIVE)
    before = _events(workbench)
    with pytest.raises(Conflict) as refused:
        workbench.run(
            auth.change_role,
            actor=admin.actor(),
            user_id=ivy.id,
            role=Role.COMPLIANCE_OFFICER,
            expected_version=seen,
        )
    assert str(refused.value) == STALE_ACCOUNT
    assert _roles(workbench)["ivy"] == "executive"
    assert _events(workbench) == before


def test_a_stale_policy_edit_is_a_conflict(workbench, make_user):
    a = make_user(Role.COMPLIANCE_OFFICER, "officer-a")
    b = make_user(Role.COMPLIANCE_OFFICER, "officer-b")
    seen = workbench.run(fairness.policy_in_force, actor=a.actor()).version  # both open the tab
    workbench.run(
        fairness.update_policy,
        actor=b.actor(),
        policy=Policy(min_group_size=50),
        reason="larger groups",
        expected_version=seen,
    )
    with pytest.raises(Conflict) as refused:
        workbench.run(
            fairness.update_policy,
            actor=a.actor(),
            policy=Policy(min_group_size=40),
            reason="smaller groups",
            expected_version=seen,
        )
    assert str(refused.value) == STALE_POLICY
    assert workbench.run(fairness.active_policy, actor=a.actor()).min_group_size == 50


def test_two_officers_racing_from_one_version_end_in_one_change_and_a_conflict(
    workbench, make_user
):
    officers = [make_user(Role.COMPLIANCE_OFFICER, f"officer-{i}") for i in range(2)]
    outcomes = _race(
        lambda i: workbench.run(
            fairness.update_policy,
            actor=officers[i].actor(),
            policy=Policy(min_group_size=40 + i),
            reason=f"officer {i}",
            expected_version=0,
        )
    )
    won = [o for o in outcomes if isinstance(o, fairness.PolicyVersion)]
    lost = [o for o in outcomes if isinstance(o, Conflict)]
    assert len(won) == 1 and len(lost) == 1, outcomes
    assert "the fairness policy" in str(lost[0])
    with workbench.unit() as uow:
        versions = uow.session.scalars(select(FairnessPolicyVersion.version)).all()
        assert versions == [1]
        assert audit.verify_chain(uow).intact


def test_sign_in_bookkeeping_does_not_make_an_edit_stale(workbench, admin, make_user):
    ivy = make_user(Role.AUDITOR, "ivy")
    with pytest.raises(AuthenticationFailed):
        workbench.run(auth.authenticate, username="ivy", password="not her password")
    workbench.run(auth.authenticate, username="ivy", password=PASSWORD)
    changed = workbench.run(
        auth.change_role,
        actor=admin.actor(),
        user_id=ivy.id,
        role=Role.EXECUTIVE,
        expected_version=ivy.row_version,  # what the page showed before she signed in
    )
    assert changed.role is Role.EXECUTIVE and changed.row_version == ivy.row_version + 1


def test_a_rolled_back_save_keeps_a_file_that_other_evidence_uses(workbench, make_user, tmp_path):
    from governance.fairness.engine import assess_file
    from governance.fairness.spec import AssessmentSpec

    scientist = make_user(Role.DATA_SCIENTIST, "sci")
    make_evidence_model(workbench, "m", by=scientist)
    path = tmp_path / "p.csv"
    path.write_text("label,prediction,g\n" + "1,1,a\n0,0,b\n1,0,a\n0,1,b\n" * 10)
    result = assess_file(path, AssessmentSpec(y_true="label", y_pred="prediction",
                                              sensitive=("g",)))  # fmt: skip
    workbench.run(
        fairness.save_assessment, actor=scientist.actor(), result=result, source=path,
        model_name="m",
    )  # fmt: skip
    with pytest.raises(ValidationError), workbench.unit() as uow:
        fairness.save_assessment(
            uow, actor=scientist.actor(), result=result, source=path, model_name="m"
        )
        raise ValidationError("a later step of the same unit fails")
    # The file belongs to the first, committed evidence: the failed unit leaves it.
    assert len(list(workbench.artifacts.root.rglob("*.parquet"))) == 1


def test_events_must_be_typed():
    with pytest.raises(TypeError, match="AuditAction"):
        Event("user.created", Resource.USER)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="Resource"):
        Event(AuditAction.USER_CREATED, "user")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "is required"),
        ("   ", "is required"),
        ("x" * 201, "too long"),
        ("line\nbreak", "control characters"),
        ("tab\there", "control characters"),
        ("admin\u202etxt.exe", "control characters"),
    ],
)
def test_clean_text_refuses(value, message):
    with pytest.raises(ValidationError, match=message):
        clean_text(value, field="Model name", limit=200)


def test_clean_text_keeps_real_names():
    assert clean_text("  Zoë Ø'Brien  ", field="Name", limit=50) == "Zoë Ø'Brien"
    assert clean_text("می\u200cخواهم", field="Name", limit=50) == "می\u200cخواهم"
    assert clean_text("", field="Version", limit=10, required=False) is None


def test_two_administrators_removing_each_other_leave_one(workbench, admin, make_user):
    other = make_user(Role.ADMIN, "second-admin")
    pairs = [(admin, other), (other, admin)]
    outcomes = _race(
        lambda i: workbench.run(
            auth.change_role, actor=pairs[i][0].actor(), user_id=pairs[i][1].id, role=Role.AUDITOR
        )
    )
    assert sum(isinstance(o, auth.UserInfo) for o in outcomes) == 1, outcomes
    assert _roles(workbench)["admin"] != _roles(workbench)["second-admin"]
    assert "admin" in _roles(workbench).values()


def _race(act) -> list[object]:  # type: ignore[no-untyped-def]
    """Run ``act(0)`` and ``act(1)`` on two threads released at once; each one's result, or
    the domain error it ended with."""
    import threading

    start = threading.Barrier(2)
    outcomes: list[object] = [None, None]

    def run(i: int) -> None:
        start.wait()
        try:
            outcomes[i] = act(i)
        except (Conflict, PermissionDenied) as exc:
            outcomes[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes


def test_after_commit_steps_run_once_committed_and_never_after_a_rollback(workbench, admin):
    ran: list[str] = []
    with workbench.unit() as uow:
        uow.after_commit(lambda: ran.append("committed"))
        auth.list_users(uow, actor=admin.actor())
        assert ran == []  # not before the commit
    assert ran == ["committed"]
    with pytest.raises(ValidationError), workbench.unit() as uow:
        uow.after_commit(lambda: ran.append("rolled back"))
        raise ValidationError("the unit fails")
    assert ran == ["committed"]
