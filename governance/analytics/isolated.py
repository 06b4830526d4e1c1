"""Reading untrusted files in worker processes, each read bounded in time and memory.

The page reads uploads here, not in the server: a file that makes DuckDB run for minutes or
take gigabytes takes them from a worker, which is stopped at its limit, while the server goes
on answering everyone else. The command line reads in-process (a pipeline's own files).

Workers are forked from a ``forkserver``, a clean single-threaded process started once with
DuckDB, pandas and the engine already imported; never from the server itself, because Streamlit
runs each session's script on a thread, and forking a threaded process copies locks that other
threads held. Workers stay up between reads (pebble's pool replaces one that was stopped), so a
read costs a few pickled messages, not an interpreter start. Results come back pickled: plain
dataclasses, frames and :class:`~governance.errors.GovernanceError` refusals.
"""

from __future__ import annotations

import os
import resource
import shutil
import tempfile
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar

import duckdb
from pebble import ProcessExpired, ProcessPool

from governance.errors import ValidationError
from governance.processes import forkserver_context

P = ParamSpec("P")
T = TypeVar("T")

SECONDS_SETTING = "GOVERNANCE_UPLOAD_READ_SECONDS"
MEMORY_SETTING = "GOVERNANCE_UPLOAD_READ_MEMORY_MB"
# DuckDB may use this share of a worker's address space; past it, it fails a query with its own
# out-of-memory error (a clean refusal) before the hard limit kills the process.
DUCKDB_SHARE = 0.5
# Below the server's priority: on a busy machine the server's threads are scheduled first.
WORKER_NICENESS = 10


@dataclass(frozen=True, slots=True)
class ReadLimits:
    """What one read may take: wall-clock seconds and address space, and how many run at once."""

    seconds: int
    memory_mb: int
    workers: int = 2


def _limit_worker(memory_mb: int) -> None:
    """Runs in each new worker before its first read."""
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    os.nice(WORKER_NICENESS)
    from governance.analytics.duck import limit_connections

    # One core is left to the server (and the other reads): a read is slower, never a stall.
    threads = max(1, (os.cpu_count() or 2) - 1)
    limit_connections(memory_limit_mb=int(memory_mb * DUCKDB_SHARE), threads=threads)


def _in_directory(directory: str, function: Callable[..., T], args: Any, kwargs: Any) -> T:
    """Runs in the worker: the call's temporary files (an Excel conversion) go to ``directory``,
    which the server removes after the call however it ended (a stopped worker cleans nothing)."""
    previous, tempfile.tempdir = tempfile.tempdir, directory
    try:
        return function(*args, **kwargs)
    finally:
        tempfile.tempdir = previous


def _context(preload: Sequence[str]) -> Any:
    return forkserver_context(preload)


class IsolatedReader:
    """A warm pool of reading workers; :meth:`run` calls a function in one, within the limits."""

    def __init__(
        self, limits: ReadLimits, *, preload: Sequence[str] = (), advice: str = ""
    ) -> None:
        """``preload``: modules the forkserver imports once; ``advice`` ends a refusal."""
        self.limits = limits
        self._preload = tuple(preload)
        self._advice = f" {advice}" if advice else ""
        self._lock = threading.Lock()
        self._pool: ProcessPool | None = None

    def _workers(self) -> ProcessPool:
        with self._lock:
            if self._pool is not None and not self._pool.active:
                self._pool.stop()  # broken: its workers went away; a new pool replaces it
                self._pool = None
            if self._pool is None:
                self._pool = ProcessPool(
                    max_workers=self.limits.workers,
                    initializer=_limit_worker,
                    initargs=(self.limits.memory_mb,),
                    context=_context(self._preload),
                )
            return self._pool

    def run(
        self,
        name: str,
        function: Callable[P, T],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """``function(*args, **kwargs)`` in a worker; past a limit, a refusal naming ``name``.

        ``function`` and its arguments must be picklable (module-level functions, plain data).
        Its :class:`~governance.errors.GovernanceError` comes back as it was raised.
        """
        directory = tempfile.mkdtemp(prefix="governance-read-")
        try:
            future = self._workers().schedule(
                _in_directory, (directory, function, args, kwargs), timeout=self.limits.seconds
            )
            return future.result()
        except FutureTimeout:
            raise ValidationError(
                f"{name!r} took longer than {self.limits.seconds} s to read, so its reading was "
                f"stopped ({SECONDS_SETTING} sets the limit).{self._advice}"
            ) from None
        except (MemoryError, duckdb.OutOfMemoryException):  # Python's and DuckDB's, at the limit
            raise ValidationError(
                f"{name!r} needed more than the {self.limits.memory_mb:,} MB of memory a read "
                f"may use here, so its reading was stopped ({MEMORY_SETTING} sets the limit)."
                f"{self._advice}"
            ) from None
        except ProcessExpired:  # an allocation failed where nothing could raise, say
            raise ValidationError(
                f"{name!r} could not be read: its reading process stopped, perhaps over the "
                f"{self.limits.memory_mb:,} MB it may use ({MEMORY_SETTING}).{self._advice}"
            ) from None
        except BrokenProcessPool:
            raise ValidationError(
                f"{name!r} could not be read: the reading workers stopped. Try again."
            ) from None
        finally:
            shutil.rmtree(directory, ignore_errors=True)

    def close(self) -> None:
        with self._lock:
            if self._pool is not None:
                self._pool.stop()
                self._pool.join()
                self._pool = None
