"""What every risk service does with a risk: load it fresh, move it, read it out.

Shared by the service modules (the register, acceptance, plans); not part of the public API.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from governance.actor import Actor
from governance.auth.models import User
from governance.errors import Conflict, NotFound, ValidationError
from governance.kernel import UnitOfWork, clean_text, stale_message
from governance.risks.lifecycle import RiskStatus, check_transition
from governance.risks.matrix import Matrix
from governance.risks.models import Risk, RiskTransition

THIS_RISK = "this risk"
REASON_LIMIT = 2000


@dataclass(frozen=True, slots=True)
class RiskInfo:
    """A risk as services hand it out; its level is the matrix in force's, read now."""

    id: int
    category: str
    title: str
    description: str
    likelihood: int
    impact: int
    score: int
    level: str
    residual_likelihood: int | None
    residual_impact: int | None
    residual_score: int | None
    residual_level: str | None
    owner_id: int
    owner: str
    status: str
    accepted_until: date | None
    models: tuple[str, ...]
    created_at: datetime
    created_by: str
    row_version: int


def risk_info(risk: Risk, matrix: Matrix, owner: str, models: tuple[str, ...]) -> RiskInfo:
    residual = risk.residual_likelihood is not None and risk.residual_impact is not None
    return RiskInfo(
        id=risk.id,
        category=risk.category,
        title=risk.title,
        description=risk.description,
        likelihood=risk.likelihood,
        impact=risk.impact,
        score=risk.score,
        level=matrix.level(risk.likelihood, risk.impact).value,
        residual_likelihood=risk.residual_likelihood,
        residual_impact=risk.residual_impact,
        residual_score=(risk.residual_likelihood * risk.residual_impact) if residual else None,  # type: ignore[operator]
        residual_level=(
            matrix.level(risk.residual_likelihood, risk.residual_impact).value  # type: ignore[arg-type]
            if residual
            else None
        ),
        owner_id=risk.owner_id,
        owner=owner,
        status=risk.status,
        accepted_until=risk.accepted_until,
        models=models,
        created_at=risk.created_at,
        created_by=risk.created_by,
        row_version=risk.row_version,
    )


def load_risk(uow: UnitOfWork, risk_id: int, expected_version: int | None = None) -> Risk:
    """The risk, fresh from the records; a stale ``expected_version`` is a :class:`Conflict`."""
    if isinstance(risk_id, bool) or not isinstance(risk_id, int):
        raise ValidationError(f"Risk: {str(risk_id)[:40]!r} is not a risk number.")
    risk = uow.session.get(Risk, risk_id, populate_existing=True)
    if risk is None:
        raise NotFound(f"No risk with number {risk_id}.")
    if expected_version is not None and risk.row_version != expected_version:
        raise Conflict(stale_message(THIS_RISK))
    return risk


def reason_text(reason: str | None, field: str = "Reason") -> str:
    return clean_text(reason, field=field, limit=REASON_LIMIT, multiline=True)


def active_account(uow: UnitOfWork, user_id: int | None, *, field: str) -> User:
    """The active account ``user_id`` (an owner); a missing or inactive one names ``field``."""
    if user_id is None or user_id == "":
        raise ValidationError(f"{field}: choose the account responsible.")
    if isinstance(user_id, bool) or not isinstance(user_id, int):
        raise ValidationError(f"{field}: {str(user_id)[:40]!r} is not an account.")
    user = uow.session.get(User, user_id)
    if user is None or not user.is_active:
        raise ValidationError(f"{field}: no active account with id {user_id}.")
    return user


def usernames(uow: UnitOfWork, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(uow.session.execute(select(User.id, User.username).where(User.id.in_(ids))).all())


def move(
    uow: UnitOfWork, actor: Actor | str, risk: Risk, target: RiskStatus, reason: str
) -> RiskTransition:
    """Change the risk's status along the lifecycle and write the step into its history."""
    source = RiskStatus(risk.status)
    check_transition(source, target)
    risk.status = target.value
    if target is not RiskStatus.ACCEPTED:
        risk.accepted_until = None
    uow.flush(THIS_RISK)  # the version check first: a racing decision loses here
    name = actor if isinstance(actor, str) else actor.username
    step = RiskTransition(
        risk_id=risk.id,
        from_status=source.value,
        to_status=target.value,
        actor=name,
        actor_id=None if isinstance(actor, str) else actor.user_id,
        reason=reason,
        at=uow.now(),
    )
    uow.session.add(step)
    uow.flush("the risk's history")
    return step


def today(uow: UnitOfWork) -> date:
    """The workbench clock's day (UTC): deadlines and expiries are days."""
    return uow.now().date()
