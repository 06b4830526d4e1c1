"""The model registry at scale: list page, detail page, 90-day trend and a 1M-point import.

    .venv/bin/python -m benchmarks.registry [--models N] [--points N] [--runs K]
                                            [--backends sqlite postgresql]

Builds a workspace per backend: ``--models`` models with three versions each (1.0.0 validated,
1.1.0 and 2.0.0 drafts), bulk-inserted as the services would write them (a model row with its
baseline, each version with its ``registered`` step, a passing validation report and its
``draft → validated`` step), plus one model built through the services themselves
(``big-model``: validated, approved by a compliance officer, deployed) that receives
``--points`` performance points through ``import_points``. Then times, each a median of
``--runs``:

- **import**: ``import_points`` of the ``--points`` CSV (checked, written, audited), via
  :func:`benchmarks.performance_points.run_backend` in a scratch database of its own per run
  (the workspace's own import is the first run);
- **pages** (``streamlit.testing`` AppTest script time, signed in as a data scientist, in a
  fresh process per backend): the registry list (a session's first view and a repeat run), the
  detail page of ``big-model`` (its default tab: every tab's body runs, the Performance tab's
  30-day trend and the model card's 30-day means included) and the Performance tab switched
  to 90 days.

References in the same run: the list against one plain SQL query of the same columns read
into pandas (``pandas.read_sql``), the trend against the same ``GROUP BY`` day as plain SQL,
the import against pandas reading the CSV. Prints a Markdown table and the machine. Not a
test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks.audit import ROOT, machine
from benchmarks.performance_points import _url, pandas_reference, run_backend, write_points

BIG = "big-model"
SCIENTIST = "bench-sci"
_PROVIDERS = ("openai", "anthropic", "google", "mistral", "meta", "in-house")
_TIERS = ("minimal", "limited", "high")
_VERSIONS = (("1.0.0", "1.0.0", "validated"), ("1.1.0", "1.1.0", "draft"),
             ("2.0.0", "2.0.0", "draft"))  # fmt: skip


def _chunks(rows: list[dict[str, Any]], size: int = 5_000) -> list[list[dict[str, Any]]]:
    return [rows[i : i + size] for i in range(0, len(rows), size)]


def bulk_models(url: str, n: int, owners: list[int]) -> None:
    """``n`` models with three versions each, written as the services write them (without
    their audit events: the chain is not what this measures)."""
    from sqlalchemy import insert, select

    from governance.db import Database
    from governance.registry.fields import baseline_json, parse_baseline
    from governance.registry.models import Model, ModelVersion, Validation, VersionTransition
    from governance.registry.requirements import judge
    from tests.factories import BASELINE, PASSING, SHA

    baseline = baseline_json(parse_baseline(BASELINE))
    report = [r.to_json() for r in judge(parse_baseline(BASELINE), PASSING)]
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    db = Database.from_url(url)
    with db.engine.begin() as conn:
        models = [
            {
                "name": f"Model {i:05d}", "name_key": f"model {i:05d}",
                "provider": _PROVIDERS[i % len(_PROVIDERS)], "owner_id": owners[i % len(owners)],
                "risk_tier": _TIERS[i % len(_TIERS)],
                "intended_use": f"Benchmark model number {i}.", "out_of_scope_uses": None,
                "capabilities": ["scoring"], "known_limitations": [], "training_data": None,
                "performance_baseline": baseline, "created_at": t0 + timedelta(minutes=i),
                "created_by": SCIENTIST, "row_version": 1,
            }
            for i in range(n)
        ]  # fmt: skip
        for chunk in _chunks(models):
            conn.execute(insert(Model), chunk)
        ids = dict(conn.execute(select(Model.name_key, Model.id)).all())
        versions = [
            {
                "model_id": ids[m["name_key"]], "version": v, "version_key": key,
                "changelog": "Retrained.", "artifact_uri": f"s3://models/{i}/{v}.onnx",
                "artifact_sha256": SHA, "status": status, "approval_round": 0,
                "created_at": m["created_at"] + timedelta(days=j), "created_by": SCIENTIST,
                "created_by_id": m["owner_id"],
                # add_version writes 1; the move to validated touches it once more.
                "row_version": 2 if status == "validated" else 1,
            }
            for i, m in enumerate(models)
            if m["name_key"] in ids
            for j, (v, key, status) in enumerate(_VERSIONS)
        ]  # fmt: skip
        for chunk in _chunks(versions):
            conn.execute(insert(ModelVersion), chunk)
        rows = conn.execute(
            select(ModelVersion.id, ModelVersion.status, ModelVersion.created_at,
                   ModelVersion.created_by_id)
            .join(Model, Model.id == ModelVersion.model_id)
            .where(Model.name_key.like("model %"))
        ).all()  # fmt: skip
        steps, reports = [], []
        for vid, status, at, by in rows:
            steps.append({"version_id": vid, "from_status": None, "to_status": "draft",
                          "actor": SCIENTIST, "actor_id": by, "reason": "registered", "at": at,
                          "environment": None})  # fmt: skip
            if status == "validated":
                later = at + timedelta(hours=1)
                steps.append({"version_id": vid, "from_status": "draft",
                              "to_status": "validated", "actor": SCIENTIST, "actor_id": by,
                              "reason": "nightly evaluation", "at": later,
                              "environment": None})  # fmt: skip
                reports.append({"version_id": vid, "passed": True, "requirements": report,
                                "notes": "nightly evaluation", "run_by": SCIENTIST,
                                "run_by_id": by, "at": later})  # fmt: skip
        for chunk in _chunks(steps):
            conn.execute(insert(VersionTransition), chunk)
        for chunk in _chunks(reports):
            conn.execute(insert(Validation), chunk)
    db.dispose()


def build_workspace(url: str, folder: Path, models: int, points: Path) -> float:
    """The workspace at ``url``; returns the seconds ``big-model``'s import took."""
    from governance.auth.roles import Role
    from governance.config import Settings
    from governance.kernel import Workbench
    from governance.registry import performance
    from tests import factories

    wb = Workbench.open(Settings(database_url=url, artifact_dir=folder / "artifacts"))
    admin = factories.first_admin(wb, "bench-admin")
    sci = factories.make_user(wb, Role.DATA_SCIENTIST, SCIENTIST, by=admin)
    officer = factories.make_user(wb, Role.COMPLIANCE_OFFICER, "bench-officer", by=admin)
    others = [factories.make_user(wb, Role.DATA_SCIENTIST, f"owner-{i:02d}", by=admin).id
              for i in range(8)]  # fmt: skip
    factories.make_model(wb, by=sci, name=BIG, risk_tier="limited")
    factories.make_version(wb, BIG, maker=sci, checkers=(officer,), to="deployed",
                           version="1.0.0")  # fmt: skip
    factories.make_version(wb, BIG, maker=sci, to="validated", version="1.1.0")
    factories.make_version(wb, BIG, maker=sci, version="2.0.0")
    bulk_models(url, models - 1, [sci.id, *others])
    start = time.perf_counter()
    wb.run(performance.import_points, actor=sci.actor(), model=BIG, path=points)
    took = time.perf_counter() - start
    wb.close()
    return took


def references(url: str) -> dict[str, float]:
    """The plain reads the pages are compared with, on the same database."""
    import pandas as pd
    from sqlalchemy import text

    from governance.db import Database

    db = Database.from_url(url)
    # The list's columns in one query: no semantic-version order, no labels, no widgets.
    listing = text(
        "SELECT m.name, m.provider, u.username, m.risk_tier, m.created_at, "
        "(SELECT count(*) FROM model_versions v WHERE v.model_id = m.id) AS versions "
        "FROM models m JOIN users u ON u.id = m.owner_id ORDER BY m.name_key"
    )
    day = (
        "date_trunc('day', observed_at AT TIME ZONE 'UTC')"
        if db.engine.dialect.name == "postgresql"
        else "substr(observed_at, 1, 10)"
    )
    since = datetime.now(UTC) - timedelta(days=90)
    if db.engine.dialect.name == "sqlite":
        since_param: Any = since.strftime("%Y-%m-%d %H:%M:%S.%f")
    else:
        since_param = since
    trend = text(
        f"SELECT {day} AS day, avg(value), min(value), max(value), count(*) "
        "FROM performance_points WHERE model_id = (SELECT id FROM models WHERE name_key = :m) "
        f"AND metric = 'accuracy' AND observed_at >= :since GROUP BY {day} ORDER BY 1"
    )
    out: dict[str, list[float]] = {"list": [], "trend": []}
    for _ in range(3):
        with db.engine.connect() as conn:
            start = time.perf_counter()
            pd.read_sql(listing, conn)
            out["list"].append(time.perf_counter() - start)
            start = time.perf_counter()
            pd.read_sql(trend, conn, params={"m": BIG, "since": since_param})
            out["trend"].append(time.perf_counter() - start)
    db.dispose()
    return {k: statistics.median(v) for k, v in out.items()}


_PAGES = r"""
import json, statistics, sys, time
from tests.app.support import REGISTRY, new_app, ok, shown, sign_in
runs, timings = int(sys.argv[1]), {"list": [], "list_repeat": [], "detail": [], "trend": []}
del sys.argv[1:]  # the app's script must not see the benchmark's arguments

def timed(key, at, step):
    start = time.perf_counter()
    ok(step(at))
    timings[key].append(time.perf_counter() - start)

for _ in range(runs):
    at = sign_in(new_app(), "bench-sci")
    timed("list", at, lambda a: a.switch_page(REGISTRY).run(timeout=600))
    assert [t.value for t in at.title] == ["Model registry"], [t.value for t in at.title]
    timed("list_repeat", at, lambda a: a.run(timeout=600))
    # Opened as a person does: chosen in the list's "Open a model" box.
    timed("detail", at,
          lambda a: a.selectbox(key="reg_model").set_value("big-model").run(timeout=600))
    assert [shown(h.value) for h in at.header] == ["big-model"], [e.value for e in at.error]
    timed("trend", at,
          lambda a: a.segmented_control(key="reg_perf_win").set_value("90 days").run(timeout=600))
    assert at.get("plotly_chart"), "no trend chart"
print(json.dumps({k: statistics.median(v) for k, v in timings.items()}))
"""


def page_times(url: str, state: Path, runs: int) -> dict[str, float]:
    env = {
        **os.environ,
        "GOVERNANCE_DATABASE_URL": url,
        "GOVERNANCE_STATE_DIR": str(state),
        "GOVERNANCE_ARTIFACT_DIR": str(state / "artifacts"),
    }
    out = subprocess.run(
        [sys.executable, "-c", _PAGES, str(runs)], capture_output=True, text=True, cwd=ROOT,
        env=env,
    )  # fmt: skip
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-4000:])
    return json.loads(out.stdout.splitlines()[-1])


def _row(backend: str, operation: str, seconds: float, target: float, ref: float | None) -> str:
    mark = "" if seconds <= target else " (missed)"
    ratio = "—" if ref is None else f"{seconds / ref:.1f}× ({ref:.3f} s)"
    return f"| {backend} | {operation} | {seconds:.3f} s{mark} | ≤ {target:g} s | {ratio} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", type=int, default=10_000)
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--no-import", action="store_true", help="one import (the workspace's)")
    args = parser.parse_args()
    print(f"Machine: {machine()}; load average {os.getloadavg()[0]:.1f}\n", flush=True)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        points = write_points(folder / "points.csv", args.points)
        read, _group = pandas_reference(points)
        for backend in args.backends:
            work = folder / backend
            work.mkdir()
            url, drop = _url(backend, work)
            try:
                built = time.perf_counter()
                imports = [build_workspace(url, work, args.models, points)]
                built = time.perf_counter() - built
                refs = references(url)
                pages = page_times(url, work / "state", args.runs)
            finally:
                drop()  # type: ignore[operator]
            for i in range(0 if args.no_import else args.runs - 1):
                (work / f"import-{i}").mkdir()
                imports.append(run_backend(backend, points, work / f"import-{i}")["import"])
            print(f"<!-- {backend}: workspace built in {built:.0f} s; imports "
                  f"{', '.join(f'{s:.2f}' for s in imports)} s; load average "
                  f"{os.getloadavg()[0]:.1f} -->", file=sys.stderr, flush=True)  # fmt: skip
            rows += [
                _row(backend, "registry list, first view", pages["list"], 0.5, refs["list"]),
                _row(backend, "registry list, repeat run", pages["list_repeat"], 0.5,
                     refs["list"]),
                _row(backend, f"model detail ({args.points:,} points), default tab",
                     pages["detail"], 0.5, None),
                _row(backend, "Performance tab, 90-day trend", pages["trend"], 0.5,
                     refs["trend"]),
                _row(backend, f"import {args.points:,} points (CSV)",
                     statistics.median(imports), 10.0, read),
            ]  # fmt: skip
    print(f"{args.models:,} models × 3 versions; medians of {args.runs} runs; reference in "
          "brackets (plain SQL into pandas; pandas read_csv for the import)\n")  # fmt: skip
    print("| backend | operation | time | target | ratio to reference |")
    print("|---|---|---:|---:|---:|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
