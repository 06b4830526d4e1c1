"""Run the command line and die with ``os._exit`` at a chosen point, as a kill -9 would.

``python -m tests.integration.crash POINT ARGS...`` runs ``python -m governance ARGS...`` with
one function wrapped so that the process ends abruptly just before (``before:NAME``) or just
after (``after:NAME``) its first call that matches; nothing is cleaned up, no ``finally``
block runs, no transaction commits. The points are named by what they wrap:

- ``land``: the rename that puts a finished artifact file (``*.parquet``) in its place;
- ``backup``: the rename that puts a finished backup in place;
- ``restore``: the rename that puts a restored SQLite database in place.

Deterministic, unlike a timed kill: each crash lands exactly where the test says.
"""

from __future__ import annotations

import os
import sys

CRASH_EXIT = 137  # what a shell reports for a process killed by SIGKILL


def _matches(name: str, dst: str) -> bool:
    if name == "land":
        return dst.endswith(".parquet")
    if name == "backup":
        return os.environ.get("CRASH_BACKUP_TARGET", "\0") == dst
    if name == "restore":
        return os.environ.get("CRASH_RESTORE_TARGET", "\0") == dst
    raise SystemExit(f"unknown crash point {name!r}")


def install(point: str) -> None:
    when, _, name = point.partition(":")
    if when not in {"before", "after"}:
        raise SystemExit(f"crash point must be before:NAME or after:NAME, not {point!r}")
    real = os.replace

    def replace(src, dst, *args, **kwargs):  # type: ignore[no-untyped-def]
        hit = _matches(name, os.fspath(dst))
        if hit and when == "before":
            os._exit(CRASH_EXIT)
        real(src, dst, *args, **kwargs)
        if hit:
            os._exit(CRASH_EXIT)

    os.replace = replace  # type: ignore[assignment]


if __name__ == "__main__":
    install(sys.argv[1])
    from governance.cli import main

    sys.exit(main(sys.argv[2:]))
