"""Deployments on both backends: the gates, supersede-on-deploy in one transaction, retiring,
and the question "which version ran in E on day D, approved by whom"."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from sqlalchemy import select

from governance.audit.models import AuditEvent
from governance.auth.roles import Role
from governance.errors import Conflict, ValidationError
from governance.registry import deployments, history
from governance.registry import service as registry
from governance.registry.models import Deployment
from governance.registry.service import VALIDATION_MAX_AGE
from tests.concurrency import hammer
from tests.factories import PASSING, make_model, make_version


@pytest.fixture
def people(make_user):
    sci = make_user(Role.DATA_SCIENTIST, "sci")
    officers = (make_user(Role.COMPLIANCE_OFFICER, "officer-a"),
                make_user(Role.COMPLIANCE_OFFICER, "officer-b"))  # fmt: skip
    return sci, officers


def _events(workbench) -> list[str]:
    with workbench.unit() as uow:
        return list(uow.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def _deployments(workbench) -> list[tuple[int, str, bool]]:
    with workbench.unit() as uow:
        rows = uow.session.scalars(select(Deployment).order_by(Deployment.id))
        return [(d.version_id, d.environment, d.is_current) for d in rows]


def _deploy(workbench, sci, v, environment="production"):
    return workbench.run(deployments.deploy_version, actor=sci.actor(), version_id=v.id,
                         environment=environment, reason="release", endpoint="https://api/x",
                         notes="canary first")  # fmt: skip


def test_promoting_a_version_supersedes_the_current_one_in_one_transaction(workbench, people):
    sci, officers = people
    model = make_model(workbench, by=sci).name
    old = make_version(workbench, model, maker=sci, checkers=officers, to="deployed")
    new = make_version(workbench, model, maker=sci, checkers=officers, to="approved")
    before = _events(workbench)
    deployed = _deploy(workbench, sci, new)
    assert deployed.is_current and deployed.endpoint == "https://api/x"
    assert _deployments(workbench) == [(old.id, "production", False), (new.id, "production", True)]
    assert _events(workbench)[len(before):] == [
        "registry.deployment_superseded", "registry.version_deployed"]  # fmt: skip
    with workbench.unit() as uow:
        statuses = {
            v.version: v.status for v in registry.list_versions(uow, actor=sci.actor(), model=model)
        }
        ended = uow.session.scalars(select(Deployment).where(Deployment.version_id == old.id)).one()
    assert statuses == {old.version: "approved", new.version: "deployed"}  # old: can roll back
    assert ended.superseded_by_id == deployed.id and ended.end_reason.startswith("superseded by")


def test_a_failure_after_the_supersede_leaves_the_old_deployment_current(workbench, people):
    sci, officers = people
    model = make_model(workbench, by=sci).name
    old = make_version(workbench, model, maker=sci, checkers=officers, to="deployed")
    new = make_version(workbench, model, maker=sci, checkers=officers, to="approved")
    before = _events(workbench)
    with pytest.raises(ValidationError), workbench.unit() as uow:
        deployments.deploy_version(uow, actor=sci.actor(), version_id=new.id,
                                   environment="production", reason="release")  # fmt: skip
        raise ValidationError("a later step of the same unit fails")
    assert _deployments(workbench) == [(old.id, "production", True)]
    assert _events(workbench) == before


def test_one_version_may_run_in_several_environments_each_with_one_current(workbench, people):
    sci, officers = people
    model = make_model(workbench, by=sci).name
    v = make_version(workbench, model, maker=sci, checkers=officers, to="deployed")
    _deploy(workbench, sci, v, "staging")
    with pytest.raises(ValidationError, match="already deployed in staging"):
        _deploy(workbench, sci, v, "staging")
    assert sorted(_deployments(workbench)) == [(v.id, "production", True), (v.id, "staging", True)]


def test_two_racing_promotions_to_one_environment_leave_one_current(workbench, people):
    sci, officers = people
    model = make_model(workbench, by=sci).name
    make_version(workbench, model, maker=sci, checkers=officers, to="deployed")
    candidates = [make_version(workbench, model, maker=sci, checkers=officers, to="approved")
                  for _ in range(4)]  # fmt: skip
    outcomes = hammer(lambda i, j: _deploy(workbench, sci, candidates[i]), threads=4, calls=1)
    assert outcomes.internal == []
    assert outcomes.of_type(deployments.DeploymentInfo) >= 1
    assert outcomes.of_type(deployments.DeploymentInfo) + outcomes.of_type(Conflict) == 4
    assert sum(current for _, env, current in _deployments(workbench) if env == "production") == 1


def test_deploying_needs_a_passing_validation_no_older_than_the_maximum(workbench, people):
    sci, officers = people
    model = make_model(workbench, by=sci).name
    v = make_version(workbench, model, maker=sci, checkers=officers, to="approved")
    later = dataclasses.replace(
        workbench, clock=lambda: workbench.clock() + VALIDATION_MAX_AGE + timedelta(days=1)
    )
    before = _events(workbench)
    with pytest.raises(ValidationError, match=r"^Validation: .* more than 90 days ago"):
        _deploy(later, sci, v)
    assert _deployments(workbench) == [] and _events(workbench) == before
    later.run(registry.validate_version, actor=sci.actor(), version_id=v.id,
              observed={"accuracy": 0.5, "latency_ms": 100}, reason="revalidation")  # fmt: skip
    with pytest.raises(ValidationError, match=r"^Validation: the latest validation .* failed"):
        _deploy(later, sci, v)
    later.run(registry.validate_version, actor=sci.actor(), version_id=v.id, observed=PASSING,
              reason="revalidation")  # fmt: skip
    assert _deploy(later, sci, v).is_current
    with workbench.unit() as uow:  # revalidation kept the approval
        assert (
            registry.get_version(uow, actor=sci.actor(), model=model, version=v.version).status
            == "deployed"
        )


def test_an_unacceptable_risk_model_is_never_deployed(workbench, people):
    sci, officers = people
    model = make_model(workbench, by=sci, risk_tier="unacceptable").name
    v = make_version(workbench, model, maker=sci, checkers=officers, to="approved")
    with pytest.raises(ValidationError, match=r"^Risk tier: .* can never be deployed"):
        _deploy(workbench, sci, v)
    assert _deployments(workbench) == []


def test_retiring_ends_the_deployments_of_a_deprecated_version(workbench, people):
    sci, officers = people
    model = make_model(workbench, by=sci).name
    v = make_version(workbench, model, maker=sci, checkers=officers, to="deployed")
    v = workbench.run(deployments.deprecate_version, actor=officers[0].actor(), version_id=v.id,
                      reason="bias found in the 2026 review")  # fmt: skip
    assert v.status == "deprecated"
    assert _deployments(workbench) == [(v.id, "production", True)]  # still running until retired
    v = workbench.run(deployments.retire_version, actor=sci.actor(), version_id=v.id,
                      reason="replacement live")  # fmt: skip
    assert v.status == "retired" and _deployments(workbench) == [(v.id, "production", False)]
    assert _events(workbench)[-2:] == ["registry.version_deprecated", "registry.version_retired"]


def test_which_version_ran_where_on_a_day_and_who_approved_it(workbench, people):
    sci, officers = people
    model = make_model(workbench, by=sci, risk_tier="high", name="Credit Scorer").name
    day1 = workbench.clock()
    first = make_version(workbench, model, maker=sci, checkers=officers, to="deployed",
                         version="1.0.0")  # fmt: skip
    # Three days later a second version replaces it.
    later = dataclasses.replace(workbench, clock=lambda: day1 + timedelta(days=3))
    second = make_version(later, model, maker=sci, checkers=officers, to="approved",
                          version="1.1.0")  # fmt: skip
    _deploy(later, sci, second)

    def asked(on):
        with workbench.unit() as uow:
            return history.deployed_on(uow, actor=officers[0].actor(), model="credit scorer",
                                       environment="Production", on=on)  # fmt: skip

    assert [d.version for d in asked(day1.date())] == ["1.0.0"]
    assert [d.version for d in asked((day1 + timedelta(days=1)).date())] == ["1.0.0"]
    changeover = asked((day1 + timedelta(days=3)).date())
    assert [d.version for d in changeover] == ["1.0.0", "1.1.0"]
    assert changeover[0].approved_by == ("officer-a", "officer-b")
    assert changeover[0].end_reason == "superseded by 1.1.0 in production"
    assert [d.version for d in asked(day1 + timedelta(days=4))] == ["1.1.0"]
    assert asked((day1 - timedelta(days=1)).date()) == []
    assert first.id != second.id
