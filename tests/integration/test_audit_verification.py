"""Fast full verification and incremental verification of the stored chain, on both backends.

The fast path hashes text the database assembles; it must reach the reference verdict on
every kind of content, and fall back (not fail) where stored text is in an older form. The
incremental check verifies only new events: what it catches and what it leaves to a full
verification is tested here as the page states it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import insert, select, text

from governance.audit import scan, verification, walk
from governance.audit.chain import EventFields, StoredEvent, event_hash, verify_events
from governance.audit.events import AuditAction, Event, Resource
from governance.audit.log import record_event
from governance.audit.models import AuditEvent
from tests.integration import tamper

AWKWARD = [
    'quotes " and \\ backslashes',
    "controls \x00\x01\x07\x08\t\n\x0b\x0c\r\x1b\x1f and DEL \x7f",
    "line separators \u2028\u2029, zoë, ✓, 漢字, emoji 😀",
    "</script> & <b>html</b> / slash",
]


def seed(workbench, count: int, start: int = 0) -> None:
    with workbench.unit() as uow:
        for i in range(start, start + count):
            uow.record("seed-bot", Event(AuditAction.LOGIN, Resource.USER, i, {"n": i}))


def awkward_events(workbench) -> None:
    with workbench.unit() as uow:
        for i, value in enumerate(AWKWARD):
            details = {
                "value": value,
                "nested": {"list": [1, 2.5, -0.0, 1e300, None, True], value: value},
                "big": 2**62,
            }
            record_event(
                uow.session,
                # PostgreSQL text holds no NUL character at all; JSON escapes it.
                actor=value.replace("\x00", "")[:100],
                event=Event(
                    AuditAction.USER_CREATED, Resource.USER, value.replace("\x00", ""), details
                ),
                at=datetime(2026, 1, 1, 12, 0, i, tzinfo=UTC),  # whole seconds: .000000
            )


def reference_verdict(uow):
    rows = uow.session.scalars(select(AuditEvent).order_by(AuditEvent.id))
    return verify_events(StoredEvent(scan.stored_fields(r), r.prev_hash, r.hash) for r in rows)


def counting_walk(uow, monkeypatch):
    """Run the fast walk, counting the rows that needed the slower tries."""
    slow: list[int] = []
    real = walk._matches_slowly

    def spy(eid, *args):
        slow.append(eid)
        return real(eid, *args)

    monkeypatch.setattr(walk, "_matches_slowly", spy)
    return verification.walk_stored(uow), slow


def test_awkward_content_verifies_on_the_fast_path(workbench, monkeypatch):
    awkward_events(workbench)
    seed(workbench, 3)
    with workbench.unit() as uow:
        report, slow = counting_walk(uow, monkeypatch)
        assert report.intact and report.events_checked == len(AWKWARD) + 3
        assert slow == []  # the database's text was exactly the hashed text
        assert reference_verdict(uow) == report


def test_rows_stored_in_the_older_form_verify_more_slowly_and_edits_still_show(
    workbench, db, monkeypatch
):
    seed(workbench, 2)
    with workbench.unit() as uow:
        _, head_hash = scan.head(uow.session)
    # An event written before details were stored canonically: json.dumps's default form.
    details = {"b": "zoë", "a": [1, 2]}
    fields = EventFields(3, datetime(2026, 2, 1, tzinfo=UTC), "old-writer", None,
                         "auth.login", "user", None, details)  # fmt: skip
    with db.engine.begin() as conn:
        conn.execute(
            insert(AuditEvent.__table__).values(
                id=3, occurred_at=fields.occurred_at, actor=fields.actor, actor_role=None,
                action=fields.action, resource_type=fields.resource_type, resource_id=None,
                details=details, prev_hash=head_hash, hash=event_hash(head_hash, fields),
            )
        )  # fmt: skip
    tamper.edit_details(db.engine, 3, details)  # json.dumps: spaces, \\u escapes, key order
    seed(workbench, 2, start=10)
    with workbench.unit() as uow:
        stored = uow.session.execute(
            text("SELECT CAST(details AS TEXT) FROM audit_events WHERE id = 3")
        ).scalar_one()
        assert stored == json.dumps(details)
        report, slow = counting_walk(uow, monkeypatch)
        assert report.intact and report.head_id == 5
        assert slow == [3]
    tamper.edit_details(db.engine, 3, {**details, "b": "mallory"})
    with workbench.unit() as uow:
        report = verification.walk_stored(uow)
        assert not report.intact and report.first_bad_id == 3
        assert "edited" in report.problem


def test_full_verification_reports_progress_and_records_its_position(workbench):
    seed(workbench, 12)
    seen: list[tuple[int, int]] = []
    monkey_every = 5
    with workbench.unit() as uow:
        rows = scan.raw_events(uow.session)
        report = walk.walk(rows, progress=lambda done: seen.append((done, 12)), every=monkey_every)
        assert report.intact and seen == [(5, 12), (10, 12)]
        result = verification.verify_full(uow, progress=lambda done, total: None)
        assert result.method == "full" and result.head_id == 12
    with workbench.unit() as uow:
        assert verification.read_mark(uow, "full").size == 12
        assert verification.read_mark(uow, "latest").head_hash == result.head_hash


def test_incremental_check_reads_only_the_new_events(workbench):
    seed(workbench, 5)
    with workbench.unit() as uow:
        first = verification.verify_recent(uow)  # no mark yet: everything
        assert first.method == "full" and first.report.events_checked == 5
    seed(workbench, 3, start=5)
    with workbench.unit() as uow:
        again = verification.verify_recent(uow)
        assert again.method == "incremental" and again.intact
        assert (again.start, again.report.events_checked, again.head_id) == (5, 3, 8)
        assert again.last_full.size == 5
        assert "3 new events verified since event 5" in again.summary()


def test_incremental_check_catches_an_edited_new_event(workbench, db):
    seed(workbench, 5)
    workbench.run(verification.verify_recent)
    seed(workbench, 3, start=5)
    tamper.edit_details(db.engine, 7, {"n": 0})
    report = workbench.run(verification.verify_recent).report
    assert not report.intact and report.first_bad_id == 7


def test_incremental_check_catches_removed_newest_events(workbench, db):
    seed(workbench, 8)
    workbench.run(verification.verify_recent)
    tamper.delete_last(db.engine, 3)
    for check in (verification.verify_recent, verification.verify_full):
        report = workbench.run(check).report
        assert not report.intact and report.first_bad_id == 6, check
        assert "the trail ends at event 5" in report.problem
        assert "events 6 to 8 were removed" in report.problem


def test_incremental_check_catches_a_rechained_history_but_not_with_its_marks(workbench, db):
    seed(workbench, 8)
    workbench.run(verification.verify_recent)
    tamper.forge_and_rechain(db.engine, 2, {"n": 100})
    report = workbench.run(verification.verify_recent).report
    assert not report.intact and report.first_bad_id == 8
    assert "rewritten and its hashes recomputed" in report.problem

    # Someone who also rewrites the marks makes the in-database checks agree with them: the
    # limit the page and README state, which only an external checkpoint lifts.
    with db.engine.begin() as conn:
        forged_head = conn.execute(text("SELECT hash FROM audit_events WHERE id = 8")).scalar()
        conn.execute(text("UPDATE audit_marks SET head_hash = :h"), {"h": forged_head})
    assert workbench.run(verification.verify_recent).intact
    assert workbench.run(verification.verify_full).intact


def test_an_older_edit_is_not_seen_incrementally_but_is_by_the_full_verification(workbench, db):
    seed(workbench, 6)
    workbench.run(verification.verify_recent)
    tamper.edit_details(db.engine, 2, {"n": 99})
    assert workbench.run(verification.verify_recent).intact  # stated on the page
    full = workbench.run(verification.verify_full).report
    assert not full.intact and full.first_bad_id == 2


@pytest.mark.parametrize("sizes", [(1,), (3, 7), (7,), (20,)])
def test_tree_heads_in_the_same_pass_match_the_merkle_root(workbench, sizes):
    from governance.audit import merkle

    seed(workbench, 7)
    with workbench.unit() as uow:
        result = verification.verify_full(uow, tree_sizes=sizes, record=False)
        ordered = text("SELECT hash FROM audit_events ORDER BY id")
        hashes = [h for (h,) in uow.session.execute(ordered)]
    for size in sizes:
        tree = result.tree(size)
        expected = merkle.root_of(merkle.leaf_hash(bytes.fromhex(h)) for h in hashes[:size])
        assert tree.size == min(size, 7)
        assert tree.root_hash == expected.hex()
        assert tree.head_hash == hashes[min(size, 7) - 1]
