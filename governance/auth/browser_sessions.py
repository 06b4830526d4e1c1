"""Server-side browser sessions: opened at sign-in, found on every run, ended and revoked.

The browser holds only an opaque token in an HttpOnly cookie; the records hold its SHA-256
hash. A Streamlit script cannot set an HTTP cookie, so sign-in is a handoff: the script checks
the password and :func:`open_session` returns a one-time ticket (valid
:data:`TICKET_SECONDS`); the browser is sent to ``/auth/session?ticket=…``, whose route calls
:func:`redeem_ticket` and sets the cookie. The token itself never appears in a URL.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update

from governance.actor import Actor
from governance.audit.events import AuditAction, Event, Resource
from governance.auth.models import BrowserSession, User
from governance.auth.service import UserInfo, user_info
from governance.auth.session_ends import EndReason
from governance.auth.sessions import session_expiry_reason
from governance.kernel import UnitOfWork

TICKET_SECONDS = 60
# ``last_seen_at`` is written at most this often. Writing it on every run would make each
# widget click a database write (and, on SQLite, a wait for the one write lock); the price is
# that the idle limit is measured from a time up to a minute old, so a session may end up to a
# minute before the idle limit, never after.
LAST_SEEN_EVERY = timedelta(minutes=1)


def digest(secret: str) -> str:
    """The SHA-256 hex digest kept in place of a token or ticket."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Handoff:
    """A pending session and the ticket the browser exchanges for its cookie."""

    session_id: int
    ticket: str


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """What the cookie carries, and how long it may live (seconds, the absolute limit)."""

    token: str
    max_age: int


@dataclass(frozen=True, slots=True)
class SessionCheck:
    """The outcome of looking a session up on a script run.

    ``user`` is set while the session is valid; otherwise ``notice`` says why it is not (for
    the sign-in form), or is ``None`` when there was no session to look for.
    """

    user: UserInfo | None
    session_id: int | None = None
    signed_in_at: datetime | None = None
    notice: str | None = None


def open_session(uow: UnitOfWork, *, user_id: int, method: str) -> Handoff:
    """A pending session for an account that has just proved who it is.

    Not audited here: the sign-in that precedes it (``auth.login``) is the event.
    """
    now = uow.now()
    ticket = secrets.token_urlsafe(32)
    record = BrowserSession(
        user_id=user_id,
        ticket_hash=digest(ticket),
        ticket_expires_at=now + timedelta(seconds=TICKET_SECONDS),
        method=method,
        created_at=now,
        last_seen_at=now,
        expires_at=now + timedelta(hours=uow.settings.session_max_hours),
    )
    uow.session.add(record)
    uow.flush("this session")
    return Handoff(record.id, ticket)


def redeem_ticket(uow: UnitOfWork, *, ticket: str) -> IssuedToken | None:
    """Exchange a ticket for the session's token, once; ``None`` for a used, expired or
    unknown ticket.

    One conditional UPDATE does it: of two requests with the same ticket, only the one whose
    UPDATE matched the row wins (PostgreSQL re-checks the condition after the first commits;
    SQLite lets one writer in at a time).
    """
    if not ticket or len(ticket) > 200:
        return None
    now = uow.now()
    token = secrets.token_urlsafe(32)
    token_hash = digest(token)
    result = uow.session.execute(
        update(BrowserSession)
        .where(
            BrowserSession.ticket_hash == digest(ticket),
            BrowserSession.ticket_expires_at > now,
            BrowserSession.revoked_at.is_(None),
            BrowserSession.expires_at > now,
        )
        .values(token_hash=token_hash, ticket_hash=None, ticket_expires_at=None)
        .execution_options(synchronize_session=False)
    )
    if (result.rowcount or 0) != 1:  # type: ignore[attr-defined]
        return None
    expires_at = uow.session.scalar(
        select(BrowserSession.expires_at).where(BrowserSession.token_hash == token_hash)
    )
    assert expires_at is not None  # the row just updated
    return IssuedToken(token, max(1, int((expires_at - now).total_seconds())))


def check_session(
    uow: UnitOfWork, *, session_id: int | None = None, token: str | None = None
) -> SessionCheck:
    """The session a run belongs to, by the id this tab remembers or else the cookie's token.

    One indexed query reads the session and its account. A session past a limit is ended
    here (audited as a sign-out, ``session expired``); an account deactivated meanwhile ends
    its session too.
    """
    if session_id is not None:
        condition = BrowserSession.id == session_id
    elif token:
        condition = BrowserSession.token_hash == digest(token)
    else:
        return SessionCheck(None)
    row = uow.session.execute(
        select(BrowserSession, User)
        .join(User, User.id == BrowserSession.user_id)
        .where(condition)
        .execution_options(populate_existing=True)
    ).first()
    if row is None:
        return SessionCheck(None, notice=EndReason.EXPIRED.notice)
    record, account = row
    if record.revoked_at is not None:
        return SessionCheck(None, notice=_notice_of(record.revoked_reason))
    user = user_info(account)
    if not user.is_active:
        _revoke(uow, record, EndReason.DEACTIVATED)
        return SessionCheck(None, notice=EndReason.DEACTIVATED.notice)
    now = uow.now()
    expired = session_expiry_reason(
        signed_in_at=record.created_at,
        last_seen_at=record.last_seen_at,
        now=now,
        settings=uow.settings,
    )
    if expired:
        _revoke(uow, record, EndReason.EXPIRED)
        _record_logout(uow, user.actor(), "session expired")
        return SessionCheck(None, notice=expired)
    if now - record.last_seen_at >= LAST_SEEN_EVERY:
        record.last_seen_at = now
        uow.flush("this session")
    return SessionCheck(user, record.id, record.created_at)


def end_session(uow: UnitOfWork, *, actor: Actor, session_id: int) -> bool:
    """Sign out: revoke the session and audit it; ``False`` if it had ended already (a second
    click records nothing more)."""
    record = uow.session.get(BrowserSession, session_id, populate_existing=True)
    if record is None or record.revoked_at is not None or record.user_id != actor.user_id:
        return False
    _revoke(uow, record, EndReason.SIGNED_OUT)
    _record_logout(uow, actor, "signed out")
    return True


def _revoke(uow: UnitOfWork, record: BrowserSession, reason: EndReason) -> None:
    record.revoked_at = uow.now()
    record.revoked_reason = reason.value
    record.ticket_hash = None
    uow.flush("this session")


def _record_logout(uow: UnitOfWork, actor: Actor, reason: str) -> None:
    uow.record(actor, Event(AuditAction.LOGOUT, Resource.USER, actor.user_id, {"reason": reason}))


def _notice_of(reason: str | None) -> str:
    try:
        return EndReason(reason or "").notice
    except ValueError:  # a reason written by a newer version: say it plainly
        return EndReason.EXPIRED.notice
