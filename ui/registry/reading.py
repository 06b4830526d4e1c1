"""The page's read of a performance upload, in a worker process bounded in time and memory.

The checks of :func:`governance.registry.performance.read_points` are one DuckDB scan of a
file someone uploaded; like the fairness page's reads, that scan runs in the reading workers
of :mod:`governance.analytics.isolated`, never in the server that answers every session. The
checked points come back as a frame and are appended by the server in the person's unit.
"""

from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st

from governance.analytics.isolated import IsolatedReader, ReadLimits
from governance.fairness.caps import FileCaps
from governance.registry.performance import CheckedPoints, read_points
from ui.resources import settings
from ui.uploads import Upload

_PRELOAD = ("governance.registry.performance",)
_ADVICE = (
    "Import large files with the command line: python -m governance registry performance-import."
)


@st.cache_resource(show_spinner=False, on_release=IsolatedReader.close)
def _reader(limits: ReadLimits) -> IsolatedReader:
    # Its own pool (and advice): a performance import never waits behind fairness reads.
    return IsolatedReader(limits, preload=_PRELOAD, advice=_ADVICE)


def points(upload: Upload) -> CheckedPoints:
    """The upload's points, every row checked; a refusal names the first bad row."""
    current = settings()
    limits = ReadLimits(
        seconds=current.upload_read_seconds, memory_mb=current.upload_read_memory_mb
    )
    return _reader(limits).run(
        upload.name,
        read_points,
        upload.path,
        display_name=upload.name,
        now=datetime.now(UTC),
        caps=FileCaps.upload(current),
    )
