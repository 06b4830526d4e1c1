"""Maker-checker on both backends: who may approve, the database's own refusal, two approvers
for high risk, stale decisions, and a hundred racing decisions leaving one outcome."""

from __future__ import annotations

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from governance.actor import Actor
from governance.audit import service as audit
from governance.audit.models import AuditEvent
from governance.auth.roles import Role
from governance.errors import Conflict, PermissionDenied, ValidationError
from governance.registry import approvals
from governance.registry.models import Approval
from tests.concurrency import hammer
from tests.factories import make_model, make_version


@pytest.fixture
def people(make_user):
    sci = make_user(Role.DATA_SCIENTIST, "sci")
    officers = tuple(make_user(Role.COMPLIANCE_OFFICER, f"officer-{i}") for i in range(4))
    return sci, officers


def _events(workbench) -> list[str]:
    with workbench.unit() as uow:
        return list(uow.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def _approvals(workbench) -> list[tuple[int, str]]:
    with workbench.unit() as uow:
        return [(a.approver_id, a.decision) for a in uow.session.scalars(select(Approval))]


def _approve(workbench, who, v, reason="fine"):
    return workbench.run(approvals.approve_version, actor=who.actor(), version_id=v.id,
                         expected_version=v.row_version, reason=reason)  # fmt: skip


def _row(v, approver, owner, requester) -> dict:
    return {"version_id": v.id, "round": 1, "approver_id": approver, "approver": "x",
            "owner_id": owner, "requester_id": requester, "decision": "approved", "notes": "n",
            "seen_row_version": v.row_version, "at": v.created_at}  # fmt: skip


def test_the_owner_cannot_approve_even_as_an_officer(workbench, people):
    sci, officers = people
    owner = officers[0]
    model = make_model(workbench, by=sci, owner=owner).name
    v = make_version(workbench, model, maker=sci, to="pending_approval")
    before = _events(workbench)
    with pytest.raises(PermissionDenied, match="an owner cannot approve"):
        _approve(workbench, owner, v)
    assert _approvals(workbench) == [] and _events(workbench) == before


def test_the_requester_cannot_approve(workbench, people, make_user):
    sci, officers = people
    admin_maker = make_user(Role.ADMIN, "second-admin")  # may both submit and approve by role
    model = make_model(workbench, by=sci).name
    v = make_version(workbench, model, maker=admin_maker, to="pending_approval")
    before = _events(workbench)
    with pytest.raises(PermissionDenied, match="You asked for this approval"):
        _approve(workbench, admin_maker, v)
    with pytest.raises(PermissionDenied, match="requester cannot approve or reject"):
        workbench.run(approvals.reject_version, actor=admin_maker.actor(), version_id=v.id,
                      expected_version=v.row_version, reason="no")  # fmt: skip
    assert _approvals(workbench) == [] and _events(workbench) == before
    assert _approve(workbench, officers[0], v).status == "approved"


def test_the_command_lines_operator_cannot_approve(workbench, people):
    sci, _ = people
    model = make_model(workbench, by=sci).name
    v = make_version(workbench, model, maker=sci, to="pending_approval")
    with pytest.raises(PermissionDenied, match="a person's decision"):
        workbench.run(approvals.approve_version, actor=Actor.command_line(), version_id=v.id,
                      expected_version=v.row_version, reason="ok")  # fmt: skip


@pytest.mark.parametrize("own", ["owner_id", "requester_id"])
def test_the_database_refuses_an_approval_of_ones_own_work(workbench, people, own):
    """Whatever path a row comes by (a script, a future service), the CHECK holds."""
    sci, officers = people
    model = make_model(workbench, by=sci).name
    v = make_version(workbench, model, maker=sci, to="pending_approval")
    row = _row(v, approver=officers[0].id, owner=sci.id, requester=sci.id)
    with workbench.database.engine.connect() as conn:
        with pytest.raises(IntegrityError, match=r"(?i)check"):
            conn.execute(insert(Approval.__table__).values(**{**row, own: officers[0].id}))
        conn.rollback()
        conn.execute(insert(Approval.__table__).values(**row))  # the control: accepted
        conn.rollback()


def test_a_high_risk_version_needs_two_different_approvers(workbench, people):
    sci, officers = people
    model = make_model(workbench, by=sci, risk_tier="high").name
    v = make_version(workbench, model, maker=sci, to="pending_approval")
    first = _approve(workbench, officers[0], v)
    assert first.status == "pending_approval" and first.row_version == v.row_version + 1
    with pytest.raises(Conflict, match="already decided"):
        _approve(workbench, officers[0], first)
    second = _approve(workbench, officers[1], first)
    assert second.status == "approved"
    assert _events(workbench)[-2:] == ["registry.approval_given", "registry.approval_given"]
    with pytest.raises(ValidationError, match="that is approved cannot become approved"):
        _approve(workbench, officers[2], second)
    with workbench.database.engine.connect() as conn:  # one decision per person, in the schema
        with pytest.raises(IntegrityError):
            conn.execute(
                insert(Approval.__table__).values(**_row(v, officers[0].id, sci.id, sci.id))
            )
        conn.rollback()


def test_a_decision_on_a_state_that_changed_meanwhile_is_a_conflict(workbench, people):
    sci, officers = people
    model = make_model(workbench, by=sci, risk_tier="high").name
    v = make_version(workbench, model, maker=sci, to="pending_approval")
    _approve(workbench, officers[0], v)  # officer 1's page still shows v
    before = _events(workbench)
    with pytest.raises(Conflict, match="changed this model version meanwhile"):
        _approve(workbench, officers[1], v)
    with pytest.raises(Conflict, match="changed this model version meanwhile"):
        workbench.run(approvals.reject_version, actor=officers[1].actor(), version_id=v.id,
                      expected_version=v.row_version, reason="no")  # fmt: skip
    assert _events(workbench) == before
    assert len(_approvals(workbench)) == 1


@pytest.mark.parametrize("risk_tier", ["limited", "high"])
def test_a_hundred_racing_decisions_leave_exactly_one(workbench, people, risk_tier):
    sci, officers = people
    model = make_model(workbench, by=sci, risk_tier=risk_tier).name
    v = make_version(workbench, model, maker=sci, to="pending_approval")

    def decide(thread: int, call: int):
        who = officers[(thread + call) % len(officers)].actor()
        step = approvals.approve_version if (thread + call) % 2 else approvals.reject_version
        return workbench.run(step, actor=who, version_id=v.id, expected_version=v.row_version,
                             reason=f"decision {thread}.{call}")  # fmt: skip

    outcomes = hammer(decide, threads=10, calls=10)
    assert outcomes.internal == []
    won = [r for r in outcomes.results.values() if not isinstance(r, Exception)]
    assert len(won) == 1, outcomes.results
    assert outcomes.of_type(Conflict) == 99
    assert len(_approvals(workbench)) == 1
    events = _events(workbench)
    assert sum(e in ("registry.approval_given", "registry.version_rejected") for e in events) == 1
    with workbench.unit() as uow:
        assert audit.verify_chain(uow).intact
