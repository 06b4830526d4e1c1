"""The audit event record (append-only, hash-chained) and the marks of verified positions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from governance.audit.chain import canonical_json
from governance.db.base import Base, UTCDateTime


class CanonicalJSON(TypeDecorator[Any]):
    """JSON stored as its canonical text (sorted keys, no spaces, UTF-8 kept).

    That is the text the chain hashes, so a verifier hashes the stored text as it is instead
    of parsing and re-serialising every event (see :mod:`governance.audit.walk`). Reading is
    plain JSON. Rows written before this type are still verified, more slowly.
    """

    impl = JSON
    cache_ok = True

    def bind_processor(self, dialect: Dialect) -> Callable[[Any], Any]:
        if dialect.name == "postgresql":
            from psycopg.types.json import Json

            return lambda value: None if value is None else Json(value, dumps=canonical_json)
        return lambda value: None if value is None else canonical_json(value)


class AuditEvent(Base):
    """One thing that happened, attributable to an actor.

    ``id`` is the position in the chain (1, 2, 3, …), assigned by the writer under a lock, and
    ``prev_hash`` is unique, so the chain cannot fork.
    """

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    actor: Mapped[str] = mapped_column(String(100), index=True)
    actor_role: Mapped[str | None] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(100), index=True)
    resource_type: Mapped[str] = mapped_column(String(50), index=True)
    resource_id: Mapped[str | None] = mapped_column(String(100))
    details: Mapped[dict[str, Any]] = mapped_column(CanonicalJSON())
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditMark(Base):
    """A position of the chain that was verified: event ``size`` had hash ``head_hash``.

    ``latest`` is where the next incremental check starts; ``full`` is the last verification
    of every event. Bookkeeping, not evidence: someone who can rewrite the trail can rewrite
    these too, which makes an incremental check start from a forged position. A full
    verification recomputes everything anyway, and an external checkpoint catches the rest,
    so tampering with a mark gains nothing against either.
    """

    __tablename__ = "audit_marks"

    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    head_hash: Mapped[str] = mapped_column(String(64))
    verified_at: Mapped[datetime] = mapped_column(UTCDateTime())
