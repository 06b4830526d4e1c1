"""Upload bombs: what one hostile prediction file costs the server, and the other sessions.

    .venv/bin/python -m benchmarks.upload_bombs [--bombs wide-csv billion-parquet]
        [--dir /tmp/governance-bombs] [--set GOVERNANCE_UPLOAD_READ_SECONDS=20 ...]
        [--skip-page] [--skip-direct]

The bombs (generated once into ``--dir`` and reused; the 10⁹-row Parquet takes minutes):

- ``wide-csv``: 4.1 MiB of CSV with 100,000 columns (a header and 18 rows of zeros);
- ``wide-csv-250k``: the same with 250,000 columns (10 MiB);
- ``billion-parquet``: 42 KiB of Parquet with 10⁹ genuine rows (label, prediction, race in
  repeating patterns, zstd), so that reading it really means scanning 10⁹ rows.

Two measurements per bomb:

1. **direct** (the CLI's and the services' path): ``describe_file`` and, where it opens,
   ``assess_file`` in a fresh interpreter; wall time, peak RSS, outcome.
2. **page**: a real ``streamlit run app.py`` on a fresh database (as the e2e tests start it),
   two signed-in browser sessions in headless Chromium. Session A uploads the bomb on the
   Fairness page (and presses Assess when the mapping shows); meanwhile session B moves between
   two pages again and again. Reported: A's time until its page shows the outcome, the
   outcome's first words, the peak RSS of the server process and of its child processes
   (sampled from /proc every 0.1 s), and each of B's page times (median, max, count over 1 s)
   while A's upload was being read, against B's times with nothing else going on.

3. **cost of a worker**: ``describe_file`` of a small CSV in-process and through the page's
   reading workers (forkserver, warm pool): the first call (forkserver and workers start) and
   the median of 20 warm calls.

``--set NAME=VALUE`` passes settings to the server (say, a raised cap to watch a bomb run into
the reading worker's time limit). Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "correct horse battery staple"  # noqa: S105 (the benchmark's own accounts)
CHROMIUM = "/usr/bin/chromium"


# --- the bombs ----------------------------------------------------------------------------------


def wide_csv(path: Path, columns: int) -> None:
    with path.open("w") as out:
        out.write(",".join(f"c{i}" for i in range(columns)) + "\n")
        row = ",".join("0" for _ in range(columns)) + "\n"
        out.writelines(row for _ in range(18))


def billion_parquet(path: Path) -> None:
    con = duckdb.connect()
    con.execute("SET threads = 1")  # the machine is shared; it is made once
    con.execute(
        """COPY (SELECT (i % 2)::TINYINT AS label, ((i // 2) % 2)::TINYINT AS prediction,
                        CASE WHEN i % 4 < 2 THEN 'A' ELSE 'B' END AS race
                 FROM range(1000000000) t(i))
           TO $out (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 100000000)""",
        {"out": str(path)},
    )
    con.close()


BOMBS = {
    "wide-csv": ("wide-100k.csv", lambda p: wide_csv(p, 100_000)),
    "wide-csv-250k": ("wide-250k.csv", lambda p: wide_csv(p, 250_000)),
    "billion-parquet": ("billion.parquet", billion_parquet),
}


def bomb(directory: Path, name: str) -> Path:
    file_name, make = BOMBS[name]
    path = directory / file_name
    if not path.exists():
        print(f"generating {path} …", flush=True)
        partial = path.with_suffix(".partial" + path.suffix)
        make(partial)
        partial.rename(path)
    return path


# --- 1. direct: the services' path in a fresh interpreter ---------------------------------------

_DIRECT = """
import resource, sys, time
from pathlib import Path
from governance.errors import ValidationError
from governance.fairness import AssessmentSpec, Policy, assess_file, describe_file
path = Path(sys.argv[1])
start = time.perf_counter()
try:
    overview = describe_file(path)
    outcome = f"opened: {len(overview.columns)} columns"
    if len(overview.columns) == 3:
        result = assess_file(path, AssessmentSpec(y_true="label", y_pred="prediction",
                                                  sensitive=("race",)), Policy())
        outcome += f"; assessed {result.n_rows:,} rows"
except ValidationError as exc:
    outcome = f"refused: {exc}"
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"{seconds:.1f}\\t{peak:.0f}\\t{outcome}")
"""


def direct(path: Path, env: dict[str, str]) -> str:
    out = subprocess.run(
        [sys.executable, "-c", _DIRECT, str(path)],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=1800,
    )  # fmt: skip
    if out.returncode != 0:
        return f"| {path.name} | crashed: {out.stderr.strip().splitlines()[-1][:120]} | | |"
    seconds, peak, outcome = out.stdout.strip().splitlines()[-1].split("\t", 2)
    return f"| {path.name} | {seconds} s | {peak} MiB | {outcome[:160]} |"


# --- 2. the page, with another session beside it ------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                children = (task / "children").read_text().split()
            except OSError:
                continue
            for child in map(int, children):
                found.append(child)
                todo.append(child)
    return found


def _rss_mib(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


@dataclass
class MemorySampler:
    """Peak RSS of a process and, separately, of the largest of its descendants."""

    pid: int
    server_peak: float = 0.0
    child_peak: float = 0.0
    _stop: threading.Event = field(default_factory=threading.Event)

    def __enter__(self) -> MemorySampler:
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(0.1):
            self.server_peak = max(self.server_peak, _rss_mib(self.pid))
            for child in _descendants(self.pid):
                self.child_peak = max(self.child_peak, _rss_mib(child))

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self.thread.join()


class Server:
    def __init__(self, state: Path, settings: dict[str, str]) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "GOVERNANCE_STATE_DIR": str(state), **settings}
        self.env.pop("GOVERNANCE_DATABASE_URL", None)
        self.env.pop("GOVERNANCE_ARTIFACT_DIR", None)
        self.log = state.parent / "streamlit.log"

    def __enter__(self) -> Server:
        for username, role in (
            ("admin", "admin"),
            ("dana", "data_scientist"),
            ("ben", "executive"),
        ):
            subprocess.run(
                [sys.executable, "-m", "governance", "users", "create", "--username", username,
                 "--role", role, "--password-stdin"],
                input=PASSWORD + "\n", capture_output=True, text=True, cwd=ROOT, env=self.env,
                check=True, timeout=300,
            )  # fmt: skip
        with self.log.open("wb") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
                 "--server.address", "127.0.0.1", "--server.port", str(self.port),
                 "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"],
                cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as resp:  # noqa: S310
                    if resp.status == 200:
                        return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"streamlit did not start: {self.log.read_text()[-2000:]}")

    def __exit__(self, *exc: object) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()


_IDLE = "[data-testid=stApp][data-test-script-state=notRunning]"


def _signed_in(browser, url: str, username: str):
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(120_000)
    page = context.new_page()
    page.goto(url)
    login = page.get_by_test_id("stForm").filter(has=page.get_by_role("button", name="Sign in"))
    login.get_by_role("textbox", name="Username", exact=True).fill(username)
    login.get_by_role("textbox", name="Password", exact=True).fill(PASSWORD)
    login.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Overview", level=1)).to_be_visible(timeout=120_000)
    page.locator(_IDLE).wait_for(state="attached")
    return context, page


def _go(page, title: str) -> float:
    """Open ``title`` through the sidebar; seconds until its heading shows and the run ends."""
    from playwright.sync_api import expect

    start = time.perf_counter()
    page.get_by_test_id("stSidebarNavLink").filter(
        has_text=re.compile(rf"{re.escape(title)}$")
    ).click()
    expect(page.get_by_role("heading", name=title, level=1)).to_be_visible(timeout=600_000)
    page.locator(_IDLE).wait_for(state="attached", timeout=600_000)
    return time.perf_counter() - start


def _summary(times: list[float]) -> str:
    if not times:
        return "none"
    slow = sum(1 for t in times if t >= 1.0)
    return (
        f"median {statistics.median(times):.2f} s, max {max(times):.2f} s, "
        f"{slow}/{len(times)} ≥ 1 s"
    )


def page_run(path: Path, settings: dict[str, str], deadline_s: float) -> list[str]:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="governance-bench-") as tmp:
        state = Path(tmp) / "state"
        with Server(state, settings) as server, sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
            )
            _, page_a = _signed_in(browser, server.url, "dana")
            _, page_b = _signed_in(browser, server.url, "ben")
            _go(page_a, "Fairness")
            baseline = [_go(page_b, t) for t in ("My account", "Overview") * 5]
            times: list[float] = []
            with MemorySampler(server.proc.pid) as memory:
                started = time.perf_counter()
                page_a.locator("input[type=file]").set_input_files(str(path))
                seconds, shown = _interleave(page_a, page_b, started, deadline_s, times)
            browser.close()
    return [
        f"| {path.name} | {seconds:.1f} s | {shown[:150]} | {memory.server_peak:.0f} MiB | "
        f"{memory.child_peak:.0f} MiB | {_summary(times)} | {_summary(baseline)} |"
    ]


def _interleave(page_a, page_b, started: float, deadline_s: float, times: list[float]):
    """B moves between pages while A's outcome is awaited (Playwright's sync API is one thread).

    Each of B's page changes is timed on its own; between two of them A's page is looked at.
    """
    titles = ("My account", "Overview")
    error = page_a.get_by_test_id("stAlertContentError")
    mapping = page_a.get_by_role("heading", name="1. Confirm the columns")
    assessed = page_a.get_by_text(re.compile(r"under the policy in force"))
    pressed = False
    i = 0
    while time.perf_counter() - started < deadline_s:
        if assessed.count() or error.count():
            # The verdict banner is an error box too when it says FAIL.
            text = (assessed if assessed.count() else error).first.inner_text()
            verb = "assessed" if "under the policy in force" in text else "refused"
            words = text.split()
            if words and words[0] in {"error", "cancel"}:  # the alert's icon, as text
                words = words[1:]
            return time.perf_counter() - started, f"{verb}: " + " ".join(words)
        if mapping.count() and not pressed and page_a.locator(_IDLE).count():
            assess = page_a.get_by_role("button", name="Assess")
            if assess.is_disabled():  # no column names a label: opening was the whole read
                return time.perf_counter() - started, "opened: the mapping shows"
            assess.click()
            pressed = True
        times.append(_go(page_b, titles[i % 2]))
        i += 1
    return time.perf_counter() - started, f"nothing after {deadline_s:.0f} s"


_POOL = """
import statistics, sys, time
from pathlib import Path
from governance.analytics.isolated import IsolatedReader, ReadLimits
from governance.fairness.preview import describe_file

def timed(call):
    start = time.perf_counter()
    call()
    return time.perf_counter() - start

if __name__ == "__main__":
    path = Path(sys.argv[1])
    reader = IsolatedReader(ReadLimits(seconds=60, memory_mb=3072),
                            preload=("governance.fairness.engine", "governance.fairness.preview"))
    first = timed(lambda: reader.run(path.name, describe_file, path))
    warm = statistics.median(timed(lambda: reader.run(path.name, describe_file, path))
                             for _ in range(20))
    here = statistics.median(timed(lambda: describe_file(path)) for _ in range(20))
    reader.close()
    print(f"{here * 1000:.1f}\t{first * 1000:.0f}\t{warm * 1000:.1f}")
"""


def pool_cost(directory: Path) -> str:
    path = directory / "small.csv"
    lines = ["label,prediction,race", *(f"{i % 2},{i // 2 % 2},{'AB'[i % 3 == 0]}"
                                        for i in range(600))]  # fmt: skip
    path.write_text("\n".join(lines) + "\n")
    script = directory / "pool_cost.py"  # a file: the workers import what they run by name
    script.write_text(_POOL)
    out = subprocess.run([sys.executable, str(script), str(path)], capture_output=True,
                         text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                         timeout=300)  # fmt: skip
    if out.returncode != 0:
        return f"pool cost: failed: {out.stderr.strip()[-300:]}"
    here, first, warm = out.stdout.strip().splitlines()[-1].split("\t")
    return (
        "| describe_file, 600-row CSV | in-process (median of 20) | worker: first call, "
        "forkserver and workers starting | worker, warm (median of 20) |\n"
        "| --- | --- | --- | --- |\n"
        f"| | {here} ms | {first} ms | {warm} ms |"
    )


def machine() -> str:
    cpus = os.cpu_count()
    with open("/proc/meminfo") as fh:
        mem = int(fh.readline().split()[1]) / 2**20
    load = os.getloadavg()
    return (
        f"Machine: {cpus} cores, {mem:.0f} GiB; {platform.python_implementation()} "
        f"{platform.python_version()}, DuckDB {duckdb.__version__}; load average at start "
        f"{load[0]:.1f} (shared with other work)"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bombs", nargs="+", default=["wide-csv", "billion-parquet"],
                        choices=sorted(BOMBS))  # fmt: skip
    default_dir = Path(tempfile.gettempdir()) / "governance-bombs"
    parser.add_argument("--dir", type=Path, default=default_dir)
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--deadline", type=float, default=600.0, help="give up on A after this")
    parser.add_argument("--skip-page", action="store_true")
    parser.add_argument("--skip-direct", action="store_true")
    parser.add_argument("--skip-pool", action="store_true")
    args = parser.parse_args(argv)
    args.dir.mkdir(parents=True, exist_ok=True)
    settings = dict(s.split("=", 1) for s in args.set)
    env = {**os.environ, **settings, "PYTHONPATH": str(ROOT)}
    paths = [bomb(args.dir, name) for name in args.bombs]
    print(machine())
    print(f"Settings: {settings or 'defaults'}; code at {_commit()}\n")
    if not args.skip_direct:
        print("| file | time | peak RSS | outcome (describe_file, then assess_file) |")
        print("| --- | --- | --- | --- |")
        for path in paths:
            print(direct(path, env), flush=True)
        print()
    if not args.skip_page:
        print("| file | A: time to outcome | A: outcome | server peak RSS | largest child "
              "peak RSS | B's page times meanwhile | B's page times before |")  # fmt: skip
        print("| --- | --- | --- | --- | --- | --- | --- |")
        for path in paths:
            for line in page_run(path, settings, args.deadline):
                print(line, flush=True)
    if not args.skip_pool:
        print()
        print(pool_cost(args.dir))
    print(f"\nself: peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


def _commit() -> str:
    def git(*args: str) -> str:
        out = subprocess.run(["git", *args], capture_output=True, text=True, cwd=ROOT)  # noqa: S607
        return out.stdout.strip()

    dirty = git("status", "--porcelain", "--untracked-files=no")
    out = git("rev-parse", "--short", "HEAD")
    return out + (" (with uncommitted changes)" if dirty else "")


if __name__ == "__main__":
    main()
