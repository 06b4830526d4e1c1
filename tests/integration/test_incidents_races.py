"""Two officers acting on one incident at once, on both backends: one outcome, or a Conflict
for the other, never both applied, never an internal error; the trail stays intact."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from governance import incidents
from governance.audit.models import AuditEvent
from governance.audit.service import verify_chain
from governance.auth.roles import Role
from governance.errors import Conflict, GovernanceError
from tests.integration.incidents_support import report


@pytest.fixture
def officers(make_user):
    return (make_user(Role.COMPLIANCE_OFFICER, "olivia"),
            make_user(Role.COMPLIANCE_OFFICER, "marco"))  # fmt: skip


def _race(act) -> list[object]:  # type: ignore[no-untyped-def]
    start = threading.Barrier(2)
    outcomes: list[object] = [None, None]

    def run(i: int) -> None:
        start.wait()
        try:
            outcomes[i] = act(i)
        except GovernanceError as exc:
            outcomes[i] = exc
        except Exception as exc:  # an internal error: the test fails on it below
            outcomes[i] = ("internal", repr(exc))

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return outcomes


def _events(workbench, action: str) -> int:
    with workbench.unit() as uow:
        return uow.session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action)
        ) or 0  # fmt: skip


@pytest.mark.parametrize("rounds", range(3))
def test_two_officers_acknowledging_at_once(workbench, officers, rounds):
    info = report(workbench, officers[0], severity="critical")
    outcomes = _race(lambda i: workbench.run(
        incidents.acknowledge_incident, actor=officers[i].actor(), incident_id=info.id,
        expected_version=info.row_version,
    ))  # fmt: skip
    won = [o for o in outcomes if isinstance(o, incidents.IncidentInfo)]
    lost = [o for o in outcomes if isinstance(o, Conflict)]
    assert len(won) == 1 and len(lost) == 1, outcomes
    assert _events(workbench, "incident.acknowledged") == 1
    detail = workbench.run(
        incidents.incident_detail, actor=officers[0].actor(), incident_id=info.id
    )
    assert detail.info.acknowledged_by == won[0].acknowledged_by


@pytest.mark.parametrize("rounds", range(3))
def test_acknowledging_and_resolving_at_once(workbench, officers, rounds):
    info = report(workbench, officers[0], severity="high")
    info = workbench.run(incidents.transition_incident, actor=officers[0].actor(),
                         incident_id=info.id, to="investigating", reason="go")  # fmt: skip
    # Investigating acknowledges: the race is resolve against a racing second resolve.
    calls = (
        lambda: workbench.run(incidents.resolve_incident, actor=officers[0].actor(),
                              incident_id=info.id, root_cause="cause A",
                              expected_version=info.row_version),
        lambda: workbench.run(incidents.resolve_incident, actor=officers[1].actor(),
                              incident_id=info.id, root_cause="cause B",
                              expected_version=info.row_version),
    )  # fmt: skip
    outcomes = _race(lambda i: calls[i]())
    won = [o for o in outcomes if isinstance(o, incidents.IncidentInfo)]
    assert len(won) == 1, outcomes
    assert all(isinstance(o, incidents.IncidentInfo | GovernanceError) for o in outcomes), outcomes
    shown = workbench.run(incidents.incident_detail, actor=officers[0].actor(), incident_id=info.id)
    assert shown.info.root_cause == won[0].root_cause
    assert _events(workbench, "incident.resolved") == 1


def test_an_acknowledgement_racing_a_resolution_of_an_open_incident(workbench, officers):
    info = report(workbench, officers[0], severity="medium")
    calls = (
        lambda: workbench.run(incidents.acknowledge_incident, actor=officers[0].actor(),
                              incident_id=info.id, expected_version=info.row_version),
        lambda: workbench.run(incidents.transition_incident, actor=officers[1].actor(),
                              incident_id=info.id, to="investigating", reason="mine",
                              expected_version=info.row_version),
    )  # fmt: skip
    outcomes = _race(lambda i: calls[i]())
    won = [o for o in outcomes if isinstance(o, incidents.IncidentInfo)]
    lost = [o for o in outcomes if isinstance(o, Conflict)]
    assert len(won) == 1 and len(lost) == 1, outcomes
    with workbench.unit() as uow:
        assert verify_chain(uow).intact
