"""Run the Alembic migrations programmatically, and tell whether a schema is at head.

The app and the CLI upgrade on start unless ``GOVERNANCE_MIGRATE_ON_START=false``; then the
schema belongs to a migration role and they only check it (:func:`require_current`).
"""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from governance.config import PROJECT_ROOT
from governance.errors import SchemaNotCurrent

MIGRATIONS_DIR = PROJECT_ROOT / "migrations"


def alembic_config(engine: Engine) -> Config:
    """An Alembic configuration bound to ``engine`` (no alembic.ini needed)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the database to ``revision`` (head by default)."""
    command.upgrade(alembic_config(engine), revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    """Migrate the database down to ``revision`` (base: no tables)."""
    command.downgrade(alembic_config(engine), revision)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    return ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()


def is_up_to_date(engine: Engine) -> bool:
    return current_revision(engine) == head_revision()


def known_revisions() -> set[str]:
    """Every revision this version's migrations define."""
    return {script.revision for script in ScriptDirectory(str(MIGRATIONS_DIR)).walk_revisions()}


UPGRADE_HINT = (
    "run `python -m governance db upgrade` as the role that owns the schema (on PostgreSQL "
    "then `python -m governance db grant --role APP_ROLE`)"
)


def schema_problem(current: str | None, head: str | None, known: set[str]) -> str | None:
    """Why a schema at ``current`` cannot be used by a version whose newest is ``head``."""
    if current == head:
        return None
    if current is None:
        return (
            f"The database has no workbench schema yet (this version needs revision {head}): "
            f"{UPGRADE_HINT}."
        )
    if current not in known:
        # Migrated by a newer version: upgrading cannot help, and downgrading loses data.
        return (
            f"The database schema is at revision {current}, which this version does not know "
            f"(its newest is {head}): a newer version of the workbench migrated it. Run that "
            "version, or restore a backup made at a revision this one knows."
        )
    return (
        f"The database schema is at revision {current}, behind this version's {head}: "
        f"{UPGRADE_HINT}."
    )


def require_current(engine: Engine) -> None:
    """Refuse, with what to do, a schema that is not at head (:class:`SchemaNotCurrent`)."""
    problem = schema_problem(current_revision(engine), head_revision(), known_revisions())
    if problem is not None:
        raise SchemaNotCurrent(
            f"{problem} The workbench does not migrate it itself: GOVERNANCE_MIGRATE_ON_START "
            "is false."
        )
