"""Every allowed and every forbidden step of the lifecycle, walked from its own table, on both
backends; and the history each step leaves."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from governance.audit.models import AuditEvent
from governance.auth.roles import Role
from governance.errors import ValidationError
from governance.registry import approvals, deployments, history
from governance.registry import service as registry
from governance.registry.lifecycle import ALLOWED, Status
from governance.registry.models import VersionTransition
from tests.factories import PASSING, make_model, make_version


@pytest.fixture
def people(make_user):
    sci = make_user(Role.DATA_SCIENTIST, "sci")
    officers = (make_user(Role.COMPLIANCE_OFFICER, "officer-a"),
                make_user(Role.COMPLIANCE_OFFICER, "officer-b"))  # fmt: skip
    return sci, officers


# Validation refreshes the evidence of these without moving them (see validate_version).
REVALIDATED = (Status.VALIDATED, Status.PENDING_APPROVAL, Status.APPROVED, Status.DEPLOYED)


def _attempt(workbench, target, v, sci, officers, model):
    """Ask for ``target`` through the one service call that makes that step."""
    actor = sci.actor()
    if target is Status.VALIDATED:
        return workbench.run(registry.validate_version, actor=actor, version_id=v.id,
                             observed=PASSING, reason="run")  # fmt: skip
    if target is Status.PENDING_APPROVAL:
        return workbench.run(approvals.request_approval, actor=actor, version_id=v.id, reason="r")
    if target is Status.APPROVED and v.status == Status.DEPLOYED:
        # Superseded: another version takes its one environment.
        make_version(workbench, model, maker=sci, checkers=officers, to="deployed")
        return None
    if target in (Status.APPROVED, Status.REJECTED):
        call = approvals.approve_version if target is Status.APPROVED else approvals.reject_version
        return workbench.run(call, actor=officers[0].actor(), version_id=v.id,
                             expected_version=v.row_version, reason="reviewed")  # fmt: skip
    if target is Status.DRAFT:
        return workbench.run(approvals.reopen_version, actor=actor, version_id=v.id, reason="r")
    if target is Status.DEPLOYED:
        return workbench.run(deployments.deploy_version, actor=actor, version_id=v.id,
                             environment="staging", reason="release")  # fmt: skip
    if target is Status.DEPRECATED:
        return workbench.run(deployments.deprecate_version, actor=actor, version_id=v.id,
                             reason="old")  # fmt: skip
    return workbench.run(deployments.retire_version, actor=actor, version_id=v.id, reason="gone")


def _status(workbench, sci, model, v) -> str:
    with workbench.unit() as uow:
        return registry.get_version(uow, actor=sci.actor(), model=model, version=v.version).status


def _events(workbench) -> int:
    with workbench.unit() as uow:
        return len(uow.session.scalars(select(AuditEvent.id)).all())


@pytest.mark.parametrize("source", list(Status), ids=str)
def test_each_step_from_a_status_is_made_or_refused_as_the_table_says(workbench, people, source):
    sci, officers = people
    model = make_model(workbench, by=sci).name
    for target in Status:
        v = make_version(workbench, model, maker=sci, checkers=officers, to=source.value)
        assert v.status == source.value
        before = _events(workbench)
        if target in ALLOWED[source]:
            _attempt(workbench, target, v, sci, officers, model)
            assert _status(workbench, sci, model, v) == target.value, (source, target)
            continue
        revalidation = target is Status.VALIDATED and source in REVALIDATED
        if revalidation:  # fresh evidence, the status stays
            _attempt(workbench, target, v, sci, officers, model)
            assert _status(workbench, sci, model, v) == source.value
            continue
        with pytest.raises(ValidationError) as refused:
            _attempt(workbench, target, v, sci, officers, model)
        message = str(refused.value)
        assert message.startswith("Status:") and f"cannot become {target.label}" in message
        assert all(s.label in message for s in ALLOWED[source]), message
        assert _status(workbench, sci, model, v) == source.value
        assert _events(workbench) == before  # nothing audited for a refused step


def test_the_history_records_each_step_with_actor_reason_and_environment(workbench, people):
    sci, officers = people
    model = make_model(workbench, by=sci).name
    v = make_version(workbench, model, maker=sci, checkers=officers, to="deployed")
    with workbench.unit() as uow:
        steps = history.version_history(uow, actor=officers[1].actor(), version_id=v.id)
    assert [(s.from_status, s.to_status) for s in steps] == [
        (None, "draft"), ("draft", "validated"), ("validated", "pending_approval"),
        ("pending_approval", "approved"), ("approved", "deployed")]  # fmt: skip
    assert [s.actor for s in steps] == ["sci", "sci", "sci", "officer-a", "sci"]
    assert steps[-1].environment == "production" and steps[-1].reason == "release"
    assert steps[3].reason == "meets the policy"


def test_a_rejected_version_goes_back_to_draft_and_is_judged_afresh(workbench, people):
    sci, officers = people
    model = make_model(workbench, by=sci).name
    v = make_version(workbench, model, maker=sci, checkers=officers, to="rejected")
    with workbench.unit() as uow:
        notes = [s.reason for s in history.version_history(uow, actor=sci.actor(), version_id=v.id)]
    assert "the changelog is too thin" in notes  # the reviewer's notes, for the maker
    v = workbench.run(approvals.reopen_version, actor=sci.actor(), version_id=v.id,
                      reason="changelog expanded")  # fmt: skip
    assert v.status == "draft"
    workbench.run(registry.validate_version, actor=sci.actor(), version_id=v.id,
                  observed=PASSING, reason="rerun")  # fmt: skip
    v = workbench.run(
        approvals.request_approval, actor=sci.actor(), version_id=v.id, reason="again"
    )
    assert v.approval_round == 2
    # The same reviewer may decide again in the new round.
    v = workbench.run(approvals.approve_version, actor=officers[0].actor(), version_id=v.id,
                      expected_version=v.row_version, reason="now fine")  # fmt: skip
    assert v.status == "approved"


def test_a_failing_validation_is_kept_and_moves_nothing(workbench, people):
    sci, _ = people
    model = make_model(workbench, by=sci).name
    v = make_version(workbench, model, maker=sci)
    report = workbench.run(registry.validate_version, actor=sci.actor(), version_id=v.id,
                           observed={"accuracy": 0.7, "latency_ms": 100}, reason="run",
                           evidence={"accuracy": "eval set 2026-11"})  # fmt: skip
    assert not report.passed
    assert [r["passed"] for r in report.requirements] == [False, True]
    assert report.requirements[0]["evidence"] == "eval set 2026-11"
    assert _status(workbench, sci, model, v) == "draft"
    with workbench.unit() as uow:
        steps = uow.session.scalars(
            select(VersionTransition.to_status).where(VersionTransition.version_id == v.id)
        ).all()
        assert steps == ["draft"]
        assert registry.list_validations(uow, actor=sci.actor(), version_id=v.id)[0].id == report.id


def test_versions_list_newest_first_in_semver_order(workbench, people):
    sci, _ = people
    model = make_model(workbench, by=sci).name
    for version in ("1.0.0", "1.10.0", "1.2.0", "1.10.0-rc.1", "0.9.0"):
        make_version(workbench, model, maker=sci, version=version)
    with workbench.unit() as uow:
        listed = [v.version for v in registry.list_versions(uow, actor=sci.actor(), model=model)]
    assert listed == ["1.10.0", "1.10.0-rc.1", "1.2.0", "1.0.0", "0.9.0"]
