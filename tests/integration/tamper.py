"""Simulating an attacker with direct database access, to prove the chain catches them.

The append-only guards are lifted first (as a database owner could), then rows are edited,
deleted or swapped behind the services' back.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, text


@contextmanager
def guards_lifted(engine: Engine) -> Iterator[Connection]:
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
        else:
            conn.execute(text("DROP TRIGGER IF EXISTS audit_events_no_update"))
            conn.execute(text("DROP TRIGGER IF EXISTS audit_events_no_delete"))
        yield conn
        if conn.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE audit_events ENABLE TRIGGER USER"))


def edit_details(engine: Engine, event_id: int, details: dict) -> None:
    with guards_lifted(engine) as conn:
        conn.execute(
            text("UPDATE audit_events SET details = :d WHERE id = :i"),
            {"d": json.dumps(details), "i": event_id},
        )


def delete_event(engine: Engine, event_id: int) -> None:
    with guards_lifted(engine) as conn:
        conn.execute(text("DELETE FROM audit_events WHERE id = :i"), {"i": event_id})


def swap_events(engine: Engine, a: int, b: int) -> None:
    """Exchange two events' positions (their ids), keeping everything else."""
    with guards_lifted(engine) as conn:
        # Through a free id, since ids are unique.
        conn.execute(text("UPDATE audit_events SET id = -1 WHERE id = :a"), {"a": a})
        conn.execute(text("UPDATE audit_events SET id = :a WHERE id = :b"), {"a": a, "b": b})
        conn.execute(text("UPDATE audit_events SET id = :b WHERE id = -1"), {"b": b})


def delete_last(engine: Engine, count: int) -> None:
    """Remove the newest ``count`` events: what is left is still a consistent chain."""
    with guards_lifted(engine) as conn:
        newest = conn.execute(text("SELECT max(id) FROM audit_events")).scalar_one()
        conn.execute(text("DELETE FROM audit_events WHERE id > :i"), {"i": newest - count})


def forge_and_rechain(engine: Engine, event_id: int, details: dict) -> None:
    """Rewrite one event's details and recompute its hash and every later link and hash,
    exactly as the writer would have: the chain alone then verifies."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from governance.audit.chain import EventFields, canonical_json, event_hash, normalise_details
    from governance.audit.models import AuditEvent

    with Session(engine) as session:
        rows = list(session.scalars(select(AuditEvent).order_by(AuditEvent.id)))
        session.expunge_all()
    with guards_lifted(engine) as conn:
        prev = None
        for row in rows:
            if row.id < event_id:
                prev = row.hash
                continue
            if row.id == event_id:
                row.details = normalise_details(details)
            row.prev_hash = prev if prev is not None else row.prev_hash
            fields = EventFields(
                row.id, row.occurred_at, row.actor, row.actor_role, row.action,
                row.resource_type, row.resource_id, row.details,
            )  # fmt: skip
            new_hash = event_hash(row.prev_hash, fields)
            conn.execute(
                text(
                    "UPDATE audit_events SET details = :d, prev_hash = :p, hash = :h WHERE id = :i"
                ),
                {"d": canonical_json(row.details), "p": row.prev_hash, "h": new_hash, "i": row.id},
            )
            prev = new_hash
