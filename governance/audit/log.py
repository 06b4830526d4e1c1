"""Appending events to the audit chain, inside the caller's transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from governance.actor import Actor
from governance.audit.chain import GENESIS_HASH, EventFields, event_hash, normalise_details
from governance.audit.events import Event
from governance.audit.models import AuditEvent
from governance.clock import utcnow
from governance.db.locks import LockKey, serialise


def record_event(
    session: Session, *, actor: Actor | str, event: Event, at: datetime | None = None
) -> AuditEvent:
    """Append ``event`` to the chain inside the caller's transaction (no commit here).

    ``actor`` is a person or the CLI, or a bare name for attempts without an account (a
    failed sign-in) and for the system itself.
    """
    session.flush()
    # Appenders queue here, so two transactions never read the same chain head.
    serialise(session, LockKey.AUDIT_APPEND)
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
