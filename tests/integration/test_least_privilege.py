"""PostgreSQL least privilege: the role the app connects as cannot rewrite the audit trail.

The triggers on ``audit_events`` refuse ``UPDATE``, ``DELETE`` and ``TRUNCATE``, but the owner
of a table may disable or drop its triggers. A role that migrates the schema owns it, so an app
that migrates on start connects as a role that can undo the guard.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from governance.auth.roles import Role
from governance.cli import _parser
from governance.config import Settings
from governance.db.grants import APP_GRANTS, grants_by_table, undecided
from governance.db.migrate import head_revision, upgrade
from governance.errors import AuthenticationFailed
from governance.kernel import Workbench
from governance.models import Base
from tests import factories
from tests.conftest import POSTGRES_URL, require_postgres

ROOT = Path(__file__).resolve().parents[2]
INSUFFICIENT_PRIVILEGE = "42501"


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


@pytest.mark.postgres
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


# --- the grants as data -----------------------------------------------------------------------


def test_every_table_of_the_models_has_one_grant_decision():
    tables = [*Base.metadata.tables, "alembic_version"]
    assert undecided(tables) == []
    assert sorted(grants_by_table()) == sorted(tables)  # no decision for a table that is gone
    assert len(APP_GRANTS) == len(grants_by_table())  # and none twice
    assert grants_by_table()["audit_events"].privileges == ("SELECT", "INSERT")


def test_the_readme_lists_each_grant_as_the_code_decides_it():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = [f"| `{g.table}` | {', '.join(g.privileges)} | {g.why} |" for g in APP_GRANTS]
    assert [row for row in rows if row not in readme] == []


# --- the two roles at work --------------------------------------------------------------------


def run_cli(
    url: str, folder: Path, *args: str, stdin: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """One CLI command as a deployment runs it: the URL names the role, nothing migrates."""
    full_env = {
        **os.environ,
        "GOVERNANCE_DATABASE_URL": url,
        "GOVERNANCE_ARTIFACT_DIR": str(folder / "artifacts"),
        "GOVERNANCE_MIGRATE_ON_START": "false",
        **(env or {}),
    }
    return subprocess.run(
        [sys.executable, "-m", "governance", *args],
        input=stdin, capture_output=True, text=True, cwd=ROOT, env=full_env, timeout=180,
        check=False,
    )  # fmt: skip


def ok(done: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert done.returncode == 0, (done.args, done.stdout[-2000:], done.stderr[-2000:])
    return done


@pytest.fixture
def granted(roles: Roles, tmp_path: Path) -> Roles:
    """The deployment job: the migration role upgrades the schema, then grants the app role."""
    owner_url = roles.url(roles.owner)
    ok(run_cli(owner_url, tmp_path, "db", "upgrade"))
    granted = ok(run_cli(owner_url, tmp_path, "db", "grant", "--role", roles.app))
    assert f"Role {roles.app} may use schema {roles.schema} and nothing more." in granted.stdout
    return roles


def _commands(
    parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()
) -> set[tuple[str, ...]]:
    """Every leaf command of the CLI, read from its parser (what ``--help`` lists)."""
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subs:
        return {prefix}
    return {c for name, child in subs[0].choices.items() for c in _commands(child, (*prefix, name))}


# Commands the app role does not run, and why; every other command is run below as the app.
MIGRATION_ROLE_COMMANDS = {
    ("db", "upgrade"): "changes the schema: the migration role's (run by the fixture)",
    ("db", "grant"): "grants on the owner's tables: the migration role's (run by the fixture); "
    "the app role is refused, see test_db_grant_refuses_what_would_not_limit_the_app",
    ("restore",): "creates the schema's tables: the migration role's, followed by db grant",
}


def _app_session(
    roles: Roles, folder: Path
) -> dict[tuple[str, ...], subprocess.CompletedProcess[str]]:
    """Run every command an app or pipeline runs, as the app role, in a working order."""
    url = roles.url(roles.app)
    data = factories.write_predictions(factories.prediction_frame(), folder / "predictions.csv")
    done: dict[tuple[str, ...], subprocess.CompletedProcess[str]] = {}

    def run(command: tuple[str, ...], *args: str, **kwargs: object) -> None:
        done[command] = ok(run_cli(url, folder, *command, *args, **kwargs))  # type: ignore[arg-type]

    run.folder = folder  # type: ignore[attr-defined]

    run(("db", "current"))
    run(("db", "check"))
    for name, role in (("root-admin", "admin"), ("scientist", "data_scientist")):
        run(("users", "create"), "--username", name, "--role", role, "--password-stdin",
            stdin=factories.PASSWORD + "\n")  # fmt: skip
    run(("users", "list"))
    _registry_session(run)
    _risks_session(run)
    _incidents_session(run)
    # Evidence names a registered model's version: saved once the registry has them.
    run(("fairness", "assess"), str(data), "--y-true", "label", "--y-pred", "prediction",
        "--sensitive", "race", "--save", "--model", "scorer", "--version", "1.0.0",
        "--actor", "scientist")  # fmt: skip
    run(("audit", "keygen"))
    key = dict(line.split("=", 1) for line in done["audit", "keygen"].stdout.splitlines())
    run(("audit", "public-key"), env=key)
    run(("audit", "checkpoint"), "-o", str(folder / "cp.json"), env=key)
    run(("audit", "prove"), "--checkpoint", str(folder / "cp.json"), "--event", "1",
        "-o", str(folder / "proof.json"), env=key)  # fmt: skip
    run(("audit", "export"), "-o", str(folder / "trail.csv"))
    run(("doctor",))
    run(("backup",), "--out", str(folder / "backup.tar"))
    run(("audit", "verify"), "--checkpoint", str(folder / "cp.json"), env=key)
    # This database has records, so the demo only checks that and loads nothing (exit 0);
    # the whole load as the app role is test_the_app_role_loads_the_demo.
    run(("demo", "load"), "--if-empty")
    assert "not loaded again" in done["demo", "load"].stderr
    return done


def _registry_session(run) -> None:  # type: ignore[no-untyped-def]
    """Every registry command, as the app role: one version to production, one rejected."""
    run(("users", "create"), "--username", "officer", "--role", "compliance_officer",
        "--password-stdin", stdin=factories.PASSWORD + "\n")  # fmt: skip
    sci, officer = {"GOVERNANCE_ACTOR": "scientist"}, {"GOVERNANCE_ACTOR": "officer"}
    run(("registry", "register"), "scorer", "--provider", "in-house", "--risk-tier", "limited",
        "--intended-use", "loans", "--baseline", "accuracy >= 0.8", env=sci)  # fmt: skip
    for name in ("list",):
        run(("registry", name))
    for name in ("show", "versions"):
        run(("registry", name), "scorer")
    run(("registry", "edit"), "scorer", "--row-version", "1", "--reason", "found in review",
        "--limitation", "thin files", env=sci)  # fmt: skip
    run(("registry", "watch"), "scorer", env=officer)  # deployment and deprecation notify it
    for version in ("1.0.0", "2.0.0"):
        run(("registry", "add-version"), "scorer", version, "--changelog", "c",
            "--artifact-uri", "s3://m", "--sha256", factories.SHA, env=sci)  # fmt: skip
        run(("registry", "validate"), "scorer", version, "--observed", "accuracy=0.9",
            "--reason", "run", env=sci)  # fmt: skip
        run(("registry", "transition"), "scorer", version, "--to", "pending_approval",
            "--reason", "ready", env=sci)  # fmt: skip
    run(("registry", "approve"), "scorer", "1.0.0", "--row-version", "3", "--reason", "ok",
        env=officer)  # fmt: skip
    run(("registry", "reject"), "scorer", "2.0.0", "--row-version", "3", "--reason", "no",
        env=officer)  # fmt: skip
    run(("registry", "deploy"), "scorer", "1.0.0", "--environment", "production",
        "--reason", "go", env=sci)  # fmt: skip
    run(("registry", "history"), "scorer", "1.0.0")
    points = factories.write_performance_points(run.folder / "points.csv")
    run(("registry", "performance-import"), "scorer", str(points), env=sci)
    run(("registry", "performance"), "scorer", "--metric", "accuracy")
    run(("registry", "deprecate"), "scorer", "1.0.0", "--reason", "old", env=sci)
    run(("registry", "retire"), "scorer", "1.0.0", "--reason", "gone", env=sci)
    run(("registry", "unwatch"), "scorer", env=officer)


def _incidents_session(run) -> None:  # type: ignore[no-untyped-def]
    """Every incidents command, as the app role: one critical incident to its close."""
    sci, officer = {"GOVERNANCE_ACTOR": "scientist"}, {"GOVERNANCE_ACTOR": "officer"}
    run(("incidents", "report"), "--type", "security", "--severity", "critical", "--title",
        "Key leaked", "--description", "d", "--detected-at", "now", "--model", "scorer",
        "--serious", env=sci)  # fmt: skip
    run(("incidents", "escalate"))
    run(("incidents", "list"), "--format", "json")
    run(("incidents", "acknowledge"), "1", env=officer)
    run(("incidents", "impact"), "1", "--serious", "--death", "--reason", "a death",
        env=officer)  # fmt: skip
    run(("incidents", "transition"), "1", "--to", "investigating", "--reason", "go", env=officer)
    run(("incidents", "resolve"), "1", "--root-cause", "key in a log", env=officer)
    run(("incidents", "postmortem"), "1", "--timeline", "t", "--lessons", "l", "--measure", "m",
        env=officer)  # fmt: skip
    run(("incidents", "regulator-report"), "1", "--submitted-at", "now", "--reference", "R-1",
        env=officer)  # fmt: skip
    run(("incidents", "close"), "1", env=officer)
    run(("incidents", "show"), "1", "--format", "json")
    run(("incidents", "policy"), "--set", "ack_high=30", "--reason", "faster", env=officer)
    run(("incidents", "metrics"), "--format", "json")


def _risks_session(run) -> None:  # type: ignore[no-untyped-def]
    """Every risk command, as the app role: one risk mitigated, one accepted."""
    from datetime import UTC, datetime, timedelta

    run(("users", "create"), "--username", "officer-2", "--role", "compliance_officer",
        "--password-stdin", stdin=factories.PASSWORD + "\n")  # fmt: skip
    officer, other = {"GOVERNANCE_ACTOR": "officer"}, {"GOVERNANCE_ACTOR": "officer-2"}
    soon = (datetime.now(UTC) + timedelta(days=30)).date().isoformat()
    for title in ("Prompt injection", "Drift"):
        run(("risks", "register"), title, "--category", "security", "--description", "d",
            "--likelihood", "4", "--impact", "5", "--owner", "scientist", "--model", "scorer",
            env=officer)  # fmt: skip
    run(("risks", "list"), "--format", "json")
    run(("risks", "show"), "1")
    run(("risks", "mitigate"), "1", "--strategy", "filter", "--owner", "scientist",
        "--deadline", soon, env=officer)  # fmt: skip
    run(("risks", "plan-progress"), "1", "--note", "half way", "--status", "in_progress",
        env=officer)  # fmt: skip
    run(("risks", "transition"), "1", "--to", "mitigating", "--reason", "go", env=officer)
    run(("risks", "accept"), "2", "--justification", "appetite", "--expires", soon, env=other)
    run(("risks", "matrix"), "--cell", "5,3=critical", "--reason", "appetite", env=officer)
    run(("risks", "heatmap"), "--residual")
    run(("risks", "expire"))


@pytest.mark.postgres
def test_the_app_role_runs_every_cli_command_an_app_runs(granted: Roles, tmp_path: Path):
    commands = _commands(_parser())
    assert set(MIGRATION_ROLE_COMMANDS) <= commands
    done = _app_session(granted, tmp_path)
    assert set(done) | set(MIGRATION_ROLE_COMMANDS) == commands  # no command skipped silently

    assert done["db", "current"].stdout.strip() == head_revision()
    listed = [line.split("\t")[1] for line in done["users", "list"].stdout.splitlines()]
    assert sorted(listed) == ["root-admin", "scientist"]
    assert "intact" in done["audit", "verify"].stdout
    assert (tmp_path / "backup.tar").stat().st_size > 0
    owner = granted.engine(granted.owner)
    try:
        with owner.connect() as conn:
            assert conn.scalar(text("SELECT count(*) FROM fairness_assessments")) == 1
            # Everything the app did is in the trail, and the app owns none of it.
            owners = conn.execute(
                text(
                    "SELECT DISTINCT pg_get_userbyid(c.relowner) FROM pg_class c "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = :s"
                ),
                {"s": granted.schema},
            ).scalars()
            assert set(owners) == {granted.owner}
    finally:
        owner.dispose()


@pytest.mark.postgres
def test_the_app_role_loads_the_demo(granted: Roles, tmp_path: Path):
    """Every write the demo makes (accounts, registry, points by COPY, evidence, notices) is
    within the app role's grants."""
    url = granted.url(granted.app)
    loaded = ok(run_cli(url, tmp_path, "demo", "load"))
    assert "7 models, 13 versions" in loaded.stdout
    assert "intact" in ok(run_cli(url, tmp_path, "audit", "verify")).stdout


# Each an attack on the trail (or on the evidence around it) by someone holding the app's
# credentials; each must fail for want of privilege, not for a trigger or a typo.
FORBIDDEN = {
    "update an event": "UPDATE audit_events SET actor = 'someone else'",
    "delete events": "DELETE FROM audit_events",
    "truncate the trail": "TRUNCATE audit_events",
    "disable the triggers": "ALTER TABLE audit_events DISABLE TRIGGER USER",
    "disable one trigger": "ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_delete",
    "drop a trigger": "DROP TRIGGER audit_events_no_update_delete ON audit_events",
    "replace the guard": (
        "CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger AS "
        "$$ BEGIN RETURN OLD; END; $$ LANGUAGE plpgsql"
    ),
    "drop the guard": "DROP FUNCTION audit_events_append_only() CASCADE",
    "add a trigger": (
        "CREATE TRIGGER sneak BEFORE INSERT ON audit_events "
        "FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()"
    ),
    "take ownership": "ALTER TABLE audit_events OWNER TO CURRENT_USER",
    "drop the trail": "DROP TABLE audit_events",
    "create a table": "CREATE TABLE intruder (x integer)",
    "edit saved evidence": "UPDATE fairness_assessments SET verdict = 'pass'",
    "delete an account": "DELETE FROM users",
    "move the schema revision": "UPDATE alembic_version SET version_num = 'x'",
    "rewind an id sequence": "SELECT setval('users_id_seq', 1)",
}


@pytest.mark.postgres
def test_the_app_role_cannot_rewrite_or_unguard_the_trail(granted: Roles, tmp_path: Path):
    _app_session(granted, tmp_path)
    app = granted.engine(granted.app)
    try:
        with app.connect() as conn:
            before = conn.execute(text("SELECT id, hash FROM audit_events ORDER BY id")).all()
        assert before
        statements = {**FORBIDDEN, "become the owner": f'SET ROLE "{granted.owner}"'}
        for what, statement in statements.items():
            with app.connect() as conn, pytest.raises(DBAPIError) as caught:
                conn.execute(text(statement))
            state = caught.value.orig.sqlstate  # type: ignore[union-attr]
            assert state == INSUFFICIENT_PRIVILEGE, (what, str(caught.value.orig))
        with app.connect() as conn:
            after = conn.execute(text("SELECT id, hash FROM audit_events ORDER BY id")).all()
        assert after == before
    finally:
        app.dispose()
    verified = ok(run_cli(granted.url(granted.app), tmp_path, "audit", "verify"))
    assert f"{len(before)} events" in verified.stdout


@pytest.mark.postgres
def test_the_app_role_runs_the_services_that_change_records(granted: Roles, tmp_path: Path):
    """What the pages write beyond the CLI: role changes, deactivation, password resets and
    changes, a lockout, a new policy version, verification marks."""
    from governance.audit.verification import verify_full, verify_recent
    from governance.auth import service as auth
    from governance.fairness import service as fairness

    settings = Settings(
        database_url=granted.url(granted.app),
        artifact_dir=tmp_path / "artifacts",
        lockout_threshold=2,
        migrate_on_start=False,
    )
    workbench = Workbench.open(settings)
    try:
        admin = factories.first_admin(workbench)
        officer = factories.make_user(workbench, Role.COMPLIANCE_OFFICER, "officer", by=admin)
        other = factories.make_user(workbench, Role.AUDITOR, "other", by=admin)
        workbench.run(auth.change_role, actor=admin.actor(), user_id=other.id, role=Role.EXECUTIVE)
        workbench.run(auth.set_active, actor=admin.actor(), user_id=other.id, active=False)
        workbench.run(auth.set_active, actor=admin.actor(), user_id=other.id, active=True)
        workbench.run(
            auth.reset_password, actor=admin.actor(), user_id=other.id, new_password="x" * 16
        )
        workbench.run(
            auth.change_own_password,
            actor=officer.actor(),
            current_password=factories.PASSWORD,
            new_password="y" * 16,
        )
        for _ in range(settings.lockout_threshold):
            with pytest.raises(AuthenticationFailed):
                workbench.run(auth.authenticate, username="other", password="wrong password!")
        assert workbench.run(auth.get_user, other.id).is_locked()
        policy = workbench.run(fairness.active_policy, actor=officer.actor())
        changed = dataclasses.replace(policy, min_group_size=policy.min_group_size + 1)
        workbench.run(
            fairness.update_policy, actor=officer.actor(), policy=changed, reason="pilot review"
        )
        assert workbench.run(fairness.active_policy, actor=officer.actor()) == changed
        assert workbench.run(verify_full).intact
        assert workbench.run(verify_recent).intact  # from the marks the full check moved
    finally:
        workbench.close()


@pytest.mark.postgres
def test_db_grant_refuses_what_would_not_limit_the_app(granted: Roles, tmp_path: Path):
    owner_url, app_url = granted.url(granted.owner), granted.url(granted.app)
    cases = {
        "unknown role": (
            owner_url,
            "nobody_" + uuid.uuid4().hex[:8],
            "There is no PostgreSQL role",
        ),
        "the owner itself": (owner_url, granted.owner, "is the owner of schema"),
        "run as the app": (app_url, granted.app, "runs as the migration role"),
    }
    for what, (url, role, message) in cases.items():
        refused = run_cli(url, tmp_path, "db", "grant", "--role", role)
        assert refused.returncode == 2, (what, refused.stderr)
        assert message in refused.stderr and "Traceback" not in refused.stderr, what


@pytest.mark.postgres
def test_db_grant_takes_back_broader_privileges_and_reports_public_ones(
    granted: Roles, tmp_path: Path
):
    owner = granted.engine(granted.owner)
    try:
        with owner.begin() as conn:
            conn.execute(
                text(f'GRANT ALL ON ALL TABLES IN SCHEMA "{granted.schema}" TO "{granted.app}"')
            )
            conn.execute(text(f'GRANT CREATE ON SCHEMA "{granted.schema}" TO "{granted.app}"'))
        regranted = ok(
            run_cli(granted.url(granted.owner), tmp_path, "db", "grant", "--role", granted.app)
        )
        assert "nothing more" in regranted.stdout
        with owner.connect() as conn:
            can_delete = conn.scalar(
                text("SELECT has_table_privilege(:r, 'audit_events', 'DELETE')"), {"r": granted.app}
            )
        assert can_delete is False
        with owner.begin() as conn:
            conn.execute(text("GRANT DELETE ON audit_events TO PUBLIC"))
        reported = run_cli(
            granted.url(granted.owner), tmp_path, "db", "grant", "--role", granted.app
        )
        assert reported.returncode == 1
        assert "still has DELETE on audit_events" in reported.stderr
        assert "REVOKE DELETE ON" in reported.stderr
    finally:
        owner.dispose()


@pytest.mark.postgres
def test_the_app_pages_work_as_the_app_role(granted: Roles, tmp_path: Path, monkeypatch):
    """Every page an administrator has, signed in through the form, on the app role's
    connection with migration off; and one write through a page's form."""
    from tests.app.support import create_via_form, first_sign_in, messages, open_page, titles
    from ui.navigation import visible_pages
    from ui.resources import _workbench

    url = granted.url(granted.app)
    ok(run_cli(url, tmp_path, "users", "create", "--username", "root-admin", "--role", "admin",
               "--password-stdin", stdin=factories.PASSWORD + "\n"))  # fmt: skip
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("GOVERNANCE_DATABASE_URL", url)
    monkeypatch.setenv("GOVERNANCE_ARTIFACT_DIR", str(tmp_path / "artifacts"))
    monkeypatch.setenv("GOVERNANCE_MIGRATE_ON_START", "false")
    try:
        # Made by an operator with the CLI: the gate has it choose its own password first
        # (an UPDATE of users and a new browser session, as the app role).
        at = first_sign_in("root-admin", factories.PASSWORD)
        pages = visible_pages(Role.ADMIN)
        for page in pages:
            open_page(at, page.path)
            assert messages(at, "error") == [], (page.path, messages(at, "error"))
            assert titles(at), page.path
        users = next(p.path for p in pages if p.path.endswith("users.py"))
        open_page(at, users)
        create_via_form(at, "new-analyst", "a long password 1", Role.DATA_SCIENTIST)
        assert messages(at, "error") == []
        assert any("new-analyst" in m for m in messages(at, "success"))
    finally:
        _workbench.clear()
