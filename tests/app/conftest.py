"""Fixtures for the AppTest page tests: a private SQLite database per test, seeded accounts.

Every test runs the real entry point (``app.py``) with ``GOVERNANCE_DATABASE_URL`` pointing at
a fresh file under ``tmp_path``. Accounts are seeded through :mod:`governance.auth.service`
(faster than driving forms); the tests drive the setup and sign-in forms themselves.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from governance.auth import service as auth
from governance.auth.roles import Role
from governance.auth.service import UserInfo
from governance.db import Database
from governance.db.migrate import upgrade
from tests.app.support import PASSWORD, ROOT


@pytest.fixture(autouse=True)
def app_db_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A private SQLite file for the app, named by ``GOVERNANCE_DATABASE_URL``."""
    url = f"sqlite:///{tmp_path / 'g.db'}"
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("GOVERNANCE_DATABASE_URL", url)
    monkeypatch.setenv("GOVERNANCE_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("GOVERNANCE_ARTIFACT_DIR", str(tmp_path / "artifacts"))
    for name in (
        "GOVERNANCE_SESSION_IDLE_MINUTES",
        "GOVERNANCE_SESSION_MAX_HOURS",
        "GOVERNANCE_LOCKOUT_THRESHOLD",
        "GOVERNANCE_LOCKOUT_MINUTES",
    ):
        monkeypatch.delenv(name, raising=False)
    yield url
    from ui.resources import _database  # the app's per-URL cache; this URL is never used again

    _database.clear()


@pytest.fixture
def store(app_db_url: str) -> Iterator[Database]:
    """The test's own handle on the app's database (no migration: the app may create it)."""
    database = Database.from_url(app_db_url)
    yield database
    database.dispose()


@pytest.fixture
def admin(store: Database) -> UserInfo:
    """The first administrator, created through the service (overrides the root fixture)."""
    upgrade(store.engine)
    with store.session() as session:
        return auth.create_first_admin(
            session, username="admin", password=PASSWORD, display_name="Ada Admin"
        )


@pytest.fixture
def make_user(store: Database, admin: UserInfo) -> Callable[..., UserInfo]:
    """Factory: ``make_user(role, username=None, display_name=None)`` → an active account."""

    def _make(role: Role, username: str | None = None, display_name: str | None = None) -> UserInfo:
        with store.session() as session:
            return auth.create_user(
                session,
                actor=admin.actor(),
                username=username or f"{role.value.replace('_', '-')}-{uuid.uuid4().hex[:6]}",
                role=role,
                password=PASSWORD,
                display_name=display_name,
            )

    return _make
