"""Deploying approved versions, one current version per model and environment; deprecating
and retiring them.

A deployment needs an approved version, a passing validation no older than
:data:`~governance.registry.service.VALIDATION_MAX_AGE` and a risk tier that may be deployed
at all. Promoting a version ends the current deployment of its environment in the same
transaction, each with its own audit event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from governance.actor import Actor
from governance.audit.events import AuditAction, Event, Resource
from governance.auth.roles import Action
from governance.errors import ValidationError
from governance.kernel import UnitOfWork, authorize, clean_text, plain
from governance.registry import notices
from governance.registry.fields import RiskTier, parse_environment
from governance.registry.lifecycle import Status, check_transition
from governance.registry.models import Deployment, Model, ModelVersion
from governance.registry.records import (
    VersionInfo,
    load_version,
    model_by_name,
    move,
    reason_text,
    require_passing_validation,
    version_info,
)
from governance.registry.service import VALIDATION_MAX_AGE


@dataclass(frozen=True, slots=True)
class DeploymentInfo:
    id: int
    model_id: int
    version_id: int
    environment: str
    endpoint: str | None
    notes: str | None
    deployed_at: datetime
    deployed_by: str
    is_current: bool
    ended_at: datetime | None
    end_reason: str | None


def _current(uow: UnitOfWork, model_id: int, environment: str) -> Deployment | None:
    stmt = select(Deployment).where(
        Deployment.model_id == model_id,
        Deployment.environment == environment,
        Deployment.is_current.is_(True),
    )
    return uow.session.scalars(stmt).first()


def _still_running(uow: UnitOfWork, version_id: int) -> list[Deployment]:
    stmt = select(Deployment).where(
        Deployment.version_id == version_id, Deployment.is_current.is_(True)
    )
    return list(uow.session.scalars(stmt))


def _end(uow: UnitOfWork, deployment: Deployment, why: str) -> None:
    deployment.is_current = False
    deployment.ended_at = uow.now()
    deployment.end_reason = why[:200]
    uow.flush("this deployment")


def _supersede(
    uow: UnitOfWork, actor: Actor, old: Deployment, model: Model, new: ModelVersion
) -> None:
    """End ``old`` for ``new``; its version, running nowhere else, is approved again (so it
    can be rolled back to), unless it was already deprecated."""
    previous = uow.session.get(ModelVersion, old.version_id, populate_existing=True)
    assert previous is not None  # a foreign key
    why = f"superseded by {new.version} in {old.environment}"
    _end(uow, old, why)
    if previous.status == Status.DEPLOYED.value and not _still_running(uow, previous.id):
        move(uow, actor, previous, Status.APPROVED, why, environment=old.environment)
    details = {
        "model": model.name,
        "version": previous.version,
        "environment": old.environment,
        "superseded_by": new.version,
        "status": previous.status,
    }
    uow.record(
        actor, Event(AuditAction.DEPLOYMENT_SUPERSEDED, Resource.DEPLOYMENT, old.id, details)
    )


def deploy_version(
    uow: UnitOfWork,
    *,
    actor: Actor,
    version_id: int,
    environment: str,
    reason: str,
    endpoint: str | None = None,
    notes: str | None = None,
    expected_version: int | None = None,
) -> DeploymentInfo:
    """Deploy an approved version to ``environment``, superseding the model's current one
    there in the same transaction."""
    authorize(uow, actor, Action.REGISTRY_DEPLOY, Resource.MODEL_VERSION, version_id)
    env = parse_environment(environment)
    why = reason_text(reason)
    endpoint = clean_text(endpoint, field="Endpoint", limit=500, required=False)
    notes = clean_text(notes, field="Notes", limit=5000, required=False, multiline=True)
    version, model = load_version(uow, version_id, expected_version)
    check_transition(version.status, Status.DEPLOYED)
    if not RiskTier(model.risk_tier).deployable:
        raise ValidationError(
            f"Risk tier: {model.name} is of unacceptable risk (a practice the EU AI Act "
            "prohibits); it can never be deployed."
        )
    report = require_passing_validation(uow, version)
    if uow.now() - report.at > VALIDATION_MAX_AGE:
        raise ValidationError(
            f"Validation: the latest passing validation dates from {report.at:%Y-%m-%d}, more "
            f"than {VALIDATION_MAX_AGE.days} days ago; validate the version again first."
        )
    old = _current(uow, model.id, env)
    if old is not None and old.version_id == version.id:
        raise ValidationError(f"Environment: {version.version} is already deployed in {env}.")
    if old is not None:
        _supersede(uow, actor, old, model, version)
    row = Deployment(
        model_id=model.id,
        version_id=version.id,
        environment=env,
        endpoint=endpoint,
        notes=notes,
        validation_id=report.id,
        deployed_at=uow.now(),
        deployed_by=actor.username,
        is_current=True,
    )
    uow.session.add(row)
    uow.flush(f"the deployment of {model.name} in {env}")
    if old is not None:
        old.superseded_by_id = row.id
    move(uow, actor, version, Status.DEPLOYED, why, environment=env)
    details = {
        "model": model.name,
        "version": version.version,
        "environment": env,
        "endpoint": endpoint,
        "notes": notes,
        "validation_id": report.id,
        "superseded": old.id if old else None,
        "reason": why,
    }
    uow.record(actor, Event(AuditAction.VERSION_DEPLOYED, Resource.DEPLOYMENT, row.id, details))
    notices.deployed(uow, model, version, env, actor.username)
    return plain(DeploymentInfo, row)


def deprecate_version(
    uow: UnitOfWork,
    *,
    actor: Actor,
    version_id: int,
    reason: str,
    expected_version: int | None = None,
) -> VersionInfo:
    """Mark an approved or deployed version as no longer to be used; where it runs it keeps
    running (and counts as the current deployment) until superseded or retired."""
    authorize(uow, actor, Action.REGISTRY_DEPRECATE, Resource.MODEL_VERSION, version_id)
    why = reason_text(reason)
    version, model = load_version(uow, version_id, expected_version)
    move(uow, actor, version, Status.DEPRECATED, why)
    running = sorted(d.environment for d in _still_running(uow, version.id))
    details = {
        "model": model.name,
        "version": version.version,
        "reason": why,
        "still_running_in": running,
    }
    uow.record(
        actor, Event(AuditAction.VERSION_DEPRECATED, Resource.MODEL_VERSION, version.id, details)
    )
    notices.deprecated(uow, model, version, why)
    return version_info(version, model)


def retire_version(
    uow: UnitOfWork,
    *,
    actor: Actor,
    version_id: int,
    reason: str,
    expected_version: int | None = None,
) -> VersionInfo:
    """Retire a deprecated version for good: its deployments end with it."""
    authorize(uow, actor, Action.REGISTRY_DEPRECATE, Resource.MODEL_VERSION, version_id)
    why = reason_text(reason)
    version, model = load_version(uow, version_id, expected_version)
    check_transition(version.status, Status.RETIRED)
    ended = _still_running(uow, version.id)
    for deployment in ended:
        _end(uow, deployment, f"retired: {why}")
    move(uow, actor, version, Status.RETIRED, why)
    details = {
        "model": model.name,
        "version": version.version,
        "reason": why,
        "ended_in": sorted(d.environment for d in ended),
    }
    uow.record(
        actor, Event(AuditAction.VERSION_RETIRED, Resource.MODEL_VERSION, version.id, details)
    )
    return version_info(version, model)


def list_deployments(uow: UnitOfWork, *, actor: Actor, model: str) -> list[DeploymentInfo]:
    """Every deployment of the model, newest first."""
    authorize(uow, actor, Action.REGISTRY_READ, Resource.DEPLOYMENT)
    record = model_by_name(uow, model)
    rows = uow.session.scalars(
        select(Deployment)
        .where(Deployment.model_id == record.id)
        .order_by(Deployment.deployed_at.desc(), Deployment.id.desc())
    )
    return [plain(DeploymentInfo, r) for r in rows]
