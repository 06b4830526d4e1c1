"""Watching a model, on both backends: a watch is audited once, its watcher hears of the
model's deployments and deprecations until they stop, only an account watches, and racing
watches of one model by one person end in one row."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from governance.actor import Actor
from governance.audit.models import AuditEvent
from governance.auth.roles import Role
from governance.errors import Conflict, NotFound, ValidationError
from governance.notifications.models import Notification
from governance.registry import deployments, watchers
from governance.registry.models import ModelWatcher
from tests.concurrency import hammer
from tests.factories import make_model, make_version


@pytest.fixture
def people(make_user):
    return (make_user(Role.DATA_SCIENTIST, "dana"), make_user(Role.COMPLIANCE_OFFICER, "carla"),
            make_user(Role.EXECUTIVE, "erin"))  # fmt: skip


def _events(workbench, action):
    with workbench.unit() as uow:
        return uow.session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action)
        )


def _titles(workbench, user):
    with workbench.unit() as uow:
        return list(uow.session.scalars(
            select(Notification.title).where(Notification.recipient_id == user.id)
            .order_by(Notification.id)
        ))  # fmt: skip


def test_a_watch_is_audited_once_and_a_second_changes_nothing(workbench, people):
    dana, _, erin = people
    make_model(workbench, by=dana, name="Scorer")
    assert workbench.run(watchers.watch_model, actor=erin.actor(), name="scorer") is True
    assert workbench.run(watchers.watch_model, actor=erin.actor(), name="SCORER") is False
    assert _events(workbench, "registry.model_watched") == 1
    assert workbench.run(watchers.watcher_names, actor=dana.actor(), name="scorer") == ["erin"]
    assert workbench.run(watchers.watching, actor=erin.actor(), name="scorer")
    assert not workbench.run(watchers.watching, actor=dana.actor(), name="scorer")
    assert workbench.run(watchers.unwatch_model, actor=erin.actor(), name="scorer") is True
    assert workbench.run(watchers.unwatch_model, actor=erin.actor(), name="scorer") is False
    assert _events(workbench, "registry.model_unwatched") == 1
    assert workbench.run(watchers.watcher_names, actor=dana.actor(), name="scorer") == []


def test_a_watcher_hears_of_deployment_and_deprecation_until_they_stop(workbench, people):
    dana, carla, erin = people
    make_model(workbench, by=dana, name="scorer")
    workbench.run(watchers.watch_model, actor=erin.actor(), name="scorer")
    v = make_version(workbench, "scorer", maker=dana, checkers=(carla,), to="deployed",
                     version="1.0.0")  # fmt: skip
    workbench.run(deployments.deprecate_version, actor=dana.actor(), version_id=v.id,
                  reason="superseded soon")  # fmt: skip
    assert _titles(workbench, erin) == [
        "Version deployed: scorer 1.0.0 in production",
        "Version deprecated: scorer 1.0.0",
    ]
    workbench.run(watchers.unwatch_model, actor=erin.actor(), name="scorer")
    make_version(workbench, "scorer", maker=dana, checkers=(carla,), to="deployed",
                 version="1.1.0")  # fmt: skip
    assert len(_titles(workbench, erin)) == 2  # nothing new after stopping
    assert "Version deployed: scorer 1.1.0 in production" in _titles(workbench, dana)


def test_only_an_account_watches_and_only_a_registered_model(workbench, people):
    dana, _, _ = people
    make_model(workbench, by=dana, name="scorer")
    with pytest.raises(ValidationError, match="only an account watches"):
        workbench.run(watchers.watch_model, actor=Actor.command_line(), name="scorer")
    with pytest.raises(NotFound):
        workbench.run(watchers.watch_model, actor=dana.actor(), name="nope")
    with workbench.unit() as uow:
        assert uow.session.scalar(select(func.count()).select_from(ModelWatcher)) == 0


def test_racing_watches_by_one_person_leave_one_row(workbench, people):
    dana, _, erin = people
    make_model(workbench, by=dana, name="scorer")

    def watch(thread: int, call: int):
        return workbench.run(watchers.watch_model, actor=erin.actor(), name="scorer")

    outcomes = hammer(watch, threads=8, calls=3)
    assert outcomes.internal == []
    results = list(outcomes.results.values())
    assert results.count(True) == 1
    assert all(r is False or isinstance(r, Conflict) for r in results if r is not True)
    assert _events(workbench, "registry.model_watched") == 1
    with workbench.unit() as uow:
        assert uow.session.scalar(select(func.count()).select_from(ModelWatcher)) == 1
