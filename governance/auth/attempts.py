"""Sign-in bookkeeping as single statements, right whatever the concurrency.

A flood of guesses arrives at once: reading the failure count, adding one and writing it back
would let parallel guesses overwrite each other's count, so the lock would never come. Each
attempt is instead one UPDATE that decides in the database, under the row's lock, whether the
account is locked now, counts the guess, and locks at the threshold. A correct password is
admitted by the same kind of statement, so it cannot slip in while a lock is being applied.

These updates leave ``row_version`` alone: bookkeeping must not make an administrator's edit
of the account stale.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, case, literal, or_, update

from governance.auth.models import User
from governance.config import Settings
from governance.db import UTCDateTime
from governance.kernel import UnitOfWork


@dataclass(frozen=True, slots=True)
class Counted:
    """What one wrong password did to its account."""

    locked_before: bool  # the account was already locked: the guess did not count
    locked_now_until: datetime | None  # this guess reached the threshold and locked it


def _open_at(now: datetime) -> ColumnElement[bool]:
    return or_(User.locked_until.is_(None), User.locked_until <= now)


def count_failure(uow: UnitOfWork, user_id: int, rules: Settings) -> Counted:
    """Count one wrong password for an account not locked now; lock it at the threshold."""
    now = uow.now()
    until = now + timedelta(minutes=rules.lockout_minutes)
    reaches = User.failed_attempts + 1 >= rules.lockout_threshold
    stmt = (
        update(User)
        .where(User.id == user_id, _open_at(now))
        .values(
            # The count restarts with the lock, so the account has a full allowance after it.
            failed_attempts=case((reaches, 0), else_=User.failed_attempts + 1),
            locked_until=case((reaches, literal(until, UTCDateTime())), else_=User.locked_until),
        )
        .returning(User.locked_until)
        .execution_options(synchronize_session=False)
    )
    row = uow.session.execute(stmt).first()
    if row is None:
        return Counted(locked_before=True, locked_now_until=None)
    # Below the threshold the column keeps whatever it held, perhaps a lock long expired.
    locked = row.locked_until is not None and row.locked_until > now
    return Counted(locked_before=False, locked_now_until=row.locked_until if locked else None)


def admit(uow: UnitOfWork, user_id: int) -> bool:
    """Clear the count and stamp the sign-in, unless the account is locked at this moment."""
    now = uow.now()
    stmt = (
        update(User)
        .where(User.id == user_id, _open_at(now))
        .values(failed_attempts=0, locked_until=None, last_login_at=now)
        .execution_options(synchronize_session=False)
    )
    return uow.session.execute(stmt).rowcount == 1


def stamp(uow: UnitOfWork, user_id: int) -> None:
    """Stamp a sign-in the identity provider vouched for (no password, so no count to clear)."""
    stmt = update(User).where(User.id == user_id).values(last_login_at=uow.now())
    uow.session.execute(stmt.execution_options(synchronize_session=False))
