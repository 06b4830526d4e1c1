"""File → fairness verdict: this engine against Fairlearn, pandas and plain DuckDB.

    .venv/bin/python -m benchmarks.fairness [--sizes 100000 1000000 10000000] [--repeat 5]

Generates Parquet files of synthetic predictions (label, prediction, race, sex), then times, in
one run on this machine: the workbench CLI (interpreter start included), the engine in-process
(`assess_file`: all metrics, race and race×sex, 1,000 bootstrap replicates), a plain DuckDB
GROUPING SETS count (the near-limit reference: the same scan with no analysis), pandas
groupby, and Fairlearn's MetricFrame. Prints medians, ratios and peak memory as a Markdown
table. Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
RACES = ["White", "Black", "Asian", "Hispanic", "Other"]


def generate(path: Path, rows: int, seed: int = 42) -> None:
    """Synthetic scored population with a built-in disparity (deterministic per seed)."""
    con = duckdb.connect()
    con.execute(f"SELECT setseed({(seed % 1000) / 1000})")
    con.execute(
        f"""
        COPY (
            SELECT label, (random() < CASE WHEN race = 'White' THEN 0.40 ELSE 0.30 END
                                      + 0.3 * label)::INT AS prediction, race, sex
            FROM (
                SELECT (random() < 0.3)::INT AS label,
                       ['White','Black','Asian','Hispanic','Other'][
                           1 + floor(random() * 5)::INT] AS race,
                       CASE WHEN random() < 0.5 THEN 'F' ELSE 'M' END AS sex
                FROM range({int(rows)})
            )
        ) TO $out (FORMAT parquet)
        """,
        {"out": str(path)},
    )
    con.close()


def median_time(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run_cli(path: Path) -> None:
    cmd = [
        sys.executable, "-m", "governance", "fairness", "assess", str(path),
        "--y-true", "label", "--y-pred", "prediction", "--sensitive", "race",
        "--sensitive", "sex", "--intersect",
    ]  # fmt: skip
    subprocess.run(cmd, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)


def engine(path: Path) -> None:
    from governance.fairness.engine import assess_file
    from governance.fairness.spec import AssessmentSpec

    assess_file(path, AssessmentSpec(y_true="label", y_pred="prediction",
                                     sensitive=("race", "sex"), intersect=True))  # fmt: skip


def plain_duckdb(path: Path) -> None:
    con = duckdb.connect()
    con.execute(
        """
        SELECT race, sex, GROUPING(race, sex),
               count(*) FILTER (WHERE label = 1 AND prediction = 1),
               count(*) FILTER (WHERE label = 0 AND prediction = 1),
               count(*) FILTER (WHERE label = 1 AND prediction = 0),
               count(*) FILTER (WHERE label = 0 AND prediction = 0)
        FROM read_parquet($p) GROUP BY GROUPING SETS ((race), (sex), (race, sex))
        """,
        {"p": str(path)},
    ).fetchall()
    con.close()


def pandas_groupby(path: Path) -> None:
    import pandas as pd

    df = pd.read_parquet(path)
    df["tp"] = (df.label == 1) & (df.prediction == 1)
    df["fp"] = (df.label == 0) & (df.prediction == 1)
    df["fn"] = (df.label == 1) & (df.prediction == 0)
    df["tn"] = (df.label == 0) & (df.prediction == 0)
    for keys in (["race"], ["sex"], ["race", "sex"]):
        df.groupby(keys)[["tp", "fp", "fn", "tn"]].sum()


def fairlearn_frame(path: Path) -> None:
    import pandas as pd
    from fairlearn.metrics import (
        MetricFrame,
        false_positive_rate,
        selection_rate,
        true_positive_rate,
    )

    df = pd.read_parquet(path)
    metrics = {"selection_rate": selection_rate, "tpr": true_positive_rate,
               "fpr": false_positive_rate}  # fmt: skip
    for keys in (["race"], ["sex"], ["race", "sex"]):
        MetricFrame(metrics=metrics, y_true=df.label, y_pred=df.prediction,
                    sensitive_features=df[keys])  # fmt: skip


def machine() -> str:
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (f"{os.cpu_count()} cores, {cpu}, {mem:.0f} GiB; Python {platform.python_version()}, "
            f"DuckDB {duckdb.__version__}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000, 10_000_000])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--fairlearn-max", type=int, default=1_000_000,
                        help="largest size at which Fairlearn runs (it is slow)")  # fmt: skip
    parser.add_argument("--dir", type=Path, default=None, help="where to keep generated files")
    args = parser.parse_args()
    workdir = args.dir or Path(tempfile.mkdtemp(prefix="fairness-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)

    print(f"Machine: {machine()}\n")
    print(
        "| rows | CLI wall (incl. start) | engine in-process | plain DuckDB | engine ÷ DuckDB "
        "| pandas groupby | Fairlearn MetricFrame | Fairlearn ÷ engine |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for rows in args.sizes:
        path = workdir / f"predictions-{rows}.parquet"
        if not path.exists():
            generate(path, rows)
        engine(path)  # warm the page cache and imports once
        cli = median_time(lambda p=path: run_cli(p), args.repeat)
        eng = median_time(lambda p=path: engine(p), args.repeat)
        duck = median_time(lambda p=path: plain_duckdb(p), args.repeat)
        pdg = median_time(lambda p=path: pandas_groupby(p), max(1, args.repeat // 2))
        if rows <= args.fairlearn_max:
            fl = median_time(lambda p=path: fairlearn_frame(p), max(1, args.repeat // 2))
            fl_text, ratio = f"{fl:.3f} s", f"{fl / eng:.0f}×"
        else:
            fl_text, ratio = "not run", "—"
        print(f"| {rows:,} | {cli:.3f} s | {eng:.3f} s | {duck:.3f} s | {eng / duck:.2f}× | "
              f"{pdg:.3f} s | {fl_text} | {ratio} |", flush=True)  # fmt: skip
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"\nPeak RSS of the CLI runs: {peak:.0f} MiB (largest child process).")


if __name__ == "__main__":
    main()
