"""Backups and restores (#7 item 11) on both databases: a round trip, and every refusal.

Each refusal is checked to leave the target as it was: no database tables, no artifact files,
no staging folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from governance.actor import Actor
from governance.artifacts import ArtifactStore
from governance.audit import service as audit
from governance.audit.models import AuditEvent
from governance.auth import service as auth
from governance.auth.models import User
from governance.auth.roles import Role
from governance.cli import main
from governance.config import Settings
from governance.db import Database
from governance.db.migrate import upgrade
from governance.errors import IntegrityFailure, ValidationError
from governance.fairness import service as fairness
from governance.fairness.engine import assess_file
from governance.fairness.models import FairnessAssessment, FairnessPolicyVersion
from governance.fairness.policy import Policy
from governance.fairness.spec import AssessmentSpec
from governance.kernel import Workbench
from governance.maintenance import postgres, sqlite
from governance.maintenance.backup import create_backup
from governance.maintenance.restore import restore_backup
from tests import factories
from tests.integration import tamper
from tests.integration.backups import flip_byte, members, repack, write
from tests.integration.crash import CRASH_EXIT

ROOT = Path(__file__).resolve().parents[2]
OPERATOR = Actor.command_line()
SPEC = AssessmentSpec(y_true="label", y_pred="prediction", sensitive=("race",))
DB_MEMBER = {"sqlite": "database/governance.sqlite3", "postgresql": "database/governance.pgdump"}


@pytest.fixture
def world(workbench, admin, make_user, tmp_path) -> Workbench:
    """Accounts, a policy version and two assessments with their stored files."""
    officer = make_user(Role.COMPLIANCE_OFFICER, "officer")
    scientist = make_user(Role.DATA_SCIENTIST, "sci")
    factories.make_evidence_model(workbench, "credit", by=scientist)
    workbench.run(
        fairness.update_policy, actor=officer.actor(), policy=Policy(min_group_size=40),
        reason="larger groups",
    )  # fmt: skip
    for seed in (1, 2):
        path = factories.write_predictions(
            factories.prediction_frame(300, seed), tmp_path / f"p{seed}.csv"
        )
        with workbench.unit() as uow:
            result = assess_file(path, SPEC, Policy(min_group_size=40))
            fairness.save_assessment(
                uow, actor=scientist.actor(), result=result, source=path, model_name="credit"
            )
    return workbench


def state(workbench: Workbench) -> dict[str, object]:
    """Every record a restore must give back, and the store's files by hash."""
    with workbench.database.session() as s:
        users = [
            (u.id, u.username, u.role, u.password_hash, u.is_active, u.created_at)
            for u in s.scalars(select(User).order_by(User.id))
        ]
        assessments = [
            (a.id, a.file_sha256, a.artifact_sha256, a.verdict, a.results, a.created_at)
            for a in s.scalars(select(FairnessAssessment).order_by(FairnessAssessment.id))
        ]
        policies = [(p.version, p.min_group_size, p.note) for p in s.scalars(
            select(FairnessPolicyVersion).order_by(FairnessPolicyVersion.id))]  # fmt: skip
        events = [(e.id, e.action, e.hash) for e in s.scalars(
            select(AuditEvent).order_by(AuditEvent.id))]  # fmt: skip
    return {"users": users, "assessments": assessments, "policies": policies, "events": events,
            "files": store_files(workbench.settings.artifact_dir)}  # fmt: skip


def store_files(root: Path) -> dict[str, str]:
    if not root.exists():
        return {}
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def wipe(workbench: Workbench) -> None:
    """Lose everything: the database's tables and the artifact store."""
    url = workbench.settings.database_url
    workbench.database.dispose()
    if url.startswith("sqlite"):
        path = Path(make_url(url).database)
        for p in (path, *sqlite.companions(path)):
            p.unlink()
    else:
        with workbench.database.engine.begin() as conn:
            schema = postgres.quote_identifier(postgres.current_schema(conn))
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
            conn.execute(text(f"CREATE SCHEMA {schema}"))
    shutil.rmtree(workbench.settings.artifact_dir)


def target_is_untouched(workbench: Workbench) -> None:
    """The wiped target still holds nothing, and no staging folder or file was left."""
    url = workbench.settings.database_url
    if url.startswith("sqlite"):
        path = Path(make_url(url).database)
        assert not path.exists() and sqlite.companions(path) == []
        assert [p.name for p in path.parent.iterdir() if ".restoring-" in p.name] == []
    else:
        with workbench.database.engine.connect() as conn:
            schema = postgres.current_schema(conn)
            assert postgres.schema_exists(conn, schema)
            assert postgres.relations_in(conn, schema) == []
            # Only schemas named after this test's: other tests create theirs meanwhile.
            like = conn.execute(
                text("SELECT nspname FROM pg_namespace WHERE starts_with(nspname, :s)"),
                {"s": schema},
            )
            schemas = sorted(like.scalars())
        assert schemas == SCHEMAS_BEFORE.get(url, schemas)
    root = workbench.settings.artifact_dir
    assert not root.exists() or list(root.rglob("*")) == []
    assert [p.name for p in root.parent.iterdir() if ".restoring-" in p.name] == []


SCHEMAS_BEFORE: dict[str, list[str]] = {}


def remember_schemas(workbench: Workbench) -> None:
    url = workbench.settings.database_url
    if not url.startswith("sqlite"):
        with workbench.database.engine.connect() as conn:
            schema = postgres.current_schema(conn)
            like = conn.execute(
                text("SELECT nspname FROM pg_namespace WHERE starts_with(nspname, :s)"),
                {"s": schema},
            )
            SCHEMAS_BEFORE[url] = sorted(like.scalars())


def backup_of(workbench: Workbench, out: Path):  # type: ignore[no-untyped-def]
    return workbench.run(create_backup, actor=OPERATOR, out=out)


def restore(workbench: Workbench, backup: Path):  # type: ignore[no-untyped-def]
    return restore_backup(workbench.settings, backup=backup, actor=OPERATOR)


# --- the round trip -------------------------------------------------------------------------


def test_backup_wipe_restore_gives_back_the_same_records_files_and_chain(world, tmp_path):
    before = state(world)
    out = tmp_path / "backup.tar"
    info = backup_of(world, out)
    assert out.is_file() and hashlib.sha256(out.read_bytes()).hexdigest() == info.sha256
    (event,) = [e for e in world.run(audit.list_events, actor=OPERATOR).itertuples()
                if e.action == "maintenance.backup_created"]  # fmt: skip
    assert json.loads(event.details)["sha256"] == info.sha256  # the backup is audited
    manifest = json.loads(members(out)["manifest.json"])
    assert manifest["audit_head"]["last_id"] == len(before["events"])
    assert manifest["audit_head"]["last_hash"] == before["events"][-1][2]
    assert manifest["tables"]["users"] == len(before["users"]) == 3
    assert len([n for n in manifest["files"] if n.startswith("artifacts/")]) == 2

    wipe(world)
    restored = restore(world, out)
    after = state(world)
    for key in ("users", "assessments", "policies", "files"):
        assert after[key] == before[key], key
    n = len(before["events"])
    assert after["events"][:n] == before["events"]  # the backup's own event came after it
    assert [e[1] for e in after["events"][n:]] == ["maintenance.restored"]
    assert restored.event_id == n + 1
    report = world.run(audit.verify_chain)
    assert report.intact and report.events_checked == n + 1
    # The append-only guard came back too.
    with pytest.raises(Exception, match="append-only"), world.database.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_events WHERE id = 1"))
    # And the restored workbench works: sign in, save again.
    assert world.run(auth.authenticate, username="sci", password=factories.PASSWORD)


@pytest.mark.postgres
def test_a_postgres_backup_restores_into_another_schema_of_another_store(postgresql_url, tmp_path):
    source = open_workbench(postgresql_url, tmp_path / "a")
    factories.first_admin(source)
    before = state(source)
    out = tmp_path / "backup.tar"
    backup_of(source, out)
    with source.database.engine.begin() as conn:
        schema = postgres.current_schema(conn)
    other = f"{schema}_copy"
    target_url = postgresql_url.replace(f"search_path%3D{schema}", f"search_path%3D{other}")
    target = open_workbench(target_url, tmp_path / "b", migrate=False)
    try:
        with target.database.engine.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{other}"'))
        refused = pytest.raises(ValidationError, match="cannot restore one schema into another")
        with refused:
            restore(target, out)  # the backup's schema still exists in this database
        with source.database.engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        restore(target, out)
        after = state(target)
        assert after["users"] == before["users"]
        assert after["events"][: len(before["events"])] == before["events"]
        assert target.run(audit.verify_chain).intact
    finally:
        target.database.dispose()
        with target.database.engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{other}" CASCADE'))
            conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))  # for the fixture
        target.database.dispose()
        source.database.dispose()


def open_workbench(url: str, folder: Path, *, migrate: bool = True) -> Workbench:
    database = Database.from_url(url)
    if migrate:
        upgrade(database.engine)
    artifacts = folder / "artifacts"
    return Workbench(database, Settings(database_url=url, artifact_dir=artifacts),
                     ArtifactStore(artifacts))  # fmt: skip


# --- a damaged or altered backup is refused, the target untouched ----------------------------


def _tampered_database(world: Workbench, work: Path) -> bytes:
    """The database with event 2 deleted, copied by the same means as a backup."""
    tamper.delete_event(world.database.engine, 2)
    copy = work / "tampered"
    if world.database.dialect == "sqlite":
        sqlite.copy_database(Path(make_url(world.settings.database_url).database), copy)
    else:
        with postgres.exported_snapshot(world.database.engine) as (_, snapshot, schema):
            postgres.dump(world.database.engine.url, schema=schema, snapshot=snapshot, target=copy)
    return copy.read_bytes()


def _corrupt(kind: str, world: Workbench, good: Path, bad: Path) -> tuple[Path, str]:
    db = DB_MEMBER[world.database.dialect]
    content = members(good)
    artifact = next(n for n in content if n.startswith("artifacts/"))
    if kind == "artifact byte flipped":
        return repack(good, bad, replace={artifact: flip_byte(content[artifact])}), (
            f"{artifact} in .* does not match its manifest"
        )
    if kind == "database truncated":
        return repack(good, bad, replace={db: content[db][: len(content[db]) // 2]}), (
            f"{db} in .* does not match its manifest"
        )
    if kind == "database truncated, manifest rewritten":
        truncated = {db: content[db][: len(content[db]) // 2]}
        return repack(good, bad, replace=truncated, rehash=True), (
            "database is damaged|database could not be restored"
        )
    if kind == "head does not match":

        def drop_last_event(manifest: dict) -> None:
            head = manifest["audit_head"]
            head["last_id"] -= 1  # as if the backup had been made one event earlier
            head["events"] -= 1

        return repack(good, bad, edit_manifest=drop_last_event), (
            "ends at event .*, but the backup's manifest records event"
        )
    if kind == "audit event deleted":
        tampered = _tampered_database(world, bad.parent)
        return repack(good, bad, replace={db: tampered}, rehash=True), (
            "audit trail does not verify: Audit chain BROKEN at event 3"
        )
    raise AssertionError(kind)


CORRUPTIONS = [
    "artifact byte flipped",
    "database truncated",
    "database truncated, manifest rewritten",
    "head does not match",
    "audit event deleted",
]


@pytest.mark.parametrize("kind", CORRUPTIONS)
def test_a_damaged_or_altered_backup_is_refused_and_the_target_untouched(
    world, tmp_path, kind, capsys, monkeypatch
):
    good = tmp_path / "good.tar"
    backup_of(world, good)
    bad, message = _corrupt(kind, world, good, tmp_path / "bad.tar")
    wipe(world)
    remember_schemas(world)
    with pytest.raises(IntegrityFailure, match=message):
        restore(world, bad)
    target_is_untouched(world)

    # The command line says the same, exits 1 (a check failed), and still touches nothing.
    monkeypatch.setenv("GOVERNANCE_DATABASE_URL", world.settings.database_url)
    monkeypatch.setenv("GOVERNANCE_ARTIFACT_DIR", str(world.settings.artifact_dir))
    capsys.readouterr()
    assert main(["restore", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "Nothing was restored" in err and "Traceback" not in err
    target_is_untouched(world)
    restore(world, good)  # the intact backup still restores into the same target
    assert world.run(audit.verify_chain).intact


# --- refusals before anything is read or touched --------------------------------------------


def test_a_target_that_is_not_empty_is_refused(world, tmp_path, make_user):
    out = tmp_path / "backup.tar"
    backup_of(world, out)
    before = state(world)
    with pytest.raises(ValidationError, match="is not empty"):
        restore(world, out)  # over the live database
    assert state(world) == before

    wipe(world)
    stranger = world.settings.artifact_dir / "notes.txt"
    stranger.parent.mkdir(parents=True)
    stranger.write_text("someone's notes")
    with pytest.raises(ValidationError, match=r"artifact directory .* is not empty"):
        restore(world, out)
    assert stranger.read_text() == "someone's notes"
    stranger.unlink()
    target_is_untouched(world)


@pytest.fixture
def sqlite_target(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("GOVERNANCE_DATABASE_URL", f"sqlite:///{tmp_path / 'target' / 'g.db'}")
    monkeypatch.setenv("GOVERNANCE_ARTIFACT_DIR", str(tmp_path / "target" / "artifacts"))
    return tmp_path / "target"


def _not_a_backup(kind: str, folder: Path) -> Path:
    path = folder / f"{kind.replace(' ', '-')}.tar"
    if kind == "random bytes":
        path.write_bytes(bytes(range(256)) * 8)
    elif kind == "no manifest":
        write(path, {"database/governance.sqlite3": b"SQLite format 3\x00"})
    elif kind == "manifest not json":
        write(path, {"manifest.json": b"{not json"})
    elif kind == "newer format":
        write(path, {"manifest.json": json.dumps(
            {"format": "governance-backup", "format_version": 2}).encode()})  # fmt: skip
    elif kind == "member outside the backup":
        manifest = {"format": "governance-backup", "format_version": 1, "created_at": "x",
                    "created_by": "x", "app_version": "x", "schema_revision": "x",
                    "database": {"dialect": "sqlite"}, "audit_head": {}, "tables": {},
                    "files": {"../../etc/passwd": {"sha256": "0" * 64, "size": 1}}}  # fmt: skip
        write(path, {"manifest.json": json.dumps(manifest).encode()})
    return path


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("missing", "There is no backup file"),
        ("random bytes", "is not a backup made by this workbench"),
        ("no manifest", "holds no manifest.json"),
        ("manifest not json", "manifest is not valid JSON"),
        ("newer format", "backup format version 2"),
        ("member outside the backup", "which no backup holds"),
    ],
)
def test_what_is_not_a_backup_is_bad_input(sqlite_target, tmp_path, kind, message, capsys):
    path = tmp_path / "missing.tar" if kind == "missing" else _not_a_backup(kind, tmp_path)
    assert main(["restore", str(path)]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not sqlite_target.exists()


def test_a_backup_of_another_kind_of_database_is_refused(world, tmp_path, monkeypatch, capsys):
    out = tmp_path / "backup.tar"
    backup_of(world, out)
    other = "postgresql" if world.database.dialect == "sqlite" else "sqlite"
    url = (f"sqlite:///{tmp_path / 'x.db'}" if other == "sqlite"
           else "postgresql+psycopg://postgres@127.0.0.1:5432/test")  # fmt: skip
    monkeypatch.setenv("GOVERNANCE_DATABASE_URL", url)
    assert main(["restore", str(out)]) == 2
    assert f"holds a {world.database.dialect} database; the target is {other}" in (
        capsys.readouterr().err
    )


# --- the backup's own refusals and problems -------------------------------------------------


def test_a_backup_never_overwrites_and_refuses_a_broken_chain(world, tmp_path, monkeypatch, capsys):
    existing = tmp_path / "existing.tar"
    existing.write_bytes(b"keep me")
    with pytest.raises(ValidationError, match="exists already"):
        backup_of(world, existing)
    assert existing.read_bytes() == b"keep me"
    with pytest.raises(ValidationError, match="outside the artifact store"):
        backup_of(world, world.settings.artifact_dir / "b.tar")

    tamper.edit_details(world.database.engine, 2, {"after": {"role": "admin"}})
    monkeypatch.setenv("GOVERNANCE_DATABASE_URL", world.settings.database_url)
    monkeypatch.setenv("GOVERNANCE_ARTIFACT_DIR", str(world.settings.artifact_dir))
    assert main(["backup", "--out", str(tmp_path / "b.tar")]) == 1
    assert "No backup written: Audit chain BROKEN at event 2" in capsys.readouterr().err
    assert (
        sorted(p.name for p in tmp_path.iterdir() if p.name.startswith((".b.tar", "b.tar"))) == []
    )


def test_a_missing_evidence_file_is_named_in_the_backup_which_still_restores(
    world, tmp_path, monkeypatch, capsys
):
    lost = next(world.settings.artifact_dir.rglob("*.parquet"))
    lost.unlink()
    monkeypatch.setenv("GOVERNANCE_DATABASE_URL", world.settings.database_url)
    monkeypatch.setenv("GOVERNANCE_ARTIFACT_DIR", str(world.settings.artifact_dir))
    out = tmp_path / "backup.tar"
    assert main(["backup", "--out", str(out)]) == 1  # written, but not whole
    err = capsys.readouterr().err
    assert f"{lost.parent.name}/{lost.name} is missing from the artifact store" in err
    wipe(world)
    assert main(["restore", str(out)]) == 0
    assert "the backup was made with a problem" in capsys.readouterr().err
    assert world.run(audit.verify_chain).intact


# --- crashes and a live application ---------------------------------------------------------


def crash_cli(
    point: str | None, args: list[str], env: dict[str, str]
) -> subprocess.CompletedProcess:
    """The CLI in a subprocess that dies at ``point`` (None: an ordinary run)."""
    runner = ["governance"] if point is None else ["tests.integration.crash", point]
    return subprocess.run([sys.executable, "-m", *runner, *args], capture_output=True,
                          text=True, cwd=ROOT, env=env, timeout=120)  # fmt: skip


def cli_env(workbench: Workbench, **extra: str) -> dict[str, str]:
    return {**os.environ, "GOVERNANCE_DATABASE_URL": workbench.settings.database_url,
            "GOVERNANCE_ARTIFACT_DIR": str(workbench.settings.artifact_dir), **extra}  # fmt: skip


def test_a_crash_while_backing_up_leaves_nothing_under_the_backup_name(world, tmp_path):
    out = tmp_path / "backup.tar"
    env = cli_env(world, CRASH_BACKUP_TARGET=str(out))
    done = crash_cli("before:backup", ["backup", "--out", str(out)], env)
    assert done.returncode == CRASH_EXIT, done.stderr
    assert not out.exists()
    debris = [p.name for p in tmp_path.iterdir() if p.name.startswith(".backup.tar.")]
    assert len(debris) == 1 and debris[0].endswith(".partial")  # beside it, dotted
    rerun = crash_cli(None, ["backup", "--out", str(out)], env)
    assert rerun.returncode == 0, rerun.stderr
    assert out.is_file()


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # PostgreSQL: one transaction
def test_a_crash_before_the_sqlite_database_lands_can_be_restored_again(world, admin, tmp_path):
    if world.database.dialect != "sqlite":
        pytest.skip(
            "the SQLite database lands by a rename; PostgreSQL's restore is one transaction"
        )
    out = tmp_path / "backup.tar"
    backup_of(world, out)
    before = state(world)
    wipe(world)
    target = Path(make_url(world.settings.database_url).database)
    env = cli_env(world, CRASH_RESTORE_TARGET=str(target))
    done = crash_cli("before:restore", ["restore", str(out)], env)
    assert done.returncode == CRASH_EXIT, done.stderr
    assert not target.exists()
    # The artifacts it placed are the backup's own: a second run accepts them and finishes.
    rerun = crash_cli(None, ["restore", str(out)], env)
    assert rerun.returncode == 0, rerun.stderr
    after = state(world)
    assert after["users"] == before["users"] and after["files"] == before["files"]


def test_a_backup_taken_while_the_app_writes_is_one_consistent_state(world, tmp_path, admin):
    stop = threading.Event()
    written: list[str] = []

    def keep_writing() -> None:
        while not stop.is_set() and len(written) < 200:
            name = f"busy-{len(written)}"
            world.run(auth.create_user, actor=admin.actor(), username=name,
                      role=Role.AUDITOR, password=factories.PASSWORD)  # fmt: skip
            written.append(name)

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        while len(written) < 3:  # the writer is under way before the backup starts
            stop.wait(0.01)
        out = tmp_path / "backup.tar"
        backup_of(world, out)
    finally:
        stop.set()
        writer.join()
    wipe(world)
    restore(world, out)  # proves chain, head and rows per table agree with the manifest
    with world.database.session() as s:
        users = s.scalar(select(text("count(*)")).select_from(User))
        created = s.scalar(
            select(text("count(*)"))
            .select_from(AuditEvent)
            .where(AuditEvent.action == "user.created")
        )
    assert users == created  # every account with its event, none without


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_sqlite_copy_is_one_self_contained_file(world, tmp_path):
    out = tmp_path / "backup.tar"
    backup_of(world, out)
    copy = tmp_path / "copy.db"
    copy.write_bytes(members(out)[DB_MEMBER["sqlite"]])
    con = sqlite3.connect(copy)
    try:
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    finally:
        con.close()
