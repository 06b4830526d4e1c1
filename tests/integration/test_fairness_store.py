"""Saving fairness assessments as evidence, and the policy's versions, on both backends."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from sqlalchemy import select

from governance.artifacts import ArtifactStore
from governance.audit import service as audit
from governance.audit.models import AuditEvent
from governance.auth.roles import Role
from governance.errors import ValidationError
from governance.fairness import service as store
from governance.fairness.engine import assess_file
from governance.fairness.models import FairnessAssessment
from governance.fairness.policy import Policy
from governance.fairness.spec import AssessmentSpec
from tests.factories import make_evidence_model

ROOT = Path(__file__).resolve().parents[2]
SPEC = AssessmentSpec(y_true="label", y_pred="prediction", sensitive=("group",))


@pytest.fixture
def csv_file(tmp_path) -> Path:
    path = tmp_path / "scored.csv"
    rows = ["label,prediction,group"] + ["1,1,a", "0,0,a", "1,0,b", "0,1,b", "1,1,b"] * 30
    path.write_text("\n".join(rows) + "\n")
    return path


def test_save_keeps_file_as_parquet_by_hash_with_results_and_event(
    workbench, uow, session, make_user, csv_file, tmp_path
):
    scientist = make_user(Role.DATA_SCIENTIST, "sci")
    make_evidence_model(workbench, "credit-scoring", by=scientist, versions=("1.2.0",))
    artifacts = ArtifactStore(tmp_path / "artifacts")
    result = assess_file(csv_file, SPEC)
    assessment_id = store.save_assessment(
        uow, actor=scientist.actor(), result=result, source=csv_file,
        model_name="credit-scoring", model_version="1.2.0",
    )  # fmt: skip
    digest = hashlib.sha256(csv_file.read_bytes()).hexdigest()
    parquet = artifacts.path_for(digest)
    assert parquet.exists()
    assert (
        duckdb.connect()
        .execute("SELECT count(*) FROM read_parquet($p)", {"p": str(parquet)})
        .fetchall()[0][0]
        == 150
    )
    saved = store.get_assessment(uow, actor=scientist.actor(), assessment_id=assessment_id)
    assert saved.file_sha256 == digest and saved.row_count == 150
    assert saved.model_version == "1.2.0"
    assert saved.verdict == result.verdict.value
    assert saved.results["results"][0]["groups"][0]["n"] == result.results[0].groups[0].n
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "fairness.assessment_saved")
    ).one()
    assert event.details["sha256"] == digest and event.resource_id == str(assessment_id)
    assert audit.verify_chain(uow).intact


def test_failed_save_leaves_no_record_and_no_artifact(uow, session, make_user, csv_file, tmp_path):
    scientist = make_user(Role.DATA_SCIENTIST, "sci")
    artifacts = ArtifactStore(tmp_path / "artifacts")
    result = assess_file(csv_file, SPEC)
    with pytest.raises(ValidationError, match="Model name too long"):
        store.save_assessment(
            uow, actor=scientist.actor(), result=result, source=csv_file,
            model_name="m" * 201,
        )  # fmt: skip
    assert session.scalars(select(FairnessAssessment)).all() == []
    assert not artifacts.root.exists() or not any(artifacts.root.rglob("*.parquet"))


def test_policy_versions_are_audited_and_used(uow, session, make_user, csv_file):
    officer = make_user(Role.COMPLIANCE_OFFICER, "officer")
    assert store.active_policy(uow, actor=officer.actor()) == Policy()
    strict = Policy(min_group_size=100, max_demographic_parity_difference=0.05)
    store.update_policy(uow, actor=officer.actor(), policy=strict, reason="tighter for credit")
    assert store.active_policy(uow, actor=officer.actor()) == strict
    with pytest.raises(ValidationError, match="unchanged"):
        store.update_policy(uow, actor=officer.actor(), policy=strict, reason="again")
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "fairness.policy_changed")
    ).one()
    assert event.details["before"]["min_group_size"] == 30
    assert event.details["after"]["min_group_size"] == 100


def test_model_trend_lists_each_saved_assessment(
    workbench, uow, session, make_user, csv_file, tmp_path
):
    scientist = make_user(Role.DATA_SCIENTIST, "sci")
    make_evidence_model(workbench, "credit", by=scientist, versions=("1.0.0", "1.1.0"))
    for version in ("1.0.0", "1.1.0"):
        store.save_assessment(
            uow, actor=scientist.actor(), result=assess_file(csv_file, SPEC),
            source=csv_file, model_name="credit", model_version=version,
        )  # fmt: skip
    trend = store.model_trend(uow, actor=scientist.actor(), model_name="credit")
    assert list(trend["model_version"]) == ["1.0.0", "1.1.0"]
    assert trend["min_disparate_impact"].notna().all()
    listed = store.list_assessments(uow, actor=scientist.actor())
    assert list(listed["model_version"]) == ["1.1.0", "1.0.0"]


def test_cli_save_and_fail_on_violation(db_url, csv_file, tmp_path):
    env = {**os.environ, "GOVERNANCE_DATABASE_URL": db_url,
           "GOVERNANCE_ARTIFACT_DIR": str(tmp_path / "artifacts")}  # fmt: skip
    args = [sys.executable, "-m", "governance", "fairness", "assess", str(csv_file),
            "--y-true", "label", "--y-pred", "prediction", "--sensitive", "group"]  # fmt: skip
    gate = subprocess.run([*args, "--fail-on-violation"], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=120)  # fmt: skip
    verdict = json.loads(gate.stdout)["results"][0]["verdict"]
    assert verdict == "fail" and gate.returncode == 1
    no_actor = subprocess.run([*args, "--save", "--model", "credit"], capture_output=True,
                              text=True, cwd=ROOT, env=env, timeout=120)  # fmt: skip
    assert no_actor.returncode == 2 and "--actor" in no_actor.stderr
    for username, role in (("owner", "admin"), ("pipeline", "data_scientist")):
        create = subprocess.run(
            [sys.executable, "-m", "governance", "users", "create", "--username", username,
             "--role", role, "--password-stdin"],
            input="a long enough password\n", capture_output=True, text=True, cwd=ROOT, env=env,
        )  # fmt: skip
        assert create.returncode == 0, create.stderr
    unknown = subprocess.run([*args, "--save", "--model", "credit", "--actor", "pipeline"],
                             capture_output=True, text=True, cwd=ROOT, env=env,
                             timeout=120)  # fmt: skip
    assert unknown.returncode == 2 and "no model named 'credit'" in unknown.stderr
    assert "python -m governance registry register credit" in unknown.stderr
    assert not any((tmp_path / "artifacts").rglob("*.parquet"))
    registered = subprocess.run(
        [sys.executable, "-m", "governance", "registry", "--actor", "pipeline", "register",
         "Credit", "--provider", "in-house", "--risk-tier", "limited", "--intended-use",
         "Scores applications."],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=120,
    )  # fmt: skip
    assert registered.returncode == 0, registered.stderr
    no_version = subprocess.run(
        [*args, "--save", "--model", "credit", "--version", "2.0.0", "--actor", "pipeline"],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=120,
    )  # fmt: skip
    assert no_version.returncode == 2 and "Credit has no version 2.0.0" in no_version.stderr
    assert "registry add-version Credit 2.0.0" in no_version.stderr
    saved = subprocess.run([*args, "--save", "--model", "credit", "--actor", "pipeline"],
                           capture_output=True, text=True, cwd=ROOT, env=env,
                           timeout=120)  # fmt: skip
    assert saved.returncode == 0, saved.stderr
    assert isinstance(json.loads(saved.stdout)["saved_assessment_id"], int)
    assert any((tmp_path / "artifacts").rglob("*.parquet"))
    missing = subprocess.run([*args, "--save", "--actor", "pipeline"], capture_output=True,
                             text=True, cwd=ROOT, env=env, timeout=120)  # fmt: skip
    assert missing.returncode == 2 and "--save needs --model" in missing.stderr


def _save(uow, who, csv_file, name: str, version: str | None = None) -> int:
    return store.save_assessment(uow, actor=who.actor(), result=assess_file(csv_file, SPEC),
                                 source=csv_file, model_name=name,
                                 model_version=version)  # fmt: skip


def test_saving_links_the_registered_model_and_version(workbench, uow, session, make_user,
                                                       csv_file):  # fmt: skip
    scientist = make_user(Role.DATA_SCIENTIST, "sci")
    model = make_evidence_model(workbench, "Credit-Scorer", by=scientist, versions=("1.2.0",))
    first = _save(uow, scientist, csv_file, "credit-scorer", "1.2.0+build.7")
    second = _save(uow, scientist, csv_file, "CREDIT-SCORER")
    rows = {r.id: r for r in session.scalars(select(FairnessAssessment))}
    assert (rows[first].model_name, rows[first].model_version) == ("Credit-Scorer", "1.2.0")
    assert rows[first].model_id == rows[second].model_id == model.id
    assert rows[first].model_version_id is not None and rows[second].model_version_id is None
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "fairness.assessment_saved")
    ).first()
    assert event.details["model_id"] == model.id


@pytest.mark.parametrize(
    ("name", "version", "message"),
    [
        ("unknown", None, r"no model named 'unknown' is registered.*registry register unknown"),
        ("credit", "2.0.0", r"credit has no version 2\.0\.0.*registry add-version credit 2\.0\.0"),
        ("credit", "v2", r"Model version is not a semantic version|Model version"),
    ],
)
def test_saving_refuses_what_the_registry_does_not_know(
    workbench, uow, session, make_user, csv_file, tmp_path, name, version, message
):
    scientist = make_user(Role.DATA_SCIENTIST, "sci")
    make_evidence_model(workbench, "credit", by=scientist, versions=("1.0.0",))
    before = session.scalars(select(AuditEvent.id)).all()
    with pytest.raises(ValidationError, match=message):
        _save(uow, scientist, csv_file, name, version)
    assert session.scalars(select(FairnessAssessment)).all() == []
    assert session.scalars(select(AuditEvent.id)).all() == before
    artifacts = tmp_path / "artifacts"
    assert not artifacts.exists() or not any(artifacts.rglob("*.parquet"))
