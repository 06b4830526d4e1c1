"""Fairness evidence: the policy in force and its versions, saved assessments, their exports.

Every function takes the caller's unit of work first; changes are authorised, validated,
written and audited in it, and the edge commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import select

from governance.actor import Actor
from governance.artifacts import sha256_file
from governance.audit.events import AuditAction, Event, Resource
from governance.auth.roles import Action
from governance.errors import Conflict, NotFound, ValidationError
from governance.fairness import registry_link
from governance.fairness.analysis import AssessmentResult
from governance.fairness.caps import FileCaps
from governance.fairness.inputs import Source
from governance.fairness.models import FairnessAssessment, FairnessPolicyVersion
from governance.fairness.policy import Policy
from governance.kernel import UnitOfWork, authorize, clean_text, frame_of, plain, stale_message

_POLICY_FIELDS = tuple(Policy.__dataclass_fields__)
_THE_POLICY = "the fairness policy"


@dataclass(frozen=True, slots=True)
class PolicyVersion:
    """A version of the policy: its number (0 for the built-in defaults) and who set it why."""

    version: int
    policy: Policy
    created_at: datetime | None
    created_by: str | None
    reason: str | None


DEFAULT_POLICY = PolicyVersion(0, Policy(), None, None, "built-in defaults")


def _version_of(row: FairnessPolicyVersion) -> PolicyVersion:
    policy = Policy(**{f: getattr(row, f) for f in _POLICY_FIELDS})
    return PolicyVersion(row.version, policy, row.created_at, row.created_by, row.note)


def _latest_policy_row(uow: UnitOfWork) -> FairnessPolicyVersion | None:
    stmt = select(FairnessPolicyVersion).order_by(FairnessPolicyVersion.version.desc()).limit(1)
    return uow.session.scalars(stmt).first()


def _in_force(uow: UnitOfWork) -> PolicyVersion:
    row = _latest_policy_row(uow)
    return DEFAULT_POLICY if row is None else _version_of(row)


def policy_in_force(uow: UnitOfWork, *, actor: Actor) -> PolicyVersion:
    """The version in force (the built-in defaults, version 0, until an officer sets one)."""
    authorize(uow, actor, Action.FAIRNESS_READ, Resource.FAIRNESS_POLICY)
    return _in_force(uow)


def active_policy(uow: UnitOfWork, *, actor: Actor) -> Policy:
    """The policy in force, for judging a new assessment (needs ``fairness.read``)."""
    return policy_in_force(uow, actor=actor).policy


def update_policy(
    uow: UnitOfWork,
    *,
    actor: Actor,
    policy: Policy,
    reason: str | None,
    expected_version: int | None = None,
) -> PolicyVersion:
    """Put a new version of the policy in force (compliance officers only).

    ``reason`` is required and recorded. ``expected_version`` is the version the editor saw: when
    another officer has put a newer one in force since, the edit is a conflict rather than a
    silent overwrite. Two officers racing from the same version meet the unique version
    number, and the second gets the same conflict.
    """
    authorize(uow, actor, Action.FAIRNESS_POLICY_EDIT, Resource.FAIRNESS_POLICY)
    why = clean_text(reason, field="Reason for the change", limit=1000)
    current = _in_force(uow)
    if expected_version is not None and expected_version != current.version:
        raise Conflict(stale_message(_THE_POLICY))
    if current.policy == policy:
        raise ValidationError("The policy is unchanged.")
    row = FairnessPolicyVersion(
        version=current.version + 1,
        created_at=uow.now(),
        created_by=actor.username,
        note=why,
        **policy.to_dict(),
    )
    uow.session.add(row)
    uow.flush(_THE_POLICY)
    details = {
        "version": row.version,
        "before": current.policy.to_dict(),
        "after": policy.to_dict(),
        "note": why,
    }
    uow.record(
        actor, Event(AuditAction.FAIRNESS_POLICY_CHANGED, Resource.FAIRNESS_POLICY, row.id, details)
    )
    return _version_of(row)


def policy_changes(before: Policy, after: Policy) -> list[str]:
    """What differs between two policies, in words ("minimum group size 30 → 50")."""
    old, new = before.to_dict(), after.to_dict()
    return [
        f"{name.replace('_', ' ')} {old[name]:g} → {new[name]:g}"
        for name in _POLICY_FIELDS
        if old[name] != new[name]
    ]


@dataclass(frozen=True, slots=True)
class PolicyHistoryRow:
    version: int
    in_force_since: datetime
    set_by: str
    reason: str
    changes: str


def policy_history(uow: UnitOfWork, *, actor: Actor) -> pd.DataFrame:
    """Every version of the policy, newest first: since when, by whom, why, what changed."""
    authorize(uow, actor, Action.FAIRNESS_READ, Resource.FAIRNESS_POLICY)
    rows = uow.session.scalars(
        select(FairnessPolicyVersion).order_by(FairnessPolicyVersion.version)
    )
    history: list[PolicyHistoryRow] = []
    previous = DEFAULT_POLICY.policy
    for row in rows:
        version = _version_of(row)
        changes = policy_changes(previous, version.policy)
        history.append(
            PolicyHistoryRow(
                row.version,
                row.created_at,
                row.created_by,
                row.note or "(none given)",
                "; ".join(changes) or "(no change)",
            )
        )
        previous = version.policy
    return frame_of(PolicyHistoryRow, reversed(history))


def save_assessment(
    uow: UnitOfWork,
    *,
    actor: Actor,
    result: AssessmentResult,
    source: Path,
    model_name: str,
    model_version: str | None = None,
    display_name: str | None = None,
) -> int:
    """Keep an assessment as evidence: the file as Parquet by its hash, results, audit event."""
    authorize(uow, actor, Action.FAIRNESS_SAVE, Resource.FAIRNESS_ASSESSMENT)
    if not (model_name or "").strip():
        raise ValidationError("Name the model this assessment is for.")
    name = clean_text(model_name, field="Model name", limit=200)
    version = clean_text(model_version, field="Model version", limit=100, required=False)
    linked = registry_link.resolve(uow, name, version)
    name, version = linked.model_name, linked.version  # the registry's spelling
    file_name = clean_text(display_name or Path(source).name, field="File name", limit=500)
    in_force = _in_force(uow)
    if result.policy != in_force.policy:
        # Evidence is judged by the policy in force: a result computed under an earlier version
        # would be filed against a policy it was not judged by.
        raise Conflict(
            f"The fairness policy changed (now version {in_force.version}) after this "
            "assessment was made: assess again to save it under the policy in force."
        )
    digest = sha256_file(source)
    caps = FileCaps.pipeline(uow.settings)  # the file was assessed: only its columns are held
    with Source(Path(source), display_name=display_name, caps=caps) as opened:
        artifact = uow.artifacts.put_table(opened.relation, opened.params, opened.readable, digest)
        file_format = opened.format.value
    if artifact.created:  # nothing half-written stays behind if the unit fails
        uow.on_rollback(lambda: _remove_unless_kept(uow, digest))
    row = _assessment_row(uow, actor, result, name, version, digest)
    row.model_id = linked.model_id
    row.model_version_id = linked.version_id
    row.file_name = file_name
    row.file_format = file_format
    row.artifact_path = artifact.relative_path
    row.artifact_sha256 = artifact.stored_sha256
    uow.session.add(row)
    uow.flush("this assessment")
    details = {
        "model": name,
        "version": version,
        "model_id": linked.model_id,
        "model_version_id": linked.version_id,
        "file": row.file_name,
        "sha256": digest,
        "stored_sha256": artifact.stored_sha256,
        "rows": result.n_rows,
        "verdict": row.verdict,
        "verdicts": {r.name: r.verdict.value for r in result.results},
    }
    uow.record(
        actor,
        Event(AuditAction.FAIRNESS_ASSESSMENT_SAVED, Resource.FAIRNESS_ASSESSMENT, row.id, details),
    )
    return row.id


def _remove_unless_kept(uow: UnitOfWork, digest: str) -> None:
    """Remove a stored file this unit wrote, unless evidence saved meanwhile by another unit
    (the same file, uploaded twice at once) refers to it."""
    stmt = select(FairnessAssessment.id).where(FairnessAssessment.file_sha256 == digest)
    if uow.session.scalars(stmt.limit(1)).first() is None:
        uow.artifacts.remove(digest)


def _assessment_row(
    uow: UnitOfWork,
    actor: Actor,
    result: AssessmentResult,
    name: str,
    version: str | None,
    digest: str,
) -> FairnessAssessment:
    policy_row = _latest_policy_row(uow)
    first = result.results[0]
    ratios = [
        g.disparate_impact for g in first.groups if g.sufficient and g.disparate_impact is not None
    ]
    return FairnessAssessment(
        created_at=uow.now(),
        created_by=actor.username,
        model_name=name,
        model_version=version,
        file_sha256=digest,
        row_count=result.n_rows,
        policy_id=policy_row.id if policy_row else None,
        policy=result.policy.to_dict(),
        spec=result.spec.to_dict(),
        results=result.to_json(),
        verdict=result.verdict.value,
        min_disparate_impact=min(ratios) if ratios else None,
        demographic_parity_difference=first.summaries["demographic_parity_difference"],
        equalized_odds_difference=first.summaries["equalized_odds_difference"],
    )


@dataclass(frozen=True, slots=True)
class SavedAssessment:
    id: int
    created_at: datetime
    created_by: str
    model_name: str
    model_version: str | None
    file_name: str
    file_sha256: str
    file_format: str
    row_count: int
    verdict: str
    results: dict[str, Any]
    policy: dict[str, Any]
    spec: dict[str, Any]

    def result(self) -> AssessmentResult:
        """The assessment as the engine produced it, rebuilt from the stored results."""
        from governance.fairness.restore import result_from_json

        return result_from_json(self.results, spec=self.spec, policy=self.policy)


def _load_assessment(
    uow: UnitOfWork, actor: Actor, action: Action, assessment_id: int
) -> FairnessAssessment:
    authorize(uow, actor, action, Resource.FAIRNESS_ASSESSMENT, assessment_id)
    row = uow.session.get(FairnessAssessment, assessment_id)
    if row is None:
        raise NotFound(f"No fairness assessment with id {assessment_id}.")
    return row


def get_assessment(uow: UnitOfWork, *, actor: Actor, assessment_id: int) -> SavedAssessment:
    """One saved assessment, whole (needs ``fairness.read``)."""
    return plain(SavedAssessment, _load_assessment(uow, actor, Action.FAIRNESS_READ, assessment_id))


@dataclass(frozen=True, slots=True)
class EvidenceFile:
    """A file handed out as evidence: its name, media type and content."""

    name: str
    mime: str
    data: bytes


def export_stored_file(uow: UnitOfWork, *, actor: Actor, assessment_id: int) -> EvidenceFile:
    """The prediction file kept with a saved assessment, as stored (Parquet; audited)."""
    row = _load_assessment(uow, actor, Action.FAIRNESS_EXPORT, assessment_id)
    path = uow.artifacts.path_for(row.file_sha256)
    if not path.exists():
        raise NotFound(
            f"The stored file of assessment #{row.id} (SHA-256 {row.file_sha256[:12]}…) is "
            "missing from the artifact store."
        )
    _audit_export(uow, actor, row, "stored file")
    stem = Path(row.file_name).stem or "predictions"
    return EvidenceFile(
        f"{stem}-{row.file_sha256[:12]}.parquet",
        "application/vnd.apache.parquet",
        path.read_bytes(),
    )


def export_report_pdf(uow: UnitOfWork, *, actor: Actor, assessment_id: int) -> EvidenceFile:
    """The PDF report of a saved assessment (audited)."""
    from governance.reports.fairness_pdf import assessment_pdf

    row = _load_assessment(uow, actor, Action.FAIRNESS_EXPORT, assessment_id)
    saved = plain(SavedAssessment, row)
    data = assessment_pdf(
        saved.result(),
        file_name=row.file_name,
        file_sha256=row.file_sha256,
        model_name=row.model_name,
        model_version=row.model_version,
        generated_by=actor.username,
        generated_at=uow.now(),
    )
    _audit_export(uow, actor, row, "PDF report")
    return EvidenceFile(f"fairness-assessment-{row.id}.pdf", "application/pdf", data)


def _audit_export(uow: UnitOfWork, actor: Actor, row: FairnessAssessment, what: str) -> None:
    details = {"what": what, "model": row.model_name, "sha256": row.file_sha256}
    uow.record(
        actor,
        Event(
            AuditAction.FAIRNESS_EVIDENCE_EXPORTED, Resource.FAIRNESS_ASSESSMENT, row.id, details
        ),
    )


@dataclass(frozen=True, slots=True)
class AssessmentRow:
    """A saved assessment as the History table lists it."""

    id: int
    created_at: datetime
    created_by: str
    model_name: str
    model_version: str | None
    file_name: str
    row_count: int
    verdict: str
    min_disparate_impact: float | None
    demographic_parity_difference: float | None
    equalized_odds_difference: float | None
    file_sha256: str


def list_assessments(
    uow: UnitOfWork, *, actor: Actor, model_name: str | None = None
) -> pd.DataFrame:
    """Saved assessments, newest first, one row each (needs ``fairness.read``)."""
    authorize(uow, actor, Action.FAIRNESS_READ, Resource.FAIRNESS_ASSESSMENT)
    stmt = select(FairnessAssessment).order_by(FairnessAssessment.id.desc())
    if model_name:
        stmt = stmt.where(FairnessAssessment.model_name == model_name)
    return frame_of(AssessmentRow, uow.session.scalars(stmt))


@dataclass(frozen=True, slots=True)
class TrendPoint:
    assessment_id: int
    created_at: datetime
    model_version: str | None
    grouping: str
    min_disparate_impact: float | None
    demographic_parity_difference: float | None
    equalized_odds_difference: float | None
    verdict: str


def _trend_points(row: FairnessAssessment) -> list[TrendPoint]:
    points = []
    for grouping in row.results.get("results", []):
        ratios = [
            g["disparate_impact"]
            for g in grouping["groups"]
            if g.get("sufficient_data") and g["disparate_impact"] is not None
        ]
        points.append(
            TrendPoint(
                row.id,
                row.created_at,
                row.model_version,
                " × ".join(grouping["sensitive_features"]),
                min(ratios) if ratios else None,
                grouping["demographic_parity_difference"],
                grouping["equalized_odds_difference"],
                grouping["verdict"],
            )
        )
    return points


def model_trend(uow: UnitOfWork, *, actor: Actor, model_name: str) -> pd.DataFrame:
    """One row per saved assessment and grouping of a model, oldest first: the ratio trend."""
    authorize(uow, actor, Action.FAIRNESS_READ, Resource.FAIRNESS_ASSESSMENT)
    stmt = (
        select(FairnessAssessment)
        .where(FairnessAssessment.model_name == model_name)
        .order_by(FairnessAssessment.created_at)
    )
    return frame_of(TrendPoint, [p for r in uow.session.scalars(stmt) for p in _trend_points(r)])
