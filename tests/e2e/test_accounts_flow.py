"""Accounts end to end: first administrator, a data scientist, and what each role is offered."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import (
    PASSWORD,
    choose,
    close_dialogs,
    create_first_admin,
    expect_nav,
    field,
    first_sign_in,
    form,
    go_to,
    nav_links,
    open_app,
    sidebar,
    sign_in,
    sign_out,
    wait_for_run,
)

pytestmark = pytest.mark.e2e

ADMIN_PAGES = [
    "Overview",
    "Fairness",
    "Model registry",
    "Risk register",
    "Incidents",
    "Audit trail",
    "Users and roles",
    "My account",
]
DATA_SCIENTIST_PAGES = [
    "Overview", "Fairness", "Model registry", "Risk register", "Incidents", "My account"
]


def _expect_no_user_administration(page: Page) -> None:
    """Neither the users page's title, nor its table, nor its forms are on the page."""
    expect(page.get_by_role("heading", name="Users and roles")).to_have_count(0)
    expect(page.get_by_role("heading", name="Create an account")).to_have_count(0)
    expect(page.get_by_role("button", name="Create account")).to_have_count(0)
    expect(page.get_by_role("combobox", name="Account", exact=True)).to_have_count(0)


def test_admin_creates_a_data_scientist_who_sees_only_their_pages(
    app_server: str, page: Page, shot: Callable[[str], Path]
) -> None:
    # First start: no accounts, so the app asks for the first administrator.
    open_app(page, app_server, expect_button="Create administrator")
    expect(page.get_by_text("No accounts exist yet.")).to_be_visible()
    shot("first-start")
    create_first_admin(page, "admin", "Ada Admin")
    shot("sign-in-after-setup")

    sign_in(page, "admin")
    expect(sidebar(page).get_by_text("Administrator · admin")).to_be_visible()
    expect_nav(page, ADMIN_PAGES)
    shot("admin-overview")

    # The administrator creates a data scientist.
    go_to(page, "Users and roles")
    expect(page.get_by_test_id("stDataFrame")).to_have_count(1)  # the table of accounts
    create = form(page, "Create account")
    field(create, "Username").fill("dana")
    field(create, "Full name").fill("Dana Scientist")
    choose(page, create, "Role", "Data scientist")
    field(create, "Initial password").fill(PASSWORD)
    shot("create-account-filled")
    create.get_by_role("button", name="Create account").click()
    expect(
        page.get_by_text(
            "Created dana as Data scientist. They choose their own password when they first "
            "sign in."
        )
    ).to_be_visible()
    shot("data-scientist-created")

    sign_out(page)
    shot("signed-out")

    # The data scientist chooses a password of their own first, then is offered Overview and
    # My account only.
    first_sign_in(page, "dana")
    expect(page.get_by_text("Signed in as Dana Scientist — Data scientist.")).to_be_visible()
    expect_nav(page, DATA_SCIENTIST_PAGES)
    expect(nav_links(page).filter(has_text="Users and roles")).to_have_count(0)
    expect(nav_links(page).filter(has_text="Audit trail")).to_have_count(0)
    shot("data-scientist-overview")

    go_to(page, "My account")
    expect(page.get_by_text("Role: Data scientist")).to_be_visible()

    # Typing the users page's address: the session cookie keeps the data scientist signed in
    # in the new page load, and the users page is still not theirs.
    page.goto(f"{app_server}/users")
    expect(sidebar(page).get_by_role("button", name="Sign out")).to_be_visible()
    wait_for_run(page)
    close_dialogs(page)  # Streamlit's "Page not found" notice for a page it did not offer
    expect_nav(page, DATA_SCIENTIST_PAGES)
    _expect_no_user_administration(page)
    shot("users-url-still-signed-in")


def test_create_account_form_is_empty_after_success(
    app_server: str, page: Page, shot: Callable[[str], Path]
) -> None:
    open_app(page, app_server, expect_button="Create administrator")
    create_first_admin(page, "admin", "Ada Admin")
    sign_in(page, "admin")
    go_to(page, "Users and roles")
    create = form(page, "Create account")
    field(create, "Username").fill("erin")
    field(create, "Full name").fill("Erin Executive")
    choose(page, create, "Role", "Executive")
    field(create, "Initial password").fill(PASSWORD)
    create.get_by_role("button", name="Create account").click()
    expect(
        page.get_by_text(
            "Created erin as Executive. They choose their own password when they first sign in."
        )
    ).to_be_visible()
    wait_for_run(page)
    shot("after-create")
    for label in ("Username", "Full name", "Initial password"):
        expect(field(create, label)).to_have_value("", timeout=2_000)
