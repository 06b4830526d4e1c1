"""An account whose password an administrator chose must choose its own before any page."""

from __future__ import annotations

import pytest

from governance.auth import service as auth
from tests.app.support import (
    ACCOUNT,
    PASSWORD,
    events,
    messages,
    new_app,
    new_app_on,
    ok,
    sign_in,
    titles,
    user_named,
)

pytestmark = pytest.mark.app

SUBMIT = "FormSubmitter:first_password_form-Set password and continue"
NEW = "a passphrase of my own"


def _given_password(workbench, admin, username: str = "newbie") -> None:
    workbench.run(
        auth.create_user, actor=admin.actor(), username=username, role="auditor",
        password=PASSWORD,
    )  # fmt: skip


def _choose(at, current: str, new: str, repeat: str):
    at.text_input(key="first_pw_current").input(current)
    at.text_input(key="first_pw_new").input(new)
    at.text_input(key="first_pw_2").input(repeat)
    return ok(at.button(key=SUBMIT).click().run())


@pytest.mark.parametrize("first_page", [None, ACCOUNT])
def test_the_change_form_comes_before_any_page(workbench, admin, first_page):
    _given_password(workbench, admin)
    at = sign_in(new_app() if first_page is None else new_app_on(first_page), "newbie")

    assert titles(at) == ["Choose your own password"]
    assert not at.sidebar.markdown or "newbie" in at.sidebar.markdown[0].value


def test_choosing_a_password_opens_the_pages_and_clears_the_flag(store, workbench, admin):
    _given_password(workbench, admin)
    at = sign_in(new_app(), "newbie")

    _choose(at, PASSWORD, NEW, NEW + "!")
    assert messages(at, "error") == ["The two new passwords differ."]
    _choose(at, PASSWORD, PASSWORD, PASSWORD)
    assert messages(at, "error") == ["The new password must differ from the current one."]
    assert titles(at) == ["Choose your own password"]

    _choose(at, PASSWORD, NEW, NEW)
    assert titles(at) == ["Overview"]
    assert messages(at, "success") == ["Password changed."]
    assert not user_named(store, "newbie").must_change_password
    [event] = events(store, "user.password_changed")
    assert event.actor == "newbie"


def test_an_administrators_reset_asks_again(store, workbench, admin, make_user):
    _given_password(workbench, admin)
    at = sign_in(new_app(), "newbie")
    _choose(at, PASSWORD, NEW, NEW)
    newbie = user_named(store, "newbie")

    workbench.run(
        auth.reset_password, actor=admin.actor(), user_id=newbie.id, new_password="reset " * 3
    )
    ok(at.run())  # the reset ended the open session
    assert titles(at) == ["Sign in"]
    assert messages(at, "info") == [
        "An administrator reset your password. Sign in with the new one."
    ]
    sign_in(at, "newbie", "reset " * 3)
    assert titles(at) == ["Choose your own password"]
