"""What happened to versions: each one's history, and which version ran where, when, approved
by whom."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import or_, select

from governance.actor import Actor
from governance.audit.events import Resource
from governance.auth.roles import Action
from governance.kernel import UnitOfWork, authorize, plain
from governance.registry.models import Approval, Deployment, ModelVersion, VersionTransition
from governance.registry.records import load_version, model_by_name


@dataclass(frozen=True, slots=True)
class TransitionInfo:
    from_status: str | None
    to_status: str
    actor: str
    reason: str
    at: datetime
    environment: str | None


def version_history(uow: UnitOfWork, *, actor: Actor, version_id: int) -> list[TransitionInfo]:
    """Every status change of the version, oldest first, from its registration on."""
    authorize(uow, actor, Action.REGISTRY_READ, Resource.MODEL_VERSION, version_id)
    load_version(uow, version_id)
    rows = uow.session.scalars(
        select(VersionTransition)
        .where(VersionTransition.version_id == version_id)
        .order_by(VersionTransition.id)
    )
    return [plain(TransitionInfo, r) for r in rows]


@dataclass(frozen=True, slots=True)
class DeployedAt:
    """One deployment that was current in the asked period, and who approved its version."""

    model: str
    version: str
    environment: str
    endpoint: str | None
    deployed_at: datetime
    deployed_by: str
    ended_at: datetime | None
    end_reason: str | None
    approved_by: tuple[str, ...]
    approved_at: datetime | None


def _period(on: date | datetime) -> tuple[datetime, datetime]:
    """An instant is a period of no length; a date is that whole day in UTC."""
    if isinstance(on, datetime):
        moment = on if on.tzinfo else on.replace(tzinfo=UTC)
        return moment, moment
    start = datetime.combine(on, time.min, tzinfo=UTC)
    return start, start + timedelta(days=1) - timedelta(microseconds=1)


def deployed_on(
    uow: UnitOfWork, *, actor: Actor, model: str, environment: str, on: date | datetime
) -> list[DeployedAt]:
    """Which versions of ``model`` were deployed in ``environment`` on ``on`` (a day in UTC,
    or an instant), oldest first, each with the people who approved it.

    A day may hold several (a promotion at noon): each is listed.
    """
    authorize(uow, actor, Action.REGISTRY_READ, Resource.DEPLOYMENT)
    record = model_by_name(uow, model)
    start, end = _period(on)
    stmt = (
        select(Deployment, ModelVersion)
        .join(ModelVersion, ModelVersion.id == Deployment.version_id)
        .where(
            Deployment.model_id == record.id,
            Deployment.environment == environment.strip().lower(),
            Deployment.deployed_at <= end,
            or_(Deployment.ended_at.is_(None), Deployment.ended_at > start),
        )
        .order_by(Deployment.deployed_at, Deployment.id)
    )
    found = []
    for deployment, version in uow.session.execute(stmt).all():
        approvals = list(
            uow.session.scalars(
                select(Approval)
                .where(
                    Approval.version_id == version.id,
                    Approval.round == version.approval_round,
                    Approval.decision == "approved",
                )
                .order_by(Approval.id)
            )
        )
        found.append(
            DeployedAt(
                model=record.name,
                version=version.version,
                environment=deployment.environment,
                endpoint=deployment.endpoint,
                deployed_at=deployment.deployed_at,
                deployed_by=deployment.deployed_by,
                ended_at=deployment.ended_at,
                end_reason=deployment.end_reason,
                approved_by=tuple(a.approver for a in approvals),
                approved_at=approvals[-1].at if approvals else None,
            )
        )
    return found
