"""The risk register in a real browser: an executive reads the heatmap and a cell's risks
(no form in sight); a compliance officer opens a risk from its link, moves it to mitigating
and sees its history, with hostile text shown as text."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from governance.actor import Actor
from governance.auth import service as auth
from governance.auth.roles import Role
from tests import factories
from tests.e2e.helpers import (
    fill_first_admin,
    go_to,
    open_app,
    pick,
    sign_in,
    sign_out,
    wait_for_run,
)

pytestmark = pytest.mark.e2e
HOSTILE = "<img src=x onerror=alert(1)> **Prompt** injection"


def test_an_executive_reads_the_heatmap_and_an_officer_treats_a_risk(
    app_server, server_workbench, page, shot
):
    open_app(page, app_server, expect_button="Create administrator")
    fill_first_admin(page)
    with server_workbench.unit() as uow:
        admin = next(
            u for u in auth.list_users(uow, actor=Actor.command_line()) if u.username == "admin"
        )
    officer = factories.make_user(server_workbench, Role.COMPLIANCE_OFFICER, "olga", by=admin)
    sci = factories.make_user(server_workbench, Role.DATA_SCIENTIST, "sam", by=admin)
    factories.make_user(server_workbench, Role.EXECUTIVE, "erin", by=admin)
    risk = factories.make_risk(
        server_workbench, by=officer, owner=sci, title=HOSTILE, likelihood=4, impact=5
    )
    factories.make_risk(server_workbench, by=officer, owner=sci, likelihood=2, impact=3)
    sign_out(page)

    sign_in(page, "erin")
    go_to(page, "Risk register")
    expect(page.locator(".js-plotly-plot")).to_have_count(1)
    pick(page, page, "List the risks of a cell", "Likelihood 4 × impact 5",
         "Likelihood 4 × impact 5 — critical — 1 risk")
    wait_for_run(page)
    expect(page.get_by_text("Select a row to open the risk.")).to_be_visible()
    expect(page.get_by_role("button", name="Record risk")).to_have_count(0)
    shot("executive-heatmap")
    sign_out(page)

    sign_in(page, "olga")
    page.goto(f"{app_server}/risks?risk={risk.id}")
    heading = page.get_by_role("heading", name=f"Risk {risk.id}:")
    expect(heading).to_contain_text("<img src=x onerror=alert(1)> **Prompt** injection")
    wait_for_run(page)
    page.get_by_role("textbox", name="Reason").fill("work begins")
    page.get_by_role("button", name="Move").click()
    expect(page.get_by_text(f"Risk {risk.id} is now mitigating.")).to_be_visible()
    wait_for_run(page)
    page.get_by_role("tab", name="History").click()
    expect(page.get_by_text("identified → mitigating")).to_be_visible()
    shot("officer-detail")
