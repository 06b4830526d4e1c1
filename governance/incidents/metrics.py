"""Response metrics: time to acknowledge and to resolve by severity and month (of the
report), and the incidents still open by severity. Aggregated in SQL (one GROUP BY each),
so the page's cost does not grow with the number of incidents."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.sql.elements import ColumnElement

from governance.actor import Actor
from governance.audit.events import Resource
from governance.auth.roles import Action
from governance.incidents.fields import Severity
from governance.incidents.lifecycle import ACTIVE
from governance.incidents.models import Incident
from governance.kernel import UnitOfWork, authorize


@dataclass(frozen=True, slots=True)
class IncidentMetrics:
    """``response``: month, severity, reported, acknowledged, resolved, mean hours to each;
    ``open_by_severity``: severity, open (every severity, zero included)."""

    response: pd.DataFrame
    open_by_severity: pd.DataFrame


def _month(uow: UnitOfWork, column: ColumnElement) -> ColumnElement:
    if uow.dialect == "postgresql":
        return func.to_char(func.timezone("UTC", column), "YYYY-MM")
    return func.strftime("%Y-%m", column)


def _hours(uow: UnitOfWork, end: ColumnElement, start: ColumnElement) -> ColumnElement:
    if uow.dialect == "postgresql":
        return func.extract("epoch", end - start) / 3600.0
    return (func.julianday(end) - func.julianday(start)) * 24.0


def incident_metrics(uow: UnitOfWork, *, actor: Actor) -> IncidentMetrics:
    authorize(uow, actor, Action.INCIDENT_READ, Resource.INCIDENT)
    table = Incident.__table__
    month = _month(uow, table.c.reported_at).label("month")
    stmt = (
        select(
            month,
            table.c.severity,
            func.count().label("reported"),
            func.count(table.c.acknowledged_at).label("acknowledged"),
            func.count(table.c.resolved_at).label("resolved"),
            func.avg(_hours(uow, table.c.acknowledged_at, table.c.reported_at)).label(
                "hours_to_acknowledge"
            ),
            func.avg(_hours(uow, table.c.resolved_at, table.c.reported_at)).label(
                "hours_to_resolve"
            ),
        )
        .group_by(month, table.c.severity)
        .order_by(month)
    )
    response = pd.DataFrame(
        uow.session.execute(stmt).all(),
        columns=["month", "severity", "reported", "acknowledged", "resolved",
                 "hours_to_acknowledge", "hours_to_resolve"],
    )  # fmt: skip
    for name in ("hours_to_acknowledge", "hours_to_resolve"):
        response[name] = pd.to_numeric(response[name], errors="coerce").astype(float)
    order = {s.value: s.rank for s in Severity}
    response = response.sort_values(
        ["month", "severity"], key=lambda c: c.map(order) if c.name == "severity" else c
    ).reset_index(drop=True)
    counts = dict(
        uow.session.execute(
            select(table.c.severity, func.count())
            .where(table.c.status.in_([s.value for s in ACTIVE]))
            .group_by(table.c.severity)
        ).all()
    )
    open_by = pd.DataFrame(
        {
            "severity": [s.value for s in Severity],
            "open": [counts.get(s.value, 0) for s in Severity],
        }
    )
    return IncidentMetrics(response, open_by)
