"""Worker processes for the workbench's own CPU-bound work, started the one safe way.

Workers are forked from a ``forkserver``: a clean, single-threaded process, never the server
itself, because Streamlit runs each session's script on a thread and forking a threaded
process copies locks that other threads held. The forkserver is one per process and imports
its preload list once, when it starts; every user of workers adds to the same list here, so
whoever starts it first starts it with everything (and with :mod:`governance.worker_boot`,
which keeps workers from re-running the parent's ``__main__``).
"""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Iterable
from typing import Any

BOOT = "governance.worker_boot"
_preload: list[str] = [BOOT]
_lock = threading.Lock()


def forkserver_context(preload: Iterable[str] = ()) -> Any:
    """The forkserver context, its preload list extended by ``preload``."""
    context = multiprocessing.get_context("forkserver")
    with _lock:
        _preload.extend(m for m in preload if m not in _preload)
        # Takes effect when the forkserver starts (once per process, at the first worker).
        context.set_forkserver_preload(list(_preload))
    return context
