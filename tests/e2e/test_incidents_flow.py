"""Incidents end to end: a data scientist reports a critical incident (a title that looks
like markup); it escalates to the compliance officers at once; an officer opens it from the
list, acknowledges it, investigates, is refused a resolution without a root cause, resolves,
cannot close before the post-mortem, writes it and closes; an executive reads it all and is
offered no form."""

from __future__ import annotations

import re
from collections.abc import Callable
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
TITLE = "Key **leaked** <b>in</b> [logs](http://evil.example)"
# As read on screen: a word joiner (invisible) follows the colon, so that no autolink starts.
HEADING = re.compile(
    r"^#1 Key \*\*leaked\*\* <b>in<.b> \[logs\]\(http:.{2,3}evil\.example\)$"
)  # no "/": it ends a selector's regex


def _submit(page: Page, label: str, message: str) -> None:
    form(page, label).get_by_role("button", name=label, exact=True).click()
    expect(page.get_by_text(message)).to_be_visible()
    wait_for_run(page)


def _tab(page: Page, name: str) -> None:
    page.get_by_role("tab", name=name, exact=True).click()
    wait_for_run(page)


def test_report_escalate_respond_close(
    app_server: str, page: Page, shot: Callable[[str], Path], tmp_path: Path
) -> None:
    create_accounts(tmp_path / "state", ("admin", "admin"), ("sam", "data_scientist"),
                    ("olivia", "compliance_officer"), ("erin", "executive"))  # fmt: skip
    open_app(page, app_server, expect_button="Sign in")
    sign_in(page, "sam")
    go_to(page, "Incidents")
    expect(page.get_by_text("No incident is recorded yet.")).to_be_visible()
    _tab(page, "Report")
    report = form(page, "Report incident")
    pick(page, report, "Severity", "Critical", "Critical")
    field(report, "Title").fill(TITLE)
    field(report, "What happened").fill("An API key appeared in the request log.")
    shot("report")
    _submit(page, "Report incident", "Incident #1 reported; escalated to level 1.")
    sign_out(page)

    sign_in(page, "olivia")
    expect(page.get_by_text("1 unread")).to_be_visible()
    go_to(page, "Incidents")
    main = page.get_by_test_id("stMain")
    pick(page, main, "Open an incident", "#1 Key", f"#1 {TITLE}")
    expect(page.get_by_role("heading", name=HEADING, level=3)).to_be_visible()
    wait_for_run(page)
    shot("opened")
    _submit(page, "Acknowledge", "Incident #1 acknowledged.")
    _tab(page, "Incident")
    field(form(page, "Start investigating"), "Reason").fill("rotating the key")
    _submit(page, "Start investigating", "Incident #1 is under investigation.")
    _tab(page, "Incident")
    form(page, "Resolve").get_by_role("button", name="Resolve", exact=True).click()
    alert = page.get_by_test_id("stAlertContentError")
    expect(alert.get_by_text("Root cause is required.")).to_be_visible()
    wait_for_run(page)
    field(form(page, "Resolve"), "Root cause").fill("Debug logging left on in 2.1.")
    _submit(page, "Resolve", "Incident #1 resolved.")
    _tab(page, "Incident")
    expect(form(page, "Close").get_by_role("button", name="Close", exact=True)).to_be_disabled()
    post = form(page, "Save the post-mortem")
    field(post, "Timeline").fill("09:10 key seen; 09:20 acknowledged; 11:00 rotated.")
    field(post, "Lessons learned").fill("Secrets never reach logs.")
    field(post, "Preventive measures (one per line)").fill("lint logs for secrets\nrotate keys")
    _submit(page, "Save the post-mortem", "Post-mortem of incident #1 saved.")
    _tab(page, "Incident")
    _submit(page, "Close", "Incident #1 closed.")
    _tab(page, "Incident")
    shot("closed")
    sign_out(page)

    sign_in(page, "erin")
    page.goto(f"{app_server}/incidents?incident=1")
    expect(page.get_by_role("heading", name=HEADING, level=3)).to_be_visible()
    wait_for_run(page)
    expect(page.get_by_text("Secrets never reach logs.", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Acknowledge")).to_have_count(0)
    expect(page.get_by_role("link", name="logs")).to_have_count(0)  # the title stayed text
    shot("executive")
