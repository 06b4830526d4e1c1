"""Performance points: a 1,000,000-point import and the 90-day daily trend, on both backends.

    .venv/bin/python -m benchmarks.performance_points [--points N] [--backends sqlite postgresql]

The reference is pandas reading the same CSV and grouping it by day (what a spreadsheet-minded
script would do), timed in the same run; the import is checked before it writes, so it does
more than that read. Prints a Markdown table and the machine. Not a test: nothing here asserts
a time.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks.audit import POSTGRES, machine


def write_points(path: Path, n: int) -> Path:
    rng = np.random.default_rng(7)
    now = datetime.now(UTC).replace(microsecond=0)
    seconds = np.sort(rng.integers(0, 90 * 86_400, n))[::-1]
    frame = pd.DataFrame(
        {
            "metric": np.where(rng.random(n) < 0.5, "accuracy", "latency_ms"),
            "value": rng.random(n),
            "timestamp": [(now - timedelta(seconds=int(s))).isoformat() for s in seconds],
        }
    )
    frame.to_csv(path, index=False)
    return path


def _url(backend: str, folder: Path) -> tuple[str, object]:
    from sqlalchemy import create_engine, text

    if backend == "sqlite":
        return f"sqlite:///{folder / 'bench.db'}", lambda: None
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))

    def drop() -> None:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))

    return f"{POSTGRES}?options=-csearch_path%3D{schema}", drop


def run_backend(backend: str, points: Path, folder: Path) -> dict[str, float]:
    from governance.auth import service as auth
    from governance.config import Settings
    from governance.kernel import Workbench
    from governance.registry import performance
    from governance.registry import service as registry

    url, drop = _url(backend, folder)
    try:
        wb = Workbench.open(Settings(database_url=url, artifact_dir=folder / "artifacts"))
        admin = wb.run(auth.create_first_admin, username="bench", password="x" * 16)
        wb.run(registry.register_model, actor=admin.actor(), name="bench-model",
               provider="in-house", risk_tier="limited", intended_use="benchmark",
               owner_id=admin.id, performance_baseline="accuracy >= 0.1")  # fmt: skip
        start = time.perf_counter()
        wb.run(performance.import_points, actor=admin.actor(), model="bench-model", path=points)
        imported = time.perf_counter() - start
        until = datetime.now(UTC).date()
        start = time.perf_counter()
        with wb.unit() as uow:
            trend = performance.daily_series(uow, actor=admin.actor(), model="bench-model",
                                             metric="accuracy", since=until - timedelta(days=89),
                                             until=until)  # fmt: skip
        trended = time.perf_counter() - start
        wb.close()
        assert trend["count"].sum() > 0
        return {"import": imported, "trend": trended, "days": len(trend)}
    finally:
        drop()  # type: ignore[operator]


def pandas_reference(points: Path) -> tuple[float, float]:
    start = time.perf_counter()
    frame = pd.read_csv(points)
    read = time.perf_counter() - start
    start = time.perf_counter()
    accuracy = frame[frame["metric"] == "accuracy"]
    accuracy.groupby(pd.to_datetime(accuracy["timestamp"]).dt.date)["value"].agg(
        ["mean", "min", "max", "count"]
    )
    return read, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    args = parser.parse_args()
    print(f"Machine: {machine()}; load average {os.getloadavg()[0]:.1f}\n")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        points = write_points(folder / "points.csv", args.points)
        read, group = pandas_reference(points)
        print(f"pandas reference: read_csv {read:.2f} s, daily grouping {group:.2f} s\n")
        print("| backend | points | import (checked, written, audited) | ratio to pandas read |"
              " 90-day trend | ratio to pandas grouping |")  # fmt: skip
        print("|---|---:|---:|---:|---:|---:|")
        for backend in args.backends:
            (folder / backend).mkdir()
            got = run_backend(backend, points, folder / backend)
            print(f"| {backend} | {args.points:,} | {got['import']:.2f} s | "
                  f"{got['import'] / read:.1f}× | {got['trend']:.3f} s ({got['days']} days) | "
                  f"{got['trend'] / group:.2f}× |", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
