"""Mitigation plans: what is done about a risk, by whom, by when, and how it goes.

A plan whose deadline passed while it is neither done nor cancelled is overdue: the register,
the risk's detail and the overview flag it, and its owner hears of it once (the first time
the clock finds it so, on a read or in the sweep).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from governance.actor import Actor
from governance.audit.events import AuditAction, Event, Resource
from governance.auth.roles import Action
from governance.errors import Conflict, NotFound, ValidationError
from governance.kernel import UnitOfWork, authorize, clean_text, stale_message
from governance.risks import notices
from governance.risks.fields import parse_day
from governance.risks.lifecycle import RiskStatus
from governance.risks.models import PLAN_STATUSES, MitigationPlan, PlanNote
from governance.risks.records import active_account, load_risk, today, usernames

THIS_PLAN = "this mitigation plan"
FINISHED = frozenset({"done", "cancelled"})


@dataclass(frozen=True, slots=True)
class NoteInfo:
    note: str
    status: str
    by: str
    at: datetime


@dataclass(frozen=True, slots=True)
class PlanInfo:
    id: int
    risk_id: int
    strategy: str
    owner_id: int
    owner: str
    deadline: date
    status: str
    overdue: bool
    created_at: datetime
    created_by: str
    row_version: int
    notes: tuple[NoteInfo, ...] = ()


def is_overdue(status: str, deadline: date, day: date) -> bool:
    return status not in FINISHED and deadline < day


def parse_plan_status(value: object) -> str:
    text = str(value or "").strip().lower().replace(" ", "_")
    if text not in PLAN_STATUSES:
        raise ValidationError(
            f"Plan status: {str(value)[:40]!r} is not a status; choose one of "
            f"{', '.join(PLAN_STATUSES)}."
        )
    return text


def _info(uow: UnitOfWork, plan: MitigationPlan, notes: tuple[NoteInfo, ...] = ()) -> PlanInfo:
    owner = usernames(uow, {plan.owner_id}).get(plan.owner_id, "?")
    return PlanInfo(
        plan.id,
        plan.risk_id,
        plan.strategy,
        plan.owner_id,
        owner,
        plan.deadline,
        plan.status,
        is_overdue(plan.status, plan.deadline, today(uow)),
        plan.created_at,
        plan.created_by,
        plan.row_version,
        notes,
    )


def add_plan(
    uow: UnitOfWork,
    *,
    actor: Actor,
    risk_id: int,
    strategy: str,
    owner_id: int | None,
    deadline: date | str | None,
) -> PlanInfo:
    """Add a mitigation plan to an open risk; its deadline is today or later."""
    authorize(uow, actor, Action.RISK_RECORD, Resource.MITIGATION_PLAN)
    strategy = clean_text(strategy, field="Strategy", limit=5000, multiline=True)
    owner = active_account(uow, owner_id, field="Plan owner")
    due = parse_day(deadline, field="Deadline")
    if due < today(uow):
        raise ValidationError(
            f"Deadline: {due.isoformat()} is in the past (today is {today(uow).isoformat()})."
        )
    risk = load_risk(uow, risk_id)
    if risk.status == RiskStatus.CLOSED.value:
        raise ValidationError("Status: this risk is closed; a closed risk gets no new plan.")
    plan = MitigationPlan(
        risk_id=risk.id,
        strategy=strategy,
        owner_id=owner.id,
        deadline=due,
        status="planned",
        created_at=uow.now(),
        created_by=actor.username,
    )
    uow.session.add(plan)
    uow.flush(THIS_PLAN)
    after = {
        "risk": risk.id,
        "strategy": strategy,
        "owner": owner.username,
        "deadline": due.isoformat(),
        "status": plan.status,
    }
    uow.record(
        actor,
        Event(AuditAction.RISK_PLAN_ADDED, Resource.MITIGATION_PLAN, plan.id, {"after": after}),
    )
    return _info(uow, plan)


def plan_progress(
    uow: UnitOfWork,
    *,
    actor: Actor,
    plan_id: int,
    note: str,
    status: str | None = None,
    expected_version: int | None = None,
) -> PlanInfo:
    """Note progress on a plan and, optionally, move its status (done and cancelled are final)."""
    authorize(uow, actor, Action.RISK_RECORD, Resource.MITIGATION_PLAN, plan_id)
    text = clean_text(note, field="Progress note", limit=5000, multiline=True)
    target = parse_plan_status(status) if status not in (None, "") else None
    plan = uow.session.get(MitigationPlan, plan_id, populate_existing=True)
    if plan is None:
        raise NotFound(f"No mitigation plan with number {plan_id}.")
    if expected_version is not None and plan.row_version != expected_version:
        raise Conflict(stale_message(THIS_PLAN))
    if plan.status in FINISHED:
        raise ValidationError(
            f"Plan status: this plan is {plan.status}; it takes no more progress."
        )
    before = plan.status
    plan.status = target or plan.status
    if plan.status == before:
        plan.created_by = plan.created_by  # no-op write is not an UPDATE; a note still counts
    uow.flush(THIS_PLAN)
    uow.session.add(
        PlanNote(plan_id=plan.id, note=text, status=plan.status, by=actor.username, at=uow.now())
    )
    uow.flush("this progress note")
    if plan.status in FINISHED:
        notices.plan_finished(uow, plan.id)
    details = {"risk": plan.risk_id, "note": text, "from": before, "to": plan.status}
    uow.record(
        actor, Event(AuditAction.RISK_PLAN_PROGRESS, Resource.MITIGATION_PLAN, plan.id, details)
    )
    return _info(uow, plan)


def plans_of(uow: UnitOfWork, risk_id: int) -> list[PlanInfo]:
    plans = list(
        uow.session.scalars(
            select(MitigationPlan)
            .where(MitigationPlan.risk_id == risk_id)
            .order_by(MitigationPlan.id)
        )
    )
    notes: dict[int, list[NoteInfo]] = {}
    if plans:
        rows = uow.session.scalars(
            select(PlanNote)
            .where(PlanNote.plan_id.in_([p.id for p in plans]))
            .order_by(PlanNote.id)
        )
        for n in rows:
            notes.setdefault(n.plan_id, []).append(NoteInfo(n.note, n.status, n.by, n.at))
    return [_info(uow, p, tuple(notes.get(p.id, ()))) for p in plans]
