"""The risk panel of the overview: open risks by level, overdue plans, acceptances about to
lapse, and the highest-scored open risks."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
from sqlalchemy import func, select

from governance.actor import Actor
from governance.kernel import UnitOfWork
from governance.overview import Panel, Tile, contributes
from governance.risks.levels import in_force
from governance.risks.lifecycle import RiskStatus
from governance.risks.models import MitigationPlan, Risk
from governance.risks.records import today
from governance.risks.upkeep import OPEN_PLAN, keep_current

TOP_ROWS = 10
SOON = timedelta(days=14)


@contributes(order=30)
def risks_panel(uow: UnitOfWork, actor: Actor) -> Panel:
    keep_current(uow)
    total = uow.session.scalar(select(func.count()).select_from(Risk)) or 0
    if total == 0:
        return Panel(
            title="Risk register",
            next_step="No risk is recorded yet. Compliance officers and data scientists record "
            "risks on the **Risk register** page (or `python -m governance risks register`).",
        )
    matrix = in_force(uow).matrix
    is_open = Risk.status != RiskStatus.CLOSED.value
    cells = uow.session.execute(
        select(Risk.likelihood, Risk.impact, func.count())
        .where(is_open)
        .group_by(Risk.likelihood, Risk.impact)
    ).all()
    by_level: dict[str, int] = {}
    for lik, imp, n in cells:
        level = matrix.level(lik, imp).value
        by_level[level] = by_level.get(level, 0) + n
    day = today(uow)
    overdue = uow.session.scalar(
        select(func.count())
        .select_from(MitigationPlan)
        .where(MitigationPlan.status.in_(OPEN_PLAN), MitigationPlan.deadline < day)
    )
    lapsing = uow.session.scalar(
        select(func.count())
        .select_from(Risk)
        .where(Risk.status == RiskStatus.ACCEPTED.value, Risk.accepted_until <= day + SOON)
    )
    top = uow.session.execute(
        select(Risk.id, Risk.title, Risk.likelihood, Risk.impact, Risk.score, Risk.status)
        .where(is_open)
        .order_by(Risk.score.desc(), Risk.id)
        .limit(TOP_ROWS)
    ).all()
    table = pd.DataFrame(
        {
            "Risk": [r.id for r in top],
            "Title": [r.title for r in top],
            "Score": [r.score for r in top],
            "Level": [matrix.level(r.likelihood, r.impact).value for r in top],
            "Status": [r.status for r in top],
        }
    )
    alert = None
    if overdue:
        alert = (
            f"**{overdue} mitigation plan{'s' if overdue != 1 else ''} overdue**: open the "
            "**Risk register** to see which."
        )
    return Panel(
        title="Risk register",
        tiles=(
            Tile("Open risks", sum(by_level.values())),
            Tile("Critical", by_level.get("critical", 0), "by the level matrix in force"),
            Tile("High", by_level.get("high", 0), "by the level matrix in force"),
            Tile("Overdue plans", overdue or 0, "deadline passed, neither done nor cancelled"),
            Tile("Acceptances lapsing", lapsing or 0, f"within {SOON.days} days"),
        ),
        table=table if top else None,
        alert=alert,
    )
