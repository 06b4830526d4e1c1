"""Saved fairness evidence reopened: the stored result round-trips, exports are audited, the
policy's history reads as an officer wrote it."""

from __future__ import annotations

import duckdb
import pytest
from sqlalchemy import select

from governance.audit.models import AuditEvent
from governance.auth.roles import Role
from governance.errors import NotFound, PermissionDenied, ValidationError
from governance.fairness import service as fairness
from governance.fairness.engine import assess_file
from governance.fairness.policy import Policy
from governance.fairness.restore import result_from_json
from governance.fairness.spec import AssessmentSpec
from tests.factories import make_evidence_model, prediction_frame, write_predictions


@pytest.fixture
def scored(tmp_path):
    frame = prediction_frame(900, seed=4, groups=("A", "B", "C"), score=True)
    frame["age"] = (frame.index % 70) + 18
    return write_predictions(frame, tmp_path / "scored.parquet", "parquet")


def test_a_stored_result_rebuilds_exactly(scored):
    spec = AssessmentSpec(
        y_true="label", y_pred="prediction", score="probability", sensitive=("race", "age"),
        intersect=True, bands={"age": (30.0, 50.0)}, reference={"race": "B"},
    )  # fmt: skip
    result = assess_file(scored, spec)
    assert any(r.sweep is not None for r in result.results)
    rebuilt = result_from_json(result.to_json(), spec=spec.to_dict(), policy=Policy().to_dict())
    assert rebuilt.to_json() == result.to_json()
    assert rebuilt.spec == spec and rebuilt.verdict == result.verdict


def test_saved_evidence_opens_and_its_exports_are_audited(workbench, make_user, scored):
    scientist = make_user(Role.DATA_SCIENTIST, "sci")
    auditor = make_user(Role.AUDITOR, "audrey")
    executive = make_user(Role.EXECUTIVE, "eve")
    spec = AssessmentSpec(y_true="label", y_pred="prediction", sensitive=("race",))
    result = assess_file(scored, spec)
    make_evidence_model(workbench, "credit-model", by=scientist, versions=("2.1.0",))
    saved_id = workbench.run(
        fairness.save_assessment, actor=scientist.actor(), result=result, source=scored,
        model_name="credit-model", model_version="2.1.0",
    )  # fmt: skip
    saved = workbench.run(fairness.get_assessment, actor=auditor.actor(), assessment_id=saved_id)
    assert saved.result().to_json() == result.to_json()
    assert (saved.model_name, saved.model_version, saved.created_by) == (
        "credit-model",
        "2.1.0",
        "sci",
    )

    stored = workbench.run(
        fairness.export_stored_file, actor=auditor.actor(), assessment_id=saved_id
    )
    assert stored.data[:4] == b"PAR1" and stored.name.endswith(".parquet")
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE t AS SELECT * FROM read_parquet(?)",
        [str(workbench.artifacts.path_for(saved.file_sha256))],
    )
    assert con.execute("SELECT count(*) FROM t").fetchone() == (900,)
    report = workbench.run(
        fairness.export_report_pdf, actor=auditor.actor(), assessment_id=saved_id
    )
    assert report.data[:5] == b"%PDF-"

    with workbench.unit() as uow:
        exported = uow.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "fairness.evidence_exported")
        ).all()
    assert [(e.actor, e.details["what"]) for e in exported] == [
        ("audrey", "stored file"),
        ("audrey", "PDF report"),
    ]
    with pytest.raises(PermissionDenied, match="download fairness evidence"):
        workbench.run(fairness.export_stored_file, actor=executive.actor(), assessment_id=saved_id)
    with pytest.raises(NotFound, match="No fairness assessment with id 999"):
        workbench.run(fairness.get_assessment, actor=auditor.actor(), assessment_id=999)


def test_a_missing_stored_file_is_named_not_a_crash(workbench, make_user, scored):
    scientist = make_user(Role.DATA_SCIENTIST, "sci")
    result = assess_file(scored, AssessmentSpec(y_true="label", y_pred="prediction",
                                                sensitive=("race",)))  # fmt: skip
    make_evidence_model(workbench, "m", by=scientist)
    saved_id = workbench.run(
        fairness.save_assessment, actor=scientist.actor(), result=result, source=scored,
        model_name="m",
    )  # fmt: skip
    saved = workbench.run(fairness.get_assessment, actor=scientist.actor(), assessment_id=saved_id)
    workbench.artifacts.path_for(saved.file_sha256).unlink()
    with pytest.raises(NotFound, match="missing from the artifact store"):
        workbench.run(fairness.export_stored_file, actor=scientist.actor(), assessment_id=saved_id)


def test_the_policy_history_says_who_changed_what_and_why(workbench, make_user):
    officer = make_user(Role.COMPLIANCE_OFFICER, "officer")
    reader = make_user(Role.EXECUTIVE, "eve")
    with pytest.raises(ValidationError, match="Reason for the change is required"):
        workbench.run(
            fairness.update_policy, actor=officer.actor(), policy=Policy(min_group_size=50),
            reason="   ", expected_version=0,
        )  # fmt: skip
    first = workbench.run(
        fairness.update_policy, actor=officer.actor(), policy=Policy(min_group_size=50),
        reason="credit groups are large", expected_version=0,
    )  # fmt: skip
    workbench.run(
        fairness.update_policy, actor=officer.actor(),
        policy=Policy(min_group_size=50, max_equalized_odds_difference=0.05),
        reason="tighter odds", expected_version=first.version,
    )  # fmt: skip
    history = workbench.run(fairness.policy_history, actor=reader.actor())
    assert history["version"].tolist() == [2, 1]
    assert history["set_by"].tolist() == ["officer", "officer"]
    assert history["reason"].tolist() == ["tighter odds", "credit groups are large"]
    assert history["changes"].tolist() == [
        "max equalized odds difference 0.1 → 0.05",
        "min group size 30 → 50",
    ]
    assert str(history["in_force_since"].dtype).startswith("datetime64")
