"""Fairness in the browser: suggestions that follow each upload, prediction and score together,
and a saved assessment reopened by an auditor with its PDF report and stored file."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import PASSWORD, go_to, open_app, register_model, sign_in, wait_for_run
from tests.factories import prediction_frame, write_predictions

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]


def _cli(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "governance", *args],
        input=stdin, capture_output=True, text=True, cwd=ROOT, env=env, timeout=180,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


def _workspace(tmp_path: Path, *accounts: tuple[str, str]) -> dict[str, str]:
    """The server's state folder with these accounts (created through the CLI)."""
    env = {**os.environ, "GOVERNANCE_STATE_DIR": str(tmp_path / "state")}
    env.pop("GOVERNANCE_DATABASE_URL", None)
    env.pop("GOVERNANCE_ARTIFACT_DIR", None)
    for username, role in (("admin", "admin"), *accounts):
        _cli(env, "users", "create", "--username", username, "--role", role,
             "--password-stdin", "--keep-password", stdin=PASSWORD + "\n")  # fmt: skip
    return env


def _box(page: Page, label: str):
    return page.get_by_role("combobox", name=label, exact=True)


def _upload(page: Page, path: Path) -> None:
    page.locator("input[type=file]").set_input_files(str(path))
    expect(page.get_by_text(re.compile(rf"^{re.escape(path.name)} · "))).to_be_visible()
    wait_for_run(page)


def test_suggestions_follow_each_upload_and_a_score_adds_roc(
    app_server: str, page: Page, shot: Callable[[str], Path], tmp_path: Path
) -> None:
    _workspace(tmp_path, ("dana", "data_scientist"))
    # First file: text outcome, other column names.
    first = prediction_frame(400, seed=5, text_labels=True).rename(
        columns={"label": "outcome", "prediction": "decision", "race": "gender"}
    )
    first_path = write_predictions(first, tmp_path / "loans.csv")
    # Second file: 0/1 labels, a prediction and a score.
    second_path = write_predictions(
        prediction_frame(1_000, seed=9, score=True), tmp_path / "scored.csv"
    )

    open_app(page, app_server, expect_button="Sign in")
    sign_in(page, "dana")
    go_to(page, "Fairness")

    _upload(page, first_path)
    expect(_box(page, "Actual outcome (label)")).to_have_value("outcome")
    expect(_box(page, "Prediction (the decision)")).to_have_value("decision")
    expect(_box(page, "Positive class (the favourable outcome)")).to_have_value(">50K")
    expect(_box(page, "Score (0 to 1, optional with a prediction)")).to_have_value("(none)")
    shot("first-upload")

    _upload(page, second_path)
    expect(_box(page, "Actual outcome (label)")).to_have_value("label")
    expect(_box(page, "Prediction (the decision)")).to_have_value("prediction")
    expect(_box(page, "Score (0 to 1, optional with a prediction)")).to_have_value("probability")
    expect(_box(page, "Positive class (the favourable outcome)")).to_have_value("1")
    assess = page.get_by_role("button", name="Assess")
    expect(assess).to_be_enabled()
    shot("second-upload")

    assess.click()
    expect(page.get_by_text(re.compile(r"under the policy in force · 1,000 rows"))).to_be_visible(
        timeout=30_000
    )
    wait_for_run(page)
    page.get_by_test_id("stButtonGroup").get_by_text("ROC", exact=True).click()
    wait_for_run(page)
    chart = page.get_by_test_id("stPlotlyChart").first
    expect(chart.get_by_text(re.compile(r"ROC"))).to_be_visible()
    # The threshold sweep says where every summary would pass.
    expect(page.get_by_text(re.compile(r"Every limit of the policy is met at"))).to_be_visible()
    shot("prediction-and-score-roc")


def test_auditor_opens_a_saved_assessment_and_downloads_its_evidence(
    app_server: str, page: Page, shot: Callable[[str], Path], tmp_path: Path
) -> None:
    env = _workspace(tmp_path, ("dana", "data_scientist"), ("audrey", "auditor"))
    data = write_predictions(prediction_frame(800, seed=2), tmp_path / "scored.csv")
    register_model(env, "credit-model", actor="dana", versions=("1.4.0",))
    _cli(env, "fairness", "assess", str(data), "--y-true", "label", "--y-pred", "prediction",
         "--sensitive", "race", "--save", "--model", "credit-model", "--version", "1.4.0",
         "--actor", "dana")  # fmt: skip

    open_app(page, app_server, expect_button="Sign in")
    sign_in(page, "audrey")
    go_to(page, "Fairness")
    page.get_by_role("tab", name="History").click()
    box = _box(page, "Assessment")
    box.click()
    page.get_by_role("option", name=re.compile(r"^#1 · credit-model 1\.4\.0 · fail")).click()
    wait_for_run(page)
    expect(page.get_by_text(re.compile(r"saved by dana"))).to_be_visible()
    banner = re.compile(r"FAIL under the policy in force when it was saved .* 800 rows")
    expect(page.get_by_text(banner)).to_be_visible()
    shot("saved-assessment")

    buttons = page.get_by_test_id("stDownloadButton")
    with page.expect_download(timeout=60_000) as pdf:
        buttons.filter(has_text=re.compile(r"PDF report$")).first.get_by_role("button").click()
    assert Path(pdf.value.path()).read_bytes()[:5] == b"%PDF-"
    with page.expect_download() as stored:
        buttons.filter(has_text=re.compile(r"Stored file")).first.get_by_role("button").click()
    parquet = Path(stored.value.path())
    assert parquet.read_bytes()[:4] == b"PAR1"
    rows = duckdb.execute("SELECT count(*) FROM read_parquet(?)", [str(parquet)]).fetchone()
    assert rows == (800,)
    assert stored.value.suggested_filename.endswith(".parquet")
    # Both downloads are evidence leaving the workbench: each is in the audit trail.
    trail = _cli(env, "audit", "export")
    assert trail.count("fairness.evidence_exported") == 2
