"""Fairness evidence: the policy in force and saved assessments, with their audit events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from governance.actor import Actor
from governance.artifacts import ArtifactStore, sha256_file
from governance.audit.log import record_event
from governance.auth.permissions import authorize
from governance.auth.roles import Action
from governance.clock import utcnow
from governance.config import load_settings
from governance.errors import NotFound, ValidationError
from governance.fairness.analysis import AssessmentResult
from governance.fairness.inputs import Source
from governance.fairness.models import FairnessAssessment, FairnessPolicyVersion
from governance.fairness.policy import Policy

_POLICY_FIELDS = tuple(Policy.__dataclass_fields__)


def _policy_of(row: FairnessPolicyVersion | None) -> Policy:
    if row is None:
        return Policy()
    return Policy(**{f: getattr(row, f) for f in _POLICY_FIELDS})


def _latest_policy_row(session: Session) -> FairnessPolicyVersion | None:
    stmt = select(FairnessPolicyVersion).order_by(FairnessPolicyVersion.id.desc()).limit(1)
    return session.scalars(stmt).first()


def active_policy(session: Session) -> Policy:
    """The policy in force (the defaults until a compliance officer sets one)."""
    return _policy_of(_latest_policy_row(session))


def update_policy(
    session: Session, *, actor: Actor, policy: Policy, note: str | None = None
) -> Policy:
    """Put a new version of the policy in force (compliance officers only)."""
    authorize(session, actor, Action.FAIRNESS_POLICY_EDIT, resource_type="fairness_policy")
    before = active_policy(session)
    if before == policy:
        raise ValidationError("The policy is unchanged.")
    row = FairnessPolicyVersion(
        created_at=utcnow(),
        created_by=actor.username,
        note=(note or "")[:1000] or None,
        **policy.to_dict(),
    )
    session.add(row)
    session.flush()
    record_event(
        session,
        actor=actor,
        action="fairness.policy_changed",
        resource_type="fairness_policy",
        resource_id=row.id,
        details={"before": before.to_dict(), "after": policy.to_dict(), "note": note},
    )
    session.commit()
    return policy


def _clean_name(value: str | None, what: str, limit: int) -> str | None:
    text = (value or "").strip()
    if not text:
        return None
    if len(text) > limit:
        raise ValidationError(f"{what} too long: at most {limit} characters.")
    if any(ord(c) < 32 for c in text):
        raise ValidationError(f"{what} cannot contain control characters.")
    return text


def save_assessment(
    session: Session,
    *,
    actor: Actor,
    result: AssessmentResult,
    source: Path,
    model_name: str,
    model_version: str | None = None,
    display_name: str | None = None,
    store: ArtifactStore | None = None,
) -> int:
    """Keep an assessment as evidence: the file as Parquet by its hash, results, audit event."""
    authorize(session, actor, Action.FAIRNESS_SAVE, resource_type="fairness_assessment")
    name = _clean_name(model_name, "Model name", 200)
    if name is None:
        raise ValidationError("Name the model this assessment is for.")
    version = _clean_name(model_version, "Model version", 100)
    store = store or ArtifactStore(load_settings().artifact_dir)
    digest = sha256_file(source)
    with Source(Path(source), display_name=display_name) as opened:
        artifact = store.put_table(opened.relation, opened.params, opened.readable, digest)
        file_format = opened.format.value
    try:
        policy_row = _latest_policy_row(session)
        first = result.results[0]
        dis = [
            g.disparate_impact
            for g in first.groups
            if g.sufficient and g.disparate_impact is not None
        ]
        payload = result.to_json()
        row = FairnessAssessment(
            created_at=utcnow(),
            created_by=actor.username,
            model_name=name,
            model_version=version,
            file_name=(display_name or Path(source).name)[:500],
            file_sha256=digest,
            file_format=file_format,
            artifact_path=artifact.relative_path,
            row_count=result.n_rows,
            policy_id=policy_row.id if policy_row else None,
            policy=result.policy.to_dict(),
            spec=result.spec.to_dict(),
            results=payload,
            verdict=result.verdict.value,
            min_disparate_impact=min(dis) if dis else None,
            demographic_parity_difference=first.summaries["demographic_parity_difference"],
            equalized_odds_difference=first.summaries["equalized_odds_difference"],
        )
        session.add(row)
        session.flush()
        record_event(
            session,
            actor=actor,
            action="fairness.assessment_saved",
            resource_type="fairness_assessment",
            resource_id=row.id,
            details={
                "model": name,
                "version": version,
                "file": row.file_name,
                "sha256": digest,
                "rows": result.n_rows,
                "verdict": row.verdict,
                "verdicts": {r.name: r.verdict.value for r in result.results},
            },
        )
        session.commit()
    except BaseException:
        session.rollback()
        if artifact.created:  # nothing half-written stays behind
            store.remove(digest)
        raise
    return row.id


@dataclass(frozen=True, slots=True)
class SavedAssessment:
    id: int
    created_at: datetime
    created_by: str
    model_name: str
    model_version: str | None
    file_name: str
    file_sha256: str
    row_count: int
    verdict: str
    results: dict[str, Any]
    policy: dict[str, Any]
    spec: dict[str, Any]


def _saved(row: FairnessAssessment) -> SavedAssessment:
    return SavedAssessment(
        row.id,
        row.created_at,
        row.created_by,
        row.model_name,
        row.model_version,
        row.file_name,
        row.file_sha256,
        row.row_count,
        row.verdict,
        row.results,
        row.policy,
        row.spec,
    )


def get_assessment(session: Session, *, actor: Actor, assessment_id: int) -> SavedAssessment:
    authorize(
        session,
        actor,
        Action.FAIRNESS_READ,
        resource_type="fairness_assessment",
        resource_id=assessment_id,
    )
    row = session.get(FairnessAssessment, assessment_id)
    if row is None:
        raise NotFound(f"No fairness assessment with id {assessment_id}.")
    return _saved(row)


def list_assessments(
    session: Session, *, actor: Actor, model_name: str | None = None
) -> pd.DataFrame:
    """Saved assessments, newest first, one row each (needs ``fairness.read``)."""
    authorize(session, actor, Action.FAIRNESS_READ, resource_type="fairness_assessment")
    stmt = select(FairnessAssessment).order_by(FairnessAssessment.id.desc())
    if model_name:
        stmt = stmt.where(FairnessAssessment.model_name == model_name)
    rows = [
        {
            "id": r.id,
            "created_at": r.created_at,
            "created_by": r.created_by,
            "model_name": r.model_name,
            "model_version": r.model_version,
            "file_name": r.file_name,
            "row_count": r.row_count,
            "verdict": r.verdict,
            "min_disparate_impact": r.min_disparate_impact,
            "demographic_parity_difference": r.demographic_parity_difference,
            "equalized_odds_difference": r.equalized_odds_difference,
            "file_sha256": r.file_sha256,
        }
        for r in session.scalars(stmt)
    ]
    frame = pd.DataFrame(
        rows,
        columns=[
            "id",
            "created_at",
            "created_by",
            "model_name",
            "model_version",
            "file_name",
            "row_count",
            "verdict",
            "min_disparate_impact",
            "demographic_parity_difference",
            "equalized_odds_difference",
            "file_sha256",
        ],
    )
    frame["created_at"] = pd.to_datetime(frame["created_at"], utc=True)
    return frame


def model_trend(session: Session, *, actor: Actor, model_name: str) -> pd.DataFrame:
    """One row per saved assessment and grouping of a model, oldest first: the ratio trend."""
    authorize(session, actor, Action.FAIRNESS_READ, resource_type="fairness_assessment")
    stmt = (
        select(FairnessAssessment)
        .where(FairnessAssessment.model_name == model_name)
        .order_by(FairnessAssessment.created_at)
    )
    rows: list[dict[str, Any]] = []
    for r in session.scalars(stmt):
        for grouping in r.results.get("results", []):
            dis = [
                g["disparate_impact"]
                for g in grouping["groups"]
                if g.get("sufficient_data") and g["disparate_impact"] is not None
            ]
            rows.append(
                {
                    "assessment_id": r.id,
                    "created_at": r.created_at,
                    "model_version": r.model_version,
                    "grouping": " × ".join(grouping["sensitive_features"]),
                    "min_disparate_impact": min(dis) if dis else None,
                    "demographic_parity_difference": grouping["demographic_parity_difference"],
                    "equalized_odds_difference": grouping["equalized_odds_difference"],
                    "verdict": grouping["verdict"],
                }
            )
    frame = pd.DataFrame(
        rows,
        columns=[
            "assessment_id",
            "created_at",
            "model_version",
            "grouping",
            "min_disparate_impact",
            "demographic_parity_difference",
            "equalized_odds_difference",
            "verdict",
        ],
    )
    frame["created_at"] = pd.to_datetime(frame["created_at"], utc=True)
    return frame
