"""The sign-in gate: first administrator, password sign-in, single sign-on, expiry, sign-out.

The durable reference to a signed-in browser is the session cookie (set by
``web.session_routes`` after the sign-in form hands the browser a one-time ticket), so a
reload or a deep link in a new tab stays signed in. Session state only caches, per tab, the
id of the session record: every run looks the session and its account up again (one indexed
query), so a role change, deactivation, revocation or expiry takes effect at once.
"""

from __future__ import annotations

from datetime import datetime

import streamlit as st

from governance.auth import browser_sessions
from governance.auth import service as auth
from governance.auth.passwords import MIN_PASSWORD_LENGTH
from governance.auth.service import UserInfo
from governance.clock import utcnow
from governance.errors import GovernanceError, ValidationError
from ui.feedback import flash
from ui.redirect import current_path, send_browser_to
from ui.resources import settings, workbench
from ui.text import markdown_text
from web.session_routes import COOKIE_NAME, SESSION_PATH, SIGNOUT_PATH

_SESSION = "auth_session_id"
_USER = "auth_user_id"
_SIGNED_IN = "auth_signed_in_at"
_NOTICE = "auth_notice"
_RUN_USER = "auth_run_user"  # set by admit() at the start of every run
_REDIRECT = "auth_redirect"  # where the browser goes next: sent at the start of the next run

# What the sign-in form says for a notice code in its address (set by the cookie routes,
# which never put free text in a URL).
_URL_NOTICES = {
    "signed-out": "You have signed out.",
    "ticket": "That sign-in link has expired or was already used. Please sign in again.",
    "ended": "Your session has ended. Please sign in again.",
    "password-changed": "Password changed.",
}


def _remember(session_id: int, user: UserInfo, signed_in_at: datetime) -> None:
    st.session_state[_SESSION] = session_id
    st.session_state[_USER] = user.id
    st.session_state[_SIGNED_IN] = signed_in_at


def _start_session(handoff: browser_sessions.Handoff, user: UserInfo, notice: str = "") -> None:
    """Sign this tab in at once, and send the browser for its cookie (then back here)."""
    _remember(handoff.session_id, user, utcnow())
    target = current_path() + (f"?notice={notice}" if notice else "")
    _redirect_next_run(SESSION_PATH, ticket=handoff.ticket, next=target)


def _redirect_next_run(path: str, **query: str) -> None:
    """Send the browser to ``path`` from the next run, which the caller's ``st.rerun()`` starts.

    Not at once: a new run clears the messages not yet sent to the browser (the redirect
    among them), so a redirect followed by ``st.rerun()`` would sometimes be lost.
    """
    st.session_state[_REDIRECT] = (path, query)


def _send_pending_redirect() -> None:
    pending = st.session_state.pop(_REDIRECT, None)
    if pending is not None:
        path, query = pending
        send_browser_to(path, **query)


def _end_session(notice: str | None = None) -> None:
    for key in (_SESSION, _USER, _SIGNED_IN, _RUN_USER):
        st.session_state.pop(key, None)
    if notice:
        st.session_state[_NOTICE] = notice


def sign_out(user: UserInfo) -> None:
    """Revoke this browser's session (audited), then have the browser drop its cookie."""
    session_id = st.session_state.get(_SESSION)
    if session_id is not None:
        workbench().run(browser_sessions.end_session, actor=user.actor(), session_id=session_id)
    _end_session("You have signed out.")
    if _oidc_configured() and _oidc_logged_in():
        st.logout()  # the provider's sign-out; our cookie was never set for single sign-on
    else:
        _redirect_next_run(SIGNOUT_PATH, notice="signed-out")


def _cookie_token() -> str | None:
    try:
        value = st.context.cookies.get(COOKIE_NAME)
    except Exception:  # no browser behind this run
        return None
    return value if isinstance(value, str) and value else None  # AppTest gives a stand-in


def url_notice() -> str | None:
    """The notice named by ``?notice=`` in the address (consumed: a reload shows it no more)."""
    code = st.query_params.get("notice")
    if code is None:
        return None
    del st.query_params["notice"]
    return _URL_NOTICES.get(code)


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
        with workbench().unit() as uow:
            # Whoever chose the password is signed in at once (recorded as a sign-in).
            user = auth.create_first_admin(
                uow, username=username, password=password, display_name=display_name, sign_in=True
            )
            handoff = browser_sessions.open_session(uow, user_id=user.id, method="first start")
    except GovernanceError as exc:
        st.error(markdown_text(str(exc)))
        return
    _start_session(handoff, user)
    st.rerun()


def _login_form() -> None:
    st.title("Sign in")
    st.caption("AI governance workbench")
    notice = st.session_state.pop(_NOTICE, None) or url_notice()
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
        with workbench().unit() as uow:
            user = auth.authenticate(uow, username=username, password=password)
            handoff = browser_sessions.open_session(uow, user_id=user.id, method="password")
    except GovernanceError as exc:
        st.error(markdown_text(str(exc)))
        return
    _start_session(handoff, user)
    st.rerun()


def _oidc_sign_in() -> UserInfo | None:
    try:
        email = str(st.user.get("email") or "")
        subject = st.user.get("sub")
        with workbench().unit() as uow:
            user = auth.authenticate_oidc(
                uow, email=email, subject=str(subject) if subject else None
            )
            # No cookie of ours: the provider's sign-in already survives a reload through
            # Streamlit's identity cookie. The record gives the tab expiry and revocation.
            handoff = browser_sessions.open_session(uow, user_id=user.id, method="oidc")
    except GovernanceError as exc:
        st.error(markdown_text(str(exc)))
        st.button("Sign out of single sign-on", key="sso_logout", on_click=st.logout)
        return None
    _remember(handoff.session_id, user, utcnow())
    return user


def signed_in_user() -> UserInfo | None:
    """The signed-in user, re-read from the records; ``None`` when nobody is signed in.

    The session is the one this tab remembers, else the one the browser's cookie names (a
    reload, a new tab). Ends the session (with a notice for the sign-in form) when it was
    revoked, expired or its account deactivated, and completes a single sign-on that the
    provider has confirmed.
    """
    session_id = st.session_state.get(_SESSION)
    token = None if session_id is not None else _cookie_token()
    if session_id is None and token is None:
        if _oidc_configured() and _oidc_logged_in():
            return _oidc_sign_in()
        return None
    check = workbench().run(browser_sessions.check_session, session_id=session_id, token=token)
    if check.user is None or check.session_id is None or check.signed_in_at is None:
        _end_session(check.notice)
        return None
    _remember(check.session_id, check.user, check.signed_in_at)
    return check.user


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
    _send_pending_redirect()
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


def render_password_change(user: UserInfo) -> None:
    """The form an account must pass before any page when someone else chose its password."""
    with _narrow():
        st.title("Choose your own password")
        st.info(
            "An administrator set your password. Choose a new one that only you know "
            "before you continue."
        )
        with st.form("first_password_form"):
            current = st.text_input(
                "Password you were given", type="password", key="first_pw_current"
            )
            new = st.text_input(
                "New password",
                type="password",
                key="first_pw_new",
                help=f"At least {MIN_PASSWORD_LENGTH} characters.",
            )
            repeat = st.text_input("Repeat the new password", type="password", key="first_pw_2")
            submitted = st.form_submit_button("Set password and continue", type="primary")
    if submitted:
        with _narrow():
            change_password(user, current=current, new=new, repeat=repeat)


def change_password(user: UserInfo, *, current: str, new: str, repeat: str) -> None:
    """Change the person's own password and keep them signed in on a fresh session.

    The change revokes every session of the account (this one too: whoever else held one of
    its cookies is out); a new session is opened in the same unit and the browser fetches its
    cookie. Shows the error and returns on a refusal.
    """
    try:
        if new != repeat:
            raise ValidationError("The two new passwords differ.")
        with workbench().unit() as uow:
            auth.change_own_password(
                uow, actor=user.actor(), current_password=current, new_password=new
            )
            handoff = browser_sessions.open_session(uow, user_id=user.id, method="password")
    except GovernanceError as exc:
        st.error(markdown_text(str(exc)))
        return
    _start_session(handoff, user, notice="password-changed")
    flash("Password changed.")  # this tab; the browser's next session reads the notice code
    st.rerun()


def show_notice() -> None:
    """A signed-in page's one-off notice from its address (after a password change)."""
    notice = url_notice()
    if notice:
        st.toast(markdown_text(notice), icon=":material/check_circle:")


def signed_in_since() -> datetime | None:
    return st.session_state.get(_SIGNED_IN)
