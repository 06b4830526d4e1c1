"""The fairness page through AppTest: upload, verdict, saving, bad files, the policy."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import select

from governance.audit.models import AuditEvent
from governance.auth.roles import Role
from governance.fairness.models import FairnessAssessment, FairnessPolicyVersion
from tests.app.support import FAIRNESS, messages, ok, open_page, signed_in

pytestmark = pytest.mark.app
SAVE = "FormSubmitter:fair_save_form-Save assessment"
POLICY = "FormSubmitter:fair_policy_form-Put in force"


def predictions_csv(n: int = 600, seed: int = 3) -> bytes:
    rng = np.random.default_rng(seed)
    race = rng.choice(["A", "B"], n)
    y = rng.random(n) < 0.4
    p = rng.random(n) < np.where(race == "A", 0.6, 0.3)
    lines = ["label,prediction,race"] + [
        f"{int(a)},{int(b)},{c}" for a, b, c in zip(y, p, race, strict=True)
    ]
    return ("\n".join(lines) + "\n").encode()


def upload(at, name: str, data: bytes):
    at.file_uploader(key="fair_file").set_value((name, data, "text/csv"))
    return ok(at.run())


def test_upload_assess_and_save_as_evidence(make_user, store):
    make_user(Role.DATA_SCIENTIST, "sci")
    at = open_page(signed_in("sci"), FAIRNESS)
    assert any("Upload a file" in m for m in messages(at, "info"))
    at = upload(at, "scored.csv", predictions_csv())
    assert at.selectbox(key="fair_y_true").value == "label"  # suggested from the name
    assert at.multiselect(key="fair_sensitive").value == ["race"]
    at = ok(at.button(key="fair_run").click().run())
    verdict = messages(at, "error")
    assert any("FAIL" in m and "600 rows" in m for m in verdict), verdict
    assert any("Selection rate of race=B" in m.value for m in at.markdown)

    at.text_input(key="fair_model").input("credit-model")
    at = ok(at.button(key=SAVE).click().run())
    assert any("Saved as assessment #1" in m for m in messages(at, "success"))
    with store.session() as session:
        saved = session.scalars(select(FairnessAssessment)).one()
        assert saved.model_name == "credit-model" and saved.row_count == 600
        assert saved.created_by == "sci"
        actions = session.scalars(select(AuditEvent.action)).all()
        assert "fairness.assessment_saved" in actions


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


def test_an_assessment_is_saved_once(make_user, store):
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


def test_overview_shows_each_models_latest_verdict(make_user, workbench, tmp_path):
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
        model_version="2.0",
    )
    at = open_page(signed_in("sci"), OVERVIEW)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Models assessed"] == "1"
    assert metrics["Latest verdict: fail"] == "1"
