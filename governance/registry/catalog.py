"""What the registry page reads: every model in one summary, and one model's whole dossier.

A page run should cost one or two reads, not one per model or per version: the summary loads
the models, their versions and their current deployments in three queries, and the dossier
composes the service reads of one model in a single unit of work.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from sqlalchemy import select

from governance.actor import Actor
from governance.audit.events import Resource
from governance.auth.models import User
from governance.auth.roles import Action
from governance.kernel import UnitOfWork, authorize
from governance.registry.approvals import ApprovalInfo, list_approvals
from governance.registry.deployments import DeploymentInfo, list_deployments
from governance.registry.history import TransitionInfo, version_history
from governance.registry.lifecycle import Status
from governance.registry.models import Deployment, Model, ModelVersion
from governance.registry.records import VersionInfo
from governance.registry.semver import parse_semver
from governance.registry.service import (
    ModelInfo,
    ValidationInfo,
    get_model,
    list_validations,
    list_versions,
)


@dataclass(frozen=True, slots=True)
class ModelSummary:
    """One row of the registry's list."""

    name: str
    provider: str
    owner: str
    risk_tier: str
    latest_version: str | None
    latest_status: str | None
    environments: tuple[str, ...]
    versions: int
    created_at: datetime


def model_names(uow: UnitOfWork, *, actor: Actor) -> list[str]:
    """Every model's name, in the list's order: what the page's model picker offers (a detail
    view needs the names, not every model's summary)."""
    authorize(uow, actor, Action.REGISTRY_READ, Resource.MODEL)
    return list(uow.session.scalars(select(Model.name).order_by(Model.name_key)))


def registry_summary(uow: UnitOfWork, *, actor: Actor) -> list[ModelSummary]:
    """Every model by name, with its latest version (semantic order) and where it runs now."""
    authorize(uow, actor, Action.REGISTRY_READ, Resource.MODEL)
    # Plain rows, not ORM objects: at 10,000 models, building and identity-mapping a Model
    # each (JSON baselines and all) was most of the list page's time, and it needs six columns.
    models = uow.session.execute(
        select(
            Model.id,
            Model.name,
            Model.provider,
            User.username,
            Model.risk_tier,
            Model.created_at,
        )
        .join(User, User.id == Model.owner_id)
        .order_by(Model.name_key)
    ).all()
    versions: dict[int, list[tuple[str, str]]] = defaultdict(list)
    rows = uow.session.execute(
        select(ModelVersion.model_id, ModelVersion.version, ModelVersion.status)
    )
    for model_id, version, status in rows:
        versions[model_id].append((version, status))
    running: dict[int, set[str]] = defaultdict(set)
    current = select(Deployment.model_id, Deployment.environment).where(
        Deployment.is_current.is_(True)
    )
    for model_id, environment in uow.session.execute(current):
        running[model_id].add(environment)
    summaries = []
    for model_id, name, provider, owner, risk_tier, created_at in models:
        own = versions.get(model_id, [])
        latest = max(own, key=lambda v: _precedence(v[0])) if own else None
        summaries.append(
            ModelSummary(
                name=name,
                provider=provider,
                owner=owner,
                risk_tier=risk_tier,
                latest_version=latest[0] if latest else None,
                latest_status=latest[1] if latest else None,
                environments=tuple(sorted(running.get(model_id, ()))),
                versions=len(own),
                created_at=created_at,
            )
        )
    return summaries


@lru_cache(maxsize=8192)
def _precedence(version: str) -> tuple[object, ...]:
    # Version strings repeat across models (1.0.0, 1.1.0, ...): parsing each distinct one once,
    # and comparing plain tuples, keeps a 30,000-version summary from running the grammar and
    # SemVer's rich comparisons 30,000 times (a third of the list page's time at that size).
    return parse_semver(version).sort_key()


@dataclass(frozen=True, slots=True)
class VersionDossier:
    """A version with everything a reviewer reads about it."""

    info: VersionInfo
    history: tuple[TransitionInfo, ...]
    approvals: tuple[ApprovalInfo, ...]
    validations: tuple[ValidationInfo, ...]

    @property
    def requester(self) -> str | None:
        """Who submitted the current round (the newest step into pending approval)."""
        steps = [t for t in self.history if t.to_status == Status.PENDING_APPROVAL.value]
        return steps[-1].actor if steps else None

    def decided_in_round(self) -> tuple[str, ...]:
        """Who has already decided in the current round of approval."""
        return tuple(a.approver for a in self.approvals if a.round == self.info.approval_round)


@dataclass(frozen=True, slots=True)
class ModelDossier:
    model: ModelInfo
    versions: tuple[VersionDossier, ...]  # newest first, in semantic-version order
    deployments: tuple[DeploymentInfo, ...]  # newest first

    def version(self, version_id: int) -> VersionDossier | None:
        return next((v for v in self.versions if v.info.id == version_id), None)


def model_dossier(uow: UnitOfWork, *, actor: Actor, name: str) -> ModelDossier:
    """The model named ``name`` with its versions, their histories, decisions and validation
    reports, and its deployments: the service reads composed in the caller's one unit."""
    model = get_model(uow, actor=actor, name=name)
    versions = tuple(
        VersionDossier(
            info=v,
            history=tuple(version_history(uow, actor=actor, version_id=v.id)),
            approvals=tuple(list_approvals(uow, actor=actor, version_id=v.id)),
            validations=tuple(list_validations(uow, actor=actor, version_id=v.id)),
        )
        for v in list_versions(uow, actor=actor, model=model.name)
    )
    deployments = tuple(list_deployments(uow, actor=actor, model=model.name))
    return ModelDossier(model=model, versions=versions, deployments=deployments)
