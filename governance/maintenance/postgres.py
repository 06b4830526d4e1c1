"""PostgreSQL copied out and back with its own tools: ``pg_dump`` and ``pg_restore``.

Which schema: the one the URL's connections use, ``current_schema()`` — the first schema of
the ``search_path`` that exists, so ``?options=-csearch_path%3Dgovernance`` is honoured, and
without one the server's default (``"$user", public``). Only that schema is dumped
(``pg_dump --schema``), in the custom format, from the very snapshot in which the manifest's
facts are read (``pg_export_snapshot`` and ``pg_dump --snapshot``), so the two always agree.

The tools must be at least the server's major version; they are found on ``PATH``. The
password, if the URL has one, reaches them in ``PGPASSWORD``, never on a command line.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import URL


class ToolMissing(RuntimeError):
    """A PostgreSQL client program is not installed (a broken installation: exit 3)."""


class ToolFailed(RuntimeError):
    """``pg_dump`` or ``pg_restore`` exited with an error."""


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise ToolMissing(
            f"{name} is not installed or not on PATH: install the PostgreSQL client programs "
            "(Debian: apt-get install postgresql-client), at least the server's version."
        )
    return found


def _connection_args(url: URL) -> tuple[str, dict[str, str]]:
    """The libpq URI for the tools (without the password) and their environment."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(argv: list[str], env: dict[str, str], what: str) -> str:
    done = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)  # noqa: S603
    if done.returncode != 0:
        tail = " ".join(done.stderr.split())[-600:]
        raise ToolFailed(f"{what} failed (exit {done.returncode}): {tail}")
    return done.stdout


def tool_version() -> str:
    return _run([_tool("pg_dump"), "--version"], dict(os.environ), "pg_dump --version").strip()


def current_schema(conn: Connection) -> str:
    """The schema this connection's unqualified names resolve to, even if it does not exist."""
    schema = conn.scalar(text("SELECT current_schema()"))
    if schema:
        return str(schema)
    # No schema of the search_path exists yet: the first one named (a restore creates it).
    path = str(conn.scalar(text("SHOW search_path")) or "")
    for part in (p.strip() for p in path.split(",")):
        if part and part != '"$user"':
            return part[1:-1].replace('""', '"') if part.startswith('"') else part
    return "public"


@contextmanager
def exported_snapshot(engine: Engine) -> Iterator[tuple[Connection, str, str]]:
    """A connection in a repeatable-read transaction, its exported snapshot id and its schema.

    The snapshot stays valid (for ``pg_dump --snapshot``) while the block runs.
    """
    with engine.connect() as conn:
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            snapshot = str(conn.scalar(text("SELECT pg_export_snapshot()")))
            yield conn, snapshot, current_schema(conn)


def dump(url: URL, *, schema: str, snapshot: str, target: Path) -> None:
    """``pg_dump`` the schema, as of ``snapshot``, into ``target`` in the custom format."""
    uri, env = _connection_args(url)
    _run(
        [
            _tool("pg_dump"),
            "--format=custom",
            "--no-password",
            # Quoted: pg_dump reads -n as a pattern, and a name is not one.
            f"--schema={quote_identifier(schema)}",
            f"--snapshot={snapshot}",
            f"--file={target}",
            f"--dbname={uri}",
        ],
        env,
        "pg_dump",
    )


def relations_in(conn: Connection, schema: str) -> list[str]:
    """Tables, views and sequences in ``schema`` (none when it does not exist)."""
    rows = conn.execute(
        text(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = :s AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') "
            "ORDER BY c.relname"
        ),
        {"s": schema},
    )
    return [str(r[0]) for r in rows]


def schema_exists(conn: Connection, schema: str) -> bool:
    found = conn.scalar(text("SELECT 1 FROM pg_namespace WHERE nspname = :s"), {"s": schema})
    return found is not None


def restore(url: URL, *, dump_file: Path, work_dir: Path) -> None:
    """``pg_restore`` the dump into its own schema, which must exist, in one transaction.

    Owners and grants are not restored (``--no-owner --no-privileges``): the objects belong to
    the URL's user, as when the app's migrations create them. The dump's own ``CREATE SCHEMA``
    is left out (the schema exists already), through a ``--use-list`` without it.
    """
    uri, env = _connection_args(url)
    listing = _run([_tool("pg_restore"), "--list", str(dump_file)], env, "pg_restore --list")
    kept = [line for line in listing.splitlines() if not _is_schema_entry(line)]
    use_list = work_dir / "restore.list"
    use_list.write_text("\n".join(kept) + "\n", encoding="utf-8")
    _run(
        [
            _tool("pg_restore"),
            "--single-transaction",
            "--exit-on-error",
            "--no-owner",
            "--no-privileges",
            "--no-password",
            f"--use-list={use_list}",
            f"--dbname={uri}",
            str(dump_file),
        ],
        env,
        "pg_restore",
    )


def _is_schema_entry(line: str) -> bool:
    # A TOC line reads "12; 2615 16385 SCHEMA - name owner" (or "COMMENT - SCHEMA name").
    fields = line.split()
    return (
        not line.startswith(";")
        and len(fields) > 4
        and (fields[3] == "SCHEMA" or fields[3:6] == ["COMMENT", "-", "SCHEMA"])
    )


def empty_schema(conn: Connection, schema: str) -> None:
    """Drop every table, view, sequence, function and type in ``schema``, keeping the schema
    itself (its owner and grants): how a failed restore puts an empty target back."""
    q = quote_identifier(schema)
    for name, kind in conn.execute(
        text(
            "SELECT c.relname, c.relkind FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = :s AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')"
        ),
        {"s": schema},
    ).all():
        word = {"v": "VIEW", "m": "MATERIALIZED VIEW", "f": "FOREIGN TABLE", "S": "SEQUENCE"}
        conn.execute(
            text(f"DROP {word.get(kind, 'TABLE')} IF EXISTS {q}.{quote_identifier(name)} CASCADE")
        )
    for (signature,) in conn.execute(
        text(
            "SELECT p.oid::regprocedure::text FROM pg_proc p "
            "JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = :s"
        ),
        {"s": schema},
    ).all():
        conn.execute(text(f"DROP ROUTINE IF EXISTS {signature} CASCADE"))
    for (name,) in conn.execute(
        text(
            "SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
            "WHERE n.nspname = :s AND t.typtype IN ('e', 'd')"
        ),
        {"s": schema},
    ).all():
        conn.execute(text(f"DROP TYPE IF EXISTS {q}.{quote_identifier(name)} CASCADE"))
