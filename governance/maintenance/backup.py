"""``python -m governance backup --out FILE``: the database, its artifact files and a manifest.

The backup is one tar file, written under a temporary name beside ``FILE`` (in a folder
``.FILE.<random>.partial``) and renamed into place only when whole and flushed to disk, so
``FILE`` is either absent or complete. It holds:

- ``database/…``: SQLite through the online backup API (safe while the app runs), or
  PostgreSQL through ``pg_dump --format=custom`` of the schema in use (see
  :mod:`governance.maintenance.postgres`);
- ``artifacts/…``: every stored file the copied records reference — not orphans or
  temporaries, which are debris (``doctor``), so the backup is one consistent state;
- ``manifest.json``: format, time, who, app version, schema revision, dialect, every file's
  SHA-256 and size, the rows per table and the audit chain's head.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session

import governance
from governance.actor import Actor
from governance.artifacts import ArtifactStore
from governance.audit.events import AuditAction, Event, Resource
from governance.auth.roles import Action
from governance.errors import IntegrityFailure, ValidationError
from governance.kernel import UnitOfWork, authorize
from governance.maintenance import postgres, sqlite
from governance.maintenance.archive import ArchiveWriter
from governance.maintenance.facts import DatabaseFacts, facts_of
from governance.maintenance.manifest import ARTIFACTS_PREFIX, DATABASE_MEMBERS, Manifest


@dataclass(frozen=True, slots=True)
class BackupInfo:
    path: Path
    sha256: str
    size: int
    manifest: Manifest


@dataclass(frozen=True, slots=True)
class _Snapshot:
    database_file: Path
    facts: DatabaseFacts
    schema: str | None
    tool: str


def create_backup(uow: UnitOfWork, *, actor: Actor, out: Path) -> BackupInfo:
    """Write a backup of the workbench to the new file ``out`` (administrators; audited).

    Refused when the audit chain is broken: such a backup could never be restored (a restore
    verifies the chain), and the damage is for ``audit verify`` to show, not to preserve.
    """
    authorize(uow, actor, Action.MAINTENANCE, Resource.SYSTEM)
    out = _checked_output(Path(out), uow.artifacts.root)
    stage = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".partial", dir=out.parent))
    try:
        snapshot = _take_snapshot(uow.session.get_bind(), stage)  # type: ignore[arg-type]
        chain = snapshot.facts.chain
        if not chain.intact:
            raise IntegrityFailure(
                f"No backup written: {chain.summary()} Run `python -m governance audit verify`."
            )
        info = _write_archive(uow, actor, snapshot, stage / "backup.tar", out)
        os.replace(stage / "backup.tar", out)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    _sync_directory(out.parent)
    uow.on_rollback(lambda: out.unlink(missing_ok=True))  # an unaudited backup is not kept
    head = info.manifest.audit_head
    details = {
        "file": str(out),
        "sha256": info.sha256,
        "size": info.size,
        "dialect": info.manifest.dialect,
        "schema": info.manifest.schema,
        "audit_head": head.to_dict(),
        "artifacts": len(info.manifest.artifact_members()),
        "problems": info.manifest.problems,
    }
    uow.record(actor, Event(AuditAction.MAINTENANCE_BACKUP_CREATED, Resource.SYSTEM, None, details))
    return info


def _checked_output(out: Path, store_root: Path) -> Path:
    if str(out).strip() == "":
        raise ValidationError("--out needs a file name.")
    out = out.expanduser().absolute()
    if out.exists() or out.is_symlink():
        raise ValidationError(f"{str(out)!r} exists already: a backup never overwrites a file.")
    if not out.parent.is_dir():
        raise ValidationError(f"The folder {str(out.parent)!r} does not exist.")
    if out.is_relative_to(store_root.expanduser().absolute()):
        raise ValidationError("Write the backup outside the artifact store it copies.")
    return out


def _take_snapshot(engine: Engine, stage: Path) -> _Snapshot:
    target = stage / "database"
    if engine.dialect.name == "sqlite":
        sqlite.copy_database(sqlite.database_path(str(engine.url)), target)
        copy = sqlite.read_only_engine(target)
        try:
            with Session(copy) as session:
                facts = facts_of(session)
        finally:
            copy.dispose()
        return _Snapshot(target, facts, None, f"sqlite {sqlite3.sqlite_version}")
    if engine.dialect.name != "postgresql":
        raise ValidationError(f"Backups support SQLite and PostgreSQL, not {engine.dialect.name}.")
    with postgres.exported_snapshot(engine) as (conn, snapshot_id, schema):
        with Session(bind=conn) as session:
            facts = facts_of(session, schema=schema)
        postgres.dump(engine.url, schema=schema, snapshot=snapshot_id, target=target)
    return _Snapshot(target, facts, schema, postgres.tool_version())


def _write_archive(
    uow: UnitOfWork, actor: Actor, snapshot: _Snapshot, path: Path, out: Path
) -> BackupInfo:
    dialect = uow.session.get_bind().dialect.name
    writer = ArchiveWriter(path)
    try:
        writer.add_file(DATABASE_MEMBERS[dialect], snapshot.database_file)
        problems = list(_add_artifacts(writer, uow.artifacts, snapshot.facts))
        facts = snapshot.facts
        manifest = Manifest(
            created_at=uow.now().isoformat(timespec="seconds"),
            created_by=actor.username,
            app_version=governance.__version__,
            schema_revision=facts.revision,
            dialect=dialect,
            schema=snapshot.schema,
            tool=snapshot.tool,
            audit_head=facts.head,
            tables=facts.tables,
            files=dict(writer.files),
            problems=problems,
        )
        sha256, size = writer.finish(manifest)
    except BaseException:
        writer.abort()
        raise
    return BackupInfo(out, sha256, size, manifest)


def _add_artifacts(
    writer: ArchiveWriter, store: ArtifactStore, facts: DatabaseFacts
) -> Iterator[str]:
    """Add each referenced file once; say which are missing or damaged (kept as they are)."""
    done: set[str] = set()
    for ref in facts.references:
        if ref.sha256 in done:
            continue
        done.add(ref.sha256)
        path = store.path_for(ref.sha256)
        relative = path.relative_to(store.root).as_posix()
        if not path.is_file():
            yield f"{ref.label}: its stored file {relative} is missing from the artifact store"
            continue
        entry = writer.add_file(ARTIFACTS_PREFIX + relative, path)
        if ref.stored_sha256 is not None and entry.sha256 != ref.stored_sha256:
            yield (
                f"{ref.label}: its stored file {relative} does not match the SHA-256 recorded "
                "when it was saved (copied as it is)"
            )


def _sync_directory(folder: Path) -> None:
    """Make the rename itself durable (POSIX: fsync the directory)."""
    # Some file systems cannot fsync a directory; the file's data is synced already.
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
