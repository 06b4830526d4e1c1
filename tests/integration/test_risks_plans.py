"""Mitigation plans: added with a deadline not in the past, progress noted, and, once the
deadline passes undone, flagged overdue in the register, the risk's detail and the overview,
and notified to the plan's owner once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from governance.audit.models import AuditEvent
from governance.errors import Conflict, ValidationError
from governance.notifications.models import Notification
from governance.overview import workspace_overview
from governance.risks import plans, register
from tests.factories import make_risk, move_risk


def _plan(timed, clock, people, risk, days=7):  # type: ignore[no-untyped-def]
    return timed.run(
        plans.add_plan,
        actor=people.officer.actor(),
        risk_id=risk.id,
        strategy="Filter prompts; red-team monthly.",
        owner_id=people.owner.id,
        deadline=(clock() + timedelta(days=days)).date(),
    )


def _overdue_notices(timed) -> list[int]:  # type: ignore[no-untyped-def]
    with timed.unit() as uow:
        return list(
            uow.session.scalars(
                select(Notification.recipient_id).where(Notification.kind == "risks.plan_overdue")
            )
        )


def test_a_plan_is_added_and_progresses_to_done(timed, clock, people):
    risk = make_risk(timed, by=people.officer, owner=people.owner)
    plan = _plan(timed, clock, people, risk)
    assert (plan.status, plan.overdue, plan.owner) == ("planned", False, "owner-sci")
    moved = timed.run(
        plans.plan_progress,
        actor=people.owner.actor(),
        plan_id=plan.id,
        note="Filter deployed in staging.",
        status="in_progress",
    )
    assert moved.status == "in_progress"
    timed.run(plans.plan_progress, actor=people.owner.actor(), plan_id=plan.id, note="More tests.")
    done = timed.run(
        plans.plan_progress,
        actor=people.owner.actor(),
        plan_id=plan.id,
        note="Done.",
        status="done",
    )
    dossier = timed.run(register.risk_dossier, actor=people.executive.actor(), risk_id=risk.id)
    [shown] = dossier.plans
    assert [n.status for n in shown.notes] == ["in_progress", "in_progress", "done"]
    assert done.status == "done"
    with pytest.raises(ValidationError, match=r"^Plan status: this plan is done"):
        timed.run(plans.plan_progress, actor=people.owner.actor(), plan_id=plan.id, note="again")
    with timed.unit() as uow:
        actions = uow.session.scalars(
            select(AuditEvent.action).where(AuditEvent.action.like("risk.plan%"))
        ).all()
    assert actions == ["risk.plan_added"] + ["risk.plan_progress"] * 3


def test_a_stale_progress_is_a_conflict(timed, clock, people):
    risk = make_risk(timed, by=people.officer, owner=people.owner)
    plan = _plan(timed, clock, people, risk)
    timed.run(
        plans.plan_progress,
        actor=people.owner.actor(),
        plan_id=plan.id,
        note="a",
        status="in_progress",
    )
    with pytest.raises(Conflict):
        timed.run(
            plans.plan_progress,
            actor=people.owner.actor(),
            plan_id=plan.id,
            note="b",
            status="done",
            expected_version=plan.row_version,
        )


def test_an_overdue_plan_is_flagged_everywhere_and_notified_once(timed, clock, people):
    risk = make_risk(timed, by=people.officer, owner=people.owner)
    plan = _plan(timed, clock, people, risk, days=2)
    clock.advance(days=2)  # the deadline day: not yet overdue
    listed = timed.run(register.list_risks, actor=people.executive.actor())
    assert listed.loc[0, "overdue_plans"] == 0 and _overdue_notices(timed) == []
    clock.advance(days=1)
    for _ in range(3):  # read again and again: one notice
        listed = timed.run(register.list_risks, actor=people.executive.actor())
    assert listed.loc[0, "overdue_plans"] == 1
    assert _overdue_notices(timed) == [people.owner.id]
    dossier = timed.run(register.risk_dossier, actor=people.executive.actor(), risk_id=risk.id)
    assert dossier.plans[0].overdue
    panels = {p.title: p for p in timed.run(workspace_overview, actor=people.executive.actor())}
    tiles = {t.label: t.value for t in panels["Risk register"].tiles}
    assert tiles["Overdue plans"] == 1
    assert "overdue" in panels["Risk register"].alert
    timed.run(
        plans.plan_progress, actor=people.owner.actor(), plan_id=plan.id, note="late", status="done"
    )
    listed = timed.run(register.list_risks, actor=people.executive.actor())
    assert listed.loc[0, "overdue_plans"] == 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("deadline", "past", "^Deadline: .* is in the past"),
        ("deadline", None, "^Deadline: give"),
        ("owner_id", None, "^Plan owner: choose"),
        ("owner_id", 999, "^Plan owner: no active"),
        ("strategy", " ", "^Strategy"),
        ("strategy", "x\x00y", "^Strategy"),
    ],
)
def test_a_bad_plan_is_refused_naming_the_field(timed, clock, people, field, value, message):
    risk = make_risk(timed, by=people.officer, owner=people.owner)
    args = {
        "strategy": "s",
        "owner_id": people.owner.id,
        "deadline": (clock() + timedelta(days=3)).date(),
    }
    args[field] = (clock() - timedelta(days=1)).date() if value == "past" else value
    with pytest.raises(ValidationError, match=message):
        timed.run(plans.add_plan, actor=people.officer.actor(), risk_id=risk.id, **args)
    with timed.unit() as uow:
        from governance.risks.models import MitigationPlan

        assert uow.session.scalar(select(func.count()).select_from(MitigationPlan)) == 0


def test_a_closed_risk_gets_no_plan(timed, clock, people):
    risk = make_risk(timed, by=people.officer, owner=people.owner)
    move_risk(timed, risk, "closed", recorder=people.officer, acceptor=people.other_officer)
    with pytest.raises(ValidationError, match="closed"):
        _plan(timed, clock, people, risk)
