"""The audit trail end to end: the chain check, the CSV export, and a refused sign-in."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import (
    create_first_admin,
    go_to,
    open_app,
    sidebar,
    sign_in,
    submit_sign_in,
    wait_for_run,
)

pytestmark = pytest.mark.e2e

# The export's columns are a contract with auditors' spreadsheets: a change must be deliberate.
CSV_HEADER = [
    "id",
    "occurred_at",
    "actor",
    "actor_role",
    "action",
    "resource_type",
    "resource_id",
    "details",
    "hash",
]


def test_admin_verifies_and_downloads_the_audit_trail(
    app_server: str, page: Page, shot: Callable[[str], Path], tmp_path: Path
) -> None:
    open_app(page, app_server, expect_button="Create administrator")
    create_first_admin(page, "admin", "Ada Admin")
    sign_in(page, "admin")

    go_to(page, "Audit trail")
    # The overview verified everything at sign-in; the page checks what came since.
    incremental = r"^Audit chain intact up to event (\d+): 0 new events verified since event \1\.$"
    expect(page.get_by_text(re.compile(incremental))).to_be_visible()
    expect(page.get_by_text(re.compile(r"^Head: event \d+, hash [0-9a-f]{64}"))).to_be_visible()
    expect(page.get_by_test_id("stDataFrame")).to_have_count(1)
    shot("audit-trail")

    page.get_by_role("button", name="Verify every event now").click()
    expect(
        page.get_by_text(re.compile(r"^Audit chain intact: \d+ events verified\.$"))
    ).to_be_visible()
    shot("full-verification")

    button = page.get_by_role("button", name="Download CSV")
    expect(button).to_be_enabled()
    with page.expect_download() as download_info:
        button.click()
    download = download_info.value
    assert re.fullmatch(r"audit-trail-\d{8}-\d{6}\.csv", download.suggested_filename)
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    wait_for_run(page)
    shot("after-download")

    text = saved.read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == CSV_HEADER
    events = [dict(zip(CSV_HEADER, row, strict=True)) for row in rows[1:]]
    created = [e for e in events if e["action"] == "user.created"]
    assert len(created) == 1, events
    assert created[0]["actor"] == "admin"
    assert created[0]["actor_role"] == "admin"
    assert created[0]["resource_type"] == "user"
    assert '"first_admin":true' in created[0]["details"]
    assert any(e["action"] == "auth.login" and e["actor"] == "admin" for e in events)
    assert all(re.fullmatch(r"[0-9a-f]{64}", e["hash"]) for e in events)


def test_wrong_password_is_refused(
    app_server: str, page: Page, shot: Callable[[str], Path]
) -> None:
    open_app(page, app_server, expect_button="Create administrator")
    create_first_admin(page, "admin", "Ada Admin")

    submit_sign_in(page, "admin", "not the right password")
    expect(page.get_by_text("Wrong username or password.")).to_be_visible()
    wait_for_run(page)
    expect(sidebar(page).get_by_role("button", name="Sign out")).to_have_count(0)
    expect(page.get_by_role("heading", name="Sign in", level=1)).to_be_visible()
    shot("wrong-password")

    # An unknown name gets the very same answer: the form does not reveal who has an account.
    # (A fresh session first, so that the message seen is not the one from the last attempt.)
    open_app(page, app_server, expect_button="Sign in")
    expect(page.get_by_text("Wrong username or password.")).to_have_count(0)
    submit_sign_in(page, "nobody", "not the right password")
    expect(page.get_by_text("Wrong username or password.")).to_be_visible()
    wait_for_run(page)
    expect(sidebar(page).get_by_role("button", name="Sign out")).to_have_count(0)

    # The right password still works after the failures.
    sign_in(page, "admin")
