"""Fixtures for the AppTest page tests: a private SQLite database per test, seeded accounts.

Every test runs the real entry point (``app.py``) with ``GOVERNANCE_DATABASE_URL`` pointing at
a fresh file under ``tmp_path``. Accounts are seeded through :mod:`governance.auth.service`
(faster than driving forms); the tests drive the setup and sign-in forms themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from governance.artifacts import ArtifactStore
from governance.auth.roles import Role
from governance.auth.service import UserInfo
from governance.config import Settings
from governance.db import Database
from governance.db.migrate import upgrade
from governance.kernel import Workbench
from tests import factories
from tests.app.support import ROOT


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
        "GOVERNANCE_MAX_COLUMNS",
        "GOVERNANCE_UPLOAD_MAX_ROWS",
        "GOVERNANCE_UPLOAD_READ_SECONDS",
        "GOVERNANCE_UPLOAD_READ_MEMORY_MB",
        "GOVERNANCE_MIGRATE_ON_START",
    ):
        monkeypatch.delenv(name, raising=False)
    yield url
    from ui.resources import _workbench  # the app's cache per configuration; never used again

    _workbench.clear()


@pytest.fixture
def store(app_db_url: str) -> Iterator[Database]:
    """The test's own handle on the app's database (no migration: the app may create it)."""
    database = Database.from_url(app_db_url)
    yield database
    database.dispose()


@pytest.fixture
def workbench(store: Database, app_db_url: str, tmp_path: Path) -> Workbench:
    """The app's database and artifact store, for seeding records through the services."""
    upgrade(store.engine)
    artifacts = tmp_path / "artifacts"  # GOVERNANCE_ARTIFACT_DIR of the app, set above
    settings = Settings(database_url=app_db_url, artifact_dir=artifacts)
    return Workbench(store, settings, ArtifactStore(artifacts))


@pytest.fixture
def admin(workbench: Workbench) -> UserInfo:
    """The first administrator, created through the service (overrides the root fixture)."""
    return factories.first_admin(workbench)


@pytest.fixture
def make_user(workbench: Workbench, admin: UserInfo) -> Callable[..., UserInfo]:
    """Factory: ``make_user(role, username=None, display_name=None)`` → an active account."""

    def _make(role: Role, username: str | None = None, display_name: str | None = None) -> UserInfo:
        return factories.make_user(workbench, role, username, display_name, by=admin)

    return _make
