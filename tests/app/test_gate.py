"""The sign-in gate: the first-administrator form on an empty database, then password sign-in."""

from __future__ import annotations

import pytest

from governance.auth.roles import Role
from governance.auth.service import WRONG_CREDENTIALS
from tests.app.support import (
    PASSWORD,
    SETUP_SUBMIT,
    events,
    messages,
    new_app,
    ok,
    shows_login_form,
    shows_setup_form,
    sidebar_text,
    sign_in,
    titles,
    user_count,
    user_named,
)

pytestmark = pytest.mark.app


def _fill_setup(at, username: str, display_name: str, password: str, repeat: str) -> None:
    at.text_input(key="setup_username").input(username)
    at.text_input(key="setup_display_name").input(display_name)
    at.text_input(key="setup_password").input(password)
    at.text_input(key="setup_password2").input(repeat)


def test_fresh_database_offers_the_first_administrator_form(store):
    at = new_app()  # the app creates and migrates the database itself

    assert titles(at) == ["Welcome to the AI governance workbench"]
    assert shows_setup_form(at)
    assert not shows_login_form(at)
    assert not at.sidebar.markdown  # nobody is signed in
    assert user_count(store) == 0


def test_setup_refuses_mismatched_and_short_passwords_then_creates_the_admin(store):
    at = new_app()

    _fill_setup(at, "root", "Rita Root", PASSWORD, PASSWORD + "x")
    ok(at.button(key=SETUP_SUBMIT).click().run())
    assert messages(at, "error") == ["The two passwords differ."]
    assert shows_setup_form(at)
    assert user_count(store) == 0

    _fill_setup(at, "root", "Rita Root", "short", "short")
    ok(at.button(key=SETUP_SUBMIT).click().run())
    assert len(messages(at, "error")) == 1
    assert messages(at, "error")[0].startswith("Password too short")
    assert shows_setup_form(at)
    assert user_count(store) == 0
    assert events(store) == []  # refusals before any account leave no trace to chain

    _fill_setup(at, "Root", "Rita Root", PASSWORD, PASSWORD)
    ok(at.button(key=SETUP_SUBMIT).click().run())

    assert not messages(at, "error")
    assert not shows_setup_form(at)
    assert not shows_login_form(at)  # whoever chose the password is signed in at once
    assert titles(at) == ["Overview"]

    assert user_count(store) == 1
    created = user_named(store, "root")  # the username was normalised to lower case
    assert created is not None
    assert created.role is Role.ADMIN
    assert created.display_name == "Rita Root"
    assert created.is_active
    [event] = events(store, "user.created")
    assert event.actor == "root"
    assert event.details["first_admin"] is True
    [login] = events(store, "auth.login")
    assert (login.actor, login.details) == ("root", {"method": "first start"})


def test_first_administrator_can_sign_in_with_the_new_password(store):
    at = new_app()
    _fill_setup(at, "root", "Rita Root", PASSWORD, PASSWORD)
    ok(at.button(key=SETUP_SUBMIT).click().run())
    ok(at.button(key="sign_out").click().run())

    sign_in(at, "root", PASSWORD)

    assert titles(at) == ["Overview"]
    assert "Rita Root" in sidebar_text(at)
    assert "Administrator" in sidebar_text(at)
    # The lone administrator is pointed at the users page.
    assert any("You are the only account" in m for m in messages(at, "info"))


def test_setup_form_is_gone_once_an_account_exists(admin):
    at = new_app()

    assert shows_login_form(at)
    assert not shows_setup_form(at)


def test_wrong_password_is_refused_and_audited(store, admin):
    at = sign_in(new_app(), "admin", "not the password at all")

    assert messages(at, "error") == [WRONG_CREDENTIALS]
    assert shows_login_form(at)
    assert titles(at) == ["Sign in"]
    assert "auth_user_id" not in at.session_state
    [failure] = events(store, "auth.login_failed")
    assert failure.actor == "admin"
    assert failure.resource_id == str(admin.id)
    assert failure.details == {"reason": "wrong password"}
    assert events(store, "auth.login") == []


def test_unknown_username_gets_the_same_message(store, admin):
    at = sign_in(new_app(), "nobody-here", PASSWORD)

    assert messages(at, "error") == [WRONG_CREDENTIALS]  # does not reveal which names exist
    [failure] = events(store, "auth.login_failed")
    assert failure.actor == "nobody-here"
    assert failure.details == {"reason": "unknown user"}


def test_right_password_opens_the_overview(store, make_user):
    dana = make_user(Role.DATA_SCIENTIST, "dana", "Dana Scientist")

    at = sign_in(new_app(), "Dana", PASSWORD)  # usernames are case-insensitive

    assert titles(at) == ["Overview"]
    assert not messages(at, "error")
    assert not shows_login_form(at)
    assert at.session_state["auth_user_id"] == dana.id
    assert "Dana Scientist" in sidebar_text(at)
    assert "Data scientist" in sidebar_text(at)
    [login] = events(store, "auth.login")
    assert (login.actor, login.actor_role) == ("dana", "data_scientist")

    ok(at.run())  # an ordinary rerun keeps the session
    assert titles(at) == ["Overview"]


def test_sign_out_ends_the_session_and_is_audited(store, admin):
    at = sign_in(new_app(), "admin")
    assert titles(at) == ["Overview"]

    ok(at.button(key="sign_out").click().run())

    assert shows_login_form(at)
    assert messages(at, "info") == ["You have signed out."]
    assert "auth_user_id" not in at.session_state
    [logout] = events(store, "auth.logout")
    assert (logout.actor, logout.details) == ("admin", {"reason": "signed out"})

    ok(at.run())  # the notice is shown once
    assert shows_login_form(at)
    assert messages(at, "info") == []
