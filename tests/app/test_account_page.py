"""My account: who I am, and changing my own password."""

from __future__ import annotations

import pytest

from governance.auth.roles import Role
from tests.app.support import (
    ACCOUNT,
    PASSWORD,
    events,
    messages,
    new_app,
    ok,
    open_page,
    sign_in,
    signed_in,
    titles,
)

pytestmark = pytest.mark.app

SUBMIT = "FormSubmitter:password_form-Change password"
NEW_PASSWORD = "another long passphrase"


@pytest.fixture
def account_page(make_user):
    make_user(Role.EXECUTIVE, "erin", "Erin Executive")
    at = signed_in("erin")
    open_page(at, ACCOUNT)
    assert titles(at) == ["My account"]
    return at


def _change(at, current: str, new: str, repeat: str):
    at.text_input(key="pw_current").input(current)
    at.text_input(key="pw_new").input(new)
    at.text_input(key="pw_repeat").input(repeat)
    return ok(at.button(key=SUBMIT).click().run())


def test_shows_who_is_signed_in(account_page):
    [card] = [m.value for m in account_page.markdown if m.value.startswith("**Username:**")]
    assert "**Username:** erin" in card
    assert "**Name:** Erin Executive" in card
    assert "**Role:** Executive" in card


def test_mismatched_new_passwords_change_nothing(store, account_page):
    _change(account_page, PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "!")

    assert messages(account_page, "error") == ["The two new passwords differ."]
    assert events(store, "user.password_changed") == []
    signed_in("erin", PASSWORD)


def test_wrong_current_password_is_refused(store, account_page):
    _change(account_page, "not my password at all", NEW_PASSWORD, NEW_PASSWORD)

    assert messages(account_page, "error") == ["The current password is wrong."]
    assert events(store, "user.password_changed") == []


def test_password_change_takes_effect_and_is_audited(store, account_page):
    _change(account_page, PASSWORD, NEW_PASSWORD, NEW_PASSWORD)

    assert messages(account_page, "error") == []
    assert messages(account_page, "success") == ["Password changed."]
    assert titles(account_page) == ["My account"]  # still signed in
    [event] = events(store, "user.password_changed")
    # The change ends every session of the account; this tab goes on in a fresh one.
    assert (event.actor, event.details) == ("erin", {"username": "erin", "sessions_revoked": 1})
    ok(account_page.run())
    assert titles(account_page) == ["My account"]

    signed_in("erin", NEW_PASSWORD)
    old = sign_in(new_app(), "erin", PASSWORD)
    assert messages(old, "error") == ["Wrong username or password."]
