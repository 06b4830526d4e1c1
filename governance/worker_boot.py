"""Imported in the reading workers' forkserver only, and so in every worker forked from it.

multiprocessing prepares each new worker by running the parent's ``__main__`` module again,
unless that is a package's ``__main__``. Under Streamlit the parent's ``__main__`` is the app
script (Streamlit runs a script as ``__main__``), so each worker would run the whole app as it
starts. The workers need nothing from ``__main__``: what they run is imported from
``governance``. So, in these processes that are ours alone, that step is skipped; the server's
own multiprocessing is untouched (this module is never imported there).
"""

from __future__ import annotations

import multiprocessing.spawn as _spawn


def _no_main(_: str) -> None:
    return None


_spawn._fixup_main_from_path = _no_main  # type: ignore[attr-defined]
_spawn._fixup_main_from_name = _no_main  # type: ignore[attr-defined]
