"""A display name full of markdown and HTML is shown as text, never as a link or markup.

Streamlit renders ``st.markdown``/``st.caption`` as GitHub-flavoured markdown (plus its own
``:emoji:``, ``:color[...]`` and ``$math$`` extras), so every active character of a value must
reach it backslash-escaped. ``markdown_literal`` checks exactly that and returns the text the
reader will see, which must be the name as typed.
"""

from __future__ import annotations

import pytest

from governance.auth.roles import Role
from governance.fairness import Policy, update_policy
from tests.app.support import (
    ACCOUNT,
    FAIRNESS,
    PASSWORD,
    SETUP_SUBMIT,
    USERS,
    create_via_form,
    first_sign_in,
    markdown_literal,
    messages,
    new_app,
    ok,
    open_page,
    sidebar_text,
    signed_in,
)
from tests.factories import prediction_bytes, prediction_frame
from tests.payloads import LINK_USERNAME, PAYLOADS, triggers_left

pytestmark = pytest.mark.app

HOSTILE = "**bold** [x](javascript:alert(1)) <script>alert(2)</script> ![i](x.png) :red[r] $x$"


def _between(text: str, start: str, end: str) -> str:
    assert start in text, (start, text)
    rest = text.split(start, 1)[1]
    assert end in rest, (end, rest)
    return rest.split(end, 1)[0]


def test_the_checker_catches_unescaped_markup():
    for raw in ("[x](y)", "**b**", "<script>", "a_b_", ":red[x]", "&lt;"):
        with pytest.raises(AssertionError):
            markdown_literal(raw)
    assert markdown_literal(r"\[x\]\(y\)") == "[x](y)"


@pytest.fixture
def hostile_session(store, admin):
    """An account created through the users form with the hostile name, then signed in."""
    at = signed_in(admin.username)
    open_page(at, USERS)
    create_via_form(at, "mallory", PASSWORD, display_name=HOSTILE)
    assert messages(at, "success") == [
        "Created mallory as Data scientist. They choose their own password when they first sign in."
    ]
    # The users table shows the name as plain cell text, exactly as stored.
    [table] = [df.value for df in at.dataframe if "Username" in df.value.columns]
    assert table.loc[table["Username"] == "mallory", "Name"].item() == HOSTILE
    return first_sign_in("mallory")  # made by an administrator: chooses a password first


def test_sidebar_shows_the_name_as_text(hostile_session):
    text = sidebar_text(hostile_session)

    assert text.startswith("**") and text.endswith("Data scientist · mallory")
    assert markdown_literal(_between(text, "**", "**  \n")) == HOSTILE


def test_overview_caption_shows_the_name_as_text(hostile_session):
    [caption] = [c.value for c in hostile_session.caption if c.value.startswith("Signed in as")]

    assert markdown_literal(_between(caption, "Signed in as ", " — Data scientist.")) == HOSTILE


def test_account_page_shows_the_name_as_text(hostile_session):
    at = open_page(hostile_session, ACCOUNT)
    [card] = [m.value for m in at.markdown if m.value.startswith("**Username:**")]

    assert markdown_literal(_between(card, "**Name:** ", "  \n")) == HOSTILE


# HTML entities in a name are shown as typed, not decoded ("AT&amp;T" must not read "AT&T").
def test_entities_in_a_name_are_shown_literally(make_user):
    name = "AT&amp;T &lt;b&gt;"
    make_user(Role.EXECUTIVE, "ent", name)
    at = signed_in("ent")

    assert markdown_literal(_between(sidebar_text(at), "**", "**  \n")) == name


# A username can hold only letters, digits, ".", "-" and "_", and still be an autolink
# ("www.evil.example"): where a username is written into markdown it is escaped too.
def test_first_administrators_username_shows_as_text(store):
    at = new_app()
    for key, value in (("username", LINK_USERNAME), ("display_name", "Root"),
                       ("password", PASSWORD), ("password2", PASSWORD)):  # fmt: skip
        at.text_input(key=f"setup_{key}").input(value)
    ok(at.button(key=SETUP_SUBMIT).click().run())

    # Signed in at once: the sidebar names the new account.
    text = sidebar_text(at)
    assert markdown_literal(text.rsplit("Administrator · ", 1)[1]) == LINK_USERNAME


def test_policy_caption_shows_the_officers_username_as_text(workbench, make_user):
    officer = make_user(Role.COMPLIANCE_OFFICER, LINK_USERNAME)
    workbench.run(update_policy, actor=officer.actor(), policy=Policy().amended(min_group_size=25),
                  reason="Smaller groups are judged too.", expected_version=0)  # fmt: skip
    at = open_page(signed_in(LINK_USERNAME), FAIRNESS)

    [caption] = [c.value for c in at.caption if c.value.startswith("In force: version 1")]
    assert markdown_literal(_between(caption, "set by ", " on ")) == LINK_USERNAME


def test_an_error_quoting_a_column_name_shows_it_as_text(make_user):
    # The column name, numeric, so that it gets a bands field; bad cut points are
    # refused with a message naming the column and quoting what was typed.
    column = PAYLOADS["issue"]
    frame = prediction_frame(200).assign(**{column: range(200)})
    make_user(Role.DATA_SCIENTIST, "sci")
    at = open_page(signed_in("sci"), FAIRNESS)
    at.file_uploader(key="fair_file").set_value(("p.csv", prediction_bytes(frame), "text/csv"))
    at = ok(at.run())
    at.multiselect(key="fair_sensitive").set_value(["race", column])
    at = ok(at.run())
    at.text_input(key=f"fair_bands_{column}").input("30 www.evil.example")
    at = ok(at.run())

    [error] = [e.value for e in at.error]
    assert f"Cut points of {column!r}: 'www.evil.example' is not a number" in markdown_literal(
        error
    )
    assert triggers_left(error) == []
