"""Verifying a long chain on several cores: aligned ranges checked at once, then joined.

A full verification is CPU-bound in two places, the database assembling each event's text
and the client hashing it, and one connection does both on one core. Here the positions
``1 … total`` are cut into ranges that start at multiples of a power of two (``Plan.chunk``)
and each range is walked by a worker process over its own connection: the first event of a
range is linked to the stored hash of the event before it, which the range before checks.

The verdict stays the serial walk's. The ranges are joined in order, and at the first range
that is not clean (an event edited or missing, a link that does not meet the range before, a
range shorter than asked) the joining stops and returns the position reached; the caller
walks on serially from there, so a broken chain is reported exactly as one walk reports it.
Merkle tree heads come out the same way: a range's subtrees sit on the tree's boundaries
because ranges are aligned, so their frontiers join (:meth:`Frontier.extend`).

Processes, not threads: hashing holds the interpreter lock and SQLite keeps it while it
assembles rows, so threads ran no faster than one walk (measured).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

from sqlalchemy.engine import make_url

from governance.audit import scan
from governance.audit.chain import GENESIS_HASH, ChainReport
from governance.audit.merkle import Frontier
from governance.audit.walk import walk
from governance.processes import forkserver_context


@dataclass(frozen=True, slots=True)
class Plan:
    """When and how to spread a verification over processes.

    ``chunk`` must be a power of two (the ranges' alignment); below ``from_events`` a single
    walk is quicker than starting workers (about half a second).
    """

    chunk: int = 1 << 17
    from_events: int = 400_000
    workers: int = field(default_factory=lambda: min(4, os.cpu_count() or 1))

    def __post_init__(self) -> None:
        if self.chunk < 1 or self.chunk & (self.chunk - 1):
            raise ValueError(f"chunk must be a power of two, got {self.chunk}")

    def applies(self, url: str, total: int) -> bool:
        return self.workers >= 2 and total >= self.from_events and _shareable(url)


DEFAULT_PLAN = Plan()


def _shareable(url: str) -> bool:
    """Whether another process can open the same database (not an in-memory SQLite one)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return True
    database = parsed.database or ""
    return database not in ("", ":memory:") and "mode=memory" not in str(parsed.query)


@dataclass(frozen=True, slots=True)
class RangeResult:
    """One worker's walk over events ``after + 1 … upto``, linked to ``start_prev``."""

    after: int
    upto: int
    start_prev: str | None
    report: ChainReport
    snapshots: tuple[tuple[int, str, Frontier], ...]  # (size, its head hash, the range's tree)
    tree: Frontier | None  # the range's own tree over all its events


def check_range(
    url: str, after: int, upto: int, sizes: tuple[int, ...], trees: bool
) -> RangeResult:
    """Walk one range in a worker (its own engine and connection; top level, so picklable)."""
    from governance.db import Database

    database = Database.from_url(url)
    try:
        with database.session() as session:
            start = GENESIS_HASH if after == 0 else scan.hash_at(session, after)
            return _walk_range(session, after, upto, start, sizes, trees)
    finally:
        database.engine.dispose()


def _walk_range(session, after: int, upto: int, start: str | None, sizes, trees) -> RangeResult:
    frontier = Frontier() if trees else None
    snapshots: list[tuple[int, str, Frontier]] = []
    here, prev, checked = after, start or "", 0  # no stored hash before: the first link fails
    report = ChainReport(True, 0, head_hash=prev, head_id=after)
    for stop in sorted({*sizes, upto}):
        rows = scan.raw_events(session, after=here, upto=stop)
        report = walk(rows, after=here, prev=prev, frontier=frontier,
                      reference=lambda p: scan.reference_hash(session, p))  # fmt: skip
        checked += report.events_checked
        if not report.intact or report.head_id != stop:
            break
        if frontier is not None and stop in sizes:
            snapshots.append((stop, report.head_hash, frontier.copy()))
        here, prev = report.head_id, report.head_hash
    report = ChainReport(report.intact, checked, report.first_bad_id, report.problem,
                         report.head_hash, report.head_id)  # fmt: skip
    return RangeResult(after, upto, start, report, tuple(snapshots), frontier)


@dataclass(slots=True)
class Reached:
    """How far the joined ranges got: every event up to ``after`` verified and linked."""

    after: int = 0
    prev: str = GENESIS_HASH
    checked: int = 0
    frontier: Frontier | None = None
    roots: dict[int, tuple[str, bytes]] = field(default_factory=dict)  # size → (head, root)


def ranges(total: int, chunk: int) -> Iterator[tuple[int, int]]:
    for start in range(0, total, chunk):
        yield start, min(start + chunk, total)


def verify_ranges(
    url: str,
    total: int,
    sizes: list[int],
    plan: Plan,
    progress: Callable[[int], None] | None = None,
) -> Reached:
    """Check events ``1 … total`` in parallel and join the clean ranges in order."""
    reached = Reached(frontier=Frontier() if sizes else None)
    parts = list(ranges(total, plan.chunk))
    context = forkserver_context(["governance.audit.parallel"])
    workers = min(plan.workers, len(parts))
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = [
            pool.submit(check_range, url, a, b, _within(sizes, a, b), _needs_tree(sizes, a))
            for a, b in parts
        ]
        for future in futures:
            if not _join(reached, future.result()):
                for rest in futures:
                    rest.cancel()
                break
            if progress is not None:
                progress(reached.after)
    return reached


def _within(sizes: list[int], after: int, upto: int) -> tuple[int, ...]:
    return tuple(s for s in sizes if after < s <= upto)


def _needs_tree(sizes: list[int], after: int) -> bool:
    """A range's tree is needed for any requested size past its start."""
    return bool(sizes) and max(sizes) > after


def _join(reached: Reached, part: RangeResult) -> bool:
    """Add ``part`` after ``reached`` if it is clean and meets it; ``False`` stops the join."""
    report = part.report
    # The link to the range before is checked twice over: the worker linked its first event
    # to the stored hash before it, and that hash must be the one the range before reached
    # (it differs only if the row changed between the two workers' reads).
    clean = report.intact and report.head_id == part.upto and part.start_prev == reached.prev
    if not clean:
        return False
    if reached.frontier is not None and part.tree is not None:
        for size, head_hash, inner in part.snapshots:
            tree = reached.frontier.copy()
            tree.extend(inner)
            reached.roots[size] = (head_hash, tree.root())
        reached.frontier.extend(part.tree)
    reached.after, reached.prev = part.upto, report.head_hash
    reached.checked += report.events_checked
    return True
