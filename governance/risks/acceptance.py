"""Accepting a risk: a compliance officer other than its owner, a justification, an expiry.

The acceptance holds through its expiry day; the day after, the clock reopens the risk
(:mod:`governance.risks.upkeep`). The risk_acceptances CHECK refuses an owner accepting
their own risk by any path; the service refuses it first, as a denial the trail keeps.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select

from governance.actor import Actor
from governance.audit.events import AuditAction, Event, Resource
from governance.auth.roles import Action
from governance.errors import PermissionDenied, ValidationError
from governance.kernel import UnitOfWork, authorize, deny, plain
from governance.risks import notices
from governance.risks.fields import future_day
from governance.risks.lifecycle import RiskStatus, check_transition
from governance.risks.models import RiskAcceptance
from governance.risks.records import RiskInfo, load_risk, move, reason_text, today
from governance.risks.service import info_of
from governance.risks.upkeep import keep_current

# An acceptance is a decision to be revisited: at most this far ahead.
LONGEST = timedelta(days=730)


@dataclass(frozen=True, slots=True)
class AcceptanceInfo:
    id: int
    risk_id: int
    accepted_by: str
    justification: str
    accepted_on: date
    expires_on: date
    at: datetime
    ended_at: datetime | None
    end_reason: str | None


def accept_risk(
    uow: UnitOfWork,
    *,
    actor: Actor,
    risk_id: int,
    justification: str,
    expires_on: date | str | None,
    expected_version: int | None = None,
) -> RiskInfo:
    """Accept the risk as shown (``expected_version``) until ``expires_on`` (a future day)."""
    authorize(uow, actor, Action.RISK_ACCEPT, Resource.RISK, risk_id)
    why = reason_text(justification, field="Justification")
    day = today(uow)
    if expires_on is None or expires_on == "":
        raise ValidationError("Expiry: an acceptance needs an expiry date (YYYY-MM-DD).")
    until = future_day(expires_on, field="Expiry", today=day)
    if until > day + LONGEST:
        raise ValidationError(
            f"Expiry: {until.isoformat()} is more than {LONGEST.days} days ahead; accept for "
            "less and review it then."
        )
    if actor.user_id is None:
        raise PermissionDenied(
            "An acceptance is a person's decision: act as your own account (--actor USERNAME)."
        )
    keep_current(uow)
    risk = load_risk(uow, risk_id, expected_version)
    if risk.owner_id == actor.user_id:
        deny(
            uow,
            actor,
            Action.RISK_ACCEPT,
            Resource.RISK,
            risk_id,
            reason="risk owner",
            message="You own this risk: its owner cannot accept it. Ask another compliance "
            "officer.",
        )
    check_transition(risk.status, RiskStatus.ACCEPTED)
    risk.accepted_until = until
    source = risk.status
    move(uow, actor, risk, RiskStatus.ACCEPTED, why)
    row = RiskAcceptance(
        risk_id=risk.id,
        accepted_by_id=actor.user_id,
        accepted_by=actor.username,
        owner_id=risk.owner_id,
        justification=why,
        accepted_on=day,
        expires_on=until,
        at=uow.now(),
    )
    uow.session.add(row)
    uow.flush("this acceptance")
    details = {
        "title": risk.title,
        "from": source,
        "expires_on": until.isoformat(),
        "justification": why,
    }
    uow.record(actor, Event(AuditAction.RISK_ACCEPTED, Resource.RISK, risk.id, details))
    notices.accepted(
        uow,
        risk_id=risk.id,
        title=risk.title,
        owner_id=risk.owner_id,
        by=actor.username,
        until=until.isoformat(),
    )
    return info_of(uow, risk)


def acceptances(uow: UnitOfWork, risk_id: int) -> list[AcceptanceInfo]:
    rows = uow.session.scalars(
        select(RiskAcceptance).where(RiskAcceptance.risk_id == risk_id).order_by(RiskAcceptance.id)
    )
    return [plain(AcceptanceInfo, r) for r in rows]


@dataclass(frozen=True, slots=True)
class SweepInfo:
    reopened: tuple[int, ...]
    overdue_notified: tuple[int, ...]


def expire_acceptances(uow: UnitOfWork, *, actor: Actor) -> SweepInfo:
    """The sweep: reopen risks whose acceptance lapsed and tell owners of plans newly
    overdue (what every read of the register also does)."""
    authorize(uow, actor, Action.RISK_READ, Resource.RISK)
    done = keep_current(uow)
    return SweepInfo(done.reopened, done.overdue_notified)
