"""Risk records: the register, each risk's linked models, its status history, its
mitigation plans and their progress notes, its acceptances, and the level matrix's versions.

Categories, statuses and ratings are also CHECK constraints, and the score is checked to be
likelihood × impact, so a record the services would refuse cannot be written by another path.

The level (low … critical) is *not* stored: it is read from the matrix in force whenever a
risk is shown, so a matrix change re-levels every risk at once and no row can hold a stale
level. The score is stored (checked against the ratings) because the register sorts by it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from governance.db.base import Base, UTCDateTime
from governance.risks.fields import Category
from governance.risks.lifecycle import RiskStatus

PLAN_STATUSES = ("planned", "in_progress", "done", "cancelled")


def _values(values: Any) -> str:
    return ", ".join(f"'{getattr(v, 'value', v)}'" for v in values)


def _rating(column: str, nullable: bool = False) -> CheckConstraint:
    test = f"{column} BETWEEN 1 AND 5"
    if nullable:
        test = f"{column} IS NULL OR {test}"
    return CheckConstraint(test, name=f"{column}_rating")


class Risk(Base):
    """One risk of the register (``Risk`` in the original design)."""

    __tablename__ = "risks"
    __table_args__ = (
        CheckConstraint(f"category IN ({_values(Category)})", name="category_known"),
        CheckConstraint(f"status IN ({_values(RiskStatus)})", name="status_known"),
        _rating("likelihood"),
        _rating("impact"),
        _rating("residual_likelihood", nullable=True),
        _rating("residual_impact", nullable=True),
        CheckConstraint("score = likelihood * impact", name="score_derived"),
        CheckConstraint(
            "(residual_likelihood IS NULL) = (residual_impact IS NULL)", name="residual_pair"
        ),
        CheckConstraint(
            "(status = 'accepted') = (accepted_until IS NOT NULL)", name="accepted_has_expiry"
        ),
        # The register lists by score; the sweep finds lapsed acceptances.
        Index("ix_risks_score", "score", "id"),
        Index("ix_risks_status_accepted_until", "status", "accepted_until"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    category: Mapped[str] = mapped_column(String(20), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    likelihood: Mapped[int] = mapped_column(Integer)
    impact: Mapped[int] = mapped_column(Integer)
    score: Mapped[int] = mapped_column(Integer)
    residual_likelihood: Mapped[int | None] = mapped_column(Integer)
    residual_impact: Mapped[int | None] = mapped_column(Integer)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    # The last day the current acceptance holds (set only while accepted).
    accepted_until: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(100))
    row_version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": row_version}  # noqa: RUF012


class RiskModel(Base):
    """A registered model the risk is about."""

    __tablename__ = "risk_models"

    risk_id: Mapped[int] = mapped_column(ForeignKey("risks.id"), primary_key=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("models.id"), primary_key=True, index=True)


class RiskTransition(Base):
    """One status change of a risk: from, to, who, why, when. Never edited."""

    __tablename__ = "risk_transitions"
    __table_args__ = (
        CheckConstraint(f"to_status IN ({_values(RiskStatus)})", name="to_status_known"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    risk_id: Mapped[int] = mapped_column(ForeignKey("risks.id"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(20))  # None: the risk's creation
    to_status: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(100))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class RiskAcceptance(Base):
    """A compliance officer's acceptance of a risk until a day; never by its owner.

    The owner is copied onto the row so that the database itself refuses an owner accepting
    their own risk, whatever path the row comes by.
    """

    __tablename__ = "risk_acceptances"
    __table_args__ = (
        CheckConstraint("accepted_by_id <> owner_id", name="not_own_risk"),
        CheckConstraint("expires_on > accepted_on", name="expires_after_acceptance"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    risk_id: Mapped[int] = mapped_column(ForeignKey("risks.id"), index=True)
    accepted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    accepted_by: Mapped[str] = mapped_column(String(100))
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    justification: Mapped[str] = mapped_column(Text)
    accepted_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date] = mapped_column(Date)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    # When it stopped holding (expired, or the risk closed) and why; NULL while it holds.
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    end_reason: Mapped[str | None] = mapped_column(String(40))


class MitigationPlan(Base):
    """What is done about a risk, by whom, by when."""

    __tablename__ = "mitigation_plans"
    __table_args__ = (
        CheckConstraint(f"status IN ({_values(PLAN_STATUSES)})", name="plan_status_known"),
        Index("ix_mitigation_plans_open_deadline", "status", "deadline"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    risk_id: Mapped[int] = mapped_column(ForeignKey("risks.id"), index=True)
    strategy: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    deadline: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(100))
    row_version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": row_version}  # noqa: RUF012


class PlanNote(Base):
    """A progress note on a plan (and the plan's status it left). Never edited."""

    __tablename__ = "mitigation_plan_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("mitigation_plans.id"), index=True)
    note: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))
    by: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class RiskMatrixVersion(Base):
    """One version of the level matrix; the newest is in force. Never edited in place."""

    __tablename__ = "risk_matrices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # 1, 2, 3, … unique: of two officers who both edited version N only one puts N + 1 in force.
    version: Mapped[int] = mapped_column(Integer, unique=True)
    cells: Mapped[list[str]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(String(1000))
