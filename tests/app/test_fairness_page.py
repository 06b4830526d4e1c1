"""The fairness page through AppTest: upload, verdict, saving, bad files, the policy."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from governance.audit.models import AuditEvent
from governance.auth.roles import Role
from governance.fairness.models import FairnessAssessment, FairnessPolicyVersion
from tests import bombs
from tests.app.support import FAIRNESS, messages, ok, open_page, shown, signed_in
from tests.factories import (
    make_evidence_model,
    prediction_bytes,
    prediction_frame,
    write_predictions,
)

pytestmark = pytest.mark.app
SAVE = "FormSubmitter:fair_save_form-Save assessment"
POLICY = "FormSubmitter:fair_policy_form-Put in force"


@pytest.fixture
def credit_model(workbench, admin):
    """The registered model (and version) the saved evidence names."""
    return make_evidence_model(workbench, "credit-model", by=admin, versions=("2.0.0",))


def predictions_csv(n: int = 600, seed: int = 3) -> bytes:
    return prediction_bytes(prediction_frame(n, seed))


def upload(at, name: str, data: bytes):
    at.file_uploader(key="fair_file").set_value((name, data, "text/csv"))
    return ok(at.run())


def test_upload_assess_and_save_as_evidence(make_user, store, credit_model):
    make_user(Role.DATA_SCIENTIST, "sci")
    at = open_page(signed_in("sci"), FAIRNESS)
    assert any("Upload a file" in m for m in messages(at, "info"))
    at = upload(at, "scored.csv", predictions_csv())
    assert at.selectbox(key="fair_y_true").value == "label"  # suggested from the name
    assert at.multiselect(key="fair_sensitive").value == ["race"]
    at = ok(at.button(key="fair_run").click().run())
    verdict = messages(at, "error")
    assert any("FAIL" in m and "600 rows" in m for m in verdict), verdict
    assert any("Selection rate of race=B" in shown(m.value) for m in at.markdown)

    at.text_input(key="fair_model").input("credit-model")
    at = ok(at.button(key=SAVE).click().run())
    assert any("Saved as assessment #1" in m for m in messages(at, "success"))
    with store.session() as session:
        saved = session.scalars(select(FairnessAssessment)).one()
        assert saved.model_name == "credit-model" and saved.row_count == 600
        assert saved.created_by == "sci"
        assert saved.model_id == credit_model.id
        actions = session.scalars(select(AuditEvent.action)).all()
        assert "fairness.assessment_saved" in actions


def test_saving_for_a_model_the_registry_does_not_know_names_the_command(make_user, store):
    make_user(Role.DATA_SCIENTIST, "sci")
    at = upload(open_page(signed_in("sci"), FAIRNESS), "scored.csv", predictions_csv())
    at = ok(at.button(key="fair_run").click().run())
    at.text_input(key="fair_model").input("unknown-model")
    at = ok(at.button(key=SAVE).click().run())
    errors = messages(at, "error")
    assert any("no model named" in m and "registry register" in m for m in errors), errors
    assert [b for b in at.button if b.key == SAVE]  # still there, to try again
    with store.session() as session:
        assert session.scalars(select(FairnessAssessment)).all() == []


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("empty.csv", b"", "is empty"),
        ("header.csv", b"label,prediction,race\n", "no data rows"),
        ("renamed.parquet", b"label,prediction,race\n1,1,A\n", "not a Parquet file"),
        ("latin.csv", "label,prediction,race\n1,1,Zoë\n".encode("latin-1"), "UTF-8"),
    ],
)
def test_bad_files_show_a_message_and_no_traceback(make_user, name, data, expected):
    make_user(Role.DATA_SCIENTIST, "sci")
    at = upload(open_page(signed_in("sci"), FAIRNESS), name, data)
    errors = messages(at, "error")
    assert any(expected in e for e in errors), errors
    assert not at.exception


def test_file_over_the_upload_cap_is_refused(make_user, monkeypatch):
    monkeypatch.setenv("GOVERNANCE_UPLOAD_MAX_MB", "1")
    make_user(Role.DATA_SCIENTIST, "sci")
    big = predictions_csv(200_000)
    assert len(big) > 1024 * 1024
    at = upload(open_page(signed_in("sci"), FAIRNESS), "big.csv", big)
    assert any("over the 1 MB upload limit" in e for e in messages(at, "error"))


def _billion_rows(tmp_path):
    source = write_predictions(prediction_frame(200, 5), tmp_path / "s.parquet", "parquet")
    return bombs.parquet_declaring(tmp_path / "billion.parquet", bombs.BILLION, source)


PAGE_BOMBS = {
    "100,000-column CSV": (lambda d: bombs.wide_csv(d / "wide.csv", 100_000),
                           "'wide.csv' has 100,000 columns"),
    "Parquet declaring 10^9 rows": (_billion_rows, "'billion.parquet' declares 1,000,000,000 rows"),
    "sheet sized 16,384 columns": (lambda d: bombs.xlsx_with_size_record(d / "sized.xlsx",
                                                                         "A1:XFD1048576"),
                                   "'sized.xlsx' has 16,384 columns"),
}  # fmt: skip


@pytest.mark.parametrize(("make", "expected"), PAGE_BOMBS.values(), ids=PAGE_BOMBS.keys())
def test_upload_bombs_are_refused_in_words(make_user, tmp_path, make, expected):
    make_user(Role.DATA_SCIENTIST, "sci")
    path = make(tmp_path)
    at = upload(open_page(signed_in("sci"), FAIRNESS), path.name, path.read_bytes())
    errors = messages(at, "error")
    assert any(expected in e for e in errors), errors
    assert not [s for s in at.selectbox if s.key == "fair_y_true"]  # never got to the mapping
    assert not at.exception


def test_a_read_past_the_time_limit_is_stopped_with_a_message(make_user, tmp_path, monkeypatch):
    # The column cap and the memory limit lifted, 50,000 columns take DuckDB half a minute to
    # DESCRIBE (its sniffer's buffers would outgrow the default 3 GiB of address space first).
    monkeypatch.setenv("GOVERNANCE_MAX_COLUMNS", "1000000")
    monkeypatch.setenv("GOVERNANCE_UPLOAD_READ_MEMORY_MB", "16384")
    monkeypatch.setenv("GOVERNANCE_UPLOAD_READ_SECONDS", "1")
    make_user(Role.DATA_SCIENTIST, "sci")
    path = bombs.wide_csv(tmp_path / "slow.csv", 50_000, rows=3)
    at = upload(open_page(signed_in("sci"), FAIRNESS), "slow.csv", path.read_bytes())
    errors = messages(at, "error")
    assert any("'slow.csv' took longer than 1 s to read" in e and
               "GOVERNANCE_UPLOAD_READ_SECONDS" in e for e in errors), errors  # fmt: skip
    assert not at.exception


def test_a_read_over_the_memory_limit_is_stopped_with_a_message(make_user, tmp_path, monkeypatch):
    # The bomb with the column cap lifted: DuckDB's sniffer outgrows 2 GiB at once.
    monkeypatch.setenv("GOVERNANCE_MAX_COLUMNS", "1000000")
    monkeypatch.setenv("GOVERNANCE_UPLOAD_READ_MEMORY_MB", "2048")
    make_user(Role.DATA_SCIENTIST, "sci")
    path = bombs.wide_csv(tmp_path / "wide.csv", 100_000, rows=18)
    at = upload(open_page(signed_in("sci"), FAIRNESS), "wide.csv", path.read_bytes())
    errors = messages(at, "error")
    assert any("'wide.csv' needed more than the 2,048 MB" in e and
               "GOVERNANCE_UPLOAD_READ_MEMORY_MB" in e for e in errors), errors  # fmt: skip
    assert not at.exception


def test_executive_reads_but_cannot_save_or_change_policy(make_user):
    make_user(Role.EXECUTIVE, "exec")
    at = upload(open_page(signed_in("exec"), FAIRNESS), "scored.csv", predictions_csv())
    at = ok(at.button(key="fair_run").click().run())
    assert not [b for b in at.button if b.key == SAVE]
    assert any("save assessments as evidence" in c.value for c in at.caption)
    assert at.number_input(key="pol_dpd").disabled


def test_compliance_officer_changes_the_policy_and_it_applies(make_user, store):
    make_user(Role.COMPLIANCE_OFFICER, "officer")
    at = open_page(signed_in("officer"), FAIRNESS)
    at.number_input(key="pol_size").set_value(400)
    at.text_input(key="pol_note").input("larger groups for credit")
    at = ok(at.button(key=POLICY).click().run())
    assert any("New fairness policy in force" in m for m in messages(at, "success"))
    with store.session() as session:
        assert session.scalars(select(FairnessPolicyVersion.min_group_size)).one() == 400
    at = upload(at, "scored.csv", predictions_csv())
    at = ok(at.button(key="fair_run").click().run())
    # Both groups have about 300 rows: under the new minimum, the verdict cannot be pass/fail.
    assert any("INSUFFICIENT DATA" in m for m in messages(at, "warning"))


def test_an_assessment_is_saved_once(make_user, store, credit_model):
    make_user(Role.DATA_SCIENTIST, "sci")
    at = upload(open_page(signed_in("sci"), FAIRNESS), "scored.csv", predictions_csv())
    at = ok(at.button(key="fair_run").click().run())
    at.text_input(key="fair_model").input("credit-model")
    at = ok(at.button(key=SAVE).click().run())
    assert not [b for b in at.button if b.key == SAVE]
    assert any("saved as #1" in m for m in messages(at, "success"))
    at = ok(at.button(key="fair_run").click().run())  # a new assessment may be saved again
    assert [b for b in at.button if b.key == SAVE]
    with store.session() as session:
        assert len(session.scalars(select(FairnessAssessment)).all()) == 1


def test_overview_shows_each_models_latest_verdict(make_user, workbench, tmp_path, credit_model):
    from governance.fairness import assess_file, save_assessment
    from governance.fairness.spec import AssessmentSpec
    from tests.app.support import OVERVIEW

    scientist = make_user(Role.DATA_SCIENTIST, "sci")
    path = tmp_path / "scored.csv"
    path.write_bytes(predictions_csv())
    result = assess_file(
        path, AssessmentSpec(y_true="label", y_pred="prediction", sensitive=("race",))
    )
    workbench.run(
        save_assessment,
        actor=scientist.actor(),
        result=result,
        source=path,
        model_name="credit-model",
        model_version="2.0.0",
    )
    at = open_page(signed_in("sci"), OVERVIEW)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Models assessed"] == "1"
    assert metrics["Latest verdict: fail"] == "1"


def test_suggestions_follow_each_upload(make_user):
    make_user(Role.DATA_SCIENTIST, "sci")
    first = prediction_frame(300, seed=1, text_labels=True).rename(
        columns={"label": "outcome", "prediction": "decision", "race": "gender"}
    )
    at = upload(open_page(signed_in("sci"), FAIRNESS), "first.csv", prediction_bytes(first))
    assert at.selectbox(key="fair_y_true").value == "outcome"
    assert at.selectbox(key="fair_y_pred").value == "decision"
    assert at.selectbox(key="fair_positive").value == ">50K"
    assert at.multiselect(key="fair_sensitive").value == ["gender"]
    at = upload(at, "second.csv", prediction_bytes(prediction_frame(300, seed=2, score=True)))
    assert at.selectbox(key="fair_y_true").value == "label"
    assert at.selectbox(key="fair_y_pred").value == "prediction"
    assert at.selectbox(key="fair_score").value == "probability"
    assert at.selectbox(key="fair_positive").value == "1"
    assert at.multiselect(key="fair_sensitive").value == ["race"]
    assert not at.button(key="fair_run").disabled


def test_prediction_and_score_together_keep_the_score_charts(make_user):
    make_user(Role.DATA_SCIENTIST, "sci")
    data = prediction_bytes(prediction_frame(600, seed=4, score=True))
    at = upload(open_page(signed_in("sci"), FAIRNESS), "scored.csv", data)
    at = ok(at.button(key="fair_run").click().run())
    [charts] = [g for g in at.get("button_group") if g.label == "Chart"]
    assert {"ROC", "Calibration"} <= set(charts.options)
    assert any("Every limit of the policy is met" in m or "No threshold" in m
               for m in messages(at, "info"))  # fmt: skip


def test_a_policy_change_needs_a_reason_and_shows_in_the_history(make_user, store):
    make_user(Role.COMPLIANCE_OFFICER, "officer")
    at = open_page(signed_in("officer"), FAIRNESS)
    at.number_input(key="pol_size").set_value(50)
    at = ok(at.button(key=POLICY).click().run())
    assert messages(at, "error") == ["Reason for the change is required."]
    with store.session() as session:
        assert session.scalars(select(FairnessPolicyVersion)).all() == []
    at.text_input(key="pol_note").input("credit groups are large")
    at = ok(at.button(key=POLICY).click().run())
    assert "New fairness policy in force (version 1)." in messages(at, "success")
    history = [d.value for d in at.dataframe if "changes" in d.value.columns]
    assert history and history[0]["changes"].tolist() == ["min group size 30 → 50"]


def test_a_policy_edit_on_an_outdated_version_is_a_conflict(make_user):
    make_user(Role.COMPLIANCE_OFFICER, "officer-a")
    make_user(Role.COMPLIANCE_OFFICER, "officer-b")
    a = open_page(signed_in("officer-a"), FAIRNESS)
    b = open_page(signed_in("officer-b"), FAIRNESS)
    b.number_input(key="pol_size").set_value(50)
    b.text_input(key="pol_note").input("larger groups")
    ok(b.button(key=POLICY).click().run())
    a.number_input(key="pol_size").set_value(40)
    a.text_input(key="pol_note").input("smaller groups")
    a = ok(a.button(key=POLICY).click().run())
    assert messages(a, "error") == [
        "Someone else changed the fairness policy meanwhile: reload and retry."
    ]


def test_a_saved_assessment_opens_again(make_user, workbench, tmp_path, credit_model):
    from governance.fairness import assess_file, save_assessment
    from governance.fairness.spec import AssessmentSpec

    scientist = make_user(Role.DATA_SCIENTIST, "sci")
    make_user(Role.AUDITOR, "audrey")
    path = tmp_path / "scored.csv"
    path.write_bytes(predictions_csv())
    result = assess_file(path, AssessmentSpec(y_true="label", y_pred="prediction",
                                              sensitive=("race",)))  # fmt: skip
    saved_id = workbench.run(
        save_assessment, actor=scientist.actor(), result=result, source=path,
        model_name="credit-model",
    )  # fmt: skip
    at = open_page(signed_in("audrey"), FAIRNESS)
    at.selectbox(key="fair_open").set_value(saved_id)
    at = ok(at.run())
    assert any("FAIL" in m and "600 rows" in m for m in messages(at, "error"))
    assert any("saved by sci" in shown(m.value) for m in at.markdown)
    labels = {b.label for b in at.get("download_button")}
    assert {"PDF report", "Stored file (Parquet)"} <= labels


def test_an_outdated_policy_form_cannot_undo_another_officers_change(make_user, store):
    make_user(Role.COMPLIANCE_OFFICER, "officer-a")
    make_user(Role.COMPLIANCE_OFFICER, "officer-b")
    a = open_page(signed_in("officer-a"), FAIRNESS)
    b = open_page(signed_in("officer-b"), FAIRNESS)
    b.number_input(key="pol_size").set_value(50)
    b.text_input(key="pol_note").input("larger groups")
    ok(b.button(key=POLICY).click().run())
    ok(a.run())  # A's page reruns (another click) while the form still holds version 0's values
    a.number_input(key="pol_dpd").set_value(0.05)
    a.text_input(key="pol_note").input("tighter parity")
    a = ok(a.button(key=POLICY).click().run())
    assert messages(a, "error") == [
        "Someone else changed the fairness policy meanwhile: reload and retry."
    ]
    with store.session() as session:
        sizes = session.scalars(select(FairnessPolicyVersion.min_group_size)).all()
    assert sizes == [50]  # B's change stands
    # The form now shows the policy in force, so a retry starts from B's version.
    assert a.number_input(key="pol_size").value == 50
    a.number_input(key="pol_dpd").set_value(0.05)
    a.text_input(key="pol_note").input("tighter parity")
    a = ok(a.button(key=POLICY).click().run())
    assert "New fairness policy in force (version 2)." in messages(a, "success")
    with store.session() as session:
        latest = session.scalars(
            select(FairnessPolicyVersion).order_by(FairnessPolicyVersion.version.desc())
        ).first()
    assert (latest.min_group_size, latest.max_demographic_parity_difference) == (50, 0.05)


def test_an_assessment_made_under_an_older_policy_is_not_saved_under_the_new_one(
    make_user, workbench, store, credit_model
):
    from governance.fairness import Policy, update_policy

    make_user(Role.DATA_SCIENTIST, "sci")
    officer = make_user(Role.COMPLIANCE_OFFICER, "officer")
    at = upload(open_page(signed_in("sci"), FAIRNESS), "scored.csv", predictions_csv())
    at = ok(at.button(key="fair_run").click().run())
    workbench.run(
        update_policy, actor=officer.actor(), policy=Policy(min_group_size=50),
        reason="larger groups", expected_version=0,
    )  # fmt: skip
    at.text_input(key="fair_model").input("credit-model")
    at = ok(at.button(key=SAVE).click().run())
    assert any("assess again to save it under the policy in force" in m
               for m in messages(at, "error"))  # fmt: skip
    with store.session() as session:
        assert session.scalars(select(FairnessAssessment)).all() == []
