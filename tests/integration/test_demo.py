"""The demo workspace, on SQLite and PostgreSQL: loaded through the real services into an
empty database only, whole or not at all, with real fairness numbers and a verifiable trail."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import func, select

from governance.artifacts import sha256_file
from governance.audit.models import AuditEvent
from governance.audit.verification import verify_full
from governance.auth import service as auth
from governance.auth.models import User
from governance.demo import fairness as demo_fairness
from governance.demo import load as demo_load
from governance.demo.accounts import ACCOUNTS, SAM
from governance.demo.load import load_demo
from governance.demo.models import CATALOGUE, FRAUD
from governance.errors import ValidationError
from governance.fairness.models import FairnessAssessment
from governance.models import Base
from governance.notifications.models import Notification
from governance.registry.lifecycle import Status
from governance.registry.models import (
    Approval,
    Deployment,
    Model,
    ModelVersion,
    PerformancePoint,
    Validation,
    VersionTransition,
)

ROOT = Path(__file__).resolve().parents[2]


def _rows(workbench) -> dict[str, int]:
    """How many rows every table holds."""
    with workbench.unit() as uow:
        return {
            name: uow.session.scalar(select(func.count()).select_from(table)) or 0
            for name, table in Base.metadata.tables.items()
        }


def _all(workbench, record) -> list:
    with workbench.unit() as uow:
        rows = list(uow.session.scalars(select(record)))
        uow.session.expunge_all()
        return rows


@pytest.fixture
def loaded(workbench):
    started = datetime.now(UTC)
    summary = load_demo(workbench)
    return workbench, summary, started


def test_the_demo_walks_every_lifecycle_state_through_the_services_and_audits_it(loaded):
    workbench, summary, started = loaded
    assert summary.models == len(CATALOGUE) and summary.versions == 13
    versions = _all(workbench, ModelVersion)
    assert {v.status for v in versions} == {s.value for s in Status}
    models = {m.id: m for m in _all(workbench, Model)}
    # Every decision by someone who neither owns the model nor asked for the approval.
    decisions = _all(workbench, Approval)
    assert decisions
    for d in decisions:
        assert d.approver_id not in (d.owner_id, d.requester_id)
    # A high-risk version approved needed two different people in its round.
    high = {mid for mid, m in models.items() if m.risk_tier == "high"}
    for v in versions:
        if v.model_id in high and v.status in ("approved", "deployed", "retired"):
            given = {
                d.approver_id
                for d in decisions
                if d.version_id == v.id and d.round == v.approval_round and d.decision == "approved"
            }
            assert len(given) == 2, v.version
    # Some versions run; the unacceptable-risk model never did.
    deployments = _all(workbench, Deployment)
    current = {d.model_id for d in deployments if d.is_current}
    assert len(current) >= 3
    prohibited = [mid for mid, m in models.items() if m.risk_tier == "unacceptable"]
    assert prohibited and not {d.model_id for d in deployments} & set(prohibited)
    # A rejected version reopened with the reviewer's notes is a draft again.
    steps = _all(workbench, VersionTransition)
    assert any(s.from_status == "rejected" and s.to_status == "draft" for s in steps)
    # The history spans three months, and nothing lies in the future.
    audit = _all(workbench, AuditEvent)
    times = [s.at for s in steps] + [e.occurred_at for e in audit]
    assert max(times) <= datetime.now(UTC)
    assert min(times) <= started - timedelta(days=90)
    # And the trail those calls wrote links up.
    assert workbench.run(verify_full, record=False).intact


def test_the_risk_register_fills_the_heatmap_with_one_acceptance_lapsing_and_a_plan_late(loaded):
    from governance.demo.risks import RISKS
    from governance.risks.models import MitigationPlan, Risk, RiskMatrixVersion, RiskTransition

    workbench, summary, started = loaded
    assert summary.risks == len(RISKS) == 12
    risks = _all(workbench, Risk)
    assert len(risks) == 12
    assert {r.status for r in risks} == {"identified", "mitigating", "mitigated", "accepted",
                                         "closed"}  # fmt: skip
    assert len({(r.likelihood, r.impact) for r in risks}) >= 9  # the heatmap is spread out
    today = datetime.now(UTC).date()
    lapsing = [r for r in risks if r.status == "accepted" and r.accepted_until <= today
               + timedelta(days=3)]  # fmt: skip
    assert len(lapsing) == 1
    overdue = [p for p in _all(workbench, MitigationPlan)
               if p.status in ("planned", "in_progress") and p.deadline < today]  # fmt: skip
    assert len(overdue) == 1
    users = {u.id: u.username for u in _all(workbench, User)}
    told = [n for n in _all(workbench, Notification) if n.kind == "risks.plan_overdue"]
    assert [users[n.recipient_id] for n in told] == [SAM]
    # The acceptance that lapsed a month ago was reopened by the clock, on its day.
    [reopened] = [t for t in _all(workbench, RiskTransition) if t.actor == "system:risk-clock"]
    assert started - timedelta(days=31) < reopened.at < started - timedelta(days=28)
    assert [m.version for m in _all(workbench, RiskMatrixVersion)] == [1]


def test_ninety_days_of_points_and_the_degrading_model_tells_its_owner(loaded):
    workbench, summary, started = loaded
    points = _all(workbench, PerformancePoint)
    assert len(points) == summary.points and 2_000 <= len(points) <= 10_000
    stamps = [p.observed_at for p in points]
    assert min(stamps) >= started - timedelta(days=90, minutes=1)
    assert max(stamps) <= datetime.now(UTC)
    assert max(stamps) - min(stamps) >= timedelta(days=89)
    users = {u.username: u.id for u in _all(workbench, User)}
    degraded = [n for n in _all(workbench, Notification) if n.kind == "performance.degraded"]
    assert [(n.recipient_id, n.title) for n in degraded] == [
        (users[SAM], f"Performance below baseline: {FRAUD} precision")
    ]


def test_the_fairness_evidence_is_real_and_linked_to_registry_versions(loaded, tmp_path):
    workbench, summary, _ = loaded
    assert summary.assessments == 2
    saved = sorted(_all(workbench, FairnessAssessment), key=lambda a: a.model_version or "")
    versions = {v.id: v for v in _all(workbench, ModelVersion)}
    assert [(a.model_name, a.model_version, a.verdict) for a in saved] == [
        ("Credit Scoring", "2.0.0", "fail"),
        ("Credit Scoring", "2.1.0", "pass"),
    ]
    for a in saved:
        assert versions[a.model_version_id].version == a.model_version
    # The same seed trains the same model: the file assessed then is the one made now.
    fresh = demo_fairness.train_and_predict("with_age", tmp_path)
    assert sha256_file(fresh.path) == saved[0].file_sha256
    # Each group's selection rate, recomputed with pandas from the stored predictions.
    stored = pd.read_parquet(workbench.artifacts.path_for(saved[0].file_sha256))
    expected = stored.groupby("age_group")["approved"].mean()
    grouping = next(
        r for r in saved[0].results["results"] if r["sensitive_features"] == ["age_group"]
    )
    for group in grouping["groups"]:
        name = group["group"]["age_group"]
        assert group["selection_rate"] == pytest.approx(expected[name], abs=1e-12)
    ratio = expected.min() / expected.max()
    assert saved[0].min_disparate_impact == pytest.approx(ratio, abs=1e-12) and ratio < 0.8
    # The validation of 2.1.0 weighed its assessment.
    validations = [
        v for v in _all(workbench, Validation) if v.version_id == saved[1].model_version_id
    ]
    names = {r["name"] for v in validations for r in v.requirements}
    assert any("fairness" in n or "disparate" in n for n in names), names


def test_a_second_load_is_refused_and_changes_nothing(loaded):
    workbench, _, _ = loaded
    before = _rows(workbench)
    with pytest.raises(ValidationError, match=r"empty database.*accounts: 7"):
        load_demo(workbench)
    assert _rows(workbench) == before


def test_a_database_with_one_account_is_refused(workbench, admin):
    before = _rows(workbench)
    with pytest.raises(ValidationError, match=r"accounts: 1, audit events: 1"):
        load_demo(workbench)
    assert _rows(workbench) == before


def test_a_load_that_fails_part_way_leaves_nothing(workbench, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the pipeline fell over")

    monkeypatch.setattr(demo_load, "record_points", broken)
    with pytest.raises(RuntimeError, match="fell over"):
        load_demo(workbench)
    assert not any(_rows(workbench).values())
    assert list(workbench.artifacts.stored_files()) == []


def test_the_command_prints_the_accounts_and_they_sign_in(workbench, tmp_path):
    env = {
        **os.environ,
        "GOVERNANCE_DATABASE_URL": workbench.settings.database_url,
        "GOVERNANCE_ARTIFACT_DIR": str(workbench.settings.artifact_dir),
    }

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "governance", "demo", "load", *args],
            capture_output=True, text=True, cwd=ROOT, env=env, timeout=300, check=False,
        )  # fmt: skip

    done = cli()
    assert done.returncode == 0, done.stderr
    table = {
        line.split()[0]: line.split()[-1]
        for line in done.stdout.splitlines()
        if line.startswith("  ") and line.split()[0] in {a.username for a in ACCOUNTS}
    }
    assert sorted(table) == sorted(a.username for a in ACCOUNTS)
    assert "7 models, 13 versions" in done.stdout and "2 fairness assessments" in done.stdout
    assert "12 risks" in done.stdout
    for username, password in table.items():
        user = workbench.run(auth.authenticate, username=username, password=password)
        assert not user.must_change_password
    refused = cli()
    assert refused.returncode == 2 and "empty database" in refused.stderr
    assert "Traceback" not in refused.stderr
    skipped = cli("--if-empty")
    assert skipped.returncode == 0 and "not loaded again" in skipped.stderr


def test_the_incidents_make_the_clocks_meaningful(loaded):
    from governance.demo.incidents import INCIDENTS
    from governance.incidents.models import Incident, IncidentEscalation, IncidentPostmortem

    workbench, summary, _started = loaded
    rows = _all(workbench, Incident)
    assert summary.incidents == len(rows) == len(INCIDENTS)
    now = datetime.now(UTC)
    overdue = [i for i in rows if i.report_due_at and not i.regulator_reported_at
               and i.report_due_at < now]  # fmt: skip
    assert len(overdue) == 1
    escalated = [i for i in rows if i.severity == "critical" and i.acknowledged_at is None]
    assert [i.escalation_level for i in escalated] == [3]
    assert {i.status for i in rows} == {"open", "investigating", "closed"}
    assert len(_all(workbench, IncidentPostmortem)) >= 2
    assert len(_all(workbench, IncidentEscalation)) >= 5
    assert max(i.reported_at for i in rows) <= now
