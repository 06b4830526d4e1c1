"""Verifying the stored chain: every event, or only what is new since the last verification.

A **full** verification reads every event and recomputes its hash and its link, a long
trail on several cores (:mod:`governance.audit.parallel`; rates in ``benchmarks/audit.py``).
An **incremental** one checks that the event last verified still carries the hash it had
then, and verifies only the events after it. What that can and cannot prove:

- it proves the new events extend the chain that was verified, and it notices events removed
  from the end (the last verified event is gone) or a rewritten history whose last verified
  event changed hash;
- it does not re-read the older events, so an edit of an older event is found only by the next
  full verification, and someone who can also rewrite the marks (:class:`AuditMark`) can make
  it start from a forged position. Neither check can see a history rewritten together with
  its marks: a signed checkpoint kept outside the database does
  (:mod:`governance.audit.anchor`).

Both record the position they reached in :class:`AuditMark` (bookkeeping in the caller's unit
of work, never an audit event: a verification changes nothing).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from governance.audit import scan
from governance.audit.chain import GENESIS_HASH, ChainReport
from governance.audit.merkle import Frontier
from governance.audit.models import AuditEvent, AuditMark
from governance.audit.parallel import DEFAULT_PLAN, Plan, Reached, verify_ranges
from governance.audit.walk import walk
from governance.kernel import UnitOfWork

LATEST, FULL = "latest", "full"


@dataclass(frozen=True, slots=True)
class Mark:
    """A verified position: event ``size`` had hash ``head_hash`` at ``verified_at``."""

    size: int
    head_hash: str
    verified_at: datetime


@dataclass(frozen=True, slots=True)
class TreeHead:
    """The Merkle tree over the first ``size`` events (asked for ``requested``; smaller only
    when the trail is shorter than that)."""

    requested: int
    size: int
    head_hash: str
    root_hash: str


@dataclass(frozen=True, slots=True)
class Verification:
    """What one verification established.

    ``report`` is the walk over the events it read: events ``start + 1`` to
    ``report.head_id`` (``start`` is 0 for a full verification). ``since`` is the mark an
    incremental check started from; ``last_full`` the last full verification known after it.
    """

    report: ChainReport
    method: Literal["full", "incremental"]
    start: int = 0
    since: Mark | None = None
    last_full: Mark | None = None
    trees: tuple[TreeHead, ...] = ()

    def tree(self, size: int) -> TreeHead | None:
        """The tree head computed for ``size`` (``None`` if the chain broke before it)."""
        return next((t for t in self.trees if t.requested == size), None)

    @property
    def intact(self) -> bool:
        return self.report.intact

    @property
    def head_id(self) -> int:
        return self.report.head_id

    @property
    def head_hash(self) -> str:
        return self.report.head_hash

    def summary(self) -> str:
        if not self.intact:
            return self.report.summary()
        if self.method == "full":
            return f"Audit chain intact: {self.head_id} events verified."
        new = self.head_id - self.start
        return (
            f"Audit chain intact up to event {self.head_id}: {new} new "
            f"event{'s' if new != 1 else ''} verified since event {self.start}."
        )


def read_mark(uow: UnitOfWork, kind: str) -> Mark | None:
    row = uow.session.get(AuditMark, kind, populate_existing=True)
    if row is None or row.size == 0:
        return None
    return Mark(row.size, row.head_hash, row.verified_at)


def _advance(uow: UnitOfWork, kind: str, size: int, head_hash: str) -> None:
    """Move mark ``kind`` to (size, head_hash), never backwards; a plain upsert, so two
    readers recording at once never conflict (the later position wins)."""
    insert = postgresql.insert if uow.dialect == "postgresql" else sqlite.insert
    table = AuditMark.__table__
    values = {"kind": kind, "size": size, "head_hash": head_hash, "verified_at": uow.now()}
    stmt = insert(table).values(**values)
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.kind],
        set_={name: stmt.excluded[name] for name in ("size", "head_hash", "verified_at")},
        where=table.c.size <= stmt.excluded.size,
    )
    uow.session.execute(stmt)


def _against_mark(uow: UnitOfWork, report: ChainReport, mark: Mark | None) -> ChainReport:
    """``report`` failed if the chain no longer passes through ``mark``."""
    if mark is None or not report.intact:
        return report
    when = f"{mark.verified_at:%Y-%m-%d %H:%M} UTC"
    stored = scan.hash_at(uow.session, mark.size)
    if stored is None:
        end = scan.head(uow.session)[0]
        return replace(
            report,
            intact=False,
            first_bad_id=end + 1,
            problem=(
                f"the trail ends at event {end}, but event {mark.size} was verified on "
                f"{when}: events {end + 1} to {mark.size} were removed"
            ),
        )
    if stored != mark.head_hash:
        return replace(
            report,
            intact=False,
            first_bad_id=mark.size,
            problem=(
                f"its hash is not the one verified on {when}: the chain up to it was "
                "rewritten and its hashes recomputed"
            ),
        )
    return report


def _reference(uow: UnitOfWork) -> Callable[[int], str | None]:
    return lambda position: scan.reference_hash(uow.session, position)


def walk_stored(
    uow: UnitOfWork,
    *,
    after: int = 0,
    prev: str = GENESIS_HASH,
    upto: int | None = None,
    frontier: Frontier | None = None,
    progress: Callable[[int], None] | None = None,
) -> ChainReport:
    """Walk the stored events ``after + 1`` … ``upto`` as links after ``prev``."""
    rows = scan.raw_events(uow.session, after=after, upto=upto)
    return walk(
        rows,
        after=after,
        prev=prev,
        reference=_reference(uow),
        frontier=frontier,
        progress=progress,
    )


def record_marks(uow: UnitOfWork, verification: Verification) -> Verification:
    """Remember how far ``verification`` got, if the chain held (``latest``; ``full`` too
    for a full verification)."""
    if verification.intact and verification.head_id:
        kinds = (LATEST, FULL) if verification.method == "full" else (LATEST,)
        for kind in kinds:
            _advance(uow, kind, verification.head_id, verification.head_hash)
    return verification


def verify_full(
    uow: UnitOfWork,
    *,
    progress: Callable[[int, int], None] | None = None,
    tree_sizes: Iterable[int] = (),
    record: bool = True,
    plan: Plan = DEFAULT_PLAN,
) -> Verification:
    """Recompute every event's hash and link; ``progress(done, total)`` now and then.

    For each of ``tree_sizes`` the Merkle tree head of the first that many events is
    computed in the same pass (``Verification.tree``). ``record=False`` leaves the marks
    alone (a caller with more to check records them itself with :func:`record_marks`).
    No permission is needed: whether the trail is intact is not itself a secret, and the
    overview shows it to every role.
    """
    total = scan.head(uow.session)[0]
    step = None if progress is None else (lambda done: progress(done, total))
    sizes = sorted(set(tree_sizes))
    # Verified in parallel where the trail is long (module parallel); the rest, and all of a
    # broken chain from the range where it breaks, in one walk.
    start = _in_parallel(uow, total, sizes, plan, step)
    trees = [TreeHead(size, size, head, root.hex()) for size, (head, root) in start.roots.items()]
    frontier, after, prev, checked = start.frontier, start.after, start.prev, start.checked
    part = ChainReport(True, 0, head_hash=prev, head_id=after)
    for upto in [*(s for s in sizes if s > after), None]:
        part = walk_stored(uow, after=after, prev=prev, upto=upto, frontier=frontier, progress=step)
        checked += part.events_checked
        if not part.intact or upto is None:
            break
        assert frontier is not None
        trees.append(TreeHead(upto, part.head_id, part.head_hash, frontier.root().hex()))
        after, prev = part.head_id, part.head_hash
    report = _against_mark(uow, replace(part, events_checked=checked), read_mark(uow, LATEST))
    verification = Verification(report, "full", trees=tuple(trees))
    if record:
        record_marks(uow, verification)
    return replace(verification, last_full=read_mark(uow, FULL))


def _in_parallel(
    uow: UnitOfWork,
    total: int,
    sizes: list[int],
    plan: Plan,
    progress: Callable[[int], None] | None,
) -> Reached:
    url = uow.session.get_bind().url.render_as_string(hide_password=False)
    if not plan.applies(url, total):
        return Reached(frontier=Frontier() if sizes else None)
    return verify_ranges(url, total, sizes, plan, progress)


def verify_recent(uow: UnitOfWork) -> Verification:
    """Verify the events added since the last verified position (all of them the first time).

    See the module's docstring for what this proves and what it leaves to a full
    verification and to external checkpoints.
    """
    since = read_mark(uow, LATEST)
    if since is None:
        return verify_full(uow)
    last_full = read_mark(uow, FULL)
    start = ChainReport(True, 0, None, None, since.head_hash, since.size)
    checked = _against_mark(uow, start, since)
    if checked.intact:
        checked = walk_stored(uow, after=since.size, prev=since.head_hash)
    verification = Verification(checked, "incremental", since.size, since, last_full)
    return record_marks(uow, verification)


def position_of(uow: UnitOfWork, digest: str) -> int | None:
    """The position of the event whose chain hash is ``digest``, if there is one."""
    return uow.session.scalar(select(AuditEvent.id).where(AuditEvent.hash == digest))
