"""User text stays text in the browser: names, addresses, file and column names, group values.

Accounts carry the payloads of :mod:`tests.payloads` as display names, e-mail addresses and (the
one a username can hold) an autolink; a prediction file carries them as its name, its column
names and its group values, and a saved assessment as its model name and version. Every page
is visited as the roles that see it, and on each the DOM is read: no link but the app's own
navigation, no image from outside, no formatting, math, emoji or icon made of user text, and no
request for another host (:class:`tests.e2e.inert.Inertness`). Where the text is shown, it reads
exactly as typed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.helpers import (
    PASSWORD,
    create_accounts,
    field,
    first_sign_in,
    form,
    go_to,
    open_app,
    register_model,
    sidebar,
    sign_in,
    sign_out,
    wait_for_run,
)
from tests.e2e.inert import Inertness, expect_shown, shown_text
from tests.payloads import LINK_USERNAME, MARKUP_EMAIL, PAYLOADS, join

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]

# Who signs in, with the text their account carries (display name ≤ 200 characters).
ADMIN_NAME = join("autolink", "email", "entity")
OFFICER_NAME = join("issue", "image")
AUDITOR_NAME = join("html", "script")
EXECUTIVE_NAME = join("emoji", "colour", "math", "backslash")
SCIENTIST_NAME = join("emphasis", "link", "javascript", "blocks")
ACCOUNTS = (
    (LINK_USERNAME, "compliance_officer", OFFICER_NAME, "mail@evil.example"),
    ("audrey", "auditor", AUDITOR_NAME, None),
    ("eve", "executive", EXECUTIVE_NAME, MARKUP_EMAIL),
)


def _workspace(tmp_path: Path, accounts=ACCOUNTS) -> dict[str, str]:
    """The server's state folder with an administrator and ``accounts`` (through the CLI)."""
    return create_accounts(tmp_path / "state", ("admin", "admin", ADMIN_NAME, None), *accounts)


def _main(page: Page) -> Locator:
    return page.get_by_test_id("stMain")


def _open_options(page: Page, box: Locator) -> Locator:
    """Open a select box's list of options (rendered at the page's root) and return it.

    A click that lands while the page is still redrawing after the previous step can leave the
    box focused but closed: then it is clicked again.
    """
    listbox = page.get_by_role("listbox")
    for _ in range(3):
        wait_for_run(page)
        box.click()
        try:
            expect(listbox).to_be_visible(timeout=3_000)
            return listbox
        except AssertionError:
            page.keyboard.press("Escape")
    expect(listbox).to_be_visible()
    return listbox


def _leave(page: Page) -> None:
    """Sign out from the Overview (the next sign-in returns to the page left from)."""
    go_to(page, "Overview")
    sign_out(page)


def _visit_as_oneself(page: Page, inert: Inertness, name: str, email: str | None) -> None:
    """Overview and My account: the person's own name (and address) as typed."""
    expect_shown(sidebar(page), name)
    expect_shown(_main(page).get_by_text(re.compile("^Signed in as")), name)
    inert.check(f"overview of {name[:20]}")
    go_to(page, "My account")
    card = _main(page).get_by_test_id("stMarkdown").filter(has_text="Username:")
    expect_shown(card, name)
    if email:
        expect_shown(card, email)
    inert.check(f"account of {name[:20]}")


def test_names_and_addresses_stay_text_on_every_page(
    app_server: str, page: Page, shot: Callable[[str], Path], tmp_path: Path
) -> None:
    _workspace(tmp_path)
    inert = Inertness(page, app_server)
    open_app(page, app_server, expect_button="Sign in")
    sign_in(page, "admin")
    _visit_as_oneself(page, inert, ADMIN_NAME, None)
    shot("admin-account")

    go_to(page, "Users and roles")
    create = form(page, "Create account")
    field(create, "Username").fill("dana")
    field(create, "Full name").fill(SCIENTIST_NAME)
    field(create, "E-mail (for single sign-on; optional)").fill(MARKUP_EMAIL.replace("*", "_"))
    field(create, "Initial password").fill(PASSWORD)
    create.get_by_role("button", name="Create account").click()
    expect(
        page.get_by_text(
            "Created dana as Data scientist. They choose their own password when they first "
            "sign in."
        )
    ).to_be_visible()
    wait_for_run(page)
    inert.check("users page after creating an account")
    account = page.get_by_role("combobox", name="Account", exact=True)
    options = _open_options(page, account)
    expect_shown(options, f"{LINK_USERNAME} — Compliance officer")
    options.get_by_role("option", name=re.compile(re.escape(LINK_USERNAME))).click()
    wait_for_run(page)
    expect_shown(_main(page).get_by_test_id("stCheckbox"), f"Yes, deactivate {LINK_USERNAME}")
    page.get_by_role("tab", name="Password").click()
    expect_shown(_main(page), f"New password for {LINK_USERNAME}")
    inert.check("users page, an account with a link for a name")
    shot("users")

    go_to(page, "Audit trail")
    expect(page.get_by_test_id("stDataFrame")).to_have_count(1)
    inert.check("audit trail")
    shot("audit-trail")
    _leave(page)

    for username, name, email, pages in (
        (LINK_USERNAME, OFFICER_NAME, "mail@evil.example", ["Audit trail", "Fairness"]),
        ("audrey", AUDITOR_NAME, None, ["Users and roles", "Audit trail", "Fairness"]),
        ("eve", EXECUTIVE_NAME, MARKUP_EMAIL, ["Fairness"]),
        ("dana", SCIENTIST_NAME, MARKUP_EMAIL.replace("*", "_"), ["Fairness"]),
    ):
        if username == "dana":  # made on the users page above: chooses a password first
            first_sign_in(page, username)
        else:
            sign_in(page, username)
        expect_shown(sidebar(page), username)
        _visit_as_oneself(page, inert, name, email)
        shot(f"{username}-account")
        for title in pages:
            go_to(page, title)
            if title == "Audit trail":  # whoever signed in is among the actors to filter by
                actors = _open_options(page, page.get_by_role("combobox", name="Actor"))
                expect_shown(actors, username)
                inert.check(f"actors listed to {username}")
                page.keyboard.press("Escape")
            inert.check(f"{title} as {username}")
        _leave(page)
    # Every page visited was checked: the administrator's five, then two per person, their
    # pages and the two lists of actors.
    assert len(inert.checked) == 5 + 4 * 2 + 7 + 2


# A prediction file whose name, column names and group values are the payloads.
FILE_NAME = "**zbold** [zlink](x) www.evil.example :red[zred] $zmath$ &amp;.parquet"
AGE = PAYLOADS["issue"]  # numeric: banded, as in the issue
GROUP = PAYLOADS["html"]
ORIGIN = join("math", "colour")
GROUP_VALUES = [PAYLOADS[k] for k in ("emphasis", "javascript", "autolink", "emoji", "entity")]
ORIGIN_VALUES = [PAYLOADS[k] for k in ("image", "script", "blocks", "backslash", "email")]
MODEL = "credit **zbold** www.evil.example [zlink](http://evil.example/m)"
# A semantic version (the registry's rule) cannot carry markup; the model's name does.
VERSION = "1.0.0-zred.zmath"
REASON = join("issue", "autolink")


def _prediction_file(directory: Path) -> Path:
    """Decisions that favour the first group of each column (a fail with findings)."""
    rng = np.random.default_rng(7)
    n = 1_500
    group = rng.integers(0, len(GROUP_VALUES), n)
    origin = rng.integers(0, len(ORIGIN_VALUES), n)
    chosen = rng.random(n) < 0.3 + 0.25 * (group == 0) + 0.3 * (origin == 0)
    frame = pd.DataFrame(
        {
            "label": (rng.random(n) < 0.4).astype(int),
            "prediction": chosen.astype(int),
            AGE: rng.integers(18, 80, n),
            GROUP: np.array(GROUP_VALUES)[group],
            ORIGIN: np.array(ORIGIN_VALUES)[origin],
        }
    )
    path = directory / FILE_NAME
    frame.to_parquet(path, index=False)
    return path


def _pick(page: Page, box: Locator, option: str) -> None:
    _open_options(page, box).get_by_role("option", name=option, exact=True).click()
    wait_for_run(page)


def _every_grouping_and_chart(page: Page, inert: Inertness, shot: Callable[[str], Path]) -> None:
    """Each grouping (the column names as options), each of its charts, and a card's help."""
    groupings = page.get_by_test_id("stButtonGroup").first
    for k, name in enumerate((AGE, GROUP, ORIGIN)):
        expect_shown(groupings, name)
        groupings.get_by_role("radio").nth(k).click()
        wait_for_run(page)
        expect_shown(_main(page).get_by_role("heading", level=4).filter(has_text="—"), name)
        inert.check(f"grouping {k}")
    # The findings of the last grouping name its groups against the chosen reference group.
    findings = _main(page).get_by_test_id("stMarkdown").filter(has_text="Selection rate of")
    expect_shown(findings.first, f", of {ORIGIN}={ORIGIN_VALUES[0]} ")
    charts = page.get_by_test_id("stButtonGroup").nth(1)
    for k in range(charts.get_by_role("radio").count()):
        charts.get_by_role("radio").nth(k).click()
        wait_for_run(page)
        expect(page.get_by_test_id("stPlotlyChart").first).to_be_visible()
        page.get_by_test_id("stPlotlyChart").first.hover()  # the mode bar and a hover box
        inert.check(f"chart {k}")
    shot("charts")
    card = page.get_by_test_id("stMetric").filter(has_text="Lowest DI")
    card.get_by_test_id("stTooltipIcon").hover()
    tooltip = page.get_by_test_id("stTooltipContent")
    expect_shown(tooltip, f", its selection rate divided by that of the reference group {ORIGIN}=")
    inert.check("a card's help")


def test_file_text_stays_text_through_an_assessment(
    app_server: str, page: Page, shot: Callable[[str], Path], tmp_path: Path
) -> None:
    env = _workspace(tmp_path, (*ACCOUNTS, ("dana", "data_scientist", SCIENTIST_NAME, None)))
    register_model(env, MODEL, actor="dana", versions=(VERSION,))
    data = _prediction_file(tmp_path)
    inert = Inertness(page, app_server)
    open_app(page, app_server, expect_button="Sign in")
    sign_in(page, "dana")
    go_to(page, "Fairness")

    page.locator("input[type=file]").set_input_files(str(data))
    expect_shown(_main(page), f"{FILE_NAME} · parquet · 5 columns")
    wait_for_run(page)
    chosen = page.get_by_test_id("stMultiSelect").filter(has_text="Sensitive attributes")
    for column in (AGE, GROUP, ORIGIN):
        if column not in shown_text(chosen):  # "age" may be suggested already
            _pick(page, chosen.get_by_role("combobox"), column)
            page.keyboard.press("Escape")
    for column in (AGE, GROUP, ORIGIN):
        expect_shown(chosen, column)
    bands = page.get_by_test_id("stTextInput").filter(has_text="Bands for")
    expect_shown(bands, f"Bands for {AGE} (cut points")
    bands.get_by_role("textbox").fill("30, 50")
    bands.get_by_role("textbox").press("Enter")
    wait_for_run(page)
    expect_shown(_main(page), f"{AGE} is banded: compared with")
    reference = page.get_by_test_id("stSelectbox").filter(has_text="Reference group for")
    expect_shown(reference.first, f"Reference group for {GROUP}")
    expect_shown(reference.nth(1), f"Reference group for {ORIGIN}")
    _pick(page, reference.nth(1).get_by_role("combobox"), ORIGIN_VALUES[0])
    inert.check("mapping")
    shot("mapping")

    page.get_by_role("button", name="Assess").click()
    expect(page.get_by_text(re.compile(r"under the policy in force · 1,500 rows"))).to_be_visible(
        timeout=60_000
    )
    wait_for_run(page)
    banner = _main(page).get_by_test_id("stAlert").first
    expect_shown(banner, "· label = 1 is positive, 0 negative; prediction = 1")
    inert.check("verdict")
    shot("verdict")
    _every_grouping_and_chart(page, inert, shot)

    save = form(page, "Save assessment")
    field(save, "Model").fill(MODEL)
    field(save, "Version (optional)").fill(VERSION)
    save.get_by_role("button", name="Save assessment").click()
    expect_shown(_main(page), f"Saved as assessment #1 for {MODEL}.")
    inert.check("saved")
    _leave(page)

    for username, role_sees_policy_form in (
        (LINK_USERNAME, True), ("eve", False), ("audrey", False)
    ):  # fmt: skip
        sign_in(page, username)
        go_to(page, "Fairness")
        if role_sees_policy_form:
            _change_policy(page)
            expect_shown(_main(page), f"set by {LINK_USERNAME} on")
            inert.check("policy changed by a link-named officer")
            shot("policy")
        page.get_by_role("tab", name="History").click()
        _pick(page, page.get_by_role("combobox", name="Assessment"), _saved_option(page))
        expect_shown(_main(page), f"{MODEL} {VERSION} · saved by dana on")
        expect_shown(_main(page), f"file {FILE_NAME} (1,500 rows")
        inert.check(f"saved assessment reopened by {username}")
        shot(f"history-{username}")
        go_to(page, "Overview")
        inert.check(f"overview of {username}")
        sign_out(page)


def _saved_option(page: Page) -> str:
    """The one saved assessment's option, as the list shows it (plain text: exactly as typed)."""
    box = page.get_by_role("combobox", name="Assessment")
    listbox = _open_options(page, box)
    [text] = listbox.get_by_role("option").all_inner_texts()
    assert text.startswith(f"#1 · {MODEL} {VERSION} · fail · "), text
    page.keyboard.press("Escape")
    return text


def _change_policy(page: Page) -> None:
    page.get_by_role("tab", name="Policy").click()
    policy = form(page, "Put in force")
    policy.get_by_role("spinbutton", name=re.compile("^Minimum group size")).fill("25")
    field(policy, "Reason for the change (required)").fill(REASON)
    policy.get_by_role("button", name="Put in force").click()
    expect(page.get_by_text("New fairness policy in force (version 1).")).to_be_visible()
    wait_for_run(page)
