"""Why a browser session ended, and ending all of an account's sessions at once.

Kept apart from :mod:`governance.auth.browser_sessions` because the account service needs it
(deactivation and password changes end sessions) while the session store reads accounts.
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import update

from governance.auth.models import BrowserSession
from governance.kernel import UnitOfWork


class EndReason(StrEnum):
    """Stored in ``browser_sessions.revoked_reason``; each has the notice the gate shows."""

    SIGNED_OUT = "signed out"
    EXPIRED = "expired"
    DEACTIVATED = "account deactivated"
    PASSWORD_CHANGED = "password changed"  # noqa: S105 (a reason, not a password)
    PASSWORD_RESET = "password reset"  # noqa: S105 (a reason, not a password)

    @property
    def notice(self) -> str:
        return _NOTICES[self]


_NOTICES = {
    EndReason.SIGNED_OUT: "You have signed out.",
    EndReason.EXPIRED: "Your session has expired. Sign in again.",
    EndReason.DEACTIVATED: "Your account is no longer active. Ask an administrator.",
    EndReason.PASSWORD_CHANGED: "Your password was changed. Sign in with the new one.",
    EndReason.PASSWORD_RESET: "An administrator reset your password. Sign in with the new one.",
}


def revoke_user_sessions(uow: UnitOfWork, *, user_id: int, reason: EndReason) -> int:
    """End every open session of the account (pending tickets too); how many were open.

    Not audited by itself: the caller's event (deactivation, password change) says why and
    carries the count, so one action stays one event.
    """
    result = uow.session.execute(
        update(BrowserSession)
        .where(BrowserSession.user_id == user_id, BrowserSession.revoked_at.is_(None))
        .values(revoked_at=uow.now(), revoked_reason=reason.value, ticket_hash=None)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
