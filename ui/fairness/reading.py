"""The page's reads of an upload, each in a worker process bounded in time and memory.

Opening an upload (DESCRIBE, the first rows), the values of a column and the assessment's scan
run in the reading workers of :mod:`governance.analytics.isolated`, with the page's caps on
columns and declared rows: one upload, however hostile, costs a worker its limits and never
the server that answers every other session.
"""

from __future__ import annotations

import streamlit as st

from governance.analytics.isolated import IsolatedReader, ReadLimits
from governance.fairness import (
    AssessmentResult,
    AssessmentSpec,
    FileOverview,
    Policy,
    assess_file,
    column_values,
    describe_file,
)
from governance.fairness.caps import FileCaps
from ui.resources import settings
from ui.uploads import Upload

# The forkserver imports these once; each worker forked from it starts with them loaded.
_PRELOAD = ("governance.fairness.engine", "governance.fairness.preview")
_ADVICE = (
    "Assess large or unusual files with the command line: python -m governance fairness assess."
)


@st.cache_resource(show_spinner=False, on_release=IsolatedReader.close)
def _reader(limits: ReadLimits) -> IsolatedReader:
    # One pool per server (per limits: tests change them), shared by every session.
    return IsolatedReader(limits, preload=_PRELOAD, advice=_ADVICE)


def reader() -> IsolatedReader:
    current = settings()
    limits = ReadLimits(
        seconds=current.upload_read_seconds, memory_mb=current.upload_read_memory_mb
    )
    return _reader(limits)


def _caps() -> FileCaps:
    return FileCaps.upload(settings())


def overview(upload: Upload) -> FileOverview:
    """Columns, types, suggestions and the first rows of ``upload``."""
    return reader().run(
        upload.name, describe_file, upload.path, display_name=upload.name, caps=_caps()
    )


def values(upload: Upload, column: str) -> list[str]:
    """Some distinct values of ``column`` (for choosing the positive label, a reference)."""
    return reader().run(
        upload.name, column_values, upload.path, column, display_name=upload.name, caps=_caps()
    )


def assessment(upload: Upload, spec: AssessmentSpec, policy: Policy) -> AssessmentResult:
    return reader().run(
        upload.name,
        assess_file,
        upload.path,
        spec,
        policy,
        display_name=upload.name,
        caps=_caps(),
    )
