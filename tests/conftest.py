"""Shared fixtures: a migrated database on SQLite and on PostgreSQL, and test accounts.

PostgreSQL is reached at ``GOVERNANCE_TEST_POSTGRES_URL`` (default: the local server, database
``test``). Each test gets its own schema there, dropped afterwards. Where the server cannot be
reached the PostgreSQL variants skip with the reason, except under CI (``CI=true``), where
that is a failure.
"""

from __future__ import annotations

import dataclasses
import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import NamedTuple

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from governance.artifacts import ArtifactStore
from governance.auth.roles import Role
from governance.auth.service import UserInfo
from governance.config import Settings
from governance.db import Database
from governance.db.migrate import upgrade
from governance.kernel import UnitOfWork, Workbench
from tests import factories

POSTGRES_URL = os.environ.get(
    "GOVERNANCE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
PASSWORD = factories.PASSWORD

_pg_state: dict[str, str | None] = {}


def postgres_unavailable() -> str | None:
    """Why PostgreSQL cannot be used, or None when it can (checked once per run)."""
    if "reason" not in _pg_state:
        try:
            engine = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            engine.dispose()
            _pg_state["reason"] = None
        except Exception as exc:
            _pg_state["reason"] = f"PostgreSQL at {POSTGRES_URL} unreachable: {exc}"
    return _pg_state["reason"]


def require_postgres() -> None:
    reason = postgres_unavailable()
    if reason is None:
        return
    if IN_CI:
        pytest.fail(f"{reason} (a failure under CI, not a skip)")
    pytest.skip(reason)


@pytest.fixture
def postgresql_url() -> Iterator[str]:
    """A URL whose connections use a fresh, private schema on the PostgreSQL server."""
    require_postgres()
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in POSTGRES_URL else "?"
    yield f"{POSTGRES_URL}{sep}options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'governance.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    """An empty database on each backend in turn."""
    return request.getfixturevalue(f"{request.param}_url")


@pytest.fixture
def empty_db(db_url: str) -> Iterator[Database]:
    """A database with no tables yet."""
    database = Database.from_url(db_url)
    yield database
    database.dispose()


@pytest.fixture
def db(empty_db: Database) -> Database:
    """A database migrated to head."""
    upgrade(empty_db.engine)
    return empty_db


@pytest.fixture
def workbench(db: Database, db_url: str, tmp_path: Path) -> Workbench:
    """The migrated database with a private artifact store, as the edges hold it."""
    artifacts = tmp_path / "artifacts"
    return Workbench(
        db, Settings(database_url=db_url, artifact_dir=artifacts), ArtifactStore(artifacts)
    )


@pytest.fixture
def session(db: Database) -> Iterator[Session]:
    with db.session() as s:
        yield s


@pytest.fixture
def uow(workbench: Workbench, session: Session) -> UnitOfWork:
    """A unit of work over the test's session: what a service writes is visible to
    ``session`` at once and to other connections after ``uow.commit()``."""
    return UnitOfWork(workbench, session)


@pytest.fixture
def admin(workbench: Workbench) -> UserInfo:
    return factories.first_admin(workbench)


@pytest.fixture
def make_user(workbench: Workbench, admin: UserInfo):  # type: ignore[no-untyped-def]
    """Factory: ``make_user(role, username=None, display_name=None)`` → an active account."""

    def _make(role: Role, username: str | None = None, display_name: str | None = None) -> UserInfo:
        return factories.make_user(workbench, role, username, display_name, by=admin)

    return _make


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashing() -> Iterator[None]:
    """Tests hash hundreds of passwords: use argon2's cheapest profile (same code path).

    Production parameters are checked once, in tests/unit/test_small_rules.py.
    """
    from argon2 import PasswordHasher, profiles

    from governance.auth import passwords

    real = passwords._hasher
    passwords._hasher = PasswordHasher.from_parameters(profiles.CHEAPEST)
    yield
    passwords._hasher = real


# --- the risk register's tests: the people of a risk, and a clock they move ----------------


class Clock:
    """The workbench's injectable clock, set by the test."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class People(NamedTuple):
    owner: UserInfo  # a data scientist owns the risk
    officer: UserInfo  # records and accepts
    other_officer: UserInfo
    executive: UserInfo


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 12, 3, 9, 0, tzinfo=UTC))


@pytest.fixture
def timed(workbench: Workbench, clock: Clock) -> Workbench:
    return dataclasses.replace(workbench, clock=clock)


@pytest.fixture
def people(make_user) -> People:  # type: ignore[no-untyped-def]
    return People(
        make_user(Role.DATA_SCIENTIST, "owner-sci"),
        make_user(Role.COMPLIANCE_OFFICER, "officer-a"),
        make_user(Role.COMPLIANCE_OFFICER, "officer-b"),
        make_user(Role.EXECUTIVE, "exec"),
    )
