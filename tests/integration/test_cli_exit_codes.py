"""Exit codes of the command line: 2 for bad input, 3 for an internal error, never a traceback.

A pipeline gate reads exit 1 as "a fairness check failed", so a crash on bad arguments must
not exit 1 too.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests import bombs

ROOT = Path(__file__).resolve().parents[2]
GOOD = "y,p,s,g\n1,1,0.9,a\n0,1,0.8,b\n1,0,0.2,a\n0,0,0.1,b\n1,1,0.7,b\n0,0,0.3,a\n"
JUNK = bytes(range(256)) * 4 + b"\x00\xff\n\x01,\x02\n\xfe\xfa,\x03,\x04\n"


def run_cli(tmp_path: Path, *args: str, **env_extra: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "GOVERNANCE_STATE_DIR": str(tmp_path / "state"),
        "GOVERNANCE_DATABASE_URL": f"sqlite:///{tmp_path / 'governance.db'}",
        **env_extra,
    }
    return subprocess.run(
        [sys.executable, "-m", "governance", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "good.csv").write_text(GOOD)
    (tmp_path / "empty.csv").write_bytes(b"")
    (tmp_path / "empty.parquet").write_bytes(b"")
    (tmp_path / "junk.csv").write_bytes(JUNK)
    (tmp_path / "folder").mkdir()
    bombs.wide_csv(tmp_path / "wide.csv", 100_000)
    bombs.wide_parquet(tmp_path / "wide.parquet", 3_000)
    bombs.xlsx_with_size_record(tmp_path / "sized.xlsx", "A1:XFD1048576")
    return tmp_path


LABELS = ("--y-true", "y", "--y-pred", "p")
BAD_INPUT = {
    "directory": ("folder", *LABELS, "--sensitive", "g"),
    "missing file": ("missing.csv", *LABELS, "--sensitive", "g"),
    "empty file": ("empty.csv", *LABELS, "--sensitive", "g"),
    "sensitive double dash": ("good.csv", *LABELS, "--sensitive=--"),
    "sensitive empty": ("good.csv", *LABELS, "--sensitive", ""),
    "threshold above 1": (
        "good.csv",
        "--y-true",
        "y",
        "--score",
        "s",
        "--threshold",
        "2",
        "--sensitive",
        "g",
    ),
    "threshold nan": (
        "good.csv",
        "--y-true",
        "y",
        "--score",
        "s",
        "--threshold",
        "nan",
        "--sensitive",
        "g",
    ),
    "score without threshold": ("good.csv", "--y-true", "y", "--score", "s", "--sensitive", "g"),
    "band not a number": ("good.csv", *LABELS, "--sensitive", "g", "--band", "age=x"),
    "band without column": ("good.csv", *LABELS, "--sensitive", "g", "--band", "=1"),
    "reference empty": ("good.csv", *LABELS, "--sensitive", "g", "--reference", ""),
    "empty parquet": ("empty.parquet", *LABELS, "--sensitive", "g"),
    "binary junk csv": ("junk.csv", *LABELS, "--sensitive", "g"),
    "unknown positive label": ("good.csv", *LABELS, "--sensitive", "g", "--positive-label", "nope"),
    "min group size 0": ("good.csv", *LABELS, "--sensitive", "g", "--min-group-size", "0"),
    "min group size -1": ("good.csv", *LABELS, "--sensitive", "g", "--min-group-size", "-1"),
    "100,000-column csv": ("wide.csv", *LABELS, "--sensitive", "g"),
    "3,000-column parquet": ("wide.parquet", *LABELS, "--sensitive", "g"),
    "sheet sized 16,384 columns": ("sized.xlsx", *LABELS, "--sensitive", "g"),
}


def _assert_bad_input(out: subprocess.CompletedProcess[str]) -> None:
    assert out.returncode == 2, (out.returncode, out.stderr)
    assert "Traceback" not in out.stderr, out.stderr
    lines = out.stderr.strip().splitlines()
    assert lines and lines[-1].startswith("error:"), out.stderr


@pytest.mark.parametrize("args", BAD_INPUT.values(), ids=BAD_INPUT.keys())
def test_fairness_bad_input_exits_2_with_one_line_error(files: Path, args: tuple[str, ...]):
    path, *rest = args
    _assert_bad_input(run_cli(files, "fairness", "assess", str(files / path), *rest))


def test_unreadable_paths_are_bad_input_naming_the_path(files: Path):
    cases = [files / "folder", files / "missing.csv"]
    fifo = files / "pipe.csv"
    if hasattr(os, "mkfifo"):
        os.mkfifo(fifo)
        cases.append(fifo)
    if os.name == "posix" and hasattr(os, "geteuid") and os.geteuid() != 0:
        locked = files / "locked.csv"
        locked.write_text(GOOD)
        locked.chmod(0)
        cases.append(locked)
    for path in cases:
        out = run_cli(files, "fairness", "assess", str(path), *LABELS, "--sensitive", "g")
        _assert_bad_input(out)
        assert str(path) in out.stderr, out.stderr
    if fifo.exists():
        assert stat.S_ISFIFO(fifo.stat().st_mode)


@pytest.mark.parametrize("name", ["wide.csv", "wide.parquet", "sized.xlsx"])
def test_column_bombs_name_the_count_and_the_setting(files: Path, name: str):
    out = run_cli(files, "fairness", "assess", str(files / name), *LABELS, "--sensitive", "g")
    _assert_bad_input(out)
    assert f"{name!r} has " in out.stderr and "GOVERNANCE_MAX_COLUMNS" in out.stderr, out.stderr


def test_the_column_cap_is_a_setting_on_the_command_line(files: Path):
    header = "y,p,s,g," + ",".join(f"x{i}" for i in range(2_100))
    rows = "".join(f"{r}," + ",".join("0" * 2_100) + "\n" for r in GOOD.splitlines()[1:])
    (files / "wider.csv").write_text(header + "\n" + rows)
    args = ("fairness", "assess", str(files / "wider.csv"), *LABELS, "--sensitive", "g")
    refused = run_cli(files, *args)
    _assert_bad_input(refused)
    assert "has 2,104 columns" in refused.stderr, refused.stderr
    assert run_cli(files, *args, GOVERNANCE_MAX_COLUMNS="2200").returncode == 0


def test_the_command_line_takes_any_number_of_rows(files: Path, tmp_path: Path):
    # A footer declaring 10⁹ rows over 6 real ones: the page refuses it, a pipeline reads it.
    bombs.parquet_declaring(files / "billion.parquet", bombs.BILLION, _parquet(files))
    out = run_cli(files, "fairness", "assess", str(files / "billion.parquet"), *LABELS,
                  "--sensitive", "g", GOVERNANCE_UPLOAD_MAX_ROWS="10")  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert '"n_rows": 6' in out.stdout


def _parquet(files: Path) -> Path:
    import duckdb

    path = files / "good.parquet"
    duckdb.execute("COPY (SELECT * FROM read_csv($src)) TO $out (FORMAT parquet)",
                   {"src": str(files / "good.csv"), "out": str(path)})  # fmt: skip
    return path


def test_good_input_still_exits_0(files: Path):
    out = run_cli(files, "fairness", "assess", str(files / "good.csv"), *LABELS, "--sensitive", "g")
    assert out.returncode == 0, out.stderr


def test_usage_error_still_exits_2_from_argparse(files: Path):
    out = run_cli(files, "fairness", "assess", str(files / "good.csv"))  # no --y-true/--sensitive
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert "usage:" in out.stderr


def test_internal_error_exits_3_and_traceback_only_with_debug(tmp_path: Path):
    # An unknown database scheme fails inside SQLAlchemy: not a GovernanceError, so a bug-class
    # failure as far as the CLI can tell.
    plain = run_cli(tmp_path, "users", "list", GOVERNANCE_DATABASE_URL="nosuchdb://x")
    assert plain.returncode == 3, plain.stderr
    assert "Traceback" not in plain.stderr
    lines = plain.stderr.strip().splitlines()
    assert len(lines) == 1, plain.stderr
    assert lines[0].startswith("internal error: NoSuchModuleError: ")
    assert lines[0].endswith("(run with --debug for the traceback)")

    debug = run_cli(tmp_path, "--debug", "users", "list", GOVERNANCE_DATABASE_URL="nosuchdb://x")
    assert debug.returncode == 3, debug.stderr
    assert "Traceback (most recent call last)" in debug.stderr
    assert debug.stderr.strip().splitlines()[-1].startswith("internal error: NoSuchModuleError")
