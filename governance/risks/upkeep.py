"""What the clock does to the register: acceptances lapse, plans fall overdue.

Evaluated whenever risks are read (each read service calls :func:`keep_current` after its
authorisation) and by the sweep ``python -m governance risks expire``, with the workbench's
injectable clock. Each step first looks (one indexed SELECT) and writes only when something
is due, so a read of an up-to-date register takes no write lock. A lapse is one conditional
UPDATE … RETURNING: of two readers finding the same lapsed acceptance, one reopens the risk
and the other's UPDATE matches nothing, so the history and the trail hold it once.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update

from governance.audit.events import AuditAction, Event, Resource
from governance.kernel import UnitOfWork
from governance.notifications.models import NotificationCondition
from governance.risks import notices
from governance.risks.lifecycle import RiskStatus
from governance.risks.models import MitigationPlan, Risk, RiskAcceptance, RiskTransition
from governance.risks.records import today

CLOCK = "system:risk-clock"  # the audit trail's name for the clock's own steps
OPEN_PLAN = ("planned", "in_progress")


@dataclass(frozen=True, slots=True)
class Upkeep:
    reopened: tuple[int, ...]
    overdue_notified: tuple[int, ...]


def keep_current(uow: UnitOfWork) -> Upkeep:
    return Upkeep(tuple(lapse_acceptances(uow)), tuple(flag_overdue(uow)))


def lapse_acceptances(uow: UnitOfWork) -> list[int]:
    """Reopen every accepted risk whose acceptance held until a day before today."""
    day = today(uow)
    lapsed = (Risk.status == RiskStatus.ACCEPTED.value, Risk.accepted_until < day)
    if uow.session.scalars(select(Risk.id).where(*lapsed).limit(1)).first() is None:
        return []
    stmt = (
        update(Risk)
        .where(*lapsed)
        .values(
            status=RiskStatus.IDENTIFIED.value,
            accepted_until=None,
            row_version=Risk.row_version + 1,
        )
        .returning(Risk.id, Risk.owner_id, Risk.title)
        .execution_options(synchronize_session=False)
    )
    reopened = uow.session.execute(stmt).all()
    now = uow.now()
    for risk_id, owner_id, title in reopened:
        acceptance = uow.session.scalars(
            select(RiskAcceptance)
            .where(RiskAcceptance.risk_id == risk_id, RiskAcceptance.ended_at.is_(None))
            .order_by(RiskAcceptance.id.desc())
        ).first()
        expired_on = acceptance.expires_on.isoformat() if acceptance else "?"
        if acceptance is not None:
            acceptance.ended_at, acceptance.end_reason = now, "expired"
        uow.session.add(
            RiskTransition(
                risk_id=risk_id,
                from_status=RiskStatus.ACCEPTED.value,
                to_status=RiskStatus.IDENTIFIED.value,
                actor=CLOCK,
                actor_id=None,
                reason=f"the acceptance expired (it held until {expired_on})",
                at=now,
            )
        )
        uow.flush("the risk's history")
        details = {"title": title, "expired_on": expired_on, "status": "identified"}
        uow.record(
            CLOCK, Event(AuditAction.RISK_ACCEPTANCE_EXPIRED, Resource.RISK, risk_id, details)
        )
        recipients = {owner_id} | ({acceptance.accepted_by_id} if acceptance else set())
        notices.acceptance_expired(
            uow, risk_id=risk_id, title=title, recipients=recipients, expired_on=expired_on
        )
    return [r[0] for r in reopened]


def flag_overdue(uow: UnitOfWork) -> list[int]:
    """Tell each owner of a plan newly found overdue (once per plan); the ids told of."""
    overdue = uow.session.execute(
        select(
            MitigationPlan.id,
            MitigationPlan.owner_id,
            MitigationPlan.risk_id,
            MitigationPlan.deadline,
            Risk.title,
        )
        .join(Risk, Risk.id == MitigationPlan.risk_id)
        .where(MitigationPlan.status.in_(OPEN_PLAN), MitigationPlan.deadline < today(uow))
    ).all()
    if not overdue:
        return []
    told = set(
        uow.session.scalars(
            select(NotificationCondition.key).where(
                NotificationCondition.key.startswith(notices.OVERDUE_PREFIX),
                NotificationCondition.closed_at.is_(None),
            )
        )
    )
    notified = []
    for plan_id, owner_id, risk_id, deadline, title in overdue:
        if notices.overdue_key(plan_id) in told:
            continue
        notices.plan_overdue(
            uow,
            plan_id=plan_id,
            owner_id=owner_id,
            risk_id=risk_id,
            title=title,
            deadline=deadline.isoformat(),
        )
        notified.append(plan_id)
    return notified
