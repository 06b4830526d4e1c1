"""DuckDB connections that can read exactly the files they are given, and nothing else."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import duckdb

# Settings every connection of this process gets: none by default; a worker that reads uploads
# sets a memory limit once (governance.analytics.isolated), so that DuckDB fails a query with
# its own out-of-memory error before the process's hard limit is reached.
_PROCESS_SETTINGS: dict[str, str] = {}


def limit_connections(*, memory_limit_mb: int, threads: int) -> None:
    """Give every later connection of this process these limits, and no spilling to disk.

    Without a temporary directory, a query over the limit fails rather than writing spill files
    that a stopped worker would leave behind.
    """
    _PROCESS_SETTINGS["memory_limit"] = f"{int(memory_limit_mb)}MB"
    _PROCESS_SETTINGS["threads"] = str(int(threads))
    _PROCESS_SETTINGS["temp_directory"] = ""


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
    for name, value in _PROCESS_SETTINGS.items():  # before external access goes off: it locks these
        con.execute(f"SET {name} = $value", {"value": value})
    con.execute("SET enable_external_access = false")
    con.execute("SET autoinstall_known_extensions = false")
    con.execute("SET autoload_known_extensions = false")
    con.execute("SET enable_progress_bar = false")  # it would print to the server's log
    # Times without a zone in a file read as UTC, whatever the server's own zone.
    con.execute("SET TimeZone = 'UTC'")
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    con.execute("SET lock_configuration = true")
    return con
