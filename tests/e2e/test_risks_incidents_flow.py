"""Risks and incidents together, as the issue's "done when" reads: a compliance officer
records a high-impact risk, finds it in its heatmap cell and adds a mitigation plan; a
critical serious incident escalates at once and shows its report clock; an executive reads
both, and is offered no form."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import (
    create_accounts,
    field,
    form,
    go_to,
    open_app,
    pick,
    sign_in,
    sign_out,
    wait_for_run,
)

pytestmark = pytest.mark.e2e
RISK = "Prompt injection leaks customer records"
INCIDENT = "Assistant disclosed another customer's address"
CELL = "Likelihood 4 × impact 5 — critical — 1 risk"


def _submit(page: Page, label: str, message: str | re.Pattern[str]) -> None:
    form(page, label).get_by_role("button", name=label, exact=True).click()
    expect(page.get_by_text(message)).to_be_visible()
    wait_for_run(page)


def _tab(page: Page, name: str) -> None:
    page.get_by_role("tab", name=name, exact=True).click()
    wait_for_run(page)


def _record_risk_and_plan(page: Page, app_server: str, shot: Callable[[str], Path]) -> None:
    go_to(page, "Risk register")
    main = page.get_by_test_id("stMain")
    _tab(page, "Register")
    main.get_by_text("Record a risk", exact=True).click()
    record = form(page, "Record risk")
    pick(page, record, "Category", "security", "security")
    field(record, "Title").fill(RISK)
    field(record, "Description").fill("Crafted input makes the assistant quote other records.")
    pick(page, record, "Likelihood", "likely", "4 · likely")
    pick(page, record, "Impact", "severe", "5 · severe")
    pick(page, record, "Owner", "sam", "sam")
    _submit(page, "Record risk", "Risk 1 recorded: score 20, critical.")

    _tab(page, "Heatmap")
    expect(main.locator(".js-plotly-plot")).to_have_count(1)
    pick(page, main, "List the risks of a cell", "Likelihood 4 × impact 5", CELL)
    wait_for_run(page)
    expect(main.locator("td", has_text=RISK)).to_have_count(1)  # in the cell's table
    shot("risk-in-its-cell")

    page.goto(f"{app_server}/risks?risk=1")
    expect(page.get_by_role("heading", name="Risk 1:")).to_contain_text(RISK)
    wait_for_run(page)
    main.get_by_text("Add a mitigation plan", exact=True).click()
    plan = form(page, "Add plan")
    field(plan, "Strategy").fill("Filter retrieved records by the asking customer.")
    deadline = (datetime.now(UTC) + timedelta(days=30)).date()
    # A date field of three spinbuttons (year, month, day) that advances as digits are typed.
    plan.get_by_role("spinbutton", name="year, Deadline").click()
    page.keyboard.type(deadline.strftime("%Y%m%d"))
    page.keyboard.press("Tab")
    expect(plan.get_by_role("spinbutton", name="day, Deadline")).to_have_text(f"{deadline:%d}")
    page.keyboard.press("Escape")  # the calendar the field opened
    pick(page, plan, "Plan owner", "sam", "sam")
    _submit(page, "Add plan", "Mitigation plan added.")
    expect(main.get_by_text("Filter retrieved records by the asking customer.")).to_be_visible()
    shot("risk-with-plan")


def _report_incident(page: Page, app_server: str, shot: Callable[[str], Path]) -> None:
    go_to(page, "Incidents")
    _tab(page, "Report")
    report = form(page, "Report incident")
    pick(page, report, "Severity", "Critical", "Critical")
    field(report, "Title").fill(INCIDENT)
    field(report, "What happened").fill("A support answer quoted another customer's address.")
    report.get_by_text(re.compile(r"^Serious incident")).click()
    _submit(page, "Report incident", "Incident #1 reported; escalated to level 1.")
    main = page.get_by_test_id("stMain")
    page.goto(f"{app_server}/incidents?incident=1")
    wait_for_run(page)
    expect(main.get_by_text(re.compile(r"Report to the authority due .*: 1[45] days? .*left"))
           ).to_be_visible()  # fmt: skip
    shot("incident-clock")


def test_a_risk_in_its_cell_with_a_plan_and_an_escalated_incident_with_its_clock(
    app_server: str, page: Page, shot: Callable[[str], Path], tmp_path: Path
) -> None:
    create_accounts(tmp_path / "state", ("admin", "admin"), ("olivia", "compliance_officer"),
                    ("sam", "data_scientist"), ("erin", "executive"))  # fmt: skip
    open_app(page, app_server, expect_button="Sign in")
    sign_in(page, "olivia")
    _record_risk_and_plan(page, app_server, shot)
    _report_incident(page, app_server, shot)
    sign_out(page)

    sign_in(page, "erin")
    go_to(page, "Risk register")
    main = page.get_by_test_id("stMain")
    pick(page, main, "List the risks of a cell", "Likelihood 4 × impact 5", CELL)
    wait_for_run(page)
    expect(main.locator("td", has_text=RISK)).to_have_count(1)  # in the cell's table
    expect(page.get_by_role("button", name="Record risk")).to_have_count(0)
    page.goto(f"{app_server}/risks?risk=1")
    expect(page.get_by_role("heading", name="Risk 1:")).to_contain_text(RISK)
    wait_for_run(page)
    expect(main.get_by_text("Filter retrieved records by the asking customer.")).to_be_visible()
    for label in ("Move", "Add plan", "Accept risk", "Save changes", "Note progress"):
        expect(page.get_by_role("button", name=label)).to_have_count(0)
    shot("executive-risk")

    page.goto(f"{app_server}/incidents?incident=1")
    expect(main.get_by_text(re.compile(r"Report to the authority due"))).to_be_visible()
    wait_for_run(page)
    for label in ("Acknowledge", "Report incident", "Resolve", "Close", "Start investigating"):
        expect(page.get_by_role("button", name=label)).to_have_count(0)
    expect(page.locator("[data-testid=stForm]")).to_have_count(0)
    shot("executive-incident")
