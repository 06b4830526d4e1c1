"""Full verification spread over worker processes reaches the single walk's verdict.

Small ranges (16 events) stand in for the default 131,072 so that a trail of 100 events is
cut into seven; every kind of tampering, at a range's edge and inside one, must be reported
exactly as one walk reports it, and the Merkle tree heads computed from joined ranges must be
the single pass's.
"""

from __future__ import annotations

from dataclasses import asdict

import pytest

from governance.audit import parallel, verification
from governance.audit.parallel import Plan
from tests.integration import tamper
from tests.integration.test_audit_verification import seed

PARALLEL = Plan(chunk=16, from_events=1, workers=2)
SERIAL = Plan(workers=1)
EVENTS = 100
SIZES = (1, 15, 16, 17, 33, 64, 99, 100, 150)


@pytest.fixture
def trail(workbench, monkeypatch):
    seed(workbench, EVENTS)
    calls: list[int] = []
    real = parallel.verify_ranges

    def counted(*args, **kwargs):
        reached = real(*args, **kwargs)
        calls.append(reached.after)
        return reached

    monkeypatch.setattr(verification, "verify_ranges", counted)
    return workbench, calls


def both(workbench, sizes=()):
    with workbench.unit() as uow:
        fast = verification.verify_full(uow, tree_sizes=sizes, record=False, plan=PARALLEL)
        slow = verification.verify_full(uow, tree_sizes=sizes, record=False, plan=SERIAL)
    return fast, slow


def test_an_intact_trail_verifies_in_ranges_with_the_same_tree_heads(trail):
    workbench, calls = trail
    fast, slow = both(workbench, SIZES)
    assert calls == [EVENTS]  # the workers verified every event; nothing was left to walk
    assert fast.intact and fast.report == slow.report
    assert fast.report.events_checked == EVENTS
    assert [asdict(t) for t in fast.trees] == [asdict(t) for t in slow.trees]
    assert [t.requested for t in fast.trees] == list(SIZES)


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda e: tamper.edit_details(e, 40, {"n": -1}), id="edit-inside"),
        pytest.param(lambda e: tamper.edit_details(e, 17, {"n": -1}), id="edit-first-of-range"),
        pytest.param(lambda e: tamper.edit_details(e, 16, {"n": -1}), id="edit-last-of-range"),
        pytest.param(lambda e: tamper.delete_event(e, 16), id="delete-last-of-range"),
        pytest.param(lambda e: tamper.delete_event(e, 17), id="delete-first-of-range"),
        pytest.param(lambda e: tamper.delete_event(e, 1), id="delete-first"),
        pytest.param(lambda e: tamper.swap_events(e, 32, 33), id="swap-across-ranges"),
        pytest.param(lambda e: tamper.delete_last(e, 5), id="truncate"),
        pytest.param(lambda e: tamper.forge_and_rechain(e, 50, {"n": 0}), id="rechain"),
    ],
)
def test_tampering_is_reported_as_one_walk_reports_it(trail, db, damage):
    workbench, calls = trail
    damage(db.engine)
    fast, slow = both(workbench, SIZES)
    assert calls, "the ranges were checked in workers"
    assert fast.report == slow.report
    assert [asdict(t) for t in fast.trees] == [asdict(t) for t in slow.trees]


def test_a_broken_range_is_walked_on_from_where_the_clean_ranges_end(trail, db):
    workbench, calls = trail
    tamper.edit_details(db.engine, 40, {"n": -1})
    fast, _ = both(workbench)
    assert calls == [32]  # ranges 1–16 and 17–32 joined; the rest walked in one pass
    assert not fast.intact and fast.report.first_bad_id == 40


def test_plans():
    with pytest.raises(ValueError, match="power of two"):
        Plan(chunk=100)
    assert not PARALLEL.applies("sqlite://", 10**6)  # another process cannot open it
    assert not PARALLEL.applies("sqlite:///:memory:", 10**6)
    assert PARALLEL.applies("sqlite:////tmp/x.db", 10**6)
    assert not Plan(workers=1).applies("sqlite:////tmp/x.db", 10**6)
    assert not Plan().applies("postgresql+psycopg://h/db", 1_000)


def test_a_range_that_does_not_meet_the_one_before_stops_the_join():
    from governance.audit.chain import ChainReport

    reached = parallel.Reached(after=16, prev="a" * 64, checked=16)
    moved = parallel.RangeResult(16, 32, "b" * 64, ChainReport(True, 16, None, None, "c" * 64,
                                 32), (), None)  # fmt: skip
    assert not parallel._join(reached, moved)
    assert (reached.after, reached.prev, reached.checked) == (16, "a" * 64, 16)
    met = parallel.RangeResult(16, 32, "a" * 64, moved.report, (), None)
    assert parallel._join(reached, met)
    assert (reached.after, reached.prev, reached.checked) == (32, "c" * 64, 32)
