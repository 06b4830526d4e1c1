"""Fairness records: the policy's versions and saved assessments (evidence)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from governance.db.base import Base, UTCDateTime


class FairnessPolicyVersion(Base):
    """One version of the fairness policy; the newest is in force. Never edited in place."""

    __tablename__ = "fairness_policies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # 1, 2, 3, … in order of coming into force; unique, so of two officers who both edited
    # version N only one can put N + 1 in force.
    version: Mapped[int] = mapped_column(Integer, unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(100))
    max_demographic_parity_difference: Mapped[float] = mapped_column(Float)
    min_disparate_impact_ratio: Mapped[float] = mapped_column(Float)
    max_equalized_odds_difference: Mapped[float] = mapped_column(Float)
    min_group_size: Mapped[int] = mapped_column(Integer)
    confidence_level: Mapped[float] = mapped_column(Float)
    bootstrap_replicates: Mapped[int] = mapped_column(Integer)
    random_seed: Mapped[int] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(String(1000))


class FairnessAssessment(Base):
    """A saved assessment: inputs, the policy applied, every result and the verdict."""

    __tablename__ = "fairness_assessments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    created_by: Mapped[str] = mapped_column(String(100))
    # As typed (before revision 0009) or as the registry spells it (since): history stays
    # readable whatever becomes of the registry's records.
    model_name: Mapped[str] = mapped_column(String(200), index=True)
    model_version: Mapped[str | None] = mapped_column(String(100))
    # The registry's model and version the assessment is evidence about. NULL where an
    # assessment saved before 0009 named a version that is not a semantic version, or none.
    model_id: Mapped[int | None] = mapped_column(ForeignKey("models.id"), index=True)
    model_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("model_versions.id"), index=True
    )
    file_name: Mapped[str] = mapped_column(String(500))
    file_sha256: Mapped[str] = mapped_column(String(64), index=True)
    file_format: Mapped[str] = mapped_column(String(20))
    artifact_path: Mapped[str] = mapped_column(String(200))
    # The stored file's own SHA-256 (its name is the uploaded file's): NULL before revision 0004.
    artifact_sha256: Mapped[str | None] = mapped_column(String(64))
    row_count: Mapped[int] = mapped_column(Integer)
    policy_id: Mapped[int | None] = mapped_column(Integer)
    policy: Mapped[dict[str, Any]] = mapped_column(JSON)
    spec: Mapped[dict[str, Any]] = mapped_column(JSON)
    results: Mapped[dict[str, Any]] = mapped_column(JSON)
    verdict: Mapped[str] = mapped_column(String(20))
    # Headline numbers of the first grouping, for trends without parsing the results.
    min_disparate_impact: Mapped[float | None] = mapped_column(Float)
    demographic_parity_difference: Mapped[float | None] = mapped_column(Float)
    equalized_odds_difference: Mapped[float | None] = mapped_column(Float)
