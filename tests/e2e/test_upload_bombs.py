"""Upload bombs in the browser: refused in words; a runaway read stops no one else.

The second test lifts the column cap so that a hostile file really reaches DuckDB (in the
page's reading worker), and watches another signed-in session use the app meanwhile. Its
assertions are about events, not durations: the other session's pages finish while the
hostile read is still running, and the read then ends with the time limit's message.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests import bombs
from tests.e2e.helpers import (
    TIMEOUT_MS,
    create_accounts,
    go_to,
    open_app,
    screenshot,
    sign_in,
    wait_for_run,
)
from tests.factories import prediction_frame, write_predictions

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
READ_SECONDS = 20


def _accounts(tmp_path: Path, *accounts: tuple[str, str]) -> None:
    create_accounts(tmp_path / "state", ("admin", "admin"), *accounts)


def test_upload_bombs_are_refused_in_words(
    app_server: str, page: Page, shot: Callable[[str], Path], tmp_path: Path
) -> None:
    _accounts(tmp_path, ("dana", "data_scientist"))
    wide = bombs.wide_csv(tmp_path / "wide.csv", 100_000)
    source = write_predictions(prediction_frame(200, 5), tmp_path / "s.parquet", "parquet")
    billion = bombs.parquet_declaring(tmp_path / "billion.parquet", bombs.BILLION, source)

    open_app(page, app_server, expect_button="Sign in")
    sign_in(page, "dana")
    page.get_by_test_id("stSidebarNavLink").filter(has_text=re.compile(r"Fairness$")).click()
    expect(page.get_by_role("heading", name="Fairness assessment", level=1)).to_be_visible()
    wait_for_run(page)
    for path, expected in (
        (wide, "'wide.csv' has 100,000 columns (fields in its first lines), more than the 2,000"),
        (billion, "'billion.parquet' declares 1,000,000,000 rows (in its footer)"),
    ):
        page.locator("input[type=file]").set_input_files(str(path))
        error = page.get_by_test_id("stAlertContentError")
        expect(error).to_contain_text(expected)
        expect(page.get_by_role("heading", name="1. Confirm the columns")).to_have_count(0)
        expect(page.get_by_text("Traceback")).to_have_count(0)
        shot(f"refused-{path.stem}")


@pytest.fixture
def hostile_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    """Caps lifted so that a bomb reaches DuckDB, which then runs until the time limit."""
    monkeypatch.setenv("GOVERNANCE_MAX_COLUMNS", "1000000")
    monkeypatch.setenv("GOVERNANCE_UPLOAD_READ_MEMORY_MB", "16384")
    monkeypatch.setenv("GOVERNANCE_UPLOAD_READ_SECONDS", str(READ_SECONDS))


@pytest.fixture
def lifted_server(hostile_limits: None, app_server: str) -> str:
    return app_server  # started after hostile_limits, so with its environment


def test_another_session_is_answered_while_a_hostile_read_runs(
    lifted_server: str,
    browser: Browser,
    shot: Callable[[str], Path],
    page: Page,
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> None:
    _accounts(tmp_path, ("dana", "data_scientist"), ("eve", "executive"))
    # 60,000 columns: DuckDB's DESCRIBE runs for about a minute (measured on 2 cores).
    hostile = bombs.wide_csv(tmp_path / "hostile.csv", 60_000, rows=3)

    other = browser.new_context(viewport={"width": 1280, "height": 900})
    other.set_default_timeout(TIMEOUT_MS)
    second = other.new_page()
    open_app(second, lifted_server, expect_button="Sign in")
    sign_in(second, "eve")

    open_app(page, lifted_server, expect_button="Sign in")
    sign_in(page, "dana")
    page.get_by_test_id("stSidebarNavLink").filter(has_text=re.compile(r"Fairness$")).click()
    expect(page.get_by_role("heading", name="Fairness assessment", level=1)).to_be_visible()
    wait_for_run(page)

    page.locator("input[type=file]").set_input_files(str(hostile))
    reading = page.get_by_text("Reading the file…")
    expect(reading).to_be_visible()
    running = page.locator("[data-testid=stApp][data-test-script-state=running]")
    for title in ("My account", "Overview", "My account"):
        go_to(second, title)  # each waits for its page's heading and the end of its run
        expect(running).to_have_count(1, timeout=1)  # the hostile read is still going
    screenshot(second, request.node.name, "00-other-session-answered")

    message = page.get_by_test_id("stAlertContentError")
    expect(message).to_contain_text(
        f"'hostile.csv' took longer than {READ_SECONDS} s to read, so its reading was stopped",
        timeout=(READ_SECONDS + 30) * 1000,
    )
    wait_for_run(page)
    shot("hostile-read-stopped")
    go_to(second, "Overview")  # and the app still answers afterwards
    other.close()
