"""Account records."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column

from governance.auth.roles import Role
from governance.db.base import Base, UTCDateTime

_ROLE_VALUES = ", ".join(f"'{r.value}'" for r in Role)


class User(Base):
    """A person who signs in. Never deleted: history must keep naming them."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint(f"role IN ({_ROLE_VALUES})", name="role_known"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320), unique=True)
    role: Mapped[str] = mapped_column(String(32))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(100))
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set when someone else chose the password (an administrator creating the account or
    # resetting it): the gate asks for a new one before any page. Cleared by the own change.
    must_change_password: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    # Optimistic locking: two administrators editing one account cannot overwrite each other.
    # Governed edits move it themselves (auth.service._changed); sign-in bookkeeping does not,
    # yet every UPDATE still checks it, so a lost race is still caught.
    row_version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": row_version, "version_id_generator": False}  # noqa: RUF012


class BrowserSession(Base):
    """A signed-in browser: what its session cookie refers to.

    Only SHA-256 hashes of the secrets are kept: someone who reads the database (a backup, a
    replica) learns no cookie or ticket that would let them act as the person. A session is
    first *pending*: created at sign-in with a one-time ticket that the browser exchanges, at
    ``/auth/session``, for the cookie's token; the exchange clears the ticket.
    """

    __tablename__ = "browser_sessions"
    __table_args__ = (Index("ix_browser_sessions_user_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # Unique, hence indexed: the per-run lookup by cookie is one index probe. NULL until the
    # ticket is exchanged (both databases allow many NULLs in a unique column).
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    ticket_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    ticket_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    method: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_reason: Mapped[str | None] = mapped_column(String(32))
