"""The demo's monitoring data: a point every four hours per baseline metric of each model
running in production, over the last 90 days, tagged with the version serving then.

Pure: the points are generated here (a fixed seed per model) and recorded by
:mod:`governance.demo.load` through ``record_points`` in weekly batches, as a pipeline would
report them, so the degrading model's owner is told when its metric crosses the baseline.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from governance.demo.models import DemoModel

WINDOW = timedelta(days=90)
EVERY = timedelta(hours=4)
BATCH = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class Serving:
    """From ``since`` on, ``version`` served the model in production."""

    since: datetime
    version: str


def production_history(model: DemoModel, now: datetime) -> list[Serving]:
    """When each version started serving production, oldest first (from the stories)."""
    starts = [
        Serving(now - timedelta(days=step.days_ago), version.version)
        for version in model.versions
        for step in version.steps
        if step.verb == "deploy" and step.environment == "production"
    ]
    return sorted(starts, key=lambda s: s.since)


def points(model: DemoModel, now: datetime) -> list[dict[str, object]]:
    """Every point of ``model`` over the last 90 days, oldest first (none when unmonitored)."""
    history = production_history(model, now)
    if not model.metrics or not history:
        return []
    # A seed per model: adding a model to the catalogue leaves the others' series as they were.
    rng = np.random.default_rng(zlib.crc32(model.name.encode()))
    start = max(now - WINDOW, history[0].since)
    count = int((now - start) / EVERY) + 1
    times = [now - EVERY * i for i in reversed(range(count))]
    serving = [_serving(history, t) for t in times]
    rows: list[dict[str, object]] = []
    for metric, spec in model.metrics.items():
        values = rng.normal(spec.mean, spec.spread, count)
        if model.degradation is not None and model.degradation.metric == metric:
            values += _drift(times, now, model.degradation.days, model.degradation.to - spec.mean)
        values = np.clip(values, 0.0, 1.0) if spec.mean <= 1 else np.maximum(values, 0.0)
        rows.extend(
            {"metric": metric, "value": round(float(v), spec.decimals), "timestamp": t,
             "version": version}
            for t, v, version in zip(times, values, serving, strict=True)
        )  # fmt: skip
    return rows


def _serving(history: list[Serving], at: datetime) -> str:
    current = history[0].version
    for entry in history:
        if entry.since <= at:
            current = entry.version
    return current


def _drift(times: list[datetime], now: datetime, days: float, change: float) -> np.ndarray:
    """Zero until ``days`` before ``now``, then ``change`` reached at ``now``, accelerating
    (the square of the elapsed share): still within the baseline a week before the end."""
    elapsed = np.array([1 - (now - t) / timedelta(days=days) for t in times])
    return change * np.clip(elapsed, 0.0, 1.0) ** 2


def batches(rows: list[dict[str, object]], now: datetime) -> list[tuple[datetime, list[dict]]]:
    """The points in weekly batches ending at ``now``: each batch with the moment it is
    reported (its last point's week end), oldest first."""
    out: list[tuple[datetime, list[dict]]] = []
    end = now
    while rows:
        start = end - BATCH
        batch = [r for r in rows if start < r["timestamp"] <= end]  # type: ignore[operator]
        rows = [r for r in rows if r["timestamp"] <= start]  # type: ignore[operator]
        if batch:
            out.append((end, batch))
        end = start
    return list(reversed(out))
