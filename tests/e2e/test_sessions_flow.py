"""Sessions in a real browser: a reload and a deep link stay signed in, sign-out ends the cookie,
a given password is changed first, and no page fetches anything from another host."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from tests.e2e.helpers import (
    FIRST_RUN_TIMEOUT_MS,
    PASSWORD,
    REPO_ROOT,
    field,
    fill_first_admin,
    form,
    go_to,
    open_app,
    sidebar,
    sign_out,
    submit_sign_in,
    wait_for_run,
)

pytestmark = pytest.mark.e2e

COOKIE = "governance_session"
ADMIN_PAGES = [
    "Fairness",
    "Model registry",
    "Risk register",
    "Incidents",
    "Audit trail",
    "Users and roles",
    "My account",
    "Overview",
]


def _session_cookie(page: Page) -> dict | None:
    return next((c for c in page.context.cookies() if c["name"] == COOKIE), None)


def _wait_for_cookie(page: Page) -> None:
    """The browser fetches its cookie just after the signed-in page showed."""
    for _ in range(100):
        if _session_cookie(page) is not None:
            return
        page.wait_for_timeout(100)
    raise AssertionError("no session cookie was set")


def _expect_page(page: Page, title: str) -> None:
    expect(page.get_by_role("heading", name=title, level=1)).to_be_visible(
        timeout=FIRST_RUN_TIMEOUT_MS
    )
    wait_for_run(page)


def test_a_session_survives_a_reload_and_a_new_tab_and_ends_at_sign_out(app_server, page, shot):
    open_app(page, app_server, expect_button="Create administrator")
    fill_first_admin(page)  # the first administrator is signed in at once
    _wait_for_cookie(page)
    cookie = _session_cookie(page)
    assert cookie is not None
    assert (cookie["httpOnly"], cookie["sameSite"], cookie["path"]) == (True, "Strict", "/")
    assert cookie["expires"] > 0  # Max-Age: the absolute limit, not a browser-session cookie
    shot("signed-in")

    page.reload()  # F5
    _expect_page(page, "Overview")
    expect(sidebar(page).get_by_role("button", name="Sign out")).to_be_visible()

    other = page.context.new_page()  # a deep link opened in a new tab
    other.goto(f"{app_server}/audit_trail")
    _expect_page(other, "Audit trail")
    other.close()

    sign_out(page)
    assert _session_cookie(page) is None
    page.reload()
    expect(page.get_by_role("button", name="Sign in", exact=True)).to_be_visible()
    expect(sidebar(page)).to_have_count(0)

    # The old cookie, put back, is refused: the record was revoked at sign-out.
    page.context.add_cookies([cookie])
    page.goto(f"{app_server}/audit_trail")
    expect(page.get_by_role("button", name="Sign in", exact=True)).to_be_visible(
        timeout=FIRST_RUN_TIMEOUT_MS
    )
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    expect(page.get_by_role("heading", name="Audit trail", level=1)).to_have_count(0)
    shot("old-cookie-refused")


def test_a_forged_ticket_gets_a_clear_message(app_server, page):
    open_app(page, app_server, expect_button="Create administrator")
    fill_first_admin(page)
    sign_out(page)
    page.goto(f"{app_server}/auth/session?ticket=forged&next=/audit_trail")
    expect(page.get_by_text("That sign-in link has expired or was already used.")).to_be_visible(
        timeout=FIRST_RUN_TIMEOUT_MS
    )
    assert _session_cookie(page) is None


def _cli_account(state_dir: Path, username: str, role: str) -> None:
    """An account made by an operator with the CLI, without --keep-password."""
    env = {**os.environ, "GOVERNANCE_STATE_DIR": str(state_dir)}
    env.pop("GOVERNANCE_DATABASE_URL", None)
    env.pop("GOVERNANCE_ARTIFACT_DIR", None)
    done = subprocess.run(
        [sys.executable, "-m", "governance", "users", "create", "--username", username,
         "--role", role, "--password-stdin"],
        input=PASSWORD + "\n", capture_output=True, text=True, cwd=REPO_ROOT, env=env, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


def test_an_account_made_by_an_administrator_changes_its_password_first(
    app_server, page, shot, tmp_path
):
    open_app(page, app_server, expect_button="Create administrator")
    fill_first_admin(page)
    sign_out(page)
    _cli_account(tmp_path / "state", "dana", "data_scientist")

    page.goto(f"{app_server}/fairness")  # a deep link: the change still comes first
    submit_sign_in(page, "dana", PASSWORD)
    _expect_page(page, "Choose your own password")
    expect(page.get_by_role("heading", name="Fairness", level=1)).to_have_count(0)
    shot("forced-change")

    change = form(page, "Set password and continue")
    field(change, "Password you were given").fill(PASSWORD)
    field(change, "New password").fill("a passphrase of my own")
    field(change, "Repeat the new password").fill("a passphrase of my own")
    change.get_by_role("button", name="Set password and continue").click()
    _expect_page(page, "Fairness")
    page.reload()  # the fresh session's cookie holds
    _expect_page(page, "Fairness")
    shot("after-change")


def test_no_page_fetches_anything_from_another_host(app_server, page):
    requests: list[str] = []
    violations: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            violations.append(message.text)

    page.on("request", lambda request: requests.append(request.url))
    page.on("console", on_console)
    page.on("pageerror", lambda error: violations.append(f"page error: {error}"))
    page.context.on("page", lambda p: p.on("request", lambda r: requests.append(r.url)))

    open_app(page, app_server, expect_button="Create administrator")
    fill_first_admin(page)
    sign_out(page)
    submit_sign_in(page, "admin", PASSWORD)
    _expect_page(page, "Overview")
    for title in ADMIN_PAGES:
        go_to(page, title)
        page.wait_for_timeout(500)  # late requests (icons, fonts) of the page
    page.reload()
    _expect_page(page, "Overview")

    own = urlsplit(app_server).netloc
    outside = sorted({u for u in requests if urlsplit(u).scheme in {"http", "https", "ws", "wss"}
                      and urlsplit(u).netloc != own})  # fmt: skip
    assert len(requests) > 50  # the recording saw the app load
    assert outside == []
    assert violations == []
