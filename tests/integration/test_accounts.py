"""Accounts: creation rules, sign-in with lockout, deactivation, roles, single sign-on."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from governance.audit import service as audit
from governance.audit.models import AuditEvent
from governance.auth import service as auth
from governance.auth.models import User
from governance.auth.roles import Role
from governance.config import Settings
from governance.errors import (
    AuthenticationFailed,
    Conflict,
    PermissionDenied,
    ValidationError,
)
from tests.conftest import PASSWORD

SETTINGS = Settings(database_url="unused", artifact_dir=None, lockout_threshold=3)  # type: ignore[arg-type]


def events(session, action: str) -> list[AuditEvent]:
    return list(
        session.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        )
    )


def test_first_admin_only_once(uow, session, admin):
    assert admin.role is Role.ADMIN and admin.username == "admin"
    with pytest.raises(Conflict, match="already exists"):
        auth.create_first_admin(uow, username="second", password=PASSWORD)
    assert auth.user_count(uow) == 1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"username": "ab"}, "3 to 64"),
        ({"username": "bad name"}, "3 to 64"),
        ({"username": "x" * 65}, "3 to 64"),
        ({"username": "'; DROP TABLE users; --"}, "3 to 64"),
        ({"username": "<script>"}, "3 to 64"),
        ({"password": "short"}, "too short"),
        ({"role": "wizard"}, "Unknown role"),
        ({"email": "not-an-email"}, "not valid"),
        ({"password": None}, "e-mail address for single sign-on"),
        ({"display_name": "n" * 201}, "too long"),
    ],
)
def test_bad_account_input_is_refused_and_writes_nothing(uow, session, admin, kwargs, message):
    args = {"username": "valid-name", "role": "auditor", "password": PASSWORD} | kwargs
    before = audit.event_count(uow)
    with pytest.raises(ValidationError, match=message):
        auth.create_user(uow, actor=admin.actor(), **args)
    assert auth.user_count(uow) == 1
    assert audit.event_count(uow) == before


def test_duplicate_username_is_a_conflict_case_insensitively(uow, session, admin, make_user):
    make_user(Role.AUDITOR, "carol")
    with pytest.raises(Conflict, match="already taken"):
        auth.create_user(
            uow, actor=admin.actor(), username="Carol", role="executive", password=PASSWORD
        )
    assert auth.user_count(uow) == 2


def test_duplicate_email_is_a_conflict(uow, session, admin):
    auth.create_user(
        uow,
        actor=admin.actor(),
        username="user-one",
        role="auditor",
        password=PASSWORD,
        email="same@example.org",
    )
    with pytest.raises(Conflict, match="already belongs"):
        auth.create_user(
            uow,
            actor=admin.actor(),
            username="user-two",
            role="auditor",
            password=PASSWORD,
            email="SAME@example.org",
        )


def test_sign_in_succeeds_and_is_audited(uow, session, admin):
    user = auth.authenticate(uow, username=" ADMIN ", password=PASSWORD, settings=SETTINGS)
    assert user.id == admin.id and user.last_login_at is not None
    assert [e.actor for e in events(session, "auth.login")] == ["admin"]


def test_unknown_user_and_wrong_password_read_the_same(uow, session, admin):
    for name, pw in (("nobody", PASSWORD), ("admin", "wrong password!!")):
        with pytest.raises(AuthenticationFailed) as info:
            auth.authenticate(uow, username=name, password=pw, settings=SETTINGS)
        assert str(info.value) == auth.WRONG_CREDENTIALS
    reasons = [e.details["reason"] for e in events(session, "auth.login_failed")]
    assert reasons == ["unknown user", "wrong password"]


def test_locked_unknown_and_wrong_do_the_same_work_and_say_the_same(
    uow, session, make_user, monkeypatch
):
    from governance.auth import passwords

    make_user(Role.AUDITOR, "lena")
    for _ in range(SETTINGS.lockout_threshold):
        with pytest.raises(AuthenticationFailed):
            auth.authenticate(uow, username="lena", password="wrong wrong!!", settings=SETTINGS)
    real = passwords._hasher
    calls: list[str] = []

    class Counting:
        # Delegates to the real hasher; counts the expensive verifications.
        def __getattr__(self, name):
            return getattr(real, name)

        def verify(self, stored, given):
            calls.append("verify")
            return real.verify(stored, given)

    monkeypatch.setattr(passwords, "_hasher", Counting())
    answers = []
    for name, pw in (("lena", PASSWORD), ("nobody-here", PASSWORD), ("admin", "wrong!!wrong!!")):
        before = len(calls)
        with pytest.raises(AuthenticationFailed) as refused:
            auth.authenticate(uow, username=name, password=pw, settings=SETTINGS)
        answers.append((str(refused.value), len(calls) - before))
    assert answers == [(auth.WRONG_CREDENTIALS, 1)] * 3


def test_lockout_after_repeated_failures_then_reset_lifts_it(uow, session, admin, make_user):
    dan = make_user(Role.DATA_SCIENTIST, "dan")
    for _ in range(SETTINGS.lockout_threshold - 1):
        with pytest.raises(AuthenticationFailed, match="Wrong"):
            auth.authenticate(uow, username="dan", password="nope nope nope", settings=SETTINGS)
    # The attempt that locks, and any attempt while locked, read as a wrong password: a guesser
    # learns nothing of the account; the audit trail records the lock.
    with pytest.raises(AuthenticationFailed) as locking:
        auth.authenticate(uow, username="dan", password="nope nope nope", settings=SETTINGS)
    assert str(locking.value) == auth.WRONG_CREDENTIALS
    # Even the right password is refused while locked.
    with pytest.raises(AuthenticationFailed) as while_locked:
        auth.authenticate(uow, username="dan", password=PASSWORD, settings=SETTINGS)
    assert str(while_locked.value) == auth.WRONG_CREDENTIALS
    assert events(session, "auth.login_failed")[-1].details["reason"] == "account locked"
    assert len(events(session, "auth.account_locked")) == 1
    stored = session.get(User, dan.id)
    assert stored.locked_until is not None
    assert stored.locked_until - stored.created_at < timedelta(minutes=16)

    auth.reset_password(uow, actor=admin.actor(), user_id=dan.id, new_password=PASSWORD + "!")
    assert (
        auth.authenticate(uow, username="dan", password=PASSWORD + "!", settings=SETTINGS).id
        == dan.id
    )


def test_success_resets_the_failure_count(uow, session, make_user):
    make_user(Role.AUDITOR, "erin")
    for _ in range(SETTINGS.lockout_threshold - 1):
        with pytest.raises(AuthenticationFailed):
            auth.authenticate(uow, username="erin", password="bad bad bad bad", settings=SETTINGS)
    auth.authenticate(uow, username="erin", password=PASSWORD, settings=SETTINGS)
    uow.commit()  # as the sign-in form's unit does
    with pytest.raises(AuthenticationFailed, match="Wrong"):
        auth.authenticate(uow, username="erin", password="bad bad bad bad", settings=SETTINGS)


def test_deactivated_user_cannot_sign_in_and_is_told_so(uow, session, admin, make_user):
    frank = make_user(Role.EXECUTIVE, "frank")
    auth.set_active(uow, actor=admin.actor(), user_id=frank.id, active=False)
    uow.commit()  # as the page's unit does; the refused sign-ins below end their own units
    with pytest.raises(AuthenticationFailed, match="deactivated"):
        auth.authenticate(uow, username="frank", password=PASSWORD, settings=SETTINGS)
    # A wrong password does not reveal that the account is deactivated.
    with pytest.raises(AuthenticationFailed, match="Wrong"):
        auth.authenticate(uow, username="frank", password="bad bad bad bad", settings=SETTINGS)
    auth.set_active(uow, actor=admin.actor(), user_id=frank.id, active=True)
    assert auth.authenticate(uow, username="frank", password=PASSWORD, settings=SETTINGS)


def test_role_change_is_audited_with_before_and_after(uow, session, admin, make_user):
    gail = make_user(Role.DATA_SCIENTIST, "gail")
    auth.change_role(uow, actor=admin.actor(), user_id=gail.id, role="compliance_officer")
    (event,) = events(session, "user.role_changed")
    assert event.details["before"] == {"role": "data_scientist"}
    assert event.details["after"] == {"role": "compliance_officer"}
    assert event.actor == "admin" and event.resource_id == str(gail.id)


def test_last_admin_is_protected(uow, session, admin, make_user):
    with pytest.raises(Conflict, match="last active administrator"):
        auth.change_role(uow, actor=admin.actor(), user_id=admin.id, role="auditor")
    with pytest.raises(Conflict, match="own account"):
        auth.set_active(uow, actor=admin.actor(), user_id=admin.id, active=False)
    second = make_user(Role.ADMIN, "second-admin")
    auth.change_role(uow, actor=second.actor(), user_id=admin.id, role="auditor")
    assert session.get(User, admin.id).role == "auditor"


def test_users_are_never_deleted(uow, session, admin, make_user):
    hank = make_user(Role.AUDITOR, "hank")
    auth.set_active(uow, actor=admin.actor(), user_id=hank.id, active=False)
    names = [u.username for u in auth.list_users(uow, actor=admin.actor())]
    assert "hank" in names
    assert not hasattr(auth, "delete_user")


def test_concurrent_edits_conflict(workbench, admin, make_user):
    ivy = make_user(Role.AUDITOR, "ivy")
    with workbench.unit() as first, workbench.unit() as second:
        u2 = second.session.get(User, ivy.id)
        # A governed edit (it moves the account's version) commits first.
        auth.change_role(first, actor=admin.actor(), user_id=ivy.id, role=Role.EXECUTIVE)
        first.commit()
        u2.display_name = "Ivy Two"
        with pytest.raises(Conflict, match="meanwhile"):
            second.flush("this account")
    with workbench.unit() as check:
        user = check.session.get(User, ivy.id)
        assert (user.role, user.display_name) == ("executive", "ivy")


def test_change_own_password(uow, session, make_user):
    jo = make_user(Role.EXECUTIVE, "joan")
    with pytest.raises(ValidationError, match="current password is wrong"):
        auth.change_own_password(
            uow,
            actor=jo.actor(),
            current_password="guess guess guess",
            new_password="a brand new password",
        )
    auth.change_own_password(
        uow, actor=jo.actor(), current_password=PASSWORD, new_password="a brand new password"
    )
    assert auth.authenticate(
        uow, username="joan", password="a brand new password", settings=SETTINGS
    )


def test_single_sign_on_maps_email_to_the_account_and_role(uow, session, admin):
    auth.create_user(
        uow,
        actor=admin.actor(),
        username="kim",
        role="auditor",
        password=None,
        email="Kim@Example.org",
    )
    user = auth.authenticate_oidc(uow, email="kim@example.org", subject="sub-123")
    assert user.username == "kim" and user.role is Role.AUDITOR
    (login,) = events(session, "auth.login")
    assert login.details == {"method": "oidc", "subject": "sub-123"}
    # No password: password sign-in never works for this account.
    with pytest.raises(AuthenticationFailed):
        auth.authenticate(uow, username="kim", password="", settings=SETTINGS)


def test_single_sign_on_refuses_unknown_email(uow, session, admin):
    with pytest.raises(AuthenticationFailed, match="no active account"):
        auth.authenticate_oidc(uow, email="stranger@example.org")
    (failed,) = events(session, "auth.login_failed")
    assert "single sign-on" in failed.details["reason"]


def test_system_actor_has_no_own_password(uow, session):
    from governance.actor import Actor

    with pytest.raises(PermissionDenied):
        auth.change_own_password(
            uow, actor=Actor.command_line(), current_password="x", new_password="y" * 12
        )


def test_a_wrong_current_password_counts_as_a_failed_guess(workbench, make_user):
    """Before: refused but neither counted nor audited, so a borrowed session could guess."""
    jo = make_user(Role.EXECUTIVE, "jody")
    threshold = workbench.settings.lockout_threshold
    for _ in range(threshold):
        with pytest.raises(ValidationError, match="current password is wrong"):
            workbench.run(
                auth.change_own_password,
                actor=jo.actor(),
                current_password="guess guess guess",
                new_password="a brand new password",
            )
    with workbench.unit() as check:
        user = check.session.get(User, jo.id)
        assert user.locked_until is not None  # locked at the threshold, as sign-ins are
        failures = check.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "auth.login_failed",
                                     AuditEvent.resource_id == str(jo.id))
        ).all()  # fmt: skip
        assert len(failures) == threshold
        assert {e.details["reason"] for e in failures} == {"wrong password"}
    with pytest.raises(AuthenticationFailed):
        workbench.run(auth.authenticate, username="jody", password=PASSWORD)
