"""Audit chain verification: full and incremental, on SQLite and PostgreSQL.

    .venv/bin/python -m benchmarks.audit [--sizes 100000 1000000] [--backends sqlite postgresql]

Builds a chain of N synthetic events per backend (hashed with the reference
``chain.event_hash``, stored through the ``audit_events`` table as the writer stores them),
then measures, each in a fresh process so that peak memory belongs to the check alone:

- **full**: ``verify_full`` (every event re-hashed, streamed), events per second of wall time
  and per second of CPU time, its worker processes' included (the machine is shared: CPU
  time is what the check costs; on PostgreSQL the server's share of the work is not in it),
  and peak RSS of the process and of its largest worker;
- **reference**: the verification this replaced (ORM rows, ``chain.verify_events``), the ratio
  (up to ``--reference-upto`` events: it is slow);
- **checkpoint**: ``audit checkpoint`` through the CLI (full check + Merkle root + signature);
- **page**: the Audit trail page run by ``streamlit.testing`` (script time): a view after the
  checkpoint above recorded the verified position, then a view after 100 new events (both
  incremental).

Prints Markdown tables and the machine. Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
POSTGRES = os.environ.get(
    "GOVERNANCE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
ACTIONS = ["user.created", "auth.login", "auth.login_failed", "fairness.assessment_saved"]


def build_chain(url: str, n: int, batch: int = 20_000) -> None:
    """Append ``n`` events to the empty, migrated trail at ``url``."""
    from sqlalchemy import insert

    from governance.audit.chain import GENESIS_HASH, EventFields, event_hash, normalise_details
    from governance.audit.models import AuditEvent
    from governance.db import Database

    db = Database.from_url(url)
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    prev, rows = GENESIS_HASH, []
    with db.engine.begin() as conn:
        for i in range(1, n + 1):
            fields = EventFields(
                id=i,
                occurred_at=t0 + timedelta(seconds=i, microseconds=i % 997),
                actor=f"user{i % 50}",
                actor_role="data_scientist",
                action=ACTIONS[i % len(ACTIONS)],
                resource_type="user",
                resource_id=str(i % 1000),
                details=normalise_details(
                    {"after": {"username": f"user{i % 50}", "role": "auditor"}, "n": i}
                ),
            )
            digest = event_hash(prev, fields)
            row = {**fields.payload(), "occurred_at": fields.occurred_at}
            rows.append({**row, "prev_hash": prev, "hash": digest})
            prev = digest
            if len(rows) == batch:
                conn.execute(insert(AuditEvent), rows)
                rows = []
        if rows:
            conn.execute(insert(AuditEvent), rows)
    db.dispose()


_MEASURE = r"""
import json, resource, sys, time
from governance.config import Settings
from governance.kernel import Workbench
from governance.audit import verification
wb = Workbench.open(Settings(database_url=sys.argv[1], artifact_dir="/tmp/unused"), migrate=False)
kind = sys.argv[2]
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start, cpu = time.perf_counter(), time.process_time()
if kind == "reference":
    from sqlalchemy import select
    from governance.audit.chain import StoredEvent, verify_events
    from governance.audit.models import AuditEvent
    from governance.audit.scan import stored_fields
    with wb.unit() as uow:
        rows = uow.session.execute(select(AuditEvent).order_by(AuditEvent.id)
                                   .execution_options(yield_per=2000)).scalars()
        report = verify_events(StoredEvent(stored_fields(r), r.prev_hash, r.hash) for r in rows)
else:
    with wb.unit() as uow:
        report = verification.verify_full(uow).report
elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
# Parallel verification runs in workers forked by the forkserver: stopping it here reaps
# them, so their CPU time and peak memory show in this process's children's usage.
from multiprocessing import forkserver
forkserver._forkserver._stop()
children = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"seconds": elapsed, "cpu": cpu + children.ru_utime + children.ru_stime,
                  "events": report.events_checked, "intact": report.intact,
                  "base_mib": base / 1024, "peak_mib": peak / 1024,
                  "worker_peak_mib": children.ru_maxrss / 1024}))
"""


def measure(url: str, kind: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", _MEASURE, url, kind],
        capture_output=True, text=True, cwd=ROOT, check=True,
    )  # fmt: skip
    return json.loads(out.stdout.splitlines()[-1])


def checkpoint_cli(url: str) -> tuple[float, float]:
    from governance.audit.keys import new_key

    env = {**os.environ, "GOVERNANCE_DATABASE_URL": url, "GOVERNANCE_CHECKPOINT_KEY": new_key()[0]}
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "governance", "audit", "checkpoint"],
        cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    elapsed = time.perf_counter() - start
    return elapsed, max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024


_PAGE = r"""
import json, sys, time
from streamlit.testing.v1 import AppTest
from tests.app.support import AUDIT_TRAIL, PASSWORD, sign_in, new_app
from governance.auth import service as auth
from governance.kernel import Workbench
from governance.config import load_settings
wb = Workbench.open(load_settings())
wb.run(auth.create_first_admin, username="bench-admin", password=PASSWORD)
at = sign_in(new_app(), "bench-admin")
from governance.audit.events import AuditAction, Event, Resource
timings = []
for label in ("first view (full verification)", "next view (incremental)"):
    at.switch_page(AUDIT_TRAIL)
    start = time.perf_counter()
    at.run(timeout=600)
    timings.append((label, time.perf_counter() - start, [s.value for s in at.success]))
    for _ in range(100):  # new events for the next view to verify
        wb.run(lambda uow: uow.record("bench", Event(AuditAction.LOGIN, Resource.USER)))
print(json.dumps(timings))
"""


def page_times(url: str, state: Path) -> list:
    env = {
        **os.environ,
        "GOVERNANCE_DATABASE_URL": url,
        "GOVERNANCE_STATE_DIR": str(state),
        "GOVERNANCE_ARTIFACT_DIR": str(state / "artifacts"),
    }
    out = subprocess.run(
        [sys.executable, "-c", _PAGE], capture_output=True, text=True, cwd=ROOT, env=env,
        check=True,
    )  # fmt: skip
    return json.loads(out.stdout.splitlines()[-1])


def backend_url(backend: str, workdir: Path) -> tuple[str, object]:
    """A URL to an empty database, and how to drop it afterwards."""
    from sqlalchemy import create_engine, text

    if backend == "sqlite":
        path = workdir / f"audit-{uuid.uuid4().hex[:8]}.db"
        return f"sqlite:///{path}", lambda: None
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))

    def drop() -> None:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    sep = "&" if "?" in POSTGRES else "?"
    return f"{POSTGRES}{sep}options=-csearch_path%3D{schema}", drop


def machine() -> str:
    import sqlalchemy

    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{os.cpu_count()} cores, {cpu}, {mem:.0f} GiB; Python {platform.python_version()}, "
        f"SQLAlchemy {sqlalchemy.__version__}, SQLite {__import__('sqlite3').sqlite_version}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument(
        "--reference-upto", type=int, default=100_000, help="run the old verifier up to this size"
    )
    parser.add_argument("--no-page", action="store_true", help="skip the page timings")
    args = parser.parse_args()

    from governance.db import Database
    from governance.db.migrate import upgrade

    print(f"Machine: {machine()}\n")
    print(f"Load average at start: {os.getloadavg()[0]:.1f}\n")
    print("| backend | events | full verify | rate | rate per CPU-second | peak RSS (base) |"
          " reference | speed-up | checkpoint CLI | page: first view | page: next view |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        for backend in args.backends:
            for n in args.sizes:
                url, drop = backend_url(backend, Path(tmp))
                try:
                    db = Database.from_url(url)
                    upgrade(db.engine)
                    db.dispose()
                    built = time.perf_counter()
                    build_chain(url, n)
                    built = time.perf_counter() - built
                    full = measure(url, "full")
                    assert full["intact"] and full["events"] == n, full
                    ref = measure(url, "reference") if n <= args.reference_upto else None
                    cp_time, _cp_rss = checkpoint_cli(url)
                    page = None if args.no_page else page_times(url, Path(tmp) / uuid.uuid4().hex)
                finally:
                    drop()
                rate = n / full["seconds"]
                ref_cell = "—" if ref is None else f"{ref['seconds']:.2f} s"
                ratio = "—" if ref is None else f"{ref['seconds'] / full['seconds']:.1f}×"
                first = "—" if page is None else f"{page[0][1]:.2f} s"
                nxt = "—" if page is None else f"{page[1][1]:.3f} s"
                print(
                    f"| {backend} | {n:,} | {full['seconds']:.2f} s | {rate:,.0f}/s | "
                    f"{n / full['cpu']:,.0f}/s | "
                    f"{full['peak_mib']:.0f} MiB ({full['base_mib']:.0f}; workers "
                    f"{full['worker_peak_mib']:.0f}) | {ref_cell} | {ratio} | "
                    f"{cp_time:.2f} s | {first} | {nxt} |",
                    flush=True,
                )
                print(f"<!-- built {n:,} events in {built:.0f} s; load average now "
                      f"{os.getloadavg()[0]:.1f} -->", file=sys.stderr)  # fmt: skip


if __name__ == "__main__":
    main()
