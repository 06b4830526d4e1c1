"""End-to-end fixtures: a real ``streamlit run server.py`` on a fresh database, driven by Chromium.

``server.py`` is the ``st.App`` around ``app.py`` (cookie routes, security headers), as
``scripts/run`` starts it.

Each test gets its own server on a free port with a private ``GOVERNANCE_STATE_DIR``, so every
test starts at the first-administrator form. The browser is Debian's ``/usr/bin/chromium``;
Playwright's own browser download is never used. Where that browser is missing the tests skip
with the reason, except under CI (``CI=true``), where that is a failure.

A failed test's report carries the server's log.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Generator, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from governance.config import load_settings
from governance.kernel import Workbench
from tests.e2e.helpers import TIMEOUT_MS, screenshot

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
STARTUP_TIMEOUT_S = 60.0

# For Playwright's own waits (clicks, fills) and for its retrying assertions alike.
expect.set_options(timeout=TIMEOUT_MS)

_SERVER_LOG = pytest.StashKey[Path]()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _healthy(base_url: str) -> bool:
    try:
        url = f"{base_url}/_stcore/health"  # always http://127.0.0.1:<port>
        with urllib.request.urlopen(url, timeout=2) as resp:  # noqa: S310
            return resp.status == 200 and resp.read().decode().strip() == "ok"
    except (urllib.error.URLError, OSError):
        return False


@pytest.fixture
def app_server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh ``streamlit run server.py`` on an empty SQLite database; yields its base URL."""
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = os.environ.copy()
    env.pop("GOVERNANCE_DATABASE_URL", None)
    env.pop("GOVERNANCE_ARTIFACT_DIR", None)
    env["GOVERNANCE_STATE_DIR"] = str(tmp_path / "state")
    env["PYTHONUNBUFFERED"] = "1"
    log_path = tmp_path / "streamlit.log"
    request.node.stash[_SERVER_LOG] = log_path
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "server.py",
        "--server.headless",
        "true",
        "--server.address",
        "127.0.0.1",
        "--server.port",
        str(port),
        "--server.fileWatcherType",
        "none",
        "--browser.gatherUsageStats",
        "false",
    ]
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            command, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while not _healthy(base_url):
            if proc.poll() is not None:
                pytest.fail(f"streamlit exited with code {proc.returncode}:\n{_read(log_path)}")
            if time.monotonic() > deadline:
                pytest.fail(
                    f"streamlit unhealthy after {STARTUP_TIMEOUT_S:.0f} s:\n{_read(log_path)}"
                )
            time.sleep(0.2)
        yield base_url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace") if path.exists() else "(no log)"


@pytest.fixture
def server_workbench(
    app_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Workbench]:
    """The server's own records (its state folder): accounts, tickets, notifications written
    through the services as another process would."""
    monkeypatch.setenv("GOVERNANCE_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.delenv("GOVERNANCE_DATABASE_URL", raising=False)
    monkeypatch.delenv("GOVERNANCE_ARTIFACT_DIR", raising=False)
    workbench = Workbench.open(load_settings())
    yield workbench
    workbench.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Attach the streamlit server's log to the report of a failed test."""
    report = yield
    log_path = item.stash.get(_SERVER_LOG, None)
    if report.failed and log_path is not None:
        report.sections.append(("streamlit server log", _read(log_path)))
    return report


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium under Playwright, shared by the session's tests."""
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} not found: the end-to-end tests need Debian's chromium package"
        if IN_CI:
            pytest.fail(f"{reason} (a failure under CI, not a skip)")
        pytest.skip(reason)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh browser context (no cookies, no Streamlit session) and its one page."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    context.set_default_timeout(TIMEOUT_MS)
    pg = context.new_page()
    yield pg
    context.close()


@pytest.fixture
def shot(page: Page, request: pytest.FixtureRequest) -> Callable[[str], Path]:
    """``shot("step")`` saves ``test-results/e2e/<test>/<nn>-step.png`` after the run settles."""
    count = 0

    def _shot(step: str) -> Path:
        nonlocal count
        count += 1
        return screenshot(page, request.node.name, f"{count:02d}-{step}")

    return _shot
