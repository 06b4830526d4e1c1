"""The 5 × 5 heatmap (open risks per likelihood × impact cell, inherent or residual) and the
trend of open risks by level over time, read from the status history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import numpy as np
import pandas as pd
from sqlalchemy import func, select

from governance.actor import Actor
from governance.audit.events import Resource
from governance.auth.roles import Action
from governance.kernel import UnitOfWork, authorize
from governance.risks.fields import RATINGS
from governance.risks.levels import in_force
from governance.risks.lifecycle import RiskStatus
from governance.risks.matrix import LEVELS
from governance.risks.models import Risk, RiskTransition
from governance.risks.register import Filters, filtered
from governance.risks.upkeep import keep_current

OPEN = Risk.status != RiskStatus.CLOSED.value
TREND_DAYS = 90


@dataclass(frozen=True, slots=True)
class Heatmap:
    """Counts per cell (rows likelihood 1..5, columns impact 1..5), the cells' levels and
    the matrix version they come from."""

    residual: bool
    counts: tuple[tuple[int, ...], ...]
    levels: tuple[tuple[str, ...], ...]
    matrix_version: int

    @property
    def total(self) -> int:
        return sum(sum(row) for row in self.counts)

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            [
                {
                    "likelihood": lik,
                    "impact": imp,
                    "level": self.levels[lik - 1][imp - 1],
                    "risks": self.counts[lik - 1][imp - 1],
                }
                for lik in RATINGS
                for imp in RATINGS
            ]
        )


def _axes(residual: bool):  # type: ignore[no-untyped-def]
    if not residual:
        return Risk.likelihood, Risk.impact
    return (
        func.coalesce(Risk.residual_likelihood, Risk.likelihood),
        func.coalesce(Risk.residual_impact, Risk.impact),
    )


def risk_heatmap(
    uow: UnitOfWork, *, actor: Actor, residual: bool = False, filters: Filters | None = None
) -> Heatmap:
    """Open risks per cell; the residual view places a mitigated risk by its residual rating
    (a risk without one stays where its inherent rating puts it)."""
    authorize(uow, actor, Action.RISK_READ, Resource.RISK)
    keep_current(uow)
    lik, imp = _axes(residual)
    stmt = select(lik, imp, func.count()).where(OPEN).group_by(lik, imp)
    stmt = filtered(uow, stmt, filters or Filters())
    counts = [[0] * 5 for _ in RATINGS]
    for row_lik, row_imp, n in uow.session.execute(stmt):
        counts[int(row_lik) - 1][int(row_imp) - 1] = int(n)
    matrix = in_force(uow)
    return Heatmap(
        residual,
        tuple(tuple(r) for r in counts),
        tuple(tuple(r) for r in matrix.matrix.grid()),
        matrix.version,
    )


def cell_risks(
    uow: UnitOfWork,
    *,
    actor: Actor,
    likelihood: int,
    impact: int,
    residual: bool = False,
    filters: Filters | None = None,
    limit: int = 500,
) -> pd.DataFrame:
    """The open risks of one cell, highest score first."""
    authorize(uow, actor, Action.RISK_READ, Resource.RISK)
    lik, imp = _axes(residual)
    stmt = (
        select(Risk.id, Risk.title, Risk.category, Risk.status, Risk.score)
        .where(OPEN, lik == likelihood, imp == impact)
        .order_by(Risk.score.desc(), Risk.id)
        .limit(limit)
    )
    stmt = filtered(uow, stmt, filters or Filters())
    rows = uow.session.execute(stmt).all()
    return pd.DataFrame(rows, columns=["id", "title", "category", "status", "score"])


def risk_trend(
    uow: UnitOfWork, *, actor: Actor, days: int = TREND_DAYS, filters: Filters | None = None
) -> pd.DataFrame:
    """Open risks at the end of each of the last ``days`` days, by level (columns ``day``,
    ``level``, ``risks``). A risk is open from its registration until it is closed; its
    level is its inherent rating's under the matrix in force now."""
    authorize(uow, actor, Action.RISK_READ, Resource.RISK)
    closed = (
        select(RiskTransition.risk_id, func.max(RiskTransition.at).label("closed_at"))
        .where(RiskTransition.to_status == RiskStatus.CLOSED.value)
        .group_by(RiskTransition.risk_id)
        .subquery()
    )
    stmt = select(Risk.created_at, closed.c.closed_at, Risk.likelihood, Risk.impact).outerjoin(
        closed, closed.c.risk_id == Risk.id
    )
    stmt = filtered(uow, stmt, filters or Filters())
    rows = pd.DataFrame(
        uow.session.execute(stmt).all(), columns=["opened", "closed", "likelihood", "impact"]
    )
    end = pd.Timestamp(uow.now()).tz_convert("UTC").normalize() + pd.Timedelta(days=1)
    ends = pd.date_range(end=end, periods=days, freq="D")
    grid = in_force(uow).matrix.to_json()
    out = []
    if not rows.empty:
        codes = (rows["likelihood"].to_numpy() - 1) * 5 + (rows["impact"].to_numpy() - 1)
        rows["level"] = np.array(grid)[codes]
        opened = pd.to_datetime(rows["opened"], utc=True)
        shut = pd.to_datetime(rows["closed"], utc=True)
        for level in LEVELS:
            mask = (rows["level"] == level.value).to_numpy()
            o = np.sort(opened[mask].to_numpy(dtype="datetime64[ns]"))
            c = np.sort(shut[mask].dropna().to_numpy(dtype="datetime64[ns]"))
            at = ends.tz_convert(None).to_numpy(dtype="datetime64[ns]")
            counts = np.searchsorted(o, at, side="left") - np.searchsorted(c, at, side="left")
            out.append(
                pd.DataFrame(
                    {"day": ends - timedelta(days=1), "level": level.value, "risks": counts}
                )
            )
    else:
        for level in LEVELS:
            out.append(
                pd.DataFrame({"day": ends - timedelta(days=1), "level": level.value, "risks": 0})
            )
    return pd.concat(out, ignore_index=True)
