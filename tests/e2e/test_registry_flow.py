"""Model registry end to end: a data scientist registers a model and a version, validates and
submits it; a compliance officer approves; the data scientist deploys; the history shows it."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import (
    choose,
    create_accounts,
    field,
    form,
    go_to,
    open_app,
    sign_in,
    sign_out,
    wait_for_run,
)

pytestmark = pytest.mark.e2e
SHA = "ab" * 32


def _submit(page: Page, label: str, success: str) -> None:
    form(page, label).get_by_role("button", name=label, exact=True).click()
    expect(page.get_by_text(success)).to_be_visible()
    wait_for_run(page)


def _open_model(page: Page, name: str) -> None:
    go_to(page, "Model registry")
    choose(page, page.get_by_test_id("stMain"), "Open a model", name)
    expect(page.get_by_role("heading", name=name, level=2)).to_be_visible()
    wait_for_run(page)


def test_register_approve_deploy_and_read_the_history(
    app_server: str, page: Page, shot: Callable[[str], Path], tmp_path: Path
) -> None:
    create_accounts(
        tmp_path / "state",
        ("admin", "admin"),
        ("dana", "data_scientist"),
        ("carla", "compliance_officer"),
    )
    open_app(page, app_server, expect_button="Sign in")
    sign_in(page, "dana")
    go_to(page, "Model registry")
    expect(page.get_by_text("No model is registered yet.")).to_be_visible()
    shot("empty")

    register = form(page, "Register model")
    field(register, "Name").fill("credit-scorer")
    field(register, "Intended use").fill("Ranks loan applications for manual review.")
    field(register, "Capabilities (one a line)").fill("ranking\nexplanations")
    field(register, "Performance baseline").fill("accuracy >= 0.85; latency_ms <= 300")
    _submit(page, "Register model", "Registered credit-scorer")
    shot("listed")

    choose(page, page.get_by_test_id("stMain"), "Open a model", "credit-scorer")
    expect(page.get_by_role("heading", name="credit-scorer", level=2)).to_be_visible()
    page.get_by_role("tab", name="Versions and lifecycle").click()
    page.get_by_test_id("stExpander").get_by_text("Add a version", exact=True).click()
    add = form(page, "Add version")
    field(add, "Version").fill("1.0.0")
    field(add, "Artifact reference").fill("s3://models/credit-scorer/1.0.0.onnx")
    field(add, "Artifact SHA-256").fill(SHA)
    field(add, "Changelog").fill("First release.")
    _submit(page, "Add version", "Added version 1.0.0 of credit-scorer")

    page.get_by_role("tab", name="Validation").click()
    check = form(page, "Record validation")
    check.get_by_role("spinbutton", name=re.compile("^accuracy")).fill("0.91")
    # Streamlit puts the label as given (escapes included) into aria-label: "latency\\_ms".
    check.get_by_role("spinbutton", name=re.compile("^latency")).fill("120")
    field(check, "Notes (data set, method)").fill("hold-out set of 2026")
    _submit(page, "Record validation", "Validation of 1.0.0 recorded: it passed.")
    shot("validated")

    page.get_by_role("tab", name="Versions and lifecycle").click()
    field(form(page, "Submit for approval"), "Reason").fill("ready for review")
    _submit(page, "Submit for approval", "Submitted 1.0.0 for approval")
    sign_out(page)

    sign_in(page, "carla")
    _open_model(page, "credit-scorer")
    page.get_by_role("tab", name="Approvals").click()
    field(form(page, "Approve"), "Notes").fill("meets the lending policy")
    shot("to-approve")
    _submit(page, "Approve", "your approval is recorded; it is now approved.")
    sign_out(page)

    sign_in(page, "dana")
    _open_model(page, "credit-scorer")
    page.get_by_role("tab", name="Deployments").click()
    deploy = form(page, "Deploy")
    field(deploy, "Environment").fill("production")
    field(deploy, "Endpoint (optional)").fill("https://scoring.internal/v1")
    field(deploy, "Reason").fill("approved release")
    _submit(page, "Deploy", "Deployed 1.0.0 in production.")
    page.get_by_role("tab", name="Deployments").click()
    expect(page.get_by_text("What was deployed on a given day?")).to_be_visible()
    shot("deployed")

    page.get_by_role("tab", name="Versions and lifecycle").click()
    history = page.get_by_test_id("stMain")
    for step in ("Draft → Validated", "Validated → Pending approval",
                 "Pending approval → Approved", "Approved → Deployed"):  # fmt: skip
        expect(history.get_by_text(step)).to_be_visible()
    expect(history.get_by_text(re.compile("carla, .*: meets the lending policy"))).to_be_visible()
    shot("history")
