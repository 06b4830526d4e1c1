"""The app on a schema it may not migrate (``GOVERNANCE_MIGRATE_ON_START=false``)."""

from __future__ import annotations

import pytest
from alembic.script import ScriptDirectory
from streamlit.testing.v1 import AppTest

from governance.db.migrate import MIGRATIONS_DIR, current_revision, head_revision, upgrade
from tests.app.support import APP, messages, shows_setup_form

pytestmark = pytest.mark.app


def _previous_revision() -> str:
    head = ScriptDirectory(str(MIGRATIONS_DIR)).get_revision(head_revision())
    assert isinstance(head.down_revision, str)
    return head.down_revision


def _first_run() -> AppTest:
    return AppTest.from_file(APP, default_timeout=30).run()


def test_a_stale_schema_stops_the_app_with_the_reason_then_it_recovers(store, monkeypatch):
    monkeypatch.setenv("GOVERNANCE_MIGRATE_ON_START", "false")
    old = _previous_revision()
    upgrade(store.engine, old)

    at = _first_run()
    assert not at.exception, [e.value for e in at.exception]
    [error] = messages(at, "error")
    assert f"at revision {old}, behind this version's {head_revision()}" in error
    assert "python -m governance db upgrade" in error
    assert not shows_setup_form(at)
    assert current_revision(store.engine) == old  # the app did not migrate

    upgrade(store.engine)  # the migration role's deployment job
    again = _first_run()
    assert not again.exception and messages(again, "error") == []
    assert shows_setup_form(again)


def test_an_empty_database_stops_the_app_when_it_may_not_migrate(store, monkeypatch):
    monkeypatch.setenv("GOVERNANCE_MIGRATE_ON_START", "false")
    at = _first_run()
    assert not at.exception
    [error] = messages(at, "error")
    assert "no workbench schema yet" in error
    assert current_revision(store.engine) is None
