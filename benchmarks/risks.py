"""The risk register at scale: the risk page with 50,000 risks, on both databases.

    .venv/bin/python -m benchmarks.risks [--risks N] [--runs K] [--backends sqlite postgresql]

Builds a workspace per backend: three accounts and 20 models through the services, then
``--risks`` risks bulk-inserted as the services write them (each with its ``registered`` step;
a spread of statuses, a closing step for the closed ones, an acceptance for the accepted,
residual ratings for the mitigated, a third linked to a model), a plan for every fifth risk
(one in twenty of them overdue), and the level matrix changed once. The clock's sweep
(``risks expire``) runs once, as a deployment's timer would, so the first-sight notices of the
overdue plans are not in the page times. Then times, each a median of ``--runs`` (AppTest
script time, signed in as an executive, in a fresh process per backend):

- the heatmap page (its default tab): a session's first view and a repeat run;
- the residual view; the heatmap filtered by a category; a cell's risks listed;
- the Register tab (its first 500 by score and the count), and the Trend tab (90 days).

Reference in the same run: the heatmap's ``GROUP BY likelihood, impact`` as plain SQL. Prints a
Markdown table and the machine. Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks.audit import ROOT, machine
from benchmarks.performance_points import _url

CATEGORIES = (
    "security",
    "performance",
    "fairness",
    "privacy",
    "safety",
    "transparency",
    "legal",
    "operational",
    "third_party",
)
STATUSES = ("identified",) * 4 + ("mitigating",) * 3 + ("mitigated", "accepted", "closed")


def _chunks(rows: list[dict[str, Any]], size: int = 5_000) -> list[list[dict[str, Any]]]:
    return [rows[i : i + size] for i in range(0, len(rows), size)]


def build_workspace(url: str, folder: Path, n: int) -> None:
    from sqlalchemy import insert

    from governance.artifacts import ArtifactStore
    from governance.auth.roles import Role
    from governance.config import Settings
    from governance.db import Database
    from governance.db.migrate import upgrade
    from governance.kernel import Workbench
    from governance.risks import acceptance, levels
    from governance.risks.matrix import DEFAULT_MATRIX
    from governance.risks.models import (
        MitigationPlan,
        Risk,
        RiskAcceptance,
        RiskModel,
        RiskTransition,
    )
    from tests import factories

    db = Database.from_url(url)
    upgrade(db.engine)
    wb = Workbench(
        db,
        Settings(database_url=url, artifact_dir=folder / "artifacts"),
        ArtifactStore(folder / "artifacts"),
    )
    admin = factories.first_admin(wb)
    officer = factories.make_user(wb, Role.COMPLIANCE_OFFICER, "bench-officer", by=admin)
    factories.make_user(wb, Role.EXECUTIVE, "bench-exec", by=admin)
    sci = factories.make_user(wb, Role.DATA_SCIENTIST, "bench-sci", by=admin)
    models = [factories.make_model(wb, by=sci, name=f"model-{i:02d}").id for i in range(20)]
    rng = random.Random(20261203)  # noqa: S311 (bench data, not secrets)
    now = datetime.now(UTC)
    risks, steps, links, accepted, plans = [], [], [], [], []
    for i in range(1, n + 1):
        lik, imp = rng.randint(1, 5), rng.randint(1, 5)
        status = rng.choice(STATUSES)
        created = now - timedelta(days=rng.uniform(0, 180))
        residual = (max(1, lik - 2), max(1, imp - 1)) if status in ("mitigated", "closed") else None
        until = (
            (now + timedelta(days=rng.randint(10, 300))).date() if status == "accepted" else None
        )
        risks.append(
            {
                "id": i,
                "category": rng.choice(CATEGORIES),
                "title": f"Risk {i}",
                "description": "Bulk benchmark risk.",
                "likelihood": lik,
                "impact": imp,
                "score": lik * imp,
                "residual_likelihood": residual and residual[0],
                "residual_impact": residual and residual[1],
                "owner_id": sci.id,
                "status": status,
                "accepted_until": until,
                "created_at": created,
                "created_by": "bench-officer",
                "row_version": 1,
            }
        )
        steps.append(
            {
                "risk_id": i,
                "from_status": None,
                "to_status": "identified",
                "actor": "bench-officer",
                "actor_id": officer.id,
                "reason": "registered",
                "at": created,
            }
        )
        if status != "identified":
            later = created + (now - created) * rng.uniform(0.2, 0.9)
            steps.append(
                {
                    "risk_id": i,
                    "from_status": "identified",
                    "to_status": status,
                    "actor": "bench-officer",
                    "actor_id": officer.id,
                    "reason": "bulk",
                    "at": later,
                }
            )
        if status == "accepted":
            accepted.append(
                {
                    "risk_id": i,
                    "accepted_by_id": officer.id,
                    "accepted_by": "bench-officer",
                    "owner_id": sci.id,
                    "justification": "bulk",
                    "accepted_on": created.date(),
                    "expires_on": until,
                    "at": created,
                }
            )
        if i % 3 == 0:
            links.append({"risk_id": i, "model_id": rng.choice(models)})
        if i % 5 == 0:
            overdue = i % 100 == 0
            deadline = (now + timedelta(days=(-3 if overdue else rng.randint(5, 90)))).date()
            plans.append(
                {
                    "risk_id": i,
                    "strategy": "bulk plan",
                    "owner_id": sci.id,
                    "deadline": deadline,
                    "status": "planned",
                    "created_at": created,
                    "created_by": "bench-officer",
                    "row_version": 1,
                }
            )
    with db.engine.begin() as conn:
        for table, rows in (
            (Risk, risks),
            (RiskTransition, steps),
            (RiskModel, links),
            (RiskAcceptance, accepted),
            (MitigationPlan, plans),
        ):
            for chunk in _chunks(rows):
                conn.execute(insert(table.__table__), chunk)
        if db.engine.dialect.name == "postgresql":
            from sqlalchemy import text

            conn.execute(text("SELECT setval('risks_id_seq', :n)"), {"n": n})
            conn.execute(text("ANALYZE"))
    wb.run(
        levels.update_matrix,
        actor=officer.actor(),
        matrix=DEFAULT_MATRIX.with_cells({(5, 3): "critical"}),
        reason="benchmark",
    )
    wb.run(acceptance.expire_acceptances, actor=officer.actor())  # the timer's sweep
    db.dispose()


def reference(url: str, runs: int) -> float:
    import pandas as pd
    from sqlalchemy import create_engine

    engine = create_engine(url)
    sql = (
        "SELECT likelihood, impact, count(*) AS n FROM risks WHERE status <> 'closed' "
        "GROUP BY likelihood, impact"
    )
    times = []
    with engine.connect() as conn:
        for _ in range(runs):
            start = time.perf_counter()
            pd.read_sql(sql, conn)
            times.append(time.perf_counter() - start)
    engine.dispose()
    return statistics.median(times)


_PAGES = r"""
import json, statistics, sys, time
from tests.app.support import new_app, ok, sign_in
runs = int(sys.argv[1])
keys = ("first", "repeat", "residual", "category", "cell", "register", "trend")
timings = {k: [] for k in keys}
del sys.argv[1:]

def timed(key, at, step):
    start = time.perf_counter()
    ok(step(at))
    timings[key].append(time.perf_counter() - start)

for _ in range(runs):
    at = sign_in(new_app(), "bench-exec")
    timed("first", at, lambda a: a.switch_page("views/risks.py").run(timeout=600))
    assert [t.value for t in at.title] == ["Risk register"], [e.value for e in at.error]
    assert at.get("plotly_chart"), "no heatmap"
    timed("repeat", at, lambda a: a.run(timeout=600))
    view = lambda a: a.segmented_control(key="risk_heat_view").set_value("residual")
    timed("residual", at, lambda a: view(a).run(timeout=600))
    category = lambda a: a.selectbox(key="risk_heat_category").set_value("privacy")
    timed("category", at, lambda a: category(a).run(timeout=600))
    cell = lambda a: a.selectbox(key="risk_heat_cell").set_value((5, 5))
    timed("cell", at, lambda a: cell(a).run(timeout=600))
    assert any("title" in d.value.columns for d in at.dataframe), "no cell list"
    def tab(name):
        def go(a):
            a.session_state["risk_tabs"] = name
            return a.run(timeout=600)
        return go
    timed("register", at, tab("Register"))
    assert any("Title" in d.value.columns for d in at.dataframe), "no register"
    timed("trend", at, tab("Trend"))
    assert at.get("plotly_chart"), "no trend"
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
        [sys.executable, "-c", _PAGES, str(runs)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        check=False,
    )
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-4000:])
    return json.loads(out.stdout.splitlines()[-1])


def _row(backend: str, what: str, seconds: float, target: float | None, ref: float | None) -> str:
    mark = "" if target is None or seconds <= target else " (missed)"
    goal = "—" if target is None else f"≤ {target:g} s"
    ratio = "—" if ref is None else f"{seconds / ref:.0f}× ({ref:.3f} s)"
    return f"| {backend} | {what} | {seconds:.3f} s{mark} | {goal} | {ratio} |"


OPERATIONS = (
    ("first", "heatmap page, first view", 0.5),
    ("repeat", "heatmap page, repeat run", 0.5),
    ("residual", "heatmap, residual view", 0.5),
    ("category", "heatmap, filtered by a category", 0.5),
    ("cell", "heatmap, a cell's risks listed", 0.5),
    ("register", "Register tab (first 500 by score)", None),
    ("trend", "Trend tab (90 days)", None),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--risks", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    args = parser.parse_args()
    print(f"Machine: {machine()}; load average {os.getloadavg()[0]:.1f}\n", flush=True)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for backend in args.backends:
            work = Path(tmp) / backend
            work.mkdir()
            url, drop = _url(backend, work)
            try:
                built = time.perf_counter()
                build_workspace(url, work, args.risks)
                built = time.perf_counter() - built
                ref = reference(url, args.runs)
                pages = page_times(url, work / "state", args.runs)
            finally:
                drop()  # type: ignore[operator]
            print(
                f"<!-- {backend}: workspace built in {built:.0f} s -->", file=sys.stderr, flush=True
            )
            rows += [
                _row(backend, what, pages[key], target, ref if key in ("first", "repeat") else None)
                for key, what, target in OPERATIONS
            ]
    print(
        f"{args.risks:,} risks; medians of {args.runs} runs (AppTest script time, as an "
        "executive); reference: the heatmap's GROUP BY as plain SQL into pandas\n"
    )
    print("| backend | operation | time | target | ratio to reference |")
    print("|---|---|---:|---:|---:|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
