"""PostgreSQL least privilege: the role the app connects as cannot rewrite the audit trail.

The triggers on ``audit_events`` refuse ``UPDATE``, ``DELETE`` and ``TRUNCATE``, but the owner
of a table may disable or drop its triggers. A role that migrates the schema owns it, so an app
that migrates on start connects as a role that can undo the guard.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from governance.db.migrate import upgrade
from tests.conftest import POSTGRES_URL, require_postgres

pytestmark = pytest.mark.postgres


@dataclass(frozen=True)
class Roles:
    """Two login roles and a schema of their own on the test server."""

    schema: str
    owner: str
    app: str

    def url(self, role: str) -> str:
        """The URL of ``role``'s connections, which use the private schema."""
        base = make_url(POSTGRES_URL).set(username=role, password=None)
        return base.update_query_dict({"options": f"-csearch_path={self.schema}"}).render_as_string(
            hide_password=False
        )

    def engine(self, role: str) -> Engine:
        return create_engine(self.url(role))


def _create_roles(admin: Engine, roles: Roles) -> None:
    with admin.begin() as conn:
        for role in (roles.owner, roles.app):
            # NOINHERIT: even a membership granted later would give no privileges by itself.
            conn.execute(
                text(
                    f'CREATE ROLE "{role}" LOGIN NOSUPERUSER NOINHERIT NOCREATEDB NOCREATEROLE '
                    "NOREPLICATION"
                )
            )
        conn.execute(text(f'CREATE SCHEMA "{roles.schema}" AUTHORIZATION "{roles.owner}"'))


def _drop_roles(admin: Engine, roles: Roles) -> None:
    with admin.begin() as conn:
        conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE usename IN (:owner, :app) AND pid <> pg_backend_pid()"
            ),
            {"owner": roles.owner, "app": roles.app},
        )
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{roles.schema}" CASCADE'))
        for role in (roles.app, roles.owner):
            conn.execute(text(f'DROP OWNED BY "{role}" CASCADE'))
            conn.execute(text(f'DROP ROLE "{role}"'))


@pytest.fixture
def roles() -> Iterator[Roles]:
    """A migration role owning a fresh schema and an app role; both dropped afterwards."""
    require_postgres()
    suffix = uuid.uuid4().hex[:12]
    made = Roles(schema=f"lp_{suffix}", owner=f"lp_owner_{suffix}", app=f"lp_app_{suffix}")
    admin = create_engine(POSTGRES_URL)
    try:
        _create_roles(admin, made)
        yield made
    finally:
        _drop_roles(admin, made)
        admin.dispose()


def test_the_role_that_migrates_can_disable_the_guard_and_delete_events(roles: Roles) -> None:
    """The defect: before the roles were separated the app migrated on start, so it connected
    as the schema's owner — and the owner switches the append-only triggers off at will."""
    owner = roles.engine(roles.owner)
    try:
        upgrade(owner)
        with owner.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO audit_events (id, occurred_at, actor, action, resource_type, "
                    "details, prev_hash, hash) VALUES (1, now(), 'x', 'a', 'r', '{}', "
                    "repeat('0', 64), repeat('1', 64))"
                )
            )
        with owner.begin() as conn:
            conn.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
            conn.execute(text("DELETE FROM audit_events"))
            conn.execute(text("ALTER TABLE audit_events ENABLE TRIGGER USER"))
        with owner.connect() as conn:
            assert conn.scalar(text("SELECT count(*) FROM audit_events")) == 0
    finally:
        owner.dispose()
