"""Serialising writers that must read before they write (a chain head, a count of admins).

PostgreSQL: a transaction-scoped advisory lock per purpose, so unrelated writers do not queue.

SQLite has one writer at a time, and Python's sqlite3 driver opens a transaction only at the
first INSERT, UPDATE or DELETE: reads before it see the newest commit, each on its own (much as
PostgreSQL's READ COMMITTED does). So a read-then-write that must not interleave takes the
write lock first with ``BEGIN IMMEDIATE``, waiting at most the connection's busy timeout; once a
transaction has written, it holds that lock already and nothing more is needed.
"""

from __future__ import annotations

from enum import IntEnum

from sqlalchemy import text
from sqlalchemy.orm import Session


class LockKey(IntEnum):
    """One advisory-lock key per purpose, distinct across the application."""

    AUDIT_APPEND = 4_242_001
    FIRST_ADMIN = 4_242_002
    LAST_ADMIN = 4_242_003


def serialise(session: Session, key: LockKey) -> None:
    """Hold, until the transaction ends, the lock that orders writers of ``key``."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": int(key)})
        return
    if connection.dialect.name == "sqlite":
        driver = connection.connection.dbapi_connection
        if driver is not None and not driver.in_transaction:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
