"""DuckDB connections that can read exactly the files they are given, and nothing else."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import duckdb


def quote_identifier(name: str) -> str:
    """A user-supplied column name as a DuckDB identifier (never spliced in unquoted)."""
    if "\x00" in name:
        raise ValueError("column names cannot contain NUL characters")
    return '"' + name.replace('"', '""') + '"'


def sandboxed(files: Iterable[Path], *, threads: int | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory connection allowed to read only ``files``; its settings are then locked.

    External access (other files, HTTP, extensions) is off, so a hostile column name or value
    that somehow reached SQL still could not read anything else.
    """
    con = duckdb.connect(":memory:")
    allowed = [str(Path(f).resolve()) for f in files]
    if allowed:
        con.execute("SET allowed_paths = $paths", {"paths": allowed})
    con.execute("SET enable_external_access = false")
    con.execute("SET autoinstall_known_extensions = false")
    con.execute("SET autoload_known_extensions = false")
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    con.execute("SET lock_configuration = true")
    return con
