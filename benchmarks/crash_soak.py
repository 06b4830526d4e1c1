"""kill -9 at random moments of ``fairness assess --save``, then ``doctor --fix``: a soak.

    .venv/bin/python -m benchmarks.crash_soak [--rows 6000000] [--kills 40] [--database URL]

Generates a CSV prediction file (CSV, so that the save converts it to Parquet: the long write
in which kills land), times one clean save, then ``--kills`` times starts the save again and
sends SIGKILL after a random delay in [0, that time]. After each kill it counts what was left
(temporaries under ``.incoming/``, temporaries anywhere else, stored files without a record,
records), runs ``doctor --fix --grace-minutes 0`` (no other process runs, so no file can be in
flight) and checks that the store is clean again, that every record still has its file and
that ``audit verify`` passes. Prints the tally. Not a test: the suite crashes deterministically
(tests/integration/test_crash_debris.py); this shows random timing finds nothing else.
"""

from __future__ import annotations

import argparse
import collections
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
from sqlalchemy import create_engine, func, select

ROOT = Path(__file__).resolve().parents[1]
STORED = re.compile(r"[0-9a-f]{2}/[0-9a-f]{64}\.parquet")


def generate(path: Path, rows: int) -> None:
    con = duckdb.connect()
    con.execute("SELECT setseed(0.42)")
    con.execute(
        f"""COPY (SELECT (random() < 0.3)::INT AS label, (random() < 0.4)::INT AS prediction,
                  ['A','B','C','D'][1 + floor(random() * 4)::INT] AS race,
                  round(random(), 6) AS noise  -- incompressible, so the Parquet write is long
           FROM range({int(rows)})) TO $out (FORMAT csv, HEADER)""",
        {"out": str(path)},
    )
    con.close()


def governance(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "governance", *args], capture_output=True,
                          text=True, cwd=ROOT, env=env, check=False)  # fmt: skip


def save_command(source: Path) -> list[str]:
    return [sys.executable, "-m", "governance", "fairness", "assess", str(source),
            "--y-true", "label", "--y-pred", "prediction", "--sensitive", "race",
            "--save", "--model", "soak", "--actor", "pipeline"]  # fmt: skip


def census(root: Path, url: str) -> dict[str, int]:
    files = (
        [p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()]
        if root.exists()
        else []
    )
    engine = create_engine(url)
    from governance.fairness.models import FairnessAssessment

    with engine.connect() as conn:
        referenced = {r[0] for r in conn.execute(select(FairnessAssessment.file_sha256))}
        records = conn.scalar(select(func.count()).select_from(FairnessAssessment)) or 0
    engine.dispose()
    stored = [f for f in files if STORED.fullmatch(f)]
    return {
        "incoming temporaries": sum(f.startswith(".incoming/") for f in files),
        "temporaries elsewhere": sum(
            f.endswith(".tmp") and not f.startswith(".incoming/") for f in files
        ),
        "orphans": sum(Path(f).stem not in referenced for f in stored),
        "records without a file": len(referenced - {Path(f).stem for f in stored}),
        "records": records,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=6_000_000)
    parser.add_argument("--kills", type=int, default=40)
    parser.add_argument("--database", help="SQLAlchemy URL (default: a fresh SQLite file)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)  # noqa: S311 (kill timing, not secrets)
    work = Path(tempfile.mkdtemp(prefix="crash-soak-"))
    url = args.database or f"sqlite:///{work / 'governance.db'}"
    root = work / "artifacts"
    env = {**os.environ, "GOVERNANCE_DATABASE_URL": url, "GOVERNANCE_ARTIFACT_DIR": str(root)}
    source = work / "predictions.csv"
    generate(source, args.rows)
    for name, role in (("owner", "admin"), ("pipeline", "data_scientist")):
        subprocess.run([sys.executable, "-m", "governance", "users", "create", "--username", name,
                        "--role", role, "--password-stdin"], input="a long enough password\n",
                       text=True, cwd=ROOT, env=env, check=True, capture_output=True)  # fmt: skip
    start = time.perf_counter()
    subprocess.run(save_command(source), cwd=ROOT, env=env, check=True, capture_output=True)
    clean = time.perf_counter() - start
    # A stored file is reused by a later save of the same content, which then writes nothing:
    # each trial saves content not yet stored (a new variant once one was saved).
    base = source.read_bytes()
    kill_source = work / "variant.csv"
    variants = 0
    tally: collections.Counter[str] = collections.Counter()
    left_dirty = 0
    records = census(root, url)["records"]
    for _ in range(args.kills):
        if variants == 0 or census(root, url)["records"] > records:
            records = census(root, url)["records"]
            variants += 1
            kill_source.write_bytes(base + f"1,0,A,{variants}\n".encode())
        delay = rng.uniform(0, clean)
        proc = subprocess.Popen(save_command(kill_source), cwd=ROOT, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        time.sleep(delay)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            tally["killed"] += 1
        else:
            tally["finished before the kill"] += 1
        proc.wait()
        found = census(root, url)
        for key in ("incoming temporaries", "temporaries elsewhere", "orphans"):
            if found[key]:
                tally[f"kills leaving {key}"] += 1
        fixed = governance(env, "doctor", "--fix", "--grace-minutes", "0")
        after = census(root, url)
        verify = governance(env, "audit", "verify")
        dirty = (after["incoming temporaries"] + after["temporaries elsewhere"] + after["orphans"]
                 + after["records without a file"])  # fmt: skip
        if dirty or fixed.returncode != 0 or verify.returncode != 0:
            left_dirty += 1
            print(
                "NOT CLEAN after doctor --fix:", after, fixed.stdout, verify.stderr, file=sys.stderr
            )
    print(
        f"rows {args.rows:,}, database {url.split(':', 1)[0]}, clean save {clean:.2f} s, "
        f"kills {args.kills}, seed {args.seed}"
    )
    for key, value in sorted(tally.items()):
        print(f"  {key}: {value}")
    print(f"  still unclean after doctor --fix: {left_dirty}")
    removed = governance(env, "audit", "export")
    print(f"  maintenance.file_removed events: {removed.stdout.count('maintenance.file_removed')}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
