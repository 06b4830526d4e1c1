"""The sign-in gate: first administrator, password sign-in, single sign-on, expiry, sign-out.

Session state holds only the user's id and two times; the role and active flag are re-read
from the records on every run, so a role change or deactivation takes effect at once.
"""

from __future__ import annotations

from datetime import datetime

import streamlit as st

from governance.auth import service as auth
from governance.auth.passwords import MIN_PASSWORD_LENGTH
from governance.auth.service import UserInfo
from governance.auth.sessions import session_expiry_reason
from governance.clock import utcnow
from governance.errors import GovernanceError
from ui.resources import settings, workbench
from ui.text import markdown_text

_USER = "auth_user_id"
_SIGNED_IN = "auth_signed_in_at"
_LAST_SEEN = "auth_last_seen_at"
_NOTICE = "auth_notice"
_RUN_USER = "auth_run_user"  # set by admit() at the start of every run


def _start_session(user: UserInfo) -> None:
    now = utcnow()
    st.session_state[_USER] = user.id
    st.session_state[_SIGNED_IN] = now
    st.session_state[_LAST_SEEN] = now


def _end_session(notice: str | None = None) -> None:
    for key in (_USER, _SIGNED_IN, _LAST_SEEN, _RUN_USER):
        st.session_state.pop(key, None)
    if notice:
        st.session_state[_NOTICE] = notice


def sign_out(user: UserInfo, reason: str = "signed out") -> None:
    workbench().run(auth.record_logout, actor=user.actor(), reason=reason)
    _end_session("You have signed out." if reason == "signed out" else None)
    if _oidc_configured() and _oidc_logged_in():
        st.logout()


def _oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all: single sign-on is simply not configured
        return False


def _oidc_logged_in() -> bool:
    try:
        return bool(st.user.is_logged_in)
    except Exception:
        return False


def _narrow() -> st.delta_generator.DeltaGenerator:
    """A centred column: sign-in forms read better narrow on a wide layout."""
    return st.columns([1, 2, 1])[1]


def _first_admin_form() -> None:
    st.title("Welcome to the AI governance workbench")
    st.info(
        "No accounts exist yet. Create the first administrator: this account then creates "
        "the others and assigns their roles."
    )
    with st.form("setup_form"):
        username = st.text_input("Username", key="setup_username", max_chars=64)
        display_name = st.text_input("Full name", key="setup_display_name", max_chars=200)
        password = st.text_input(
            "Password",
            type="password",
            key="setup_password",
            help=f"At least {MIN_PASSWORD_LENGTH} characters.",
        )
        repeat = st.text_input("Repeat the password", type="password", key="setup_password2")
        submitted = st.form_submit_button("Create administrator", type="primary")
    if not submitted:
        return
    if password != repeat:
        st.error("The two passwords differ.")
        return
    try:
        user = workbench().run(
            auth.create_first_admin,
            username=username,
            password=password,
            display_name=display_name,
        )
    except GovernanceError as exc:
        st.error(markdown_text(str(exc)))
        return
    st.session_state[_NOTICE] = (
        f"Administrator {user.username} created. Sign in with the new password."
    )
    st.rerun()


def _login_form() -> None:
    st.title("Sign in")
    st.caption("AI governance workbench")
    notice = st.session_state.pop(_NOTICE, None)
    if notice:
        st.info(markdown_text(notice))  # may quote a username
    if _oidc_configured():
        st.button("Sign in with single sign-on", key="login_sso", on_click=st.login)
        st.divider()
    with st.form("login_form"):
        username = st.text_input("Username", key="login_username", max_chars=64)
        password = st.text_input("Password", type="password", key="login_password")
        submitted = st.form_submit_button("Sign in", type="primary")
    rules = settings()
    st.caption(
        f"After {rules.lockout_threshold} failed attempts an account is locked for "
        f"{rules.lockout_minutes} minutes; an administrator's password reset lifts it."
    )
    if not submitted:
        return
    try:
        user = workbench().run(auth.authenticate, username=username, password=password)
    except GovernanceError as exc:
        st.error(markdown_text(str(exc)))
        return
    _start_session(user)
    st.rerun()


def _oidc_sign_in() -> UserInfo | None:
    try:
        email = str(st.user.get("email") or "")
        subject = st.user.get("sub")
        user = workbench().run(
            auth.authenticate_oidc, email=email, subject=str(subject) if subject else None
        )
    except GovernanceError as exc:
        st.error(markdown_text(str(exc)))
        st.button("Sign out of single sign-on", key="sso_logout", on_click=st.logout)
        return None
    _start_session(user)
    return user


def signed_in_user() -> UserInfo | None:
    """The signed-in user, re-read from the records; ``None`` when nobody is signed in.

    Ends the session (with a notice for the sign-in form) when the account was deactivated
    or the session expired, and completes a single sign-on that the provider has confirmed.
    """
    user_id = st.session_state.get(_USER)
    if user_id is None:
        if _oidc_configured() and _oidc_logged_in():
            return _oidc_sign_in()
        return None
    user = workbench().run(auth.get_user, user_id)
    if user is None or not user.is_active:
        _end_session("Your account is no longer active. Ask an administrator.")
        return None
    now = utcnow()
    reason = session_expiry_reason(
        signed_in_at=st.session_state[_SIGNED_IN],
        last_seen_at=st.session_state[_LAST_SEEN],
        now=now,
        settings=settings(),
    )
    if reason:
        sign_out(user, reason="session expired")
        st.session_state[_NOTICE] = reason
        return None
    st.session_state[_LAST_SEEN] = now
    return user


def render_gate() -> None:
    """The page shown to a visitor who is not signed in."""
    first_start = workbench().run(auth.user_count) == 0
    with _narrow():
        if first_start:
            _first_admin_form()
        else:
            _login_form()


def admit() -> UserInfo | None:
    """Resolve the signed-in user once for this script run (``app.py`` calls it first)."""
    user = signed_in_user()
    st.session_state[_RUN_USER] = user
    return user


def current_user() -> UserInfo:
    """The user ``app.py`` admitted in this run; stops the script if there is none.

    Pages run only through ``app.py``'s navigation, which admits signed-in users only and has
    just re-read the account, so pages reuse that reading instead of querying again.
    """
    user = st.session_state.get(_RUN_USER)
    if user is None:
        st.warning("Please sign in.")
        st.stop()
        raise RuntimeError("unreachable")  # st.stop raises; this satisfies the type checker
    return user


def signed_in_since() -> datetime | None:
    return st.session_state.get(_SIGNED_IN)
