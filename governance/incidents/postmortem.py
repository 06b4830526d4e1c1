"""The post-mortem of a resolved incident: its timeline, lessons learned and preventive
measures, each measure a row of its own (a later step turns one into a risk or a mitigation
plan and refers to it). Written once; a critical or high incident closes only with one."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from governance.actor import Actor
from governance.audit.events import AuditAction, Event, Resource
from governance.auth.roles import Action
from governance.errors import Conflict, ValidationError
from governance.incidents.lifecycle import Status
from governance.incidents.models import IncidentPostmortem, PreventiveMeasure
from governance.incidents.records import PROSE_LIMIT, THIS_INCIDENT, load_incident
from governance.kernel import UnitOfWork, authorize, clean_text

MEASURE_LIMIT = 1000
MAX_MEASURES = 50


@dataclass(frozen=True, slots=True)
class MeasureInfo:
    id: int
    position: int
    description: str


@dataclass(frozen=True, slots=True)
class PostmortemInfo:
    id: int
    incident_id: int
    timeline: str
    lessons_learned: str
    measures: tuple[MeasureInfo, ...]
    written_at: datetime
    written_by: str


def _measures(values: Sequence[str] | str | None) -> list[str]:
    if isinstance(values, str):
        values = values.splitlines()
    cleaned = []
    for i, value in enumerate(values or (), 1):
        text = clean_text(value, field=f"Preventive measure {i}", limit=MEASURE_LIMIT,
                          required=False)  # fmt: skip
        if text is not None:
            cleaned.append(text)
    if not cleaned:
        raise ValidationError("Preventive measures: name at least one (one per line).")
    if len(cleaned) > MAX_MEASURES:
        raise ValidationError(f"Preventive measures: at most {MAX_MEASURES}, got {len(cleaned)}.")
    return cleaned


def write_postmortem(
    uow: UnitOfWork,
    *,
    actor: Actor,
    incident_id: int,
    timeline: str,
    lessons_learned: str,
    measures: Sequence[str] | str,
    expected_version: int | None = None,
) -> PostmortemInfo:
    """Write the post-mortem of a resolved (or closed) incident."""
    authorize(uow, actor, Action.INCIDENT_MANAGE, Resource.INCIDENT, incident_id)
    story = clean_text(timeline, field="Timeline", limit=PROSE_LIMIT, multiline=True)
    lessons = clean_text(lessons_learned, field="Lessons learned", limit=PROSE_LIMIT,
                         multiline=True)  # fmt: skip
    steps = _measures(measures)
    incident = load_incident(uow, incident_id, expected_version)
    if Status(incident.status) not in (Status.RESOLVED, Status.CLOSED):
        raise ValidationError(
            f"Post-mortem: written once the incident is resolved; this one is {incident.status}."
        )
    if _row(uow, incident_id) is not None:
        raise Conflict(f"Incident #{incident_id} already has its post-mortem.")
    row = IncidentPostmortem(
        incident_id=incident_id, timeline=story, lessons_learned=lessons,
        written_at=uow.now(), written_by=actor.username,
    )  # fmt: skip
    uow.session.add(row)
    uow.flush("this post-mortem")  # two at once: the unique incident makes one a Conflict
    uow.session.add_all(
        PreventiveMeasure(
            postmortem_id=row.id, incident_id=incident_id, position=i, description=text
        )
        for i, text in enumerate(steps, 1)
    )
    uow.flush(THIS_INCIDENT)
    details = {"timeline": story, "lessons_learned": lessons, "measures": steps}
    uow.record(
        actor,
        Event(AuditAction.INCIDENT_POSTMORTEM_WRITTEN, Resource.INCIDENT, incident_id, details),
    )
    return _info(uow, row)


def _row(uow: UnitOfWork, incident_id: int) -> IncidentPostmortem | None:
    stmt = select(IncidentPostmortem).where(IncidentPostmortem.incident_id == incident_id)
    return uow.session.scalars(stmt).first()


def _info(uow: UnitOfWork, row: IncidentPostmortem) -> PostmortemInfo:
    measures = uow.session.scalars(
        select(PreventiveMeasure)
        .where(PreventiveMeasure.postmortem_id == row.id)
        .order_by(PreventiveMeasure.position)
    )
    return PostmortemInfo(
        row.id, row.incident_id, row.timeline, row.lessons_learned,
        tuple(MeasureInfo(m.id, m.position, m.description) for m in measures),
        row.written_at, row.written_by,
    )  # fmt: skip


def postmortem_of(uow: UnitOfWork, incident_id: int) -> PostmortemInfo | None:
    """The incident's post-mortem (no permission check: the caller has read the incident)."""
    row = _row(uow, incident_id)
    return None if row is None else _info(uow, row)
