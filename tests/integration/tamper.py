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
            conn.execute(text("DROP TRIGGER audit_events_no_update"))
            conn.execute(text("DROP TRIGGER audit_events_no_delete"))
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
