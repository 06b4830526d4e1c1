"""The incidents panel of the overview: what is open by severity, what is escalated, and
every regulatory-report clock that has run out (red, for every reader)."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import func, select

from governance.actor import Actor
from governance.incidents.deadlines import clock
from governance.incidents.fields import Severity
from governance.incidents.lifecycle import ACTIVE
from governance.incidents.models import Incident
from governance.incidents.sweep import escalate_due
from governance.kernel import UnitOfWork
from governance.overview import Panel, Tile, contributes

ATTENTION_ROWS = 20


@contributes(order=30)
def incidents_panel(uow: UnitOfWork, actor: Actor) -> Panel:
    table = Incident.__table__
    if not uow.session.scalar(select(func.count()).select_from(table)):
        return Panel(
            title="Incidents",
            next_step="No incident is recorded. Anyone who builds or runs models reports one on "
            "the **Incidents** page (or `python -m governance incidents report`).",
        )
    escalate_due(uow)
    active = [s.value for s in ACTIVE]
    counts = dict(
        uow.session.execute(
            select(table.c.severity, func.count())
            .where(table.c.status.in_(active))
            .group_by(table.c.severity)
        ).all()
    )
    escalated = uow.session.scalar(
        select(func.count()).select_from(table).where(
            table.c.status.in_(active), table.c.escalation_level > 0,
            table.c.acknowledged_at.is_(None),
        )
    ) or 0  # fmt: skip
    now = uow.now()
    clocks = uow.session.execute(
        select(table.c.id, table.c.title, table.c.severity, table.c.report_due_at)
        .where(table.c.report_due_at.is_not(None), table.c.regulator_reported_at.is_(None))
        .order_by(table.c.report_due_at)
        .limit(ATTENTION_ROWS)
    ).all()
    overdue = uow.session.scalar(
        select(func.count()).select_from(table).where(
            table.c.report_due_at < now, table.c.regulator_reported_at.is_(None)
        )
    ) or 0  # fmt: skip
    frame = None
    if clocks:
        frame = pd.DataFrame(
            {
                "Incident": [f"#{r.id} {r.title}" for r in clocks],
                "Severity": [r.severity for r in clocks],
                "Report due": pd.to_datetime([r.report_due_at for r in clocks], utc=True),
                "Clock": [clock(r.report_due_at, None, now).text() for r in clocks],
            }
        )
    alert = None
    if overdue:
        alert = (
            f"**{overdue} regulatory report{'s are' if overdue > 1 else ' is'} overdue** "
            "(EU AI Act Art. 73): report to the market surveillance authority and record it "
            "on the **Incidents** page."
        )
    return Panel(
        title="Incidents",
        tiles=(
            Tile("Open critical", counts.get(Severity.CRITICAL.value, 0)),
            Tile("Open high", counts.get(Severity.HIGH.value, 0)),
            Tile("Open medium or low", counts.get("medium", 0) + counts.get("low", 0)),
            Tile("Escalated, unacknowledged", escalated, "waiting for someone to take them on"),
        ),
        table=frame,
        alert=alert,
        note=None if clocks else "No regulatory report is due.",
    )
