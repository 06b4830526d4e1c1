"""Notifications in a real browser: a notification written through the service shows in the
sidebar's bell, the page lists it, marking read lowers the count, its link opens its page, and
nothing (the bell's icons included) is fetched from another host."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from governance.actor import Actor
from governance.auth import service as auth
from governance.auth.service import UserInfo
from governance.kernel import Workbench
from tests import factories
from tests.e2e.helpers import expect_nav, fill_first_admin, open_app, sidebar, wait_for_run

pytestmark = pytest.mark.e2e

MENU = [
    "Overview",
    "Fairness",
    "Model registry",
    "Risk register",
    "Incidents",
    "Audit trail",
    "Users and roles",
    "My account",
]


def _bell(page: Page):
    return sidebar(page).get_by_role("link", name=re.compile(r"Notifications"))


def _admin(workbench: Workbench) -> UserInfo:
    with workbench.unit() as uow:
        users = auth.list_users(uow, actor=Actor.command_line())
        return next(u for u in users if u.username == "admin")


def test_the_bell_counts_the_page_lists_and_marking_read_lowers_the_count(
    app_server, server_workbench, page, shot
):
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    open_app(page, app_server, expect_button="Create administrator")
    fill_first_admin(page)
    expect(_bell(page)).to_have_text(re.compile(r"Notifications$"))
    admin = _admin(server_workbench)
    factories.make_notification(
        server_workbench, admin, "Approval requested: credit-model 1.2",
        "Dana asks for approval of version 1.2.", link="/audit_trail",
    )  # fmt: skip
    factories.make_notification(
        server_workbench, admin, "<b>Model</b> **deprecated**", "Version 1.1 is deprecated."
    )

    page.reload()
    expect(_bell(page)).to_have_text(re.compile(r"Notifications · 2 unread$"))
    expect_nav(page, MENU)  # the page is reached through the bell, not listed in the menu
    wait_for_run(page)
    shot("bell-with-count")

    _bell(page).click()
    expect(page.get_by_role("heading", name="Notifications", level=1)).to_be_visible()
    wait_for_run(page)
    expect(page.get_by_text("<b>Model</b> **deprecated**", exact=True)).to_be_visible()
    expect(page.get_by_text("Dana asks for approval of version 1.2.")).to_be_visible()
    shot("notifications-page")

    page.get_by_role("button", name="Mark as read").first.click()
    expect(page.get_by_text("Marked as read.")).to_be_visible()
    expect(_bell(page)).to_have_text(re.compile(r"Notifications · 1 unread$"))
    expect(page.get_by_role("button", name="Mark as read")).to_have_count(1)
    wait_for_run(page)
    shot("one-marked-read")

    page.get_by_role("button", name="Mark all as read").click()
    expect(page.get_by_text("Marked 1 notification as read.")).to_be_visible()
    expect(_bell(page)).to_have_text(re.compile(r"Notifications$"))
    expect(page.get_by_role("button", name="Mark as read")).to_have_count(0)
    expect(page.get_by_role("button", name="Mark all as read")).to_be_disabled()
    wait_for_run(page)
    shot("all-read")

    page.get_by_role("link", name="Open").click()
    expect(page.get_by_role("heading", name="Audit trail", level=1)).to_be_visible()
    wait_for_run(page)

    own = urlsplit(app_server).netloc
    outside = sorted({u for u in requests if urlsplit(u).scheme in {"http", "https", "ws", "wss"}
                      and urlsplit(u).netloc != own})  # fmt: skip
    assert outside == []


def test_an_empty_inbox_says_what_will_appear(app_server, page, shot):
    open_app(page, app_server, expect_button="Create administrator")
    fill_first_admin(page)
    _bell(page).click()
    expect(page.get_by_text("No notifications yet.", exact=False)).to_be_visible()
    wait_for_run(page)
    shot("empty")
