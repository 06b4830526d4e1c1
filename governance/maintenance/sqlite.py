"""SQLite files copied out and back: the online backup API, and read-only looks at a copy.

``sqlite3.Connection.backup`` copies a consistent snapshot page by page while the app keeps
working (in WAL mode writers are not blocked; a write during the copy makes the copy restart
at that page, so the result is always one committed state).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import make_url

from governance.errors import ValidationError


def database_path(url: str) -> Path:
    """The file a ``sqlite:///`` URL names (an in-memory database cannot be backed up)."""
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        raise ValidationError(
            f"The SQLite database {url!r} is not a plain file path: back up and restore need "
            "one (sqlite:///path/to/governance.db)."
        )
    return Path(database)


def _read_only(path: Path) -> sqlite3.Connection:
    # mode=ro: never create or change the file by looking at it.
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def copy_database(source: Path, target: Path) -> None:
    """Copy the live database at ``source`` into the new file ``target`` (online, consistent).

    The copy is switched to a rollback journal, so that it is one self-contained file (a WAL
    database needs its -wal and -shm companions, and a read-only look would need them too).
    """
    if not source.is_file():
        raise ValidationError(f"There is no SQLite database at {str(source)!r}.")
    src = _read_only(source)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")
    finally:
        dst.close()
        src.close()


def read_only_engine(path: Path) -> Engine:
    """An engine over a copy that can only read it (no pragmas, no journal written)."""
    return create_engine("sqlite://", creator=lambda: _read_only(path))


def integrity_problem(path: Path) -> str | None:
    """What ``PRAGMA integrity_check`` finds wrong with the file, or ``None`` when it is sound."""
    try:
        con = _read_only(path)
        try:
            rows = con.execute("PRAGMA integrity_check").fetchall()
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        return str(exc)
    found = [str(r[0]) for r in rows]
    return None if found == ["ok"] else "; ".join(found[:5])


def holds_tables(path: Path) -> bool:
    """Whether the file at ``path`` exists and holds any table (an empty file holds none)."""
    if not path.exists() or path.stat().st_size == 0:
        return False
    try:
        con = _read_only(path)
        try:
            row = con.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()
        finally:
            con.close()
    except sqlite3.DatabaseError:
        return True  # not a database we can read: certainly not empty
    return bool(row and row[0])


def companions(path: Path) -> list[Path]:
    """The journal files SQLite keeps next to ``path`` that exist now."""
    return [
        p for p in (Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")) if p.exists()
    ]
