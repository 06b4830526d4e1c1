"""``python -m governance restore BACKUP``: check a backup, restore it, prove what was restored.

Into an **empty** target only: a database without tables (SQLite: no file, an empty file or
one without tables; PostgreSQL: a schema without tables) and an artifact directory that is
absent or empty. There is no ``--force``: a non-empty target holds records, evidence and audit
events newer than the backup, and overwriting them is not a restore's decision to make. Move
them aside first (that keeps them, too).

In order, stopping at the first problem:

1. the manifest is read and the target is checked (same dialect, a known schema revision,
   empty) — nothing is touched;
2. every member's SHA-256 and size are checked against the manifest — nothing is touched;
3. the files are staged: artifacts into a folder beside the artifact directory, the SQLite
   database into a file beside its target (PostgreSQL: ``pg_restore --single-transaction``
   into the backup's schema);
4. the staged database is proved: its integrity (SQLite), its schema revision and rows per
   table as the manifest says, an intact audit chain, the chain's head equal to the head the
   manifest recorded, and every referenced file present;
5. the files are moved into place, the database last (SQLite: one rename; PostgreSQL:
   renaming the schema to the target's when they differ), and the restore is audited in the
   restored trail.

A failure at 3–5 removes what was staged or restored, so the target is as it was: empty.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from governance.actor import Actor
from governance.artifacts import sha256_file
from governance.audit.events import AuditAction, Event, Resource
from governance.auth.roles import Action
from governance.config import Settings
from governance.db import make_engine
from governance.db.migrate import MIGRATIONS_DIR, head_revision
from governance.errors import IntegrityFailure, ValidationError
from governance.kernel import UnitOfWork, Workbench, authorize
from governance.maintenance import postgres, sqlite
from governance.maintenance.archive import BackupReader
from governance.maintenance.facts import DatabaseFacts, facts_of
from governance.maintenance.head import AuditHead, check_head
from governance.maintenance.manifest import ARTIFACTS_PREFIX, Manifest


@dataclass(frozen=True, slots=True)
class RestoreInfo:
    backup: Path
    backup_sha256: str
    manifest: Manifest
    event_id: int
    needs_upgrade: bool  # restored at an older schema revision than this version's


def expected_head(manifest: Manifest) -> tuple[AuditHead, str]:
    """The head the restored chain must end at, and who says so.

    Today the manifest; when signed checkpoints exist, a checkpoint given to the restore (its
    signature verified first) is the stronger witness and is returned here instead.
    """
    return manifest.audit_head, "the backup's manifest"


def restore_backup(settings: Settings, *, backup: Path, actor: Actor) -> RestoreInfo:
    """Restore ``backup`` into the (empty) database and artifact directory of ``settings``.

    Not a service on a unit of work: until it ends there is no database to hold one. The
    restore is audited in the restored trail, through :func:`record_restore`.
    """
    with BackupReader(Path(backup)) as reader:
        manifest = reader.manifest
        _check_revision(manifest)
        database = _database_target(settings.database_url, manifest)
        artifacts = _ArtifactTarget(Path(settings.artifact_dir), manifest)
        try:
            database.check_empty()
            artifacts.check_empty()
            backup_sha256 = sha256_file(reader.path)
            reader.verify()
            _restore(reader, manifest, database, artifacts)
        finally:
            database.close()
    workbench = Workbench.open(settings, migrate=False)
    try:
        event_id = workbench.run(
            record_restore,
            actor=actor,
            backup=Path(backup),
            backup_sha256=backup_sha256,
            manifest=manifest,
        )
    finally:
        workbench.close()
    return RestoreInfo(
        Path(backup), backup_sha256, manifest, event_id, manifest.schema_revision != head_revision()
    )


def record_restore(
    uow: UnitOfWork, *, actor: Actor, backup: Path, backup_sha256: str, manifest: Manifest
) -> int:
    """Audit a finished restore in the restored trail (administrators)."""
    authorize(uow, actor, Action.MAINTENANCE, Resource.SYSTEM)
    details = {
        "file": str(backup),
        "sha256": backup_sha256,
        "backup_created_at": manifest.created_at,
        "backup_created_by": manifest.created_by,
        "audit_head": manifest.audit_head.to_dict(),
        "schema_revision": manifest.schema_revision,
    }
    return uow.record(
        actor, Event(AuditAction.MAINTENANCE_RESTORED, Resource.SYSTEM, None, details)
    )


def _check_revision(manifest: Manifest) -> None:
    revision = manifest.schema_revision
    if revision is None:
        raise ValidationError("The backup holds a database without a schema: nothing to restore.")
    try:
        known = ScriptDirectory(str(MIGRATIONS_DIR)).get_revision(revision)
    except CommandError:
        known = None
    if known is None:
        raise ValidationError(
            f"The backup is at schema revision {revision!r}, which this version of the "
            f"workbench does not know (it was made by a newer version, "
            f"{manifest.app_version}?): restore it with that version."
        )


def _restore(
    reader: BackupReader, manifest: Manifest, database: _DatabaseTarget, artifacts: _ArtifactTarget
) -> None:
    try:
        artifacts.stage(reader)
        database.stage(reader)
        references = manifest.schema_revision == head_revision()
        _prove(manifest, database.facts(references=references), references)
        artifacts.place()
        database.place()
    except BaseException:
        artifacts.undo()
        database.undo()
        raise
    finally:
        artifacts.cleanup()


def _prove(manifest: Manifest, facts: DatabaseFacts, references: bool) -> None:
    """Raise :class:`IntegrityFailure` unless the staged database is what the manifest says."""
    refused = "Nothing was restored."
    if facts.revision != manifest.schema_revision:
        raise IntegrityFailure(
            f"The backup's database is at schema revision {facts.revision!r}, its manifest "
            f"says {manifest.schema_revision!r}. {refused}"
        )
    if not facts.chain.intact:
        raise IntegrityFailure(
            f"The backup's audit trail does not verify: {facts.chain.summary()} {refused}"
        )
    head, witness = expected_head(manifest)
    try:
        check_head(head, facts.head, expected_from=witness)
    except IntegrityFailure as exc:
        raise IntegrityFailure(f"{exc} {refused}") from None
    for name in sorted(set(facts.tables) | set(manifest.tables)):
        if facts.tables.get(name) != manifest.tables.get(name):
            raise IntegrityFailure(
                f"The backup's table {name} has {facts.tables.get(name, 'no')} rows, its "
                f"manifest says {manifest.tables.get(name, 'none')}. {refused}"
            )
    if references:
        _prove_references(manifest, facts)


def _prove_references(manifest: Manifest, facts: DatabaseFacts) -> None:
    held = manifest.artifact_members()
    for ref in facts.references:
        relative = f"{ref.sha256[:2]}/{ref.sha256}.parquet"
        if relative not in held and not any(relative in p for p in manifest.problems):
            raise IntegrityFailure(
                f"{ref.label} references {relative}, which the backup does not hold (and its "
                "manifest does not say was missing). Nothing was restored."
            )


class _DatabaseTarget(Protocol):
    def check_empty(self) -> None: ...
    def stage(self, reader: BackupReader) -> None: ...
    def facts(self, *, references: bool) -> DatabaseFacts: ...
    def place(self) -> None: ...
    def undo(self) -> None: ...
    def close(self) -> None: ...


def _database_target(url: str, manifest: Manifest) -> _DatabaseTarget:
    dialect = make_url(url).get_backend_name()
    if dialect != manifest.dialect:
        raise ValidationError(
            f"The backup holds a {manifest.dialect} database; the target is {dialect}. Restore "
            "into the kind of database it was made from."
        )
    if dialect == "sqlite":
        return _SqliteTarget(url, manifest)
    return _PostgresTarget(url, manifest)


_NOT_EMPTY = (
    "A restore goes into an empty target only; move the current one aside first (it holds "
    "records newer than the backup)."
)


class _SqliteTarget:
    def __init__(self, url: str, manifest: Manifest) -> None:
        self.path = sqlite.database_path(url).absolute()
        self.member = manifest.database_member
        self.staged: Path | None = None

    def check_empty(self) -> None:
        if sqlite.holds_tables(self.path) or sqlite.companions(self.path):
            raise ValidationError(f"The database {str(self.path)!r} is not empty. {_NOT_EMPTY}")

    def stage(self, reader: BackupReader) -> None:
        # Beside the target, so that placing it is one atomic rename on the same file system.
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.staged = self.path.parent / f".{self.path.name}.restoring-{secrets.token_hex(6)}"
        reader.extract(self.member, self.staged)
        problem = sqlite.integrity_problem(self.staged)
        if problem:
            raise IntegrityFailure(
                f"The backup's database is damaged ({problem}). Nothing was restored."
            )

    def facts(self, *, references: bool) -> DatabaseFacts:
        assert self.staged is not None
        engine = sqlite.read_only_engine(self.staged)
        try:
            with Session(engine) as session:
                return facts_of(session, references=references)
        finally:
            engine.dispose()

    def place(self) -> None:
        assert self.staged is not None
        os.replace(self.staged, self.path)
        self.staged = None

    def undo(self) -> None:
        self.close()

    def close(self) -> None:
        if self.staged is not None:
            for path in (self.staged, *sqlite.companions(self.staged)):
                path.unlink(missing_ok=True)
            self.staged = None


class _PostgresTarget:
    """Restores into the backup's schema; renames it to the URL's schema if that differs.

    pg_restore cannot put a schema's objects into another schema, so where the two names
    differ the backup's schema must not exist in the target database (restore into another
    database, or name the backup's schema in the URL).
    """

    def __init__(self, url: str, manifest: Manifest) -> None:
        self.engine = make_engine(url)
        self.member = manifest.database_member
        if not manifest.schema:
            raise ValidationError("The backup's manifest names no PostgreSQL schema.")
        self.source: str = manifest.schema
        with self.engine.connect() as conn:
            self.target = postgres.current_schema(conn)
        self.created = False
        self.touched = False
        self.work: Path | None = None

    def check_empty(self) -> None:
        with self.engine.connect() as conn:
            found = postgres.relations_in(conn, self.target)
            if found:
                raise ValidationError(
                    f"The schema {self.target!r} of the target database is not empty (it holds "
                    f"{', '.join(found[:3])}…). {_NOT_EMPTY}"
                )
            if self.source != self.target and postgres.schema_exists(conn, self.source):
                raise ValidationError(
                    f"The backup is of schema {self.source!r}, which exists in the target "
                    f"database, and the target is schema {self.target!r}: pg_restore cannot "
                    "restore one schema into another. Restore into a database without "
                    f"{self.source!r}, or with search_path={self.source} in the URL."
                )

    def stage(self, reader: BackupReader) -> None:
        self.work = Path(tempfile.mkdtemp(prefix="governance-restore-"))
        dump_file = self.work / "database.pgdump"
        reader.extract(self.member, dump_file)
        with self.engine.begin() as conn:
            if not postgres.schema_exists(conn, self.source):
                conn.execute(text(f"CREATE SCHEMA {postgres.quote_identifier(self.source)}"))
                self.created = True
        self.touched = True
        try:
            postgres.restore(self.engine.url, dump_file=dump_file, work_dir=self.work)
        except postgres.ToolFailed as exc:
            raise IntegrityFailure(
                f"The backup's database could not be restored: {exc} Nothing was restored."
            ) from None

    def facts(self, *, references: bool) -> DatabaseFacts:
        with self.engine.connect() as conn:
            conn.execute(
                text("SELECT set_config('search_path', :p, false)"),
                {"p": postgres.quote_identifier(self.source)},
            )
            with Session(bind=conn) as session:
                return facts_of(session, schema=self.source, references=references)

    def place(self) -> None:
        if self.source == self.target:
            return
        source, target = map(postgres.quote_identifier, (self.source, self.target))
        with self.engine.begin() as conn:
            if postgres.schema_exists(conn, self.target):
                conn.execute(text(f"DROP SCHEMA {target} RESTRICT"))  # empty, checked
            conn.execute(text(f"ALTER SCHEMA {source} RENAME TO {target}"))

    def undo(self) -> None:
        if not self.touched:
            return
        with self.engine.begin() as conn:
            if self.created:
                conn.execute(
                    text(f"DROP SCHEMA IF EXISTS {postgres.quote_identifier(self.source)} CASCADE")
                )
            else:
                postgres.empty_schema(conn, self.source)
        self.touched = False

    def close(self) -> None:
        if self.work is not None:
            shutil.rmtree(self.work, ignore_errors=True)
            self.work = None
        self.engine.dispose()


class _ArtifactTarget:
    """The artifact directory: empty, or holding only files identical to the backup's (what an
    interrupted restore of this same backup placed), which are then kept as they are."""

    def __init__(self, root: Path, manifest: Manifest) -> None:
        self.root = root.absolute()
        self.members = manifest.artifact_members()
        self.present: set[str] = set()
        self.stage_dir: Path | None = None
        self.placed: list[Path] = []
        self.made: list[Path] = []  # folders this restore created, removed again by undo

    def check_empty(self) -> None:
        if not self.root.exists():
            return
        if not self.root.is_dir():
            raise ValidationError(f"The artifact directory {str(self.root)!r} is not a folder.")
        for path in sorted(p for p in self.root.rglob("*") if not p.is_dir()):
            relative = path.relative_to(self.root).as_posix()
            entry = self.members.get(relative)
            if entry is None or not path.is_file() or sha256_file(path) != entry.sha256:
                raise ValidationError(
                    f"The artifact directory {str(self.root)!r} is not empty (it holds "
                    f"{relative!r}). {_NOT_EMPTY}"
                )
            self.present.add(relative)

    def stage(self, reader: BackupReader) -> None:
        self.root.parent.mkdir(parents=True, exist_ok=True)
        self.stage_dir = self.root.parent / f".{self.root.name}.restoring-{secrets.token_hex(6)}"
        self.stage_dir.mkdir()
        for relative in sorted(set(self.members) - self.present):
            reader.extract(ARTIFACTS_PREFIX + relative, self.stage_dir / relative)

    def place(self) -> None:
        assert self.stage_dir is not None
        for relative in sorted(set(self.members) - self.present):
            target = self.root / relative
            for folder in (self.root, target.parent):
                if not folder.exists():
                    folder.mkdir()
                    self.made.append(folder)
            os.replace(self.stage_dir / relative, target)
            self.placed.append(target)

    def undo(self) -> None:
        for path in self.placed:
            path.unlink(missing_ok=True)
        for folder in reversed(self.made):
            with contextlib.suppress(OSError):
                folder.rmdir()
        self.placed, self.made = [], []

    def cleanup(self) -> None:
        if self.stage_dir is not None:
            shutil.rmtree(self.stage_dir, ignore_errors=True)
            self.stage_dir = None
