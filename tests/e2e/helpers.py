"""Steps shared by the end-to-end tests: waiting for Streamlit, signing in, navigating.

Waiting: Streamlit marks its root ``[data-testid=stApp]`` with ``data-test-script-state``;
``notRunning`` means the last run finished. Just after a click the attribute may still read
``notRunning`` (the rerun request has not reached the server yet), so every step first waits
for a concrete element that only the expected outcome shows, then for the run to finish.
Assertions use Playwright's ``expect``, which retries until its timeout.
"""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

REPO_ROOT = Path(__file__).resolve().parents[2]
RESULTS_DIR = REPO_ROOT / "test-results" / "e2e"
PASSWORD = "correct horse battery staple"
# Bounds of one wait on the page, in ms; a wait ends as soon as its element shows. The first
# run of a fresh server imports the app and migrates the database, hence its longer bound.
TIMEOUT_MS = 20_000
FIRST_RUN_TIMEOUT_MS = 60_000

_IDLE = "[data-testid=stApp][data-test-script-state=notRunning]"


def wait_for_run(page: Page) -> None:
    """Wait until Streamlit reports that no script run is in progress."""
    page.locator(_IDLE).wait_for(state="attached")


# Streamlit scrolls inside its own containers, not the document, so a "full page" screenshot
# would stop at the viewport: the window is stretched to the content's height instead.
_CONTENT_HEIGHT = """() => Math.max(
    ...["stMain", "stAppViewContainer", "stSidebarContent"].map(
        (id) => document.querySelector(`[data-testid=${id}]`)?.scrollHeight ?? 0))"""


def screenshot(page: Page, test_name: str, step: str) -> Path:
    """Save a screenshot of the whole content as ``test-results/e2e/<test>/<step>.png``."""
    wait_for_run(page)
    path = RESULTS_DIR / test_name / f"{step}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    viewport = page.viewport_size
    height = int(page.evaluate(_CONTENT_HEIGHT))
    if viewport is None or height <= viewport["height"]:
        page.screenshot(path=path)
        return path
    page.set_viewport_size({"width": viewport["width"], "height": min(height, 4000)})
    try:
        page.screenshot(path=path)
    finally:
        page.set_viewport_size(viewport)
    return path


def form(page: Page, submit: str) -> Locator:
    """The ``st.form`` whose submit button is labelled ``submit``."""
    return page.get_by_test_id("stForm").filter(
        has=page.get_by_role("button", name=submit, exact=True)
    )


def field(scope: Page | Locator, label: str) -> Locator:
    """A text or password input by its exact label (not the label's help button)."""
    return scope.get_by_role("textbox", name=label, exact=True)


def close_dialogs(page: Page) -> None:
    """Dismiss an open Streamlit dialog (such as "Page not found"), which makes the page inert."""
    dialog = page.get_by_role("dialog")
    if dialog.count():
        dialog.get_by_role("button", name="Close").click()
        expect(dialog).to_have_count(0)


def open_app(page: Page, url: str, *, expect_button: str) -> None:
    """Load ``url`` in a new Streamlit session and wait for a button of its first run."""
    page.goto(url)
    button = page.get_by_role("button", name=expect_button, exact=True)
    expect(button).to_be_visible(timeout=FIRST_RUN_TIMEOUT_MS)
    wait_for_run(page)


def create_first_admin(
    page: Page, username: str = "admin", display_name: str = "Ada Admin"
) -> None:
    """Fill the first-start form; ends on the sign-in form (signed out again).

    The new administrator is signed in at once; :func:`fill_first_admin` stops there.
    """
    fill_first_admin(page, username, display_name)
    sign_out(page)


def fill_first_admin(page: Page, username: str = "admin", display_name: str = "Ada Admin") -> None:
    """Fill the first-start form; ends signed in on the Overview."""
    setup = form(page, "Create administrator")
    field(setup, "Username").fill(username)
    field(setup, "Full name").fill(display_name)
    field(setup, "Password").fill(PASSWORD)
    field(setup, "Repeat the password").fill(PASSWORD)
    setup.get_by_role("button", name="Create administrator").click()
    expect(sidebar(page).get_by_role("button", name="Sign out")).to_be_visible()
    expect(page.get_by_role("heading", name="Overview", level=1)).to_be_visible()
    wait_for_run(page)


def submit_sign_in(page: Page, username: str, password: str) -> None:
    login = form(page, "Sign in")
    field(login, "Username").fill(username)
    field(login, "Password").fill(password)
    login.get_by_role("button", name="Sign in").click()


def sign_in(page: Page, username: str, password: str = PASSWORD) -> None:
    """Sign in through the form; ends on the default page (Overview) of a finished run."""
    submit_sign_in(page, username, password)
    expect(sidebar(page).get_by_role("button", name="Sign out")).to_be_visible()
    expect(page.get_by_role("heading", name="Overview", level=1)).to_be_visible()
    wait_for_run(page)


OWN_PASSWORD = "a passphrase of my own"


def first_sign_in(page: Page, username: str, given: str = PASSWORD) -> None:
    """Sign in an account an administrator made: choose its own password (:data:`OWN_PASSWORD`)
    on the form the gate shows first; ends on the page the address asked for."""
    submit_sign_in(page, username, given)
    expect(page.get_by_role("heading", name="Choose your own password", level=1)).to_be_visible()
    change = form(page, "Set password and continue")
    field(change, "Password you were given").fill(given)
    field(change, "New password").fill(OWN_PASSWORD)
    field(change, "Repeat the new password").fill(OWN_PASSWORD)
    change.get_by_role("button", name="Set password and continue").click()
    expect(page.get_by_role("heading", name="Choose your own password", level=1)).to_have_count(0)
    expect(sidebar(page).get_by_role("button", name="Sign out")).to_be_visible()
    wait_for_run(page)


def sign_out(page: Page) -> None:
    sidebar(page).get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    expect(page.get_by_role("button", name="Sign in", exact=True)).to_be_visible()
    wait_for_run(page)


def sidebar(page: Page) -> Locator:
    return page.get_by_test_id("stSidebar")


def nav_links(page: Page) -> Locator:
    """The page links of the sidebar navigation."""
    return page.get_by_test_id("stSidebarNavLink")


def expect_nav(page: Page, titles: list[str]) -> None:
    """The sidebar offers exactly these pages, in this order (retried until it does)."""
    expect(nav_links(page)).to_have_text([re.compile(rf"{re.escape(t)}$") for t in titles])


def go_to(page: Page, title: str) -> None:
    """Open a page through its sidebar link; ends when its title shows and the run finished."""
    nav_links(page).filter(has_text=re.compile(rf"{re.escape(title)}$")).click()
    expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()
    wait_for_run(page)


def choose(page: Page, scope: Locator, label: str, option: str) -> None:
    """Pick ``option`` in the ``st.selectbox`` labelled ``label`` within ``scope``."""
    box = scope.get_by_role("combobox", name=label, exact=True)
    box.click()
    # The list of options opens in a popover at the page's root, outside ``scope``.
    page.get_by_role("option", name=option, exact=True).click()
    expect(box).to_have_value(option)


def pick(page: Page, scope: Locator | Page, label: str, typed: str, option: str) -> None:
    """Choose ``option`` by typing ``typed`` into the selectbox's search and pressing Enter, as
    a keyboard user does: steadier than clicking an option of a popover that may still move."""
    box = scope.get_by_role("combobox", name=label, exact=True)
    box.click()
    page.keyboard.type(typed)
    page.keyboard.press("Enter")
    expect(box).to_have_value(option)


def create_accounts(state_dir: Path, *accounts: tuple[str, ...]) -> dict[str, str]:
    """Accounts in the server's state folder, made through the CLI as an operator would.

    Each account is ``(username, role)`` or ``(username, role, display name, e-mail or None)``.
    The environment the CLI ran with (the server's state folder, no other database) is
    returned for later commands.
    """
    import os
    import subprocess
    import sys

    env = {**os.environ, "GOVERNANCE_STATE_DIR": str(state_dir)}
    env.pop("GOVERNANCE_DATABASE_URL", None)
    env.pop("GOVERNANCE_ARTIFACT_DIR", None)
    root = Path(__file__).resolve().parents[2]
    for username, role, *more in accounts:
        name, email = [*more, None, None][:2]
        extra = (["--display-name", name] if name else []) + (["--email", email] if email else [])
        done = subprocess.run(
            [sys.executable, "-m", "governance", "users", "create", "--username", username,
             "--role", role, "--password-stdin", "--keep-password", *extra],
            input=PASSWORD + "\n", capture_output=True, text=True, cwd=root, env=env, timeout=120,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
    return env


def register_model(
    env: dict[str, str], name: str, *, actor: str, versions: tuple[str, ...] = ()
) -> None:
    """A model (and draft versions) registered through the CLI, as saved evidence must name
    one the registry knows; ``env`` is what :func:`create_accounts` returned."""
    import subprocess
    import sys

    from tests.factories import SHA

    root = Path(__file__).resolve().parents[2]
    commands = [
        ["register", name, "--provider", "in-house", "--risk-tier", "limited",
         "--intended-use", "Scores loan applications."],
        *(["add-version", name, v, "--changelog", "first", "--artifact-uri", "s3://m",
           "--sha256", SHA] for v in versions),
    ]  # fmt: skip
    for command in commands:
        done = subprocess.run(
            [sys.executable, "-m", "governance", "registry", "--actor", actor, *command],
            capture_output=True, text=True, cwd=root, env=env, timeout=120,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
