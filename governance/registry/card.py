"""A model card: what the records say about one version of a model, gathered for a reader.

Sections follow Mitchell et al., "Model Cards for Model Reporting" (2019) and the original
design: details, intended use, factors, metrics, evaluation and training data, fairness
results, validation, approvals, limitations and ethical considerations, caveats. Nothing is
typed in for the card: every line comes from a record, so the card cannot drift from them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from governance.actor import Actor
from governance.audit.events import Resource
from governance.auth.roles import Action
from governance.fairness.models import FairnessAssessment
from governance.kernel import UnitOfWork, authorize
from governance.registry.approvals import ApprovalInfo, list_approvals
from governance.registry.deployments import DeploymentInfo, list_deployments
from governance.registry.fields import baseline_of
from governance.registry.history import TransitionInfo, version_history
from governance.registry.performance import window_mean
from governance.registry.records import VersionInfo
from governance.registry.requirements import lowest_ratio
from governance.registry.service import (
    ModelInfo,
    ValidationInfo,
    get_model,
    get_version,
    list_validations,
)

PERFORMANCE_WINDOW = timedelta(days=30)


@dataclass(frozen=True, slots=True)
class MetricLine:
    """A baseline metric against the last 30 days of recorded points."""

    metric: str
    target: str  # "accuracy >= 0.85"
    mean: float | None
    points: int
    met: bool | None  # None: no points in the window


@dataclass(frozen=True, slots=True)
class FairnessLine:
    id: int
    created_at: datetime
    created_by: str
    verdict: str
    min_disparate_impact: float | None
    demographic_parity_difference: float | None
    file_name: str


@dataclass(frozen=True, slots=True)
class ModelCard:
    model: ModelInfo
    version: VersionInfo
    metrics: tuple[MetricLine, ...]
    fairness: tuple[FairnessLine, ...]
    validations: tuple[ValidationInfo, ...]
    approvals: tuple[ApprovalInfo, ...]
    history: tuple[TransitionInfo, ...]
    deployments: tuple[DeploymentInfo, ...]
    generated_at: datetime


def model_card(uow: UnitOfWork, *, actor: Actor, model: str, version: str) -> ModelCard:
    """The card of ``model`` at ``version`` from the records as they are now."""
    authorize(uow, actor, Action.REGISTRY_READ, Resource.MODEL)
    info = get_model(uow, actor=actor, name=model)
    v = get_version(uow, actor=actor, model=model, version=version)
    return ModelCard(
        model=info,
        version=v,
        metrics=_metrics(uow, info),
        fairness=_fairness(uow, info, v),
        validations=tuple(list_validations(uow, actor=actor, version_id=v.id)),
        approvals=tuple(list_approvals(uow, actor=actor, version_id=v.id)),
        history=tuple(version_history(uow, actor=actor, version_id=v.id)),
        deployments=tuple(
            d for d in list_deployments(uow, actor=actor, model=model) if d.version_id == v.id
        ),
        generated_at=uow.now(),
    )


def _metrics(uow: UnitOfWork, model: ModelInfo) -> tuple[MetricLine, ...]:
    since = uow.now() - PERFORMANCE_WINDOW
    lines = []
    for target in baseline_of(model.performance_baseline):
        mean, count = window_mean(uow, model.id, target.metric, since)
        met = None if mean is None else target.met_by(mean)
        lines.append(MetricLine(target.metric, str(target), mean, count, met))
    return tuple(lines)


def _fairness(uow: UnitOfWork, model: ModelInfo, version: VersionInfo) -> tuple[FairnessLine, ...]:
    """Saved assessments linked to this version (the registry link, indexed), newest first."""
    rows = uow.session.scalars(
        select(FairnessAssessment)
        .where(FairnessAssessment.model_version_id == version.id)
        .order_by(FairnessAssessment.id.desc())
        .limit(20)
    )
    return tuple(
        FairnessLine(
            r.id,
            r.created_at,
            r.created_by,
            r.verdict,
            lowest_ratio(r.results)[0],  # over every grouping, as validation judges it
            r.demographic_parity_difference,
            r.file_name,
        )
        for r in rows
    )
