"""Incidents at scale: the list page and the escalation sweep over 20,000 incidents.

    .venv/bin/python -m benchmarks.incidents [--incidents N] [--runs K]
                                             [--backends sqlite postgresql]

Builds a workspace per backend: officers, an administrator and an executive (whom the levels
notify), a few models, and ``--incidents`` open, unacknowledged incidents bulk-inserted as
``report_incident`` writes them (a row, its model, its ``reported`` step) with every severity,
all reported 25 hours ago and none escalated yet: the worst case, a first sweep after a day
with no cron job, in which every incident is due (critical, high and medium ones three levels
at once, low ones one). Then times:

- **sweep, all due**: ``escalate_overdue`` in one unit, committed (each run on a fresh copy of
  the incidents' escalation state: the rows reset to level 0 and their escalations, notices
  and the sweep's event removed);
- **sweep, nothing due**: the same at the same instant again (idempotent: what every read of
  the records also runs);
- **list page** (``streamlit.testing`` AppTest script time, signed in as a compliance officer,
  in a fresh process per backend): the Incidents page's first view (the List tab: counts,
  the first 500 of 20,000 most urgent first, the sweep) and a repeat run.

Medians of ``--runs``; prints a Markdown table and the machine. Not a test: nothing here
asserts a time.
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
from datetime import timedelta
from pathlib import Path
from typing import Any

from benchmarks.audit import ROOT, machine
from benchmarks.performance_points import _url

OFFICER = "bench-officer"
_SEVERITIES = ("critical", "high", "medium", "low")
_TYPES = ("security", "performance", "data", "compliance", "operational", "fairness")


def _chunks(rows: list[dict[str, Any]], size: int = 5_000) -> list[list[dict[str, Any]]]:
    return [rows[i : i + size] for i in range(0, len(rows), size)]


def build_workspace(url: str, folder: Path, n: int) -> None:
    from sqlalchemy import insert, select

    from governance.auth.roles import Role
    from governance.config import Settings
    from governance.incidents import escalation
    from governance.incidents.models import Incident, IncidentModel, IncidentTransition
    from governance.incidents.policy import ResponsePolicy
    from governance.kernel import Workbench
    from tests import factories

    wb = Workbench.open(Settings(database_url=url, artifact_dir=folder / "artifacts"))
    admin = factories.first_admin(wb, "bench-admin")
    officer = factories.make_user(wb, Role.COMPLIANCE_OFFICER, OFFICER, by=admin)
    factories.make_user(wb, Role.COMPLIANCE_OFFICER, "bench-officer-2", by=admin)
    factories.make_user(wb, Role.EXECUTIVE, "bench-exec", by=admin)
    sci = factories.make_user(wb, Role.DATA_SCIENTIST, "bench-sci", by=admin)
    models = [factories.make_model(wb, by=sci, name=f"model-{i}").id for i in range(5)]
    now = wb.clock()
    reported = now - timedelta(hours=25)
    policy = ResponsePolicy()
    rows = [
        {
            "incident_type": _TYPES[i % len(_TYPES)], "severity": _SEVERITIES[i % 4],
            "title": f"Benchmark incident {i}", "description": "Seen in the benchmark.",
            "status": "open", "detected_at": reported - timedelta(hours=1),
            "reported_at": reported, "reported_by": OFFICER, "reported_by_id": officer.id,
            "harm_category": None, "affected_people": None, "serious": i % 10 == 0,
            "involves_death": False, "widespread_infringement": False,
            "critical_infrastructure": False,
            "report_due_at": reported + timedelta(days=15) if i % 10 == 0 else None,
            "escalation_level": 0,
            "next_escalation_at": escalation.due_at(policy, _SEVERITIES[i % 4], reported, 1),
            "row_version": 1,
        }
        for i in range(n)
    ]  # fmt: skip
    with wb.database.engine.begin() as conn:
        for chunk in _chunks(rows):
            conn.execute(insert(Incident), chunk)
        ids = list(conn.scalars(select(Incident.id)))
        for chunk in _chunks([{"incident_id": i, "model_id": models[i % 5]} for i in ids]):
            conn.execute(insert(IncidentModel), chunk)
        steps = [
            {"incident_id": i, "from_status": None, "to_status": "open", "actor": OFFICER,
             "actor_id": officer.id, "reason": "reported", "at": reported}
            for i in ids
        ]  # fmt: skip
        for chunk in _chunks(steps):
            conn.execute(insert(IncidentTransition), chunk)
    wb.close()


def sweeps(url: str, folder: Path, runs: int) -> dict[str, Any]:
    from sqlalchemy import delete, func, select, update

    from governance.actor import Actor
    from governance.audit.models import AuditEvent
    from governance.config import Settings
    from governance.incidents import escalation, sweep
    from governance.incidents.models import Incident, IncidentEscalation
    from governance.incidents.policy import ResponsePolicy
    from governance.kernel import Workbench
    from governance.notifications.models import Notification

    wb = Workbench.open(Settings(database_url=url, artifact_dir=folder / "artifacts"))
    actor = Actor.command_line()
    first, again, counts = [], [], {}
    for _ in range(runs):
        with wb.unit() as uow:  # back to "nothing escalated yet"
            last = uow.session.scalar(select(func.max(AuditEvent.id)))
            uow.session.execute(delete(IncidentEscalation))
            uow.session.execute(
                delete(Notification).where(Notification.kind == "incident.escalated")
            )
            reported = uow.session.scalar(select(func.min(Incident.reported_at)))
            for severity in ("critical", "high", "medium", "low"):
                first_due = escalation.due_at(ResponsePolicy(), severity, reported, 1)
                uow.session.execute(
                    update(Incident)
                    .where(Incident.severity == severity)
                    .values(escalation_level=0, next_escalation_at=first_due)
                    .execution_options(synchronize_session=False)
                )
        start = time.perf_counter()
        with wb.unit() as uow:
            done = sweep.escalate_overdue(uow, actor=actor)
        first.append(time.perf_counter() - start)
        start = time.perf_counter()
        with wb.unit() as uow:
            assert sweep.escalate_overdue(uow, actor=actor) == []
        again.append(time.perf_counter() - start)
        with wb.unit() as uow:
            counts = {
                "escalations": len(done),
                "incidents": len({e.incident_id for e in done}),
                "notifications": uow.session.scalar(
                    select(func.count()).select_from(Notification)
                    .where(Notification.kind == "incident.escalated")
                ),
            }  # fmt: skip
            # The sweep's event stays (the trail is append-only): runs after the first each add one.
            assert uow.session.scalar(select(func.max(AuditEvent.id))) == (last or 0) + 1
    wb.close()
    return {"first": statistics.median(first), "again": statistics.median(again), **counts}


_PAGES = r"""
import json, statistics, sys, time
from tests.app.support import new_app, ok, sign_in
runs, timings = int(sys.argv[1]), {"list": [], "list_repeat": []}
del sys.argv[1:]

def timed(key, at, step):
    start = time.perf_counter()
    ok(step(at))
    timings[key].append(time.perf_counter() - start)

for _ in range(runs):
    at = sign_in(new_app(), "bench-officer")
    timed("list", at, lambda a: a.switch_page("views/incidents.py").run(timeout=600))
    assert [t.value for t in at.title] == ["Incidents"], [e.value for e in at.error]
    assert any("20,000 in all" in c.value or "in all" in c.value for c in at.caption)
    timed("list_repeat", at, lambda a: a.run(timeout=600))
print(json.dumps({k: statistics.median(v) for k, v in timings.items()}))
"""


def page_times(url: str, state: Path, runs: int) -> dict[str, float]:
    env = {**os.environ, "GOVERNANCE_DATABASE_URL": url, "GOVERNANCE_STATE_DIR": str(state),
           "GOVERNANCE_ARTIFACT_DIR": str(state / "artifacts")}  # fmt: skip
    out = subprocess.run([sys.executable, "-c", _PAGES, str(runs)], capture_output=True,
                         text=True, cwd=ROOT, env=env)  # fmt: skip
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-4000:])
    return json.loads(out.stdout.splitlines()[-1])


def _row(backend: str, operation: str, seconds: float, target: float) -> str:
    mark = "" if seconds <= target else " (missed)"
    return f"| {backend} | {operation} | {seconds:.3f} s{mark} | ≤ {target:g} s |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--incidents", type=int, default=20_000)
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
                build_workspace(url, work, args.incidents)
                swept = sweeps(url, work, args.runs)
                pages = page_times(url, work / "state", args.runs)
            finally:
                drop()  # type: ignore[operator]
            n = args.incidents
            rows += [
                _row(backend, f"escalation sweep, {n:,} open incidents all due "
                     f"({swept['escalations']:,} levels, {swept['notifications']:,} notices)",
                     swept["first"], 2.0),
                _row(backend, "escalation sweep again at the same instant (nothing due)",
                     swept["again"], 2.0),
                _row(backend, f"incidents list page ({n:,}), first view", pages["list"], 0.5),
                _row(backend, "incidents list page, repeat run", pages["list_repeat"], 0.5),
            ]  # fmt: skip
    print(f"{args.incidents:,} incidents; medians of {args.runs} runs\n")
    print("| backend | operation | time | target |")
    print("|---|---|---:|---:|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
