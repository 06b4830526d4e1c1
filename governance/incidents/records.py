"""What every incident service does with an incident: load it fresh, move it, read it out.

Shared by the service modules; not part of the public API.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from governance.actor import Actor
from governance.errors import Conflict, NotFound
from governance.incidents.deadlines import Impact, ReportClock, clock
from governance.incidents.lifecycle import Status, check_transition
from governance.incidents.models import Incident, IncidentModel, IncidentTransition
from governance.kernel import UnitOfWork, clean_text, plain, stale_message
from governance.registry.models import Model

THIS_INCIDENT = "this incident"
PROSE_LIMIT = 5000
REASON_LIMIT = 2000


@dataclass(frozen=True, slots=True)
class IncidentInfo:
    """An incident as services hand it out; ``row_version`` is what an edit must quote."""

    id: int
    incident_type: str
    severity: str
    title: str
    description: str
    status: str
    detected_at: datetime
    reported_at: datetime
    reported_by: str
    harm_category: str | None
    affected_people: int | None
    serious: bool
    involves_death: bool
    widespread_infringement: bool
    critical_infrastructure: bool
    report_due_at: datetime | None
    regulator_reported_at: datetime | None
    regulator_reference: str | None
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    escalation_level: int
    next_escalation_at: datetime | None
    resolved_at: datetime | None
    resolved_by: str | None
    root_cause: str | None
    resolution: str | None
    closed_at: datetime | None
    closed_by: str | None
    row_version: int
    models: tuple[str, ...]

    @property
    def impact(self) -> Impact:
        return Impact(self.serious, self.involves_death, self.widespread_infringement,
                      self.critical_infrastructure)  # fmt: skip

    def report_clock(self, now: datetime) -> ReportClock:
        return clock(self.report_due_at, self.regulator_reported_at, now)


def model_names(uow: UnitOfWork, incident_id: int) -> tuple[str, ...]:
    stmt = (
        select(Model.name)
        .join(IncidentModel, IncidentModel.model_id == Model.id)
        .where(IncidentModel.incident_id == incident_id)
        .order_by(Model.name_key)
    )
    return tuple(uow.session.scalars(stmt))


def incident_info(uow: UnitOfWork, incident: Incident) -> IncidentInfo:
    return plain(IncidentInfo, incident, models=model_names(uow, incident.id))


def load_incident(
    uow: UnitOfWork, incident_id: int, expected_version: int | None = None
) -> Incident:
    """The incident, fresh from the records; a stale ``expected_version`` is a Conflict."""
    incident = uow.session.get(Incident, incident_id, populate_existing=True)
    if incident is None:
        raise NotFound(f"No incident with number {incident_id}.")
    if expected_version is not None and incident.row_version != expected_version:
        raise Conflict(stale_message(THIS_INCIDENT))
    return incident


def reason_text(reason: str | None, field: str = "Reason", *, required: bool = True) -> str | None:
    return clean_text(reason, field=field, limit=REASON_LIMIT, multiline=True, required=required)  # type: ignore[call-overload]


def move(
    uow: UnitOfWork, actor: Actor, incident: Incident, target: Status, reason: str
) -> IncidentTransition:
    """Change the status along the lifecycle (refused off it) and write the step down."""
    source = Status(incident.status)
    check_transition(source, target)
    incident.status = target.value
    uow.flush(THIS_INCIDENT)  # the row's version moves first: a racing change then loses
    step = IncidentTransition(
        incident_id=incident.id,
        from_status=source.value,
        to_status=target.value,
        actor=actor.username,
        actor_id=actor.user_id,
        reason=reason,
        at=uow.now(),
    )
    uow.session.add(step)
    uow.flush("the incident's history")
    return step
