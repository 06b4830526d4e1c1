"""What the risk page reads: the register as a table sorted by score, one risk's dossier.

The level of each row is the matrix in force's (read with the rows, never stored), and each
row says how many of its plans are overdue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pandas as pd
from sqlalchemy import Select, func, select

from governance.actor import Actor
from governance.audit.events import Resource
from governance.auth.models import User
from governance.auth.roles import Action
from governance.kernel import UnitOfWork, authorize
from governance.registry.models import Model
from governance.registry.records import model_by_name
from governance.risks.acceptance import AcceptanceInfo, acceptances
from governance.risks.fields import parse_category
from governance.risks.levels import in_force
from governance.risks.lifecycle import RiskStatus, parse_status
from governance.risks.matrix import Matrix
from governance.risks.models import MitigationPlan, Risk, RiskModel, RiskTransition
from governance.risks.plans import PlanInfo, plans_of
from governance.risks.records import RiskInfo, load_risk, today
from governance.risks.service import info_of
from governance.risks.upkeep import OPEN_PLAN, keep_current

COLUMNS = [
    "id",
    "title",
    "category",
    "status",
    "likelihood",
    "impact",
    "score",
    "level",
    "residual_score",
    "residual_level",
    "owner",
    "models",
    "overdue_plans",
    "accepted_until",
]


@dataclass(frozen=True, slots=True)
class Filters:
    """What the register and the heatmap are narrowed to (None: everything)."""

    category: str | None = None
    status: str | None = None
    model: str | None = None
    owner_id: int | None = None


def filtered(uow: UnitOfWork, stmt: Select, filters: Filters) -> Select:  # type: ignore[type-arg]
    if filters.category:
        stmt = stmt.where(Risk.category == parse_category(filters.category).value)
    if filters.status:
        stmt = stmt.where(Risk.status == parse_status(filters.status).value)
    if filters.owner_id is not None:
        stmt = stmt.where(Risk.owner_id == filters.owner_id)
    if filters.model:
        model = model_by_name(uow, filters.model)
        linked = select(RiskModel.risk_id).where(RiskModel.model_id == model.id)
        stmt = stmt.where(Risk.id.in_(linked))
    return stmt


def _levels(matrix: Matrix, lik: pd.Series, imp: pd.Series) -> pd.Series:
    grid = matrix.to_json()
    codes = (lik.astype("Int64") - 1) * 5 + (imp.astype("Int64") - 1)
    return codes.map(lambda c: None if pd.isna(c) else grid[int(c)])


def list_risks(
    uow: UnitOfWork,
    *,
    actor: Actor,
    filters: Filters | None = None,
    limit: int | None = None,
) -> pd.DataFrame:
    """The register, highest score first (ties: the oldest first); ``limit`` rows at most."""
    authorize(uow, actor, Action.RISK_READ, Resource.RISK)
    keep_current(uow)
    filters = filters or Filters()
    overdue = (
        select(MitigationPlan.risk_id, func.count().label("n"))
        .where(MitigationPlan.status.in_(OPEN_PLAN), MitigationPlan.deadline < today(uow))
        .group_by(MitigationPlan.risk_id)
        .subquery()
    )
    stmt = (
        select(
            Risk.id,
            Risk.title,
            Risk.category,
            Risk.status,
            Risk.likelihood,
            Risk.impact,
            Risk.score,
            Risk.residual_likelihood,
            Risk.residual_impact,
            User.username.label("owner"),
            func.coalesce(overdue.c.n, 0).label("overdue_plans"),
            Risk.accepted_until,
        )
        .join(User, User.id == Risk.owner_id)
        .outerjoin(overdue, overdue.c.risk_id == Risk.id)
        .order_by(Risk.score.desc(), Risk.id)
    )
    stmt = filtered(uow, stmt, filters)
    if limit is not None:
        stmt = stmt.limit(limit)
    frame = pd.DataFrame(uow.session.execute(stmt).all())
    if frame.empty:
        return pd.DataFrame(columns=COLUMNS)
    matrix = in_force(uow).matrix
    frame["level"] = _levels(matrix, frame["likelihood"], frame["impact"])
    frame["residual_score"] = (frame["residual_likelihood"] * frame["residual_impact"]).astype(
        "Int64"
    )
    frame["residual_level"] = _levels(
        matrix, frame["residual_likelihood"], frame["residual_impact"]
    )
    frame["models"] = _models_of(uow, frame["id"].tolist())
    frame["accepted_until"] = pd.to_datetime(frame["accepted_until"]).dt.date
    return frame[COLUMNS].reset_index(drop=True)


def _models_of(uow: UnitOfWork, ids: list[int]) -> list[str]:
    found: dict[int, list[str]] = {}
    for chunk in range(0, len(ids), 5000):
        part = ids[chunk : chunk + 5000]
        rows = uow.session.execute(
            select(RiskModel.risk_id, Model.name)
            .join(Model, Model.id == RiskModel.model_id)
            .where(RiskModel.risk_id.in_(part))
            .order_by(Model.name_key)
        )
        for risk_id, name in rows:
            found.setdefault(risk_id, []).append(name)
    return [", ".join(found.get(i, ())) for i in ids]


def count_risks(uow: UnitOfWork, *, actor: Actor, filters: Filters | None = None) -> int:
    authorize(uow, actor, Action.RISK_READ, Resource.RISK)
    stmt = filtered(uow, select(func.count()).select_from(Risk), filters or Filters())
    return uow.session.scalar(stmt) or 0


@dataclass(frozen=True, slots=True)
class StepInfo:
    from_status: str | None
    to_status: str
    actor: str
    reason: str
    at: datetime


@dataclass(frozen=True, slots=True)
class RiskDossier:
    """One risk and everything about it the detail view shows."""

    risk: RiskInfo
    history: tuple[StepInfo, ...]
    plans: tuple[PlanInfo, ...]
    acceptances: tuple[AcceptanceInfo, ...]
    matrix_version: int

    @property
    def open(self) -> bool:
        return self.risk.status != RiskStatus.CLOSED.value


def risk_dossier(uow: UnitOfWork, *, actor: Actor, risk_id: int) -> RiskDossier:
    authorize(uow, actor, Action.RISK_READ, Resource.RISK, risk_id)
    keep_current(uow)
    risk = load_risk(uow, risk_id)
    steps = uow.session.scalars(
        select(RiskTransition).where(RiskTransition.risk_id == risk.id).order_by(RiskTransition.id)
    )
    history = tuple(StepInfo(s.from_status, s.to_status, s.actor, s.reason, s.at) for s in steps)
    return RiskDossier(
        info_of(uow, risk),
        history,
        tuple(plans_of(uow, risk.id)),
        tuple(acceptances(uow, risk.id)),
        in_force(uow).version,
    )


def risk_ids(uow: UnitOfWork, *, actor: Actor) -> list[int]:
    """Every risk's number (the deep link's check)."""
    authorize(uow, actor, Action.RISK_READ, Resource.RISK)
    return list(uow.session.scalars(select(Risk.id).order_by(Risk.id)))
