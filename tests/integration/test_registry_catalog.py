"""What the registry page reads, on both backends: the summary of every model and one model's
dossier; both are reads (refused to nobody with REGISTRY_READ, and writing nothing)."""

from __future__ import annotations

import pytest

from governance.auth.roles import Role
from governance.errors import NotFound
from governance.registry import model_dossier, registry_summary
from tests.factories import make_model, make_version


@pytest.fixture
def people(make_user):
    sci = make_user(Role.DATA_SCIENTIST, "sci")
    officer = make_user(Role.COMPLIANCE_OFFICER, "officer")
    return sci, officer


def test_the_summary_names_the_latest_version_and_where_it_runs(workbench, people):
    sci, officer = people
    make_model(workbench, by=sci, name="Zeta")
    make_model(workbench, by=sci, name="alpha", risk_tier="minimal")
    make_version(workbench, "alpha", maker=sci, checkers=(officer,), to="deployed",
                 version="1.9.0", environment="staging")  # fmt: skip
    make_version(workbench, "alpha", maker=sci, version="1.10.0")

    rows = workbench.run(registry_summary, actor=officer.actor())

    assert [r.name for r in rows] == ["alpha", "Zeta"]  # by name, ignoring case
    alpha = rows[0]
    assert (alpha.latest_version, alpha.latest_status) == ("1.10.0", "draft")  # semver order
    assert alpha.environments == ("staging",)
    assert (alpha.versions, alpha.owner, alpha.risk_tier) == (2, "sci", "minimal")
    assert (rows[1].latest_version, rows[1].environments) == (None, ())


def test_the_dossier_holds_each_version_with_its_history_decisions_and_reports(workbench, people):
    sci, officer = people
    make_model(workbench, by=sci, name="scorer")
    make_version(workbench, "scorer", maker=sci, checkers=(officer,), to="deployed",
                 version="1.0.0")  # fmt: skip
    make_version(workbench, "scorer", maker=sci, to="pending_approval", version="2.0.0")

    dossier = workbench.run(model_dossier, actor=officer.actor(), name="SCORER")

    assert dossier.model.name == "scorer"
    newest, first = dossier.versions
    assert (newest.info.version, first.info.version) == ("2.0.0", "1.0.0")
    assert newest.requester == "sci" and newest.decided_in_round() == ()
    assert [t.to_status for t in first.history] == [
        "draft", "validated", "pending_approval", "approved", "deployed"]  # fmt: skip
    assert [a.approver for a in first.approvals] == ["officer"]
    assert first.decided_in_round() == ("officer",)
    assert [v.passed for v in first.validations] == [True]
    assert [d.environment for d in dossier.deployments] == ["production"]
    assert dossier.version(first.info.id) is first


def test_a_dossier_of_an_unknown_model_is_not_found(workbench, people):
    sci, _ = people
    with pytest.raises(NotFound):
        workbench.run(model_dossier, actor=sci.actor(), name="nothing")
