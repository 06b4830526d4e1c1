"""The hash chain as pure functions: every kind of tampering is caught at the right event."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from governance.audit.chain import (
    GENESIS_HASH,
    EventFields,
    StoredEvent,
    canonical_json,
    event_hash,
    verify_events,
)

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def build_chain(n: int) -> list[StoredEvent]:
    events, prev = [], GENESIS_HASH
    for i in range(1, n + 1):
        fields = EventFields(
            id=i,
            occurred_at=T0 + timedelta(seconds=i),
            actor=f"user{i % 3}",
            actor_role="admin",
            action="thing.done",
            resource_type="thing",
            resource_id=str(i),
            details={"n": i, "note": "café"},
        )
        h = event_hash(prev, fields)
        events.append(StoredEvent(fields, prev, h))
        prev = h
    return events


def test_hash_is_sha256_of_previous_hash_and_canonical_json():
    fields = build_chain(1)[0].fields
    expected = hashlib.sha256(
        (GENESIS_HASH + canonical_json(fields.payload())).encode("utf-8")
    ).hexdigest()
    assert event_hash(GENESIS_HASH, fields) == expected


def test_canonical_json_is_independent_of_key_order():
    assert canonical_json({"b": 1, "a": {"d": 2, "c": 3}}) == canonical_json(
        {"a": {"c": 3, "d": 2}, "b": 1}
    )
    assert canonical_json({"a": 1}) == '{"a":1}'


def test_intact_chain_verifies_and_reports_its_head():
    chain = build_chain(5)
    report = verify_events(chain)
    assert report.intact
    assert report.events_checked == 5
    assert report.head_hash == chain[-1].hash


def test_empty_chain_is_intact():
    report = verify_events([])
    assert report.intact and report.events_checked == 0 and report.head_hash == GENESIS_HASH


def test_edited_event_is_named():
    chain = build_chain(5)
    edited = replace(chain[2].fields, details={"n": 999})
    chain[2] = replace(chain[2], fields=edited)
    report = verify_events(chain)
    assert not report.intact
    assert report.first_bad_id == 3
    assert "edited" in (report.problem or "")


def test_deleted_middle_event_is_named():
    chain = build_chain(5)
    del chain[2]
    report = verify_events(chain)
    assert not report.intact
    assert report.first_bad_id == 4
    assert "event 3 is missing" in (report.problem or "")


def test_swapped_contents_are_detected_at_the_first_swapped_position():
    chain = build_chain(5)
    # Rows keep their positions (ids) but exchange everything else.
    a, b = chain[1], chain[2]
    chain[1] = StoredEvent(replace(b.fields, id=2), b.prev_hash, b.hash)
    chain[2] = StoredEvent(replace(a.fields, id=3), a.prev_hash, a.hash)
    report = verify_events(chain)
    assert not report.intact and report.first_bad_id == 2


def test_swapped_positions_are_detected():
    chain = build_chain(5)
    chain[1], chain[2] = chain[2], chain[1]
    report = verify_events(chain)
    assert not report.intact and report.first_bad_id == 3


def test_rehashed_edit_is_still_caught_by_the_next_link():
    chain = build_chain(4)
    forged_fields = replace(chain[1].fields, actor="mallory")
    forged_hash = event_hash(chain[1].prev_hash, forged_fields)
    chain[1] = StoredEvent(forged_fields, chain[1].prev_hash, forged_hash)
    report = verify_events(chain)
    assert not report.intact and report.first_bad_id == 3


def test_naive_time_is_refused():
    fields = replace(build_chain(1)[0].fields, occurred_at=datetime(2026, 1, 1))
    with pytest.raises(ValueError, match="aware"):
        event_hash(GENESIS_HASH, fields)


FIELD_EDITS = {
    "actor": lambda f: replace(f, actor=f.actor + "x"),
    "actor_role": lambda f: replace(f, actor_role="auditor"),
    "action": lambda f: replace(f, action="other.thing"),
    "resource_type": lambda f: replace(f, resource_type="other"),
    "resource_id": lambda f: replace(f, resource_id="zzz"),
    "details": lambda f: replace(f, details={**f.details, "extra": True}),
    "occurred_at": lambda f: replace(f, occurred_at=f.occurred_at + timedelta(microseconds=1)),
}


@given(
    n=st.integers(min_value=1, max_value=12),
    data=st.data(),
    field=st.sampled_from(sorted(FIELD_EDITS)),
)
def test_any_single_field_edit_breaks_the_chain_exactly_there(n, data, field):
    chain = build_chain(n)
    i = data.draw(st.integers(min_value=0, max_value=n - 1))
    chain[i] = replace(chain[i], fields=FIELD_EDITS[field](chain[i].fields))
    report = verify_events(chain)
    assert not report.intact
    assert report.first_bad_id == i + 1
