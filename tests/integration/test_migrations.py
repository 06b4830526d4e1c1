"""Alembic owns the schema: up, down and up again on both backends, matching the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from governance.db.migrate import current_revision, downgrade, head_revision, upgrade
from governance.models import Base


def _tables(engine) -> set[str]:
    return set(inspect(engine).get_table_names()) - {"alembic_version"}


def test_upgrade_downgrade_upgrade(empty_db):
    engine = empty_db.engine
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    assert _tables(engine) == set(Base.metadata.tables)
    downgrade(engine, "base")
    assert _tables(engine) == set()
    assert current_revision(engine) is None
    upgrade(engine)
    assert _tables(engine) == set(Base.metadata.tables)


def test_upgrade_is_idempotent(empty_db):
    upgrade(empty_db.engine)
    upgrade(empty_db.engine)
    assert current_revision(empty_db.engine) == head_revision()


def test_migrations_match_the_models(db):
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
