"""Reading incidents: the filtered list (the first matches as a frame, for a page or an
export) and one incident with its whole story. Each read runs the escalation sweep first,
so what is shown is escalated as of now."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import pandas as pd
from sqlalchemy import case, func, select

from governance.actor import Actor
from governance.audit.events import Resource
from governance.auth.roles import Action, Role
from governance.incidents.deadlines import ReportClock, clock
from governance.incidents.fields import IncidentType, Severity, parse_choice
from governance.incidents.lifecycle import Status, parse_status
from governance.incidents.models import (
    Incident,
    IncidentEscalation,
    IncidentModel,
    IncidentTransition,
)
from governance.incidents.postmortem import PostmortemInfo, postmortem_of
from governance.incidents.records import IncidentInfo, incident_info, load_incident
from governance.incidents.sweep import escalate_due
from governance.kernel import UnitOfWork, authorize
from governance.registry.models import Model

SHOWN_LIMIT = 500
COLUMNS = (
    "id", "title", "incident_type", "severity", "status", "escalation_level", "serious",
    "detected_at", "reported_at", "acknowledged_at", "report_due_at", "regulator_reported_at",
    "resolved_at", "models", "report_clock", "overdue",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class IncidentList:
    """The first ``limit`` matches (most urgent first) and how many match, of how many."""

    frame: pd.DataFrame
    matching: int
    total: int


def _filters(
    statuses: Sequence[str], severities: Sequence[str], types: Sequence[str], model: str | None
) -> list:
    table = Incident.__table__
    where = []
    if statuses:
        where.append(table.c.status.in_([parse_status(s).value for s in statuses]))
    if severities:
        where.append(
            table.c.severity.in_([parse_choice(Severity, s, "Severity").value for s in severities])
        )
    if types:
        where.append(
            table.c.incident_type.in_([parse_choice(IncidentType, t, "Type").value for t in types])
        )
    if model:
        concerned = (
            select(IncidentModel.incident_id)
            .join(Model, Model.id == IncidentModel.model_id)
            .where(Model.name_key == model.strip().casefold())
        )
        where.append(table.c.id.in_(concerned))
    return where


def list_incidents(
    uow: UnitOfWork,
    *,
    actor: Actor,
    statuses: Sequence[str] = (),
    severities: Sequence[str] = (),
    types: Sequence[str] = (),
    model: str | None = None,
    limit: int | None = SHOWN_LIMIT,
) -> IncidentList:
    """Incidents matching every filter given: active ones first, then by severity, the
    newest first; ``limit`` None for every match (an export)."""
    authorize(uow, actor, Action.INCIDENT_READ, Resource.INCIDENT)
    escalate_due(uow)
    table = Incident.__table__
    where = _filters(statuses, severities, types, model)
    total = uow.session.scalar(select(func.count()).select_from(table)) or 0
    matching = (
        uow.session.scalar(select(func.count()).select_from(table).where(*where)) or 0
        if where else total
    )  # fmt: skip
    rank = case({s.value: s.rank for s in Severity}, value=table.c.severity)
    done = case((table.c.status.in_([Status.RESOLVED.value, Status.CLOSED.value]), 1), else_=0)
    stmt = (
        select(*(table.c[c] for c in COLUMNS[:13]))
        .where(*where)
        .order_by(done, rank, table.c.reported_at.desc(), table.c.id.desc())
    )
    if limit is not None:
        stmt = stmt.limit(limit)
    rows = uow.session.execute(stmt).all()
    frame = pd.DataFrame(rows, columns=list(COLUMNS[:13]))
    names = _model_names(uow, [r.id for r in rows])
    frame["models"] = [", ".join(names.get(i, ())) for i in frame["id"]]
    now = uow.now()
    clocks = [clock(d, s, now) for d, s in zip(
        _times(frame["report_due_at"]), _times(frame["regulator_reported_at"]), strict=True
    )]  # fmt: skip
    frame["report_clock"] = [c.text() if c.due_at else "" for c in clocks]
    frame["overdue"] = [c.overdue for c in clocks]
    for name in ("detected_at", "reported_at", "acknowledged_at", "report_due_at",
                 "regulator_reported_at", "resolved_at"):  # fmt: skip
        frame[name] = pd.to_datetime(frame[name], utc=True)
    return IncidentList(frame, matching, total)


def _times(series: pd.Series) -> list[datetime | None]:
    return [None if v is None or v != v else v for v in series.tolist()]


def _model_names(uow: UnitOfWork, ids: list[int]) -> dict[int, list[str]]:
    names: dict[int, list[str]] = {}
    for start in range(0, len(ids), 900):
        chunk = ids[start : start + 900]
        stmt = (
            select(IncidentModel.incident_id, Model.name)
            .join(Model, Model.id == IncidentModel.model_id)
            .where(IncidentModel.incident_id.in_(chunk))
            .order_by(Model.name_key)
        )
        for incident_id, name in uow.session.execute(stmt):
            names.setdefault(incident_id, []).append(name)
    return names


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    at: datetime
    what: str
    who: str
    details: str

    @property
    def order(self) -> tuple[datetime, int]:
        """By time; at one instant, in the order things follow from each other."""
        first = ("Reported", "Escalated", "Acknowledged")
        rank = next((i for i, w in enumerate(first) if self.what.startswith(w)), len(first))
        return self.at, rank


@dataclass(frozen=True, slots=True)
class IncidentDetail:
    info: IncidentInfo
    clock: ReportClock
    timeline: tuple[TimelineEntry, ...]
    postmortem: PostmortemInfo | None
    now: datetime


def incident_detail(uow: UnitOfWork, *, actor: Actor, incident_id: int) -> IncidentDetail:
    """One incident, its report clock, and its story oldest first: the report, each status
    change, its escalations, its acknowledgement, the regulator's report."""
    authorize(uow, actor, Action.INCIDENT_READ, Resource.INCIDENT, incident_id)
    escalate_due(uow, incident_id=incident_id)
    info = incident_info(uow, load_incident(uow, incident_id))
    entries: list[TimelineEntry] = []
    for step in uow.session.scalars(
        select(IncidentTransition)
        .where(IncidentTransition.incident_id == incident_id)
        .order_by(IncidentTransition.id)
    ):
        if step.from_status is None:
            entries.append(TimelineEntry(step.at, "Reported", step.actor, ""))
            continue
        what = f"{step.from_status} → {step.to_status}"
        entries.append(TimelineEntry(step.at, what, step.actor, step.reason))
    for esc in uow.session.scalars(
        select(IncidentEscalation)
        .where(IncidentEscalation.incident_id == incident_id)
        .order_by(IncidentEscalation.level)
    ):
        roles = ", ".join(Role(r).label.lower() + "s" for r in esc.notified_roles)
        told = f"{roles} ({esc.notified} {'person' if esc.notified == 1 else 'people'})"
        entries.append(TimelineEntry(esc.at, f"Escalated to level {esc.level}", "escalation",
                                     f"{esc.reason} Told: {told}."))  # fmt: skip
    if info.acknowledged_at is not None:
        who = info.acknowledged_by or "?"
        entries.append(TimelineEntry(info.acknowledged_at, "Acknowledged", who, "no escalation"))
    if info.regulator_reported_at is not None:
        entries.append(TimelineEntry(info.regulator_reported_at, "Reported to the authority",
                                     "", f"reference {info.regulator_reference}"))  # fmt: skip
    post = postmortem_of(uow, incident_id)
    if post is not None:
        entries.append(TimelineEntry(post.written_at, "Post-mortem written", post.written_by,
                                     f"{len(post.measures)} preventive measures"))  # fmt: skip
    entries.sort(key=lambda e: e.order)
    now = uow.now()
    return IncidentDetail(info, info.report_clock(now), tuple(entries), post, now)
