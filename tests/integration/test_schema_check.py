"""``GOVERNANCE_MIGRATE_ON_START=false``: the workbench opens only a schema at head.

Where a migration role owns the schema the app's role cannot migrate it, so the app and the CLI
check the revision instead and refuse, saying what to run, a schema that is behind, ahead of
this version (unknown to it) or absent.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from governance.config import Settings
from governance.db import Database
from governance.db.migrate import MIGRATIONS_DIR, current_revision, head_revision, upgrade
from governance.errors import SchemaNotCurrent
from governance.kernel import Workbench

ROOT = Path(__file__).resolve().parents[2]


def _previous_revision() -> str:
    """The revision just before head (what a database left behind by a deployment is at)."""
    head = ScriptDirectory(str(MIGRATIONS_DIR)).get_revision(head_revision())
    assert isinstance(head.down_revision, str)
    return head.down_revision


def _settings(url: str, tmp_path: Path, *, migrate_on_start: bool) -> Settings:
    return Settings(
        database_url=url, artifact_dir=tmp_path / "artifacts", migrate_on_start=migrate_on_start
    )


def _refusal(url: str, tmp_path: Path) -> str:
    with pytest.raises(SchemaNotCurrent) as caught:
        Workbench.open(_settings(url, tmp_path, migrate_on_start=False))
    return caught.value.message


def test_a_schema_behind_head_is_refused_naming_both_revisions_and_the_fix(
    empty_db, db_url, tmp_path
):
    old = _previous_revision()
    upgrade(empty_db.engine, old)
    message = _refusal(db_url, tmp_path)
    assert f"at revision {old}, behind this version's {head_revision()}" in message
    assert "python -m governance db upgrade" in message
    assert "GOVERNANCE_MIGRATE_ON_START is false" in message
    assert current_revision(empty_db.engine) == old  # nothing was migrated


def test_an_empty_database_is_refused_and_left_empty(empty_db, db_url, tmp_path):
    message = _refusal(db_url, tmp_path)
    assert "no workbench schema yet" in message and head_revision() in message
    assert inspect(empty_db.engine).get_table_names() == []


def test_a_revision_this_version_does_not_know_is_refused(db, db_url, tmp_path):
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
    message = _refusal(db_url, tmp_path)
    assert "9999_from_the_future, which this version does not know" in message
    assert head_revision() in message


def test_a_schema_at_head_opens_and_works(db, db_url, tmp_path):
    from governance.auth import service as auth

    workbench = Workbench.open(_settings(db_url, tmp_path, migrate_on_start=False))
    try:
        assert workbench.run(auth.user_count) == 0
    finally:
        workbench.close()


def test_migrate_on_start_still_migrates_and_migrate_false_opens_any_revision(
    empty_db, db_url, tmp_path
):
    old = _previous_revision()
    upgrade(empty_db.engine, old)
    as_is = Workbench.open(_settings(db_url, tmp_path, migrate_on_start=False), migrate=False)
    as_is.close()
    assert current_revision(empty_db.engine) == old
    migrated = Workbench.open(_settings(db_url, tmp_path, migrate_on_start=True))
    migrated.close()
    assert current_revision(empty_db.engine) == head_revision()


def _cli(url: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "GOVERNANCE_DATABASE_URL": url,
        "GOVERNANCE_ARTIFACT_DIR": str(tmp_path / "artifacts"),
        "GOVERNANCE_MIGRATE_ON_START": "false",
    }
    return subprocess.run(
        [sys.executable, "-m", "governance", *args],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=120, check=False,
    )  # fmt: skip


def test_the_cli_refuses_a_stale_schema_but_its_db_commands_work_on_it(empty_db, db_url, tmp_path):
    old = _previous_revision()
    upgrade(empty_db.engine, old)
    refused = _cli(db_url, tmp_path, "users", "list")
    assert refused.returncode == 2, refused.stderr
    assert f"error: The database schema is at revision {old}" in refused.stderr
    assert "Traceback" not in refused.stderr

    assert _cli(db_url, tmp_path, "db", "current").stdout.strip() == old
    check = _cli(db_url, tmp_path, "db", "check")
    assert check.returncode == 1 and f"behind this version's {head_revision()}" in check.stderr

    upgraded = _cli(db_url, tmp_path, "db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    assert current_revision(empty_db.engine) == head_revision()
    assert _cli(db_url, tmp_path, "db", "check").returncode == 0
    listed = _cli(db_url, tmp_path, "users", "list")
    assert listed.returncode == 0, listed.stderr


def test_db_grant_is_refused_on_sqlite(sqlite_url, tmp_path):
    database = Database.from_url(sqlite_url)
    upgrade(database.engine)
    database.dispose()
    out = _cli(sqlite_url, tmp_path, "db", "grant", "--role", "governance_app")
    assert out.returncode == 2
    assert "`db grant` is for PostgreSQL; this database is sqlite" in out.stderr
