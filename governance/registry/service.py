"""Registering models and versions, reading them, and recording validations.

Every function takes the caller's unit of work first; changes are authorised, validated,
written and audited in it, and the edge commits. The approval steps live in
:mod:`governance.registry.approvals`, deployment in :mod:`governance.registry.deployments`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from governance.actor import Actor
from governance.audit.events import AuditAction, Event, Resource
from governance.auth.models import User
from governance.auth.roles import Action
from governance.errors import Conflict, NotFound, ValidationError
from governance.fairness.models import FairnessAssessment
from governance.kernel import UnitOfWork, authorize, clean_text, plain
from governance.registry.fields import (
    baseline_json,
    clean_items,
    parse_baseline,
    parse_provider,
    parse_risk_tier,
    parse_sha256,
)
from governance.registry.lifecycle import Status, check_transition
from governance.registry.measured import check_window, measured_requirements
from governance.registry.models import Model, ModelVersion, Validation, VersionTransition
from governance.registry.records import (
    VersionInfo,
    load_version,
    model_by_name,
    move,
    name_key,
    reason_text,
    touch,
    version_info,
)
from governance.registry.requirements import Requirement, fairness_requirements, judge
from governance.registry.semver import parse_semver

# A validation measures the version against the data and the world of its day; a quarter on,
# drift makes it a statement about another model. Deploying needs one at most this old.
VALIDATION_MAX_AGE = timedelta(days=90)
NAME_LIMIT = 200
PROSE_LIMIT = 5000

# From these statuses a passing validation changes nothing but the evidence: it refreshes the
# report a deployment needs without undoing an approval.
_REVALIDATE = frozenset(
    {Status.VALIDATED, Status.PENDING_APPROVAL, Status.APPROVED, Status.DEPLOYED}
)


@dataclass(frozen=True, slots=True)
class ModelInfo:
    id: int
    name: str
    provider: str
    owner_id: int
    owner: str
    risk_tier: str
    intended_use: str
    out_of_scope_uses: str | None
    capabilities: tuple[str, ...]
    known_limitations: tuple[str, ...]
    training_data: str | None
    performance_baseline: dict[str, Any]
    created_at: datetime
    created_by: str
    row_version: int


@dataclass(frozen=True, slots=True)
class ValidationInfo:
    id: int
    version_id: int
    passed: bool
    requirements: tuple[dict[str, Any], ...]
    notes: str | None
    run_by: str
    at: datetime


def _model_info(uow: UnitOfWork, model: Model) -> ModelInfo:
    owner = uow.session.get(User, model.owner_id)
    return plain(
        ModelInfo,
        model,
        owner=owner.username if owner else "?",
        capabilities=tuple(model.capabilities),
        known_limitations=tuple(model.known_limitations),
        performance_baseline=dict(model.performance_baseline),
    )


def _owner(uow: UnitOfWork, actor: Actor, owner_id: int | None) -> User:
    if owner_id is None:
        if actor.user_id is None:
            raise ValidationError(
                "Owner: name the account that owns this model (the command line's operator "
                "is not an account)."
            )
        owner_id = actor.user_id
    owner = uow.session.get(User, owner_id)
    if owner is None or not owner.is_active:
        raise ValidationError(f"Owner: no active account with id {owner_id}.")
    return owner


def register_model(
    uow: UnitOfWork,
    *,
    actor: Actor,
    name: str,
    provider: str,
    risk_tier: str,
    intended_use: str,
    owner_id: int | None = None,
    out_of_scope_uses: str | None = None,
    capabilities: list[str] | tuple[str, ...] | str | None = None,
    known_limitations: list[str] | tuple[str, ...] | str | None = None,
    training_data: str | None = None,
    performance_baseline: Mapping[str, Any] | str | None = None,
) -> ModelInfo:
    """Register a model (data scientists, administrators); its owner defaults to the actor.

    The name is unique without regard to case; the performance baseline maps each metric to
    a threshold and a direction (``accuracy >= 0.85; latency_ms <= 300``).
    """
    authorize(uow, actor, Action.REGISTRY_REGISTER, Resource.MODEL)
    name = clean_text(name, field="Name", limit=NAME_LIMIT)
    tier = parse_risk_tier(risk_tier)
    values = {
        "provider": parse_provider(provider).value,
        "risk_tier": tier.value,
        "intended_use": clean_text(
            intended_use, field="Intended use", limit=PROSE_LIMIT, multiline=True
        ),
        "out_of_scope_uses": clean_text(
            out_of_scope_uses,
            field="Out-of-scope uses",
            limit=PROSE_LIMIT,
            required=False,
            multiline=True,
        ),
        "capabilities": clean_items(capabilities, field="Capabilities"),
        "known_limitations": clean_items(known_limitations, field="Known limitations"),
        "training_data": clean_text(
            training_data,
            field="Training data",
            limit=PROSE_LIMIT,
            required=False,
            multiline=True,
        ),
        "performance_baseline": baseline_json(parse_baseline(performance_baseline)),
    }
    owner = _owner(uow, actor, owner_id)
    key = name_key(name)
    if uow.session.scalars(select(Model.id).where(Model.name_key == key)).first() is not None:
        raise Conflict(f"Name: a model named {name!r} is already registered (names ignore case).")
    model = Model(
        name=name,
        name_key=key,
        owner_id=owner.id,
        created_at=uow.now(),
        created_by=actor.username,
        **values,
    )
    uow.session.add(model)
    uow.flush(f"a model named {name!r}")
    after = {"name": name, "owner": owner.username, **values}
    uow.record(
        actor, Event(AuditAction.MODEL_REGISTERED, Resource.MODEL, model.id, {"after": after})
    )
    return _model_info(uow, model)


def get_model(uow: UnitOfWork, *, actor: Actor, name: str) -> ModelInfo:
    """The model named ``name`` (in any case)."""
    authorize(uow, actor, Action.REGISTRY_READ, Resource.MODEL)
    return _model_info(uow, model_by_name(uow, name))


def list_models(uow: UnitOfWork, *, actor: Actor) -> list[ModelInfo]:
    """Every registered model, by name."""
    authorize(uow, actor, Action.REGISTRY_READ, Resource.MODEL)
    models = uow.session.scalars(select(Model).order_by(Model.name_key))
    return [_model_info(uow, m) for m in models]


def add_version(
    uow: UnitOfWork,
    *,
    actor: Actor,
    model: str,
    version: str,
    changelog: str,
    artifact_uri: str,
    artifact_sha256: str,
) -> VersionInfo:
    """Add a version (a draft) to the model named ``model``.

    ``version`` is a semantic version; two that differ only in build metadata (``+…``) are the
    same version and the second is refused.
    """
    authorize(uow, actor, Action.REGISTRY_REGISTER, Resource.MODEL_VERSION)
    semver = parse_semver(version)
    changelog = clean_text(changelog, field="Changelog", limit=PROSE_LIMIT, multiline=True)
    uri = clean_text(artifact_uri, field="Artifact reference", limit=1000)
    digest = parse_sha256(artifact_sha256)
    record = model_by_name(uow, model)
    key = semver.precedence_key
    clash = select(ModelVersion.version).where(
        ModelVersion.model_id == record.id, ModelVersion.version_key == key
    )
    existing = uow.session.scalars(clash).first()
    if existing is not None:
        raise Conflict(f"Version: {record.name} already has version {existing} ({key}).")
    row = ModelVersion(
        model_id=record.id,
        version=str(semver),
        version_key=key,
        changelog=changelog,
        artifact_uri=uri,
        artifact_sha256=digest,
        status=Status.DRAFT.value,
        approval_round=0,
        created_at=uow.now(),
        created_by=actor.username,
        created_by_id=actor.user_id,
    )
    uow.session.add(row)
    uow.flush(f"version {key} of {record.name}")
    uow.session.add(
        VersionTransition(
            version_id=row.id,
            from_status=None,
            to_status=Status.DRAFT.value,
            actor=actor.username,
            actor_id=actor.user_id,
            reason="registered",
            at=uow.now(),
        )
    )
    uow.flush("the version's history")
    after = {
        "model": record.name,
        "version": row.version,
        "artifact_uri": uri,
        "artifact_sha256": digest,
        "status": row.status,
    }
    uow.record(
        actor, Event(AuditAction.VERSION_ADDED, Resource.MODEL_VERSION, row.id, {"after": after})
    )
    return version_info(row, record)


def get_version(uow: UnitOfWork, *, actor: Actor, model: str, version: str) -> VersionInfo:
    """Version ``version`` of the model named ``model`` (build metadata ignored)."""
    authorize(uow, actor, Action.REGISTRY_READ, Resource.MODEL_VERSION)
    record = model_by_name(uow, model)
    key = parse_semver(version).precedence_key
    row = uow.session.scalars(
        select(ModelVersion).where(
            ModelVersion.model_id == record.id, ModelVersion.version_key == key
        )
    ).first()
    if row is None:
        raise NotFound(f"{record.name} has no version {key}.")
    return version_info(row, record)


def list_versions(uow: UnitOfWork, *, actor: Actor, model: str) -> list[VersionInfo]:
    """The model's versions, newest first in semantic-version order."""
    authorize(uow, actor, Action.REGISTRY_READ, Resource.MODEL_VERSION)
    record = model_by_name(uow, model)
    rows = uow.session.scalars(select(ModelVersion).where(ModelVersion.model_id == record.id))
    ordered = sorted(rows, key=lambda v: parse_semver(v.version), reverse=True)
    return [version_info(v, record) for v in ordered]


def validate_version(
    uow: UnitOfWork,
    *,
    actor: Actor,
    version_id: int,
    reason: str,
    observed: Mapping[str, object] | None = None,
    window_days: int | None = None,
    evidence: Mapping[str, str | None] | None = None,
    expected_version: int | None = None,
) -> ValidationInfo:
    """Record a validation report: each baseline metric against its observed value, given
    (``observed``, measured elsewhere) or taken from the performance points recorded over the
    last ``window_days`` days; then the latest linked fairness assessment.

    A passing report moves a draft to validated; on a version further along it refreshes the
    evidence a deployment needs (see :data:`VALIDATION_MAX_AGE`). A failing report is kept
    too, and changes no status.
    """
    authorize(uow, actor, Action.REGISTRY_VALIDATE, Resource.MODEL_VERSION, version_id)
    if (observed is None) == (window_days is None):
        raise ValidationError(
            "Validation: give either the observed values or a window of recorded "
            "performance (days), not both."
        )
    notes = reason_text(reason)
    cleaned = {
        k: clean_text(v, field=f"Evidence of {k}", limit=1000, required=False)
        for k, v in (evidence or {}).items()
    }
    version, model = load_version(uow, version_id, expected_version)
    status = Status(version.status)
    if status not in _REVALIDATE:
        check_transition(status, Status.VALIDATED)  # refuses, naming what may follow instead
    targets = parse_baseline(model.performance_baseline)
    if observed is not None:
        report = judge(targets, observed, cleaned)
    else:
        report = measured_requirements(uow, model_id=model.id, version_id=version.id,
                                       targets=targets, days=check_window(window_days))  # fmt: skip
    report += _fairness_report(uow, version.id)
    passed = all(r.passed for r in report)
    row = Validation(
        version_id=version.id,
        passed=passed,
        requirements=[r.to_json() for r in report],
        notes=notes,
        run_by=actor.username,
        run_by_id=actor.user_id,
        at=uow.now(),
    )
    uow.session.add(row)
    if passed and status is Status.DRAFT:
        move(uow, actor, version, Status.VALIDATED, notes)
    else:
        touch(uow, version)  # the evidence an approver or a deployment reads has changed
    uow.flush("this validation")
    details = {
        "model": model.name,
        "version": version.version,
        "passed": passed,
        "requirements": row.requirements,
        "status": version.status,
    }
    uow.record(
        actor, Event(AuditAction.VERSION_VALIDATED, Resource.MODEL_VERSION, version.id, details)
    )
    return _validation_info(row)


def _fairness_report(uow: UnitOfWork, version_id: int) -> list[Requirement]:
    """The requirements of the version's latest saved fairness assessment; none when no
    assessment names the version (a model without people to be fair to, or not yet
    assessed: the baseline alone decides)."""
    stmt = (
        select(FairnessAssessment)
        .where(FairnessAssessment.model_version_id == version_id)
        .order_by(FairnessAssessment.created_at.desc(), FairnessAssessment.id.desc())
        .limit(1)
    )
    latest = uow.session.scalars(stmt).first()
    if latest is None:
        return []
    return fairness_requirements(latest.id, latest.verdict, latest.results)


def _validation_info(row: Validation) -> ValidationInfo:
    return plain(ValidationInfo, row, requirements=tuple(row.requirements))


def list_validations(uow: UnitOfWork, *, actor: Actor, version_id: int) -> list[ValidationInfo]:
    """The version's validation reports, newest first."""
    authorize(uow, actor, Action.REGISTRY_READ, Resource.MODEL_VERSION, version_id)
    load_version(uow, version_id)
    rows = uow.session.scalars(
        select(Validation)
        .where(Validation.version_id == version_id)
        .order_by(Validation.at.desc(), Validation.id.desc())
    )
    return [_validation_info(r) for r in rows]
