"""Reading the stored chain as text, streamed, for verification and proofs.

Each backend is asked for exactly the text the chain hashes: the time in the ISO form of
:func:`governance.audit.chain._iso` (UTC, microseconds) and the details as stored. Rows come
as plain tuples through a server-side cursor on PostgreSQL and a stepped cursor on SQLite, a
batch at a time, so memory stays flat however long the chain is. Any row the text does not fit
(written in an older form) falls back to :func:`reference_hash`, the reference computation.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from governance.audit.chain import EventFields, event_hash
from governance.audit.models import AuditEvent
from governance.audit.walk import RawEvent

# Fixed text, no input in it (bound parameters only). SQLAlchemy stores a SQLite DATETIME as
# 'YYYY-MM-DD HH:MM:SS.ffffff' (UTC, no zone); PostgreSQL is asked for the same ISO text.
_EVENTS = {
    "sqlite": (
        "SELECT id, replace(occurred_at, ' ', 'T') || '+00:00', actor, actor_role, action, "
        "resource_type, resource_id, details, prev_hash, hash "
        "FROM audit_events WHERE id > :after AND id <= :upto ORDER BY id"
    ),
    "postgresql": (
        "SELECT id, to_char(occurred_at AT TIME ZONE 'UTC', "
        "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"+00:00\"'), actor, actor_role, action, "
        "resource_type, resource_id, details::text, prev_hash, hash "
        "FROM audit_events WHERE id > :after AND id <= :upto ORDER BY id"
    ),
}
_NO_END = 2**62


def _stream(session: Session, sql: str, params: dict[str, int], batch: int) -> Iterator[tuple]:
    result = session.execute(
        text(sql).execution_options(stream_results=True, yield_per=batch), params
    )
    try:
        for rows in result.partitions():
            yield from rows
    finally:
        result.close()


def raw_events(
    session: Session, *, after: int = 0, upto: int | None = None, batch: int = 20_000
) -> Iterator[RawEvent]:
    """Events ``after + 1`` … ``upto`` (default: the newest) as :data:`RawEvent` tuples."""
    sql = _EVENTS.get(session.get_bind().dialect.name, _EVENTS["sqlite"])
    params = {"after": after, "upto": _NO_END if upto is None else upto}
    return _stream(session, sql, params, batch)  # type: ignore[return-value]


def chain_hashes(session: Session, *, after: int, upto: int, batch: int = 50_000) -> Iterator[str]:
    """The stored hashes of events ``after + 1`` … ``upto`` in order (Merkle leaves)."""
    sql = "SELECT hash FROM audit_events WHERE id > :after AND id <= :upto ORDER BY id"
    for (digest,) in _stream(session, sql, {"after": after, "upto": upto}, batch):
        yield digest


def hash_at(session: Session, position: int) -> str | None:
    """The stored hash of event ``position`` (``None`` when there is no such event)."""
    return session.scalar(select(AuditEvent.hash).where(AuditEvent.id == position))


def head(session: Session) -> tuple[int, str | None]:
    """The newest position and its hash, ``(0, None)`` for an empty trail."""
    row = session.execute(
        select(AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)
    ).first()
    return (row[0], row[1]) if row else (0, None)


def stored_fields(row: AuditEvent) -> EventFields:
    return EventFields(
        id=row.id,
        occurred_at=row.occurred_at,
        actor=row.actor,
        actor_role=row.actor_role,
        action=row.action,
        resource_type=row.resource_type,
        resource_id=row.resource_id,
        details=row.details or {},
    )


def reference_hash(session: Session, position: int) -> str | None:
    """Event ``position``'s hash recomputed from its record, the reference way."""
    row = session.get(AuditEvent, position, populate_existing=True)
    if row is None:
        return None
    return event_hash(row.prev_hash, stored_fields(row))
