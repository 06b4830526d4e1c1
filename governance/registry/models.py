"""Registry records: models, their versions, and each version's history, validations,
approvals and deployments.

Statuses, tiers and decisions are also CHECK constraints, so a record the services would
refuse cannot be written by any other path either.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from governance.db.base import Base, UTCDateTime
from governance.registry.fields import Provider, RiskTier
from governance.registry.lifecycle import Status


def _values(enum: Any) -> str:
    return ", ".join(f"'{m.value}'" for m in enum)


class Model(Base):
    """A registered model: what it is for, who owns it, how risky it is, what it must achieve."""

    __tablename__ = "models"
    __table_args__ = (
        CheckConstraint(f"provider IN ({_values(Provider)})", name="provider_known"),
        CheckConstraint(f"risk_tier IN ({_values(RiskTier)})", name="risk_tier_known"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # The name case-folded: "Credit-Scorer" and "credit-scorer" are one model, and the unique
    # key makes the database refuse the second even when two people register it at once.
    name_key: Mapped[str] = mapped_column(String(200), unique=True)
    provider: Mapped[str] = mapped_column(String(32))
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    risk_tier: Mapped[str] = mapped_column(String(16))
    intended_use: Mapped[str] = mapped_column(Text)
    out_of_scope_uses: Mapped[str | None] = mapped_column(Text)
    capabilities: Mapped[list[str]] = mapped_column(JSON)
    known_limitations: Mapped[list[str]] = mapped_column(JSON)
    training_data: Mapped[str | None] = mapped_column(Text)
    # {"accuracy": {"threshold": 0.85, "direction": ">="}, ...}: validations judge against it.
    performance_baseline: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(100))
    row_version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": row_version}  # noqa: RUF012


class ModelVersion(Base):
    """One version of a model and where it stands in its lifecycle."""

    __tablename__ = "model_versions"
    __table_args__ = (
        # Build metadata does not change precedence (semver item 10): 1.0.0+a and 1.0.0+b are
        # one version, so uniqueness is on the version without it.
        UniqueConstraint("model_id", "version_key", name="uq_model_versions_model_version"),
        CheckConstraint(f"status IN ({_values(Status)})", name="status_known"),
        CheckConstraint("length(artifact_sha256) = 64", name="artifact_sha256_length"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("models.id"), index=True)
    version: Mapped[str] = mapped_column(String(100))
    version_key: Mapped[str] = mapped_column(String(100))
    changelog: Mapped[str] = mapped_column(Text)
    artifact_uri: Mapped[str] = mapped_column(String(1000))
    artifact_sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20))
    # Raised by each request for approval: approvals count within the current round only, so a
    # version rejected, revised and submitted again is judged afresh.
    approval_round: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(100))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Every decision (an approval, a transition) moves it, including an approval that leaves
    # the status as it was: what an approver saw is this number. Moved by the services
    # (``registry.records.touch``), checked by every UPDATE.
    row_version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": row_version, "version_id_generator": False}  # noqa: RUF012


class VersionTransition(Base):
    """One status change of a version: from, to, who, why, when, where. Never edited."""

    __tablename__ = "version_transitions"
    __table_args__ = (CheckConstraint(f"to_status IN ({_values(Status)})", name="to_status_known"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("model_versions.id"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(20))  # None: the version's creation
    to_status: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(100))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    environment: Mapped[str | None] = mapped_column(String(40))


class Validation(Base):
    """A validation report: each requirement (name, threshold, observed, evidence, passed)."""

    __tablename__ = "validations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("model_versions.id"), index=True)
    passed: Mapped[bool] = mapped_column(Boolean)
    requirements: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    notes: Mapped[str | None] = mapped_column(Text)
    run_by: Mapped[str] = mapped_column(String(100))
    run_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class Approval(Base):
    """One reviewer's decision on one round of a version's request for approval.

    The owner and the requester are copied onto the row so that the database itself refuses a
    maker approving their own work, whatever path the row comes by.
    """

    __tablename__ = "approvals"
    __table_args__ = (
        # One decision per person per round: a high-risk version needs two different people.
        UniqueConstraint("version_id", "round", "approver_id", name="uq_approvals_one_per_person"),
        CheckConstraint(
            "approver_id <> owner_id AND (requester_id IS NULL OR approver_id <> requester_id)",
            name="not_own_work",
        ),
        CheckConstraint("decision IN ('approved', 'rejected')", name="decision_known"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("model_versions.id"), index=True)
    round: Mapped[int] = mapped_column(Integer)
    approver_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    approver: Mapped[str] = mapped_column(String(100))
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # None when the request came from the command line's operator rather than an account.
    requester_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decision: Mapped[str] = mapped_column(String(10))
    notes: Mapped[str] = mapped_column(Text)
    seen_row_version: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class Deployment(Base):
    """A version running in an environment, from ``deployed_at`` until ``ended_at``."""

    __tablename__ = "deployments"
    __table_args__ = (
        # One current deployment per model and environment: of two racing promotions, the
        # database lets one in.
        Index(
            "uq_deployments_current",
            "model_id",
            "environment",
            unique=True,
            sqlite_where=text("is_current"),
            postgresql_where=text("is_current"),
        ),
        Index("ix_deployments_model_environment", "model_id", "environment", "deployed_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("models.id"))
    version_id: Mapped[int] = mapped_column(ForeignKey("model_versions.id"), index=True)
    environment: Mapped[str] = mapped_column(String(40))
    endpoint: Mapped[str | None] = mapped_column(String(500))
    notes: Mapped[str | None] = mapped_column(Text)
    validation_id: Mapped[int] = mapped_column(ForeignKey("validations.id"))
    deployed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    deployed_by: Mapped[str] = mapped_column(String(100))
    is_current: Mapped[bool] = mapped_column(Boolean)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    end_reason: Mapped[str | None] = mapped_column(String(200))
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("deployments.id"))
    row_version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": row_version}  # noqa: RUF012


class PerformancePoint(Base):
    """One measurement of a model in use: a metric's value at a time (``ModelPerformance`` in
    the original design). Appended by imports and pipelines, never edited."""

    __tablename__ = "performance_points"
    # The trend reads one metric of one model over a window: this index is that scan.
    __table_args__ = (Index("ix_performance_points_series", "model_id", "metric", "observed_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("models.id"))
    version_id: Mapped[int | None] = mapped_column(ForeignKey("model_versions.id"))
    metric: Mapped[str] = mapped_column(String(64))
    value: Mapped[float] = mapped_column(Float)
    observed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class PerformanceDay(Base):
    """One UTC day of one metric of one model: how many points, their sum, minimum and maximum.

    Grown in place by every append, in the append's own unit, so it always equals a
    ``GROUP BY`` day of ``performance_points``: a 90-day trend reads 90 rows instead of
    aggregating every point (half a million for one metric of a million-point model).
    """

    __tablename__ = "performance_days"

    model_id: Mapped[int] = mapped_column(ForeignKey("models.id"), primary_key=True)
    metric: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    points: Mapped[int] = mapped_column(Integer)
    total: Mapped[float] = mapped_column(Float)
    minimum: Mapped[float] = mapped_column(Float)
    maximum: Mapped[float] = mapped_column(Float)


class ModelWatcher(Base):
    """Someone who asked to hear about a model (its deployments and deprecations) without
    owning it: a reviewer, a product owner, the team that calls its endpoint."""

    __tablename__ = "model_watchers"

    model_id: Mapped[int] = mapped_column(ForeignKey("models.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)
    since: Mapped[datetime] = mapped_column(UTCDateTime())
