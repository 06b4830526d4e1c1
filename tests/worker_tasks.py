"""Functions the isolated-reading tests send to a reading worker.

They live apart from the test module because a worker imports the module a function comes
from when it unpickles the call: the test module pulls in the factories (accounts, the
database), which a worker under a 2 GiB address-space limit should not have to load.
"""

from __future__ import annotations

import time
from pathlib import Path

from governance.fairness.inputs import Source


def convert_then_hang(path: Path) -> None:
    """Open a workbook (its CSV conversion lands in a temporary folder) and never finish."""
    with Source(path):
        time.sleep(60)


def duckdb_settings() -> tuple:
    from governance.analytics.duck import sandboxed

    con = sandboxed([])
    try:
        return con.execute(
            "SELECT current_setting('threads'), current_setting('memory_limit'), "
            "current_setting('temp_directory')"
        ).fetchone()
    finally:
        con.close()
