"""Users and roles, as an administrator: create, refuse duplicates, change roles, deactivate."""

from __future__ import annotations

import pytest
from streamlit.testing.v1.errors import AppTestError

from governance.auth.roles import Role
from tests.app.support import (
    PASSWORD,
    USERS,
    create_via_form,
    events,
    first_sign_in,
    form_generation,
    messages,
    new_user_field,
    ok,
    open_page,
    shown,
    signed_in,
    titles,
    user_count,
    user_named,
)

pytestmark = pytest.mark.app


@pytest.fixture
def users_page(admin):
    at = signed_in(admin.username)
    open_page(at, USERS)
    assert titles(at) == ["Users and roles"]
    return at


def _table_usernames(at) -> list[str]:
    [table] = [df.value for df in at.dataframe if "Username" in df.value.columns]
    return list(table["Username"])


def _choose_account(at, username: str):
    return ok(at.selectbox(key="edit_user").set_value(username).run())


def _role_box(at):
    [box] = [s for s in at.selectbox if s.label == "New role"]
    return box


def _confirm_box(at):
    [box] = [c for c in at.checkbox if c.label.startswith("Yes, deactivate")]
    return box


def test_table_lists_every_account(users_page, make_user):
    make_user(Role.EXECUTIVE, "erin")
    ok(users_page.run())

    assert _table_usernames(users_page) == ["admin", "erin"]


def test_create_account_with_the_chosen_role(store, users_page):
    at = users_page
    gen = form_generation(at)
    create_via_form(
        at,
        "Carla.Compliance",
        PASSWORD,
        Role.COMPLIANCE_OFFICER,
        display_name="Carla Compliance",
        email="Carla@Example.org",
    )

    assert not messages(at, "error")
    assert messages(at, "success") == [
        "Created carla.compliance as Compliance officer. They choose their own password "
        "when they first sign in."
    ]
    carla = user_named(store, "carla.compliance")
    assert carla is not None
    assert carla.role is Role.COMPLIANCE_OFFICER
    assert (carla.display_name, carla.email) == ("Carla Compliance", "carla@example.org")
    assert carla.created_by == "admin"
    assert "carla.compliance" in _table_usernames(at)
    # The form is empty for the next account.
    assert form_generation(at) == gen + 1
    assert new_user_field(at, "username").value == ""
    assert new_user_field(at, "password").value == ""
    assert at.selectbox(key=f"new_role_{form_generation(at)}").value is Role.DATA_SCIENTIST

    [event] = [e for e in events(store, "user.created") if e.resource_id == str(carla.id)]
    assert (event.actor, event.actor_role) == ("admin", "admin")
    assert event.details["after"]["role"] == "compliance_officer"


def test_duplicate_username_is_refused_and_creates_nothing(store, users_page, make_user):
    make_user(Role.DATA_SCIENTIST, "dana")
    before_users, before_events = user_count(store), len(events(store))
    at = users_page
    gen = form_generation(at)
    create_via_form(at, "DANA", PASSWORD, Role.AUDITOR, display_name="Another Dana")

    assert messages(at, "error") == ["Username 'dana' is already taken."]
    assert messages(at, "success") == []
    assert user_count(store) == before_users
    assert len(events(store)) == before_events
    assert user_named(store, "dana").role is Role.DATA_SCIENTIST
    # The form keeps what was typed so it can be corrected.
    assert form_generation(at) == gen
    assert new_user_field(at, "username").value == "DANA"


def test_short_password_is_refused_and_creates_nothing(store, users_page):
    create_via_form(users_page, "shorty", "short")

    assert len(messages(users_page, "error")) == 1
    assert messages(users_page, "error")[0].startswith("Password too short")
    assert user_named(store, "shorty") is None


def test_change_role_is_applied_and_audited(store, users_page, make_user):
    dana = make_user(Role.DATA_SCIENTIST, "dana")
    at = users_page
    ok(at.run())  # dana appears in the account list
    _choose_account(at, "dana")
    assert _role_box(at).value is Role.DATA_SCIENTIST  # starts at her current role
    assert at.button(key="edit_role_apply").disabled

    ok(_role_box(at).set_value(Role.COMPLIANCE_OFFICER).run())
    assert not at.button(key="edit_role_apply").disabled
    ok(at.button(key="edit_role_apply").click().run())

    assert messages(at, "success") == ["dana is now Compliance officer."]
    assert user_named(store, "dana").role is Role.COMPLIANCE_OFFICER
    [event] = events(store, "user.role_changed")
    assert event.actor == "admin"
    assert event.resource_id == str(dana.id)
    assert event.details == {
        "username": "dana",
        "before": {"role": "data_scientist"},
        "after": {"role": "compliance_officer"},
    }


def test_the_last_administrator_keeps_the_role(store, users_page):
    at = users_page
    _choose_account(at, "admin")
    ok(_role_box(at).set_value(Role.AUDITOR).run())
    ok(at.button(key="edit_role_apply").click().run())

    assert messages(at, "error") == [
        "This is the last active administrator: appoint another one first."
    ]
    assert user_named(store, "admin").role is Role.ADMIN
    assert events(store, "user.role_changed") == []


def test_deactivate_needs_the_confirmation_and_is_audited(store, users_page, make_user):
    erin = make_user(Role.EXECUTIVE, "erin")
    at = users_page
    ok(at.run())
    _choose_account(at, "erin")

    assert shown(_confirm_box(at).label) == "Yes, deactivate erin"
    assert _confirm_box(at).value is False
    assert at.button(key="edit_deactivate").disabled
    with pytest.raises(AppTestError, match="disabled"):
        at.button(key="edit_deactivate").click()
    assert user_named(store, "erin").is_active

    ok(_confirm_box(at).check().run())
    assert not at.button(key="edit_deactivate").disabled
    ok(at.button(key="edit_deactivate").click().run())

    assert messages(at, "success") == ["erin deactivated."]
    assert not user_named(store, "erin").is_active
    [event] = events(store, "user.deactivated")
    assert (event.actor, event.resource_id) == ("admin", str(erin.id))
    assert event.details["after"] == {"is_active": False}
    # The account stays listed, now offering reactivation instead.
    assert "erin" in _table_usernames(at)
    assert at.selectbox(key="edit_user").value == "erin"
    assert "(deactivated)" in at.selectbox(key="edit_user").format_func("erin")
    assert not [c for c in at.checkbox if c.label.startswith("Yes, deactivate")]

    ok(at.button(key="edit_reactivate").click().run())
    assert messages(at, "success") == ["erin reactivated."]
    assert user_named(store, "erin").is_active
    assert len(events(store, "user.reactivated")) == 1


def test_confirmation_does_not_carry_over_to_another_account(store, users_page, make_user):
    make_user(Role.EXECUTIVE, "erin")
    make_user(Role.EXECUTIVE, "emil")
    at = users_page
    ok(at.run())
    _choose_account(at, "erin")
    ok(_confirm_box(at).check().run())

    _choose_account(at, "emil")

    assert shown(_confirm_box(at).label) == "Yes, deactivate emil"
    assert _confirm_box(at).value is False
    assert at.button(key="edit_deactivate").disabled


def test_new_role_starts_at_each_chosen_accounts_role(users_page, make_user):
    make_user(Role.AUDITOR, "audrey")
    make_user(Role.EXECUTIVE, "erin")
    at = users_page
    ok(at.run())
    assert _role_box(at).value is Role.ADMIN  # the first account, admin

    for name, role in (("audrey", Role.AUDITOR), ("erin", Role.EXECUTIVE)):
        _choose_account(at, name)
        assert _role_box(at).value is role, name
        assert at.button(key="edit_role_apply").disabled, name


def test_an_administrator_cannot_deactivate_themself(store, users_page):
    at = users_page
    _choose_account(at, "admin")
    ok(_confirm_box(at).check().run())
    ok(at.button(key="edit_deactivate").click().run())

    assert messages(at, "error") == ["You cannot deactivate your own account."]
    assert user_named(store, "admin").is_active
    assert events(store, "user.deactivated") == []


def test_reset_password_lets_the_user_sign_in_with_it(store, users_page, make_user):
    make_user(Role.AUDITOR, "audrey")
    at = users_page
    ok(at.run())
    _choose_account(at, "audrey")
    new_password = "a brand new passphrase"
    at.text_input(key="reset_password").input(new_password)
    ok(at.button(key="FormSubmitter:reset_password_form-Reset password").click().run())

    assert messages(at, "success") == ["Password of audrey reset."]
    assert len(events(store, "user.password_reset")) == 1
    first_sign_in("audrey", new_password)  # a reset password is temporary: changed first


def test_auditor_reads_the_table_but_gets_no_forms(make_user):
    at = signed_in(make_user(Role.AUDITOR, "audrey").username)
    open_page(at, USERS)

    assert _table_usernames(at) == ["admin", "audrey"]
    captions = [c.value for c in at.caption]
    assert "You can read accounts; only administrators change them." in captions
    assert not at.text_input
    assert not at.checkbox
    assert [b.key for b in at.button] == ["sign_out"]
    assert [s.key for s in at.selectbox] == []


def test_an_edit_of_an_account_changed_meanwhile_is_a_conflict(
    store, workbench, users_page, admin, make_user
):
    from governance.auth import service as auth

    dana = make_user(Role.DATA_SCIENTIST, "dana")
    at = users_page
    ok(at.run())
    _choose_account(at, "dana")
    ok(_role_box(at).set_value(Role.COMPLIANCE_OFFICER).run())
    # Another administrator changes dana while this page shows her as a data scientist.
    workbench.run(auth.change_role, actor=admin.actor(), user_id=dana.id, role=Role.AUDITOR)
    ok(at.button(key="edit_role_apply").click().run())
    assert messages(at, "error") == [
        "Someone else changed this account meanwhile: reload and retry."
    ]
    assert user_named(store, "dana").role is Role.AUDITOR
    assert len(events(store, "user.role_changed")) == 1
