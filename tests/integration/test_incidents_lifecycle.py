"""Every allowed and every forbidden status step of an incident, walked from the lifecycle's
own table, on both backends; the history each step leaves; the close needing a post-mortem."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from governance import incidents
from governance.audit.models import AuditEvent
from governance.auth.roles import Role
from governance.errors import ValidationError
from governance.incidents.lifecycle import ALLOWED, Status
from governance.incidents.models import IncidentTransition
from tests.integration.incidents_support import report

# The steps that bring a new (open) incident to each status.
PATH = {
    Status.OPEN: [],
    Status.INVESTIGATING: [Status.INVESTIGATING],
    Status.RESOLVED: [Status.INVESTIGATING, Status.RESOLVED],
    Status.CLOSED: [Status.INVESTIGATING, Status.RESOLVED, Status.CLOSED],
}


@pytest.fixture
def officer(make_user):
    return make_user(Role.COMPLIANCE_OFFICER, "olivia")


def _step(workbench, officer, incident_id, target):
    return workbench.run(incidents.transition_incident, actor=officer.actor(),
                         incident_id=incident_id, to=target.value, reason="step",
                         root_cause="a cause")  # fmt: skip


def _at(workbench, officer, source, severity="low"):
    info = report(workbench, officer, severity=severity)
    for target in PATH[source]:
        info = _step(workbench, officer, info.id, target)
    assert info.status == source.value
    return info


def _events(workbench) -> int:
    with workbench.unit() as uow:
        return uow.session.scalar(select(func.count()).select_from(AuditEvent)) or 0


@pytest.mark.parametrize("source", list(Status), ids=str)
def test_each_step_is_made_or_refused_as_the_table_says(workbench, officer, source):
    for target in Status:
        info = _at(workbench, officer, source)
        before = _events(workbench)
        if target in ALLOWED[source]:
            after = _step(workbench, officer, info.id, target)
            assert after.status == target.value, (source, target)
            assert after.row_version > info.row_version
            continue
        with pytest.raises(ValidationError, match=r"^Status: an incident that is"):
            _step(workbench, officer, info.id, target)
        assert _events(workbench) == before, (source, target)  # nothing written, no event
        shown = workbench.run(incidents.incident_detail, actor=officer.actor(), incident_id=info.id)
        assert shown.info.status == source.value


def test_every_status_is_reachable_and_closed_is_final():
    reachable = {t for targets in ALLOWED.values() for t in targets} | {Status.OPEN}
    assert reachable == set(Status)
    assert not ALLOWED[Status.CLOSED]


def test_the_history_names_every_step(workbench, officer):
    info = _at(workbench, officer, Status.CLOSED)
    with workbench.unit() as uow:
        steps = uow.session.execute(
            select(IncidentTransition.from_status, IncidentTransition.to_status)
            .where(IncidentTransition.incident_id == info.id)
            .order_by(IncidentTransition.id)
        ).all()
    assert steps == [(None, "open"), ("open", "investigating"), ("investigating", "resolved"),
                     ("resolved", "closed")]  # fmt: skip


@pytest.mark.parametrize("severity", ["critical", "high"])
def test_closing_a_critical_or_high_incident_needs_its_postmortem(workbench, officer, severity):
    info = _at(workbench, officer, Status.RESOLVED, severity=severity)
    before = _events(workbench)
    with pytest.raises(ValidationError, match=r"^Post-mortem: a .* incident is closed only"):
        _step(workbench, officer, info.id, Status.CLOSED)
    assert _events(workbench) == before
    post = workbench.run(incidents.write_postmortem, actor=officer.actor(), incident_id=info.id,
                         timeline="09:00 seen; 10:00 fixed", lessons_learned="watch keys",
                         measures=["rotate keys monthly", "", "alert on reuse"])  # fmt: skip
    assert [m.description for m in post.measures] == ["rotate keys monthly", "alert on reuse"]
    assert _step(workbench, officer, info.id, Status.CLOSED).status == "closed"


def test_a_medium_incident_closes_without_a_postmortem(workbench, officer):
    info = _at(workbench, officer, Status.RESOLVED, severity="medium")
    assert _step(workbench, officer, info.id, Status.CLOSED).status == "closed"


def test_resolving_without_a_root_cause_is_refused(workbench, officer):
    info = _at(workbench, officer, Status.INVESTIGATING)
    before = _events(workbench)
    for cause in (None, "", "   "):
        with pytest.raises(ValidationError, match=r"^Root cause is required"):
            workbench.run(incidents.resolve_incident, actor=officer.actor(),
                          incident_id=info.id, root_cause=cause)  # fmt: skip
    assert _events(workbench) == before


def test_reopening_clears_the_resolution_time_and_keeps_the_history(workbench, officer):
    info = _at(workbench, officer, Status.RESOLVED)
    again = _step(workbench, officer, info.id, Status.INVESTIGATING)
    assert again.resolved_at is None and again.root_cause == "a cause"
