"""An open session ends on the next run when the account is deactivated or the session expires."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from governance.auth import service as auth
from governance.auth.models import BrowserSession
from governance.auth.roles import Role
from governance.clock import utcnow
from tests.app.support import (
    ACCOUNT,
    AUDIT_TRAIL,
    OVERVIEW,
    events,
    messages,
    new_app,
    ok,
    open_page,
    shows_login_form,
    sign_in,
    signed_in,
    titles,
)

pytestmark = pytest.mark.app


@pytest.mark.parametrize("page", [OVERVIEW, ACCOUNT])
def test_deactivation_ends_an_open_session_on_the_next_run(
    workbench, store, admin, make_user, page
):
    xavier = make_user(Role.COMPLIANCE_OFFICER, "xavier")
    at = signed_in(xavier.username)
    open_page(at, page)
    assert not shows_login_form(at)

    workbench.run(auth.set_active, actor=admin.actor(), user_id=xavier.id, active=False)
    ok(at.run())

    assert shows_login_form(at)
    assert titles(at) == ["Sign in"]
    assert messages(at, "info") == ["Your account is no longer active. Ask an administrator."]
    assert "auth_user_id" not in at.session_state
    assert "auth_session_id" not in at.session_state
    assert not at.sidebar.markdown

    # Signing in again is refused, even with the right password.
    sign_in(at, "xavier")
    assert shows_login_form(at)
    assert messages(at, "error") == [
        "This account has been deactivated. Ask an administrator to reactivate it."
    ]
    [failure] = events(store, "auth.login_failed")
    assert failure.details == {"reason": "account deactivated"}


def test_role_change_applies_on_the_next_run(workbench, store, admin, make_user):
    erin = make_user(Role.EXECUTIVE, "erin")
    at = signed_in(erin.username)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(AUDIT_TRAIL)

    workbench.run(auth.change_role, actor=admin.actor(), user_id=erin.id, role=Role.AUDITOR)
    ok(at.run())  # the role is re-read: the audit trail is now in the navigation

    open_page(at, AUDIT_TRAIL)
    assert titles(at) == ["Audit trail"]
    assert not messages(at, "error")


def _age_session(store, at, **times) -> None:
    """Move this tab's session record back in time (as if it were idle or old)."""
    with store.session() as session, session.begin():
        session.execute(
            update(BrowserSession)
            .where(BrowserSession.id == at.session_state["auth_session_id"])
            .values(**times)
        )


def _last_seen(store, at):
    with store.session() as session:
        return session.get(BrowserSession, at.session_state["auth_session_id"]).last_seen_at


def test_idle_session_is_signed_out_with_a_notice(store, admin):
    at = signed_in(admin.username)
    _age_session(store, at, last_seen_at=utcnow() - timedelta(minutes=31))
    ok(at.run())

    assert shows_login_form(at)
    assert messages(at, "info") == ["Signed out after 30 minutes without activity."]
    [logout] = events(store, "auth.logout")
    assert logout.details == {"reason": "session expired"}


def test_activity_within_the_idle_limit_keeps_the_session(store, admin):
    at = signed_in(admin.username)
    _age_session(store, at, last_seen_at=utcnow() - timedelta(minutes=29))
    ok(at.run())

    assert titles(at) == ["Overview"]
    assert utcnow() - _last_seen(store, at) < timedelta(minutes=1)


def test_sessions_end_after_the_maximum_length(store, admin, monkeypatch):
    monkeypatch.setenv("GOVERNANCE_SESSION_MAX_HOURS", "2")
    at = signed_in(admin.username)
    _age_session(store, at, created_at=utcnow() - timedelta(hours=2, minutes=1))
    ok(at.run())

    assert shows_login_form(at)
    assert messages(at, "info") == ["Signed out: sessions last at most 2 hours."]


def test_a_new_browser_session_is_not_signed_in(admin):
    signed_in(admin.username)

    assert shows_login_form(new_app())  # sessions share nothing
