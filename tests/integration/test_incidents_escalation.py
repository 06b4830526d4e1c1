"""Escalation timing with an injected clock, on both backends: critical and high escalate as
they are reported; one level per missed acknowledgement window; never past level 3; an
acknowledged incident stops; a sweep at the same instant twice escalates nothing more; a
racing sweep writes each level once; reads sweep too; the notices go to each level's roles."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from governance import incidents
from governance.audit.models import AuditEvent
from governance.audit.service import verify_chain
from governance.auth.roles import Role
from governance.incidents.models import Incident, IncidentEscalation
from governance.notifications.models import Notification
from tests.integration.incidents_support import Clock, clocked, report


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def wb(workbench, clock):
    return clocked(workbench, clock)


@pytest.fixture
def people(make_user):
    return {
        "officer": make_user(Role.COMPLIANCE_OFFICER, "olivia"),
        "exec": make_user(Role.EXECUTIVE, "erin"),
        "sci": make_user(Role.DATA_SCIENTIST, "sam"),
    }


def _levels(wb, incident_id) -> list[int]:
    with wb.unit() as uow:
        return list(uow.session.scalars(
            select(IncidentEscalation.level)
            .where(IncidentEscalation.incident_id == incident_id)
            .order_by(IncidentEscalation.level)
        ))  # fmt: skip


def _sweep(wb, actor):
    return [(e.incident_id, e.level) for e in wb.run(incidents.escalate_overdue, actor=actor)]


@pytest.mark.parametrize("severity", ["critical", "high"])
def test_critical_and_high_escalate_to_level_one_as_they_are_reported(wb, people, severity):
    info = report(wb, people["sci"], severity=severity)
    assert info.escalation_level == 1
    assert _levels(wb, info.id) == [1]


@pytest.mark.parametrize("severity", ["medium", "low"])
def test_medium_and_low_wait_for_their_window(wb, clock, people, admin, severity):
    info = report(wb, people["sci"], severity=severity)
    assert info.escalation_level == 0 and _levels(wb, info.id) == []
    window = {"medium": 8 * 60, "low": 24 * 60}[severity]
    clock.advance(minutes=window - 1)
    assert _sweep(wb, admin.actor()) == []
    clock.advance(minutes=1)
    assert _sweep(wb, admin.actor()) == [(info.id, 1)]


def test_one_level_per_missed_window_and_never_past_three(wb, clock, people, admin):
    info = report(wb, people["sci"], severity="critical")  # window: 15 min
    clock.advance(minutes=14, seconds=59)
    assert _sweep(wb, admin.actor()) == []
    clock.advance(seconds=1)
    assert _sweep(wb, admin.actor()) == [(info.id, 2)]
    clock.advance(minutes=15)
    assert _sweep(wb, admin.actor()) == [(info.id, 3)]
    clock.advance(days=30)
    assert _sweep(wb, admin.actor()) == []
    assert _levels(wb, info.id) == [1, 2, 3]
    with wb.unit() as uow:
        row = uow.session.get(Incident, info.id)
        assert row.escalation_level == 3 and row.next_escalation_at is None


def test_a_late_sweep_writes_every_level_missed_with_its_due_time(wb, clock, people, admin):
    info = report(wb, people["sci"], severity="high")  # window: 60 min
    clock.advance(hours=5)
    assert _sweep(wb, admin.actor()) == [(info.id, 2), (info.id, 3)]
    with wb.unit() as uow:
        rows = uow.session.scalars(
            select(IncidentEscalation)
            .where(IncidentEscalation.incident_id == info.id)
            .order_by(IncidentEscalation.level)
        ).all()
        due = [r.due_at - info.reported_at for r in rows]
        assert due == [timedelta(0), timedelta(hours=1), timedelta(hours=2)]
        assert [r.at for r in rows[1:]] == [clock.now, clock.now]


def test_an_acknowledged_incident_stops_escalating(wb, clock, people, admin):
    info = report(wb, people["sci"], severity="critical")
    clock.advance(minutes=5)
    wb.run(incidents.acknowledge_incident, actor=people["officer"].actor(), incident_id=info.id)
    clock.advance(days=2)
    assert _sweep(wb, admin.actor()) == []
    assert _levels(wb, info.id) == [1]


def test_starting_the_investigation_acknowledges(wb, clock, people, admin):
    info = report(wb, people["sci"], severity="medium")
    after = wb.run(incidents.transition_incident, actor=people["officer"].actor(),
                   incident_id=info.id, to="investigating", reason="on it")  # fmt: skip
    assert after.acknowledged_by == "olivia"
    clock.advance(days=3)
    assert _sweep(wb, admin.actor()) == []


def test_the_sweep_is_idempotent_at_one_instant(wb, clock, people, admin):
    ids = [report(wb, people["sci"], severity=s).id for s in ("critical", "high", "medium")]
    clock.advance(hours=9)
    first = _sweep(wb, admin.actor())
    assert {i for i, _ in first} == set(ids)
    events = _count(wb, AuditEvent)
    assert _sweep(wb, admin.actor()) == []
    assert _count(wb, AuditEvent) == events  # nothing to do, nothing audited
    # One audit event for the whole sweep, listing every (incident, level).
    with wb.unit() as uow:
        last = uow.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert last.action == "incident.escalated"
        assert sorted(map(tuple, last.details["escalations"])) == sorted(first)
        assert verify_chain(uow).intact


def test_reading_the_list_sweeps(wb, clock, people):
    info = report(wb, people["sci"], severity="critical")
    clock.advance(minutes=16)
    found = wb.run(incidents.list_incidents, actor=people["exec"].actor())
    assert found.frame.loc[found.frame["id"] == info.id, "escalation_level"].item() == 2


def test_each_level_notifies_its_roles(wb, clock, people, admin):
    info = report(wb, people["sci"], severity="critical")
    clock.advance(minutes=15)
    _sweep(wb, admin.actor())
    clock.advance(minutes=15)
    _sweep(wb, admin.actor())
    with wb.unit() as uow:
        got = uow.session.execute(
            select(Notification.recipient_id, Notification.title).where(
                Notification.kind == "incident.escalated"
            )
        ).all()
    told = {}
    for recipient, title in got:
        told.setdefault(title.split(":")[0], set()).add(recipient)
    officer, execs = people["officer"].id, people["exec"].id
    assert told[f"Incident #{info.id} escalated to level 1"] == {officer}
    assert told[f"Incident #{info.id} escalated to level 2"] == {officer, admin.id}
    assert told[f"Incident #{info.id} escalated to level 3"] == {officer, admin.id, execs}


def test_a_policy_change_reschedules_the_waiting(wb, clock, people, admin):
    info = report(wb, people["sci"], severity="low")  # 24 h
    current = wb.run(incidents.policy_in_force, actor=people["officer"].actor())
    wb.run(incidents.update_policy, actor=people["officer"].actor(),
           policy=current.policy.amended(ack_low=30), reason="tighter",
           expected_version=0)  # fmt: skip
    clock.advance(minutes=31)
    assert _sweep(wb, admin.actor()) == [(info.id, 1)]


def test_two_racing_sweeps_write_each_level_once(wb, clock, people, admin):
    ids = [report(wb, people["sci"], severity="medium").id for _ in range(30)]
    clock.advance(hours=8)
    start = threading.Barrier(2)
    results: list[object] = [None, None]

    def sweep(i: int) -> None:
        start.wait()
        try:
            results[i] = _sweep(wb, admin.actor())
        except Exception as exc:  # a busy SQLite writer ends in a Conflict, an outcome too
            results[i] = exc

    threads = [threading.Thread(target=sweep, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    from governance.errors import Conflict

    assert all(isinstance(r, list | Conflict) for r in results), results
    written = [x for r in results if isinstance(r, list) for x in r]
    assert sorted(written) == sorted((i, 1) for i in ids)  # each once, by one of them
    assert _count(wb, IncidentEscalation) == len(ids)


def _count(wb, record) -> int:
    with wb.unit() as uow:
        return uow.session.scalar(select(func.count()).select_from(record)) or 0
