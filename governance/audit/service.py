"""Appending, reading, verifying and exporting audit events.

Events are written in the caller's transaction, so a change and its audit event commit or roll
back together.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from governance.actor import Actor
from governance.audit.chain import (
    ChainReport,
    StoredEvent,
    canonical_json,
    verify_events,
)
from governance.audit.events import AuditAction, Event, Resource
from governance.audit.models import AuditEvent
from governance.audit.scan import stored_fields
from governance.audit.verification import verify_full
from governance.auth.roles import Action
from governance.kernel import UnitOfWork, authorize

EVENT_COLUMNS = [
    "id",
    "occurred_at",
    "actor",
    "actor_role",
    "action",
    "resource_type",
    "resource_id",
    "details",
    "hash",
]


def _stored(row: AuditEvent) -> StoredEvent:
    return StoredEvent(fields=stored_fields(row), prev_hash=row.prev_hash, hash=row.hash)


def _iter_chain(session: Session, batch: int = 2000) -> Iterator[StoredEvent]:
    # Streamed in id order so a long chain never sits in memory at once.
    result = session.execute(
        select(AuditEvent).order_by(AuditEvent.id).execution_options(yield_per=batch)
    )
    for row in result.scalars():
        yield _stored(row)


def verify_chain(uow: UnitOfWork) -> ChainReport:
    """Recompute every link of the stored chain (a full verification; see
    :mod:`governance.audit.verification` for the incremental one and what each proves).

    No permission is needed: whether the trail is intact is not itself a secret, and the
    overview shows it to every role.
    """
    return verify_full(uow).report


def verify_session_chain(session: Session) -> ChainReport:
    """:func:`verify_chain` over any session: a backup's copy of a database, before it is
    restored, has no workbench of its own."""
    return verify_events(_iter_chain(session))


def event_count(uow: UnitOfWork) -> int:
    return uow.session.scalar(select(func.count()).select_from(AuditEvent)) or 0


def last_event_at(uow: UnitOfWork) -> datetime | None:
    """When the newest event happened (``None`` for an empty trail)."""
    newest = uow.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1))
    row = newest.first()
    return row.occurred_at if row else None


@dataclass(frozen=True, slots=True)
class EventFilter:
    """What the audit page and CLI filter on; empty fields do not filter."""

    actor: str | None = None
    action: str | None = None
    resource_type: str | None = None
    resource_id: str | None = None
    since: date | None = None
    until: date | None = None
    limit: int | None = None


def _filtered(flt: EventFilter) -> Any:
    stmt = select(AuditEvent)
    if flt.actor:
        stmt = stmt.where(AuditEvent.actor == flt.actor)
    if flt.action:
        # A prefix selects a family ("user." finds every account event).
        if flt.action.endswith("."):
            stmt = stmt.where(AuditEvent.action.startswith(flt.action, autoescape=True))
        else:
            stmt = stmt.where(AuditEvent.action == flt.action)
    if flt.resource_type:
        stmt = stmt.where(AuditEvent.resource_type == flt.resource_type)
    if flt.resource_id:
        stmt = stmt.where(AuditEvent.resource_id == flt.resource_id)
    if flt.since:
        start = datetime.combine(flt.since, time.min, tzinfo=UTC)
        stmt = stmt.where(AuditEvent.occurred_at >= start)
    if flt.until:
        end = datetime.combine(flt.until + timedelta(days=1), time.min, tzinfo=UTC)
        stmt = stmt.where(AuditEvent.occurred_at < end)
    stmt = stmt.order_by(AuditEvent.id.desc())
    if flt.limit:
        stmt = stmt.limit(flt.limit)
    return stmt


def _frame(rows: list[AuditEvent]) -> pd.DataFrame:
    frame = pd.DataFrame(
        [
            {
                "id": r.id,
                "occurred_at": r.occurred_at,
                "actor": r.actor,
                "actor_role": r.actor_role,
                "action": r.action,
                "resource_type": r.resource_type,
                "resource_id": r.resource_id,
                "details": _details_text(r.details),
                "hash": r.hash,
            }
            for r in rows
        ],
        columns=EVENT_COLUMNS,
    )
    frame["occurred_at"] = pd.to_datetime(frame["occurred_at"], utc=True)
    return frame


def _details_text(details: Mapping[str, Any] | None) -> str:
    return canonical_json(dict(details or {}))


def list_events(uow: UnitOfWork, *, actor: Actor, flt: EventFilter | None = None) -> pd.DataFrame:
    """Events matching ``flt``, newest first, as a frame (needs ``audit.read``)."""
    authorize(uow, actor, Action.AUDIT_READ, Resource.AUDIT_TRAIL)
    rows = list(uow.session.scalars(_filtered(flt or EventFilter())))
    return _frame(rows)


def count_events(uow: UnitOfWork, *, actor: Actor, flt: EventFilter | None = None) -> int:
    """How many events match ``flt``, whatever its limit (needs ``audit.read``)."""
    authorize(uow, actor, Action.AUDIT_READ, Resource.AUDIT_TRAIL)
    matching = _filtered(replace(flt or EventFilter(), limit=None)).order_by(None).subquery()
    return uow.session.scalar(select(func.count()).select_from(matching)) or 0


# A loose index scan: each step jumps to the next larger value through the column's index,
# so finding the k values present costs k index probes. ``SELECT DISTINCT`` reads every row
# (PostgreSQL has no skip scan): at a million events that was most of the audit page's time.
# Column names come from the fixed tuple below, never from input.
_PRESENT = """
WITH RECURSIVE present(v) AS (
    SELECT MIN({column}) FROM audit_events
    UNION ALL
    SELECT (SELECT MIN({column}) FROM audit_events WHERE {column} > present.v)
    FROM present WHERE present.v IS NOT NULL
)
SELECT v FROM present WHERE v IS NOT NULL
"""
_CHOICE_COLUMNS = ("actor", "action", "resource_type")  # each has an index (migration 0001)


def distinct_values(uow: UnitOfWork, *, actor: Actor) -> dict[str, list[str]]:
    """Actors, actions and resource types present in the trail (for filter choices)."""
    authorize(uow, actor, Action.AUDIT_READ, Resource.AUDIT_TRAIL)
    return {
        column: sorted(v for v in uow.session.scalars(text(_PRESENT.format(column=column))) if v)
        for column in _CHOICE_COLUMNS
    }


def export_events(
    uow: UnitOfWork, *, actor: Actor, flt: EventFilter | None = None, file_format: str = "csv"
) -> pd.DataFrame:
    """The filtered events for an export (needs ``audit.export``); the export is audited.

    The frame is returned, not a file: the format is the edge's business (see
    :mod:`governance.reports.audit_export`).
    """
    flt = flt or EventFilter()
    authorize(uow, actor, Action.AUDIT_EXPORT, Resource.AUDIT_TRAIL)
    frame = _frame(list(uow.session.scalars(_filtered(flt))))
    details = {"rows": len(frame), "filter": _filter_details(flt), "format": file_format}
    uow.record(actor, Event(AuditAction.AUDIT_EXPORTED, Resource.AUDIT_TRAIL, details=details))
    return frame


def _filter_details(flt: EventFilter) -> dict[str, Any]:
    return {k: getattr(flt, k) for k in flt.__slots__ if getattr(flt, k) is not None}
