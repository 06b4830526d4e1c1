"""Reading in worker processes: results and refusals come back; a runaway read is stopped.

The reader is the page's (``ui.fairness.reading`` builds it from the settings); here it is
built directly with small limits. Each test owns a temporary directory and checks that no
``governance-read-*`` or ``governance-xlsx-*`` folder is left in it, however the read ended.
"""

from __future__ import annotations

import os
import re
import resource
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from governance.analytics.isolated import IsolatedReader, ReadLimits
from governance.errors import ValidationError
from governance.fairness.caps import FileCaps
from governance.fairness.preview import describe_file
from tests import bombs
from tests.factories import prediction_frame, write_predictions
from tests.worker_tasks import convert_then_hang, duckdb_settings

PRELOAD = ("governance.fairness.preview",)
GIB = 1024**3


@pytest.fixture
def tempdir(tmp_path_factory: pytest.TempPathFactory, monkeypatch) -> Iterator[Path]:
    temp = tmp_path_factory.mktemp("tempdir")
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    yield temp
    # (multiprocessing keeps its socket folder, pymp-*, there until the process ends)
    assert list(temp.glob("governance-*")) == []


@pytest.fixture(scope="module")
def reader() -> Iterator[IsolatedReader]:
    """Two seconds and 2 GiB a read (DuckDB needs about 1 GiB of address space to start)."""
    pool = IsolatedReader(ReadLimits(seconds=2, memory_mb=2048), preload=PRELOAD,
                          advice="Use the command line.")  # fmt: skip
    yield pool
    pool.close()


def test_a_read_returns_what_the_function_returns(reader, tmp_path, tempdir):
    path = write_predictions(prediction_frame(300, 1), tmp_path / "p.csv")
    here = describe_file(path)
    there = reader.run("p.csv", describe_file, path)
    assert there.column_names == here.column_names == ["label", "prediction", "race"]
    assert there.preview.equals(here.preview)
    assert there.suggestions == here.suggestions


def test_workers_are_limited_and_forked_from_the_forkserver(reader):
    soft, hard = reader.run("limits", resource.getrlimit, resource.RLIMIT_AS)
    assert soft == hard == 2048 * 1024 * 1024
    assert reader.run("niceness", os.nice, 0) >= 10
    threads, memory, spill = reader.run("duckdb", duckdb_settings)
    assert threads == max(1, (os.cpu_count() or 2) - 1)
    assert memory.endswith("MiB") and 900 <= float(memory.split()[0]) <= 1024  # half of 2 GiB
    assert spill == ""  # no spill files a stopped worker could leave behind
    assert duckdb_settings()[2] != ""  # this process keeps DuckDB's defaults
    # Not forked from this (threaded) process: its parent is the forkserver.
    assert reader.run("parent", os.getppid) != os.getpid()


def test_a_refusal_comes_back_as_itself(reader, tmp_path, tempdir):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(ValidationError, match=re.escape("'empty.csv' is empty")):
        reader.run("empty.csv", describe_file, path)


def test_the_caps_hold_in_the_worker(reader, tmp_path, tempdir):
    path = bombs.wide_csv(tmp_path / "wide.csv", 100_000)
    with pytest.raises(ValidationError, match=re.escape("'wide.csv' has 100,000 columns")):
        reader.run("wide.csv", describe_file, path, caps=FileCaps())


def test_a_read_past_the_time_limit_is_stopped_and_the_next_read_works(reader, tmp_path, tempdir):
    with pytest.raises(ValidationError) as info:
        reader.run("slow.csv", time.sleep, 60)
    message = str(info.value)
    assert message.startswith("'slow.csv' took longer than 2 s to read, so its reading was stopped")
    assert "GOVERNANCE_UPLOAD_READ_SECONDS" in message and "Use the command line." in message
    path = write_predictions(prediction_frame(100, 2), tmp_path / "p.csv")
    assert reader.run("p.csv", describe_file, path).column_names[0] == "label"


def test_an_excel_conversion_stopped_midway_leaves_no_folder(reader, tmp_path, tempdir):
    path = tmp_path / "ok.xlsx"
    prediction_frame(50, 3).to_excel(path, index=False)
    with pytest.raises(ValidationError, match=re.escape("took longer than 2 s")):
        reader.run("ok.xlsx", convert_then_hang, path)
    # the tempdir fixture checks that the worker's conversion folder went with it


def test_python_over_the_memory_limit_is_refused(reader, tempdir):
    with pytest.raises(ValidationError) as info:
        reader.run("big.csv", bytearray, 3 * GIB)
    assert str(info.value).startswith(
        "'big.csv' needed more than the 2,048 MB of memory a read may use here"
    )
    assert "GOVERNANCE_UPLOAD_READ_MEMORY_MB" in str(info.value)


def test_duckdb_over_the_memory_limit_is_refused(reader, tmp_path, tempdir):
    # The bomb with the column cap lifted: DuckDB's sniffer runs out of the worker's
    # memory (in-process it took 1.3 GiB and minutes).
    path = bombs.wide_csv(tmp_path / "wide.csv", 100_000, rows=18)
    with pytest.raises(
        ValidationError, match=re.escape("'wide.csv' needed more than the 2,048 MB")
    ):
        reader.run("wide.csv", describe_file, path, caps=FileCaps(max_columns=10**6))


def test_a_worker_that_dies_is_reported_and_replaced(reader, tmp_path, tempdir):
    with pytest.raises(
        ValidationError, match=re.escape("'x.csv' could not be read: its reading process")
    ):
        reader.run("x.csv", os._exit, 3)
    path = write_predictions(prediction_frame(100, 4), tmp_path / "p.csv")
    assert reader.run("p.csv", describe_file, path).column_names[0] == "label"
