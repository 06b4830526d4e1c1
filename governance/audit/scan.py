"""Reading the stored chain for verification and proofs: streamed, as the text it hashes.

Each backend assembles, per event, ``prev_hash`` followed by the canonical JSON payload
(keys in sorted order, strings escaped as Python's ``json`` does, the time in the ISO form of
:func:`governance.audit.chain._iso`, the details as stored), so a row arrives as three values
and the client only hashes it. The hashing itself stays in Python: the database under check
never vouches for itself. A row the assembled text does not fit (details written before they
were stored canonically, an unusual character the two escapers treat differently) does not
hash to its hash and is retried the slower ways of :mod:`governance.audit.walk`, so the
database's help can make a check slower but never change its verdict.

Rows come through the driver's own cursor (a server-side one on PostgreSQL), a batch at a
time: memory stays flat however long the chain is, and building SQLAlchemy rows would double
the cost of a full verification.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from governance.audit.chain import EventFields, event_hash
from governance.audit.models import AuditEvent
from governance.audit.walk import RawEvent


def _payload_sql(quote: str, occurred_at: str, details: str) -> str:
    q = quote
    return (
        f"""prev_hash || '{{"action":' || {q.format("action")} || ',"actor":' || """
        f"""{q.format("actor")} || ',"actor_role":' || {q.format("actor_role")} || """
        f"""',"details":' || {details} || ',"id":' || CAST(id AS TEXT) || """
        f"""',"occurred_at":"' || {occurred_at} || '","resource_id":' || """
        f"""{q.format("resource_id")} || ',"resource_type":' || {q.format("resource_type")} """
        "|| '}'"
    )


# Fixed text, nothing from input in it. SQLAlchemy stores a SQLite DATETIME as
# 'YYYY-MM-DD HH:MM:SS.ffffff' (UTC, no zone); PostgreSQL is asked for the same ISO text.
_TEXT = {
    "sqlite": _payload_sql(
        "json_quote({})", "replace(occurred_at, ' ', 'T') || '+00:00'", "details"
    ),
    "postgresql": _payload_sql(
        "coalesce(to_json({})::text, 'null')",
        """to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"')""",
        "details::text",
    ),
}
_PARAM = {"sqlite": ":{}", "postgresql": "%({})s"}
_RANGE = "FROM audit_events WHERE id > {after} AND id <= {upto} ORDER BY id"
_NO_END = 2**62


def _dialect(session: Session) -> str:
    name = session.get_bind().dialect.name
    return name if name in _TEXT else "sqlite"


def _stream(session: Session, columns: str, after: int, upto: int | None, batch: int) -> Iterator:
    dialect = _dialect(session)
    param = _PARAM[dialect]
    sql = f"SELECT {columns} " + _RANGE.format(  # fixed text, bound values
        after=param.format("after"), upto=param.format("upto")
    )
    params = {"after": after, "upto": _NO_END if upto is None else upto}
    # The session's own connection, so the scan sees the unit's transaction.
    raw: Any = session.connection().connection.driver_connection
    if dialect == "postgresql":
        cursor = raw.cursor(name=f"audit_scan_{uuid.uuid4().hex[:12]}")
    else:
        cursor = raw.cursor()
    try:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(batch):
            yield from rows
    finally:
        cursor.close()


def raw_events(
    session: Session, *, after: int = 0, upto: int | None = None, batch: int = 5_000
) -> Iterator[RawEvent]:
    """Events ``after + 1`` … ``upto`` (default: the newest) as :data:`RawEvent` tuples."""
    columns = f"id, {_TEXT[_dialect(session)]}, hash"
    return _stream(session, columns, after, upto, batch)


def chain_hashes(session: Session, *, after: int, upto: int, batch: int = 10_000) -> Iterator[str]:
    """The stored hashes of events ``after + 1`` … ``upto`` in order (Merkle leaves)."""
    for (digest,) in _stream(session, "hash", after, upto, batch):
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
