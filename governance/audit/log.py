"""Appending events to the audit chain, inside the caller's transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from governance.actor import Actor
from governance.audit.chain import GENESIS_HASH, EventFields, event_hash, normalise_details
from governance.audit.events import Event
from governance.audit.models import AuditEvent
from governance.clock import utcnow

# Any constant distinct from other advisory locks of the application.
_PG_AUDIT_LOCK = 4_242_001


def record_event(
    session: Session, *, actor: Actor | str, event: Event, at: datetime | None = None
) -> AuditEvent:
    """Append ``event`` to the chain inside the caller's transaction (no commit here).

    ``actor`` is a person or the CLI, or a bare name for attempts without an account (a
    failed sign-in) and for the system itself.
    """
    if session.get_bind().dialect.name == "postgresql":
        # Serialise appenders so two transactions never read the same chain head.
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_AUDIT_LOCK})
    else:
        # SQLite: take the write lock before reading the head. A unit that has written nothing
        # yet (an export, a backup, a doctor's removal) would otherwise read it outside any
        # transaction (the driver begins one at the first write), and another writer's event
        # could land in between. A write statement matching no row takes the lock and touches
        # nothing (the append-only triggers fire per row).
        session.execute(text("UPDATE audit_events SET id = id WHERE 0"))
    session.flush()
    head = session.execute(
        select(AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)
    ).first()
    prev_id, prev_hash = (head[0], head[1]) if head else (0, GENESIS_HASH)
    username = actor if isinstance(actor, str) else actor.username
    role = None if isinstance(actor, str) else actor.role.value
    fields = EventFields(
        id=prev_id + 1,
        occurred_at=at or utcnow(),
        actor=username[:100],
        actor_role=role,
        action=event.action.value,
        resource_type=event.resource.value,
        resource_id=None if event.resource_id is None else str(event.resource_id),
        details=normalise_details(event.details),
    )
    row = AuditEvent(
        id=fields.id,
        occurred_at=fields.occurred_at,
        actor=fields.actor,
        actor_role=fields.actor_role,
        action=fields.action,
        resource_type=fields.resource_type,
        resource_id=fields.resource_id,
        details=dict(fields.details),
        prev_hash=prev_hash,
        hash=event_hash(prev_hash, fields),
    )
    session.add(row)
    session.flush()
    return row
