"""The hash chain of audit events, as pure functions.

``hash = SHA-256(previous hash + canonical JSON of the event)``. Canonical JSON sorts keys and
uses no spaces, so the same event always hashes the same on every backend.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

GENESIS_HASH = "0" * 64


def canonical_json(value: Any) -> str:
    """Deterministic JSON text of ``value`` (sorted keys, no spaces, UTF-8 kept)."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_jsonable
    )


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return _iso(value)
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    return str(value)


def normalise_details(details: Mapping[str, Any] | None) -> dict[str, Any]:
    """The details exactly as they will read back from the database (plain JSON types)."""
    return json.loads(canonical_json(dict(details or {})))


def _iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("audit times must be aware UTC datetimes")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


@dataclass(frozen=True, slots=True)
class EventFields:
    """The hashed content of one event."""

    id: int
    occurred_at: datetime
    actor: str
    actor_role: str | None
    action: str
    resource_type: str
    resource_id: str | None
    details: Mapping[str, Any]

    def payload(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "occurred_at": _iso(self.occurred_at),
            "actor": self.actor,
            "actor_role": self.actor_role,
            "action": self.action,
            "resource_type": self.resource_type,
            "resource_id": self.resource_id,
            "details": dict(self.details),
        }


def event_hash(prev_hash: str, fields: EventFields) -> str:
    """SHA-256 of the previous hash followed by the event's canonical JSON."""
    text = prev_hash + canonical_json(fields.payload())
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """An event as read back: its fields plus the links it claims."""

    fields: EventFields
    prev_hash: str
    hash: str


@dataclass(frozen=True, slots=True)
class ChainReport:
    """Result of walking the chain: intact, or the first event that breaks it and why."""

    intact: bool
    events_checked: int
    first_bad_id: int | None = None
    problem: str | None = None
    head_hash: str = GENESIS_HASH
    head_id: int = 0  # the position of ``head_hash``: the last event that links correctly

    def summary(self) -> str:
        if self.intact:
            return f"Audit chain intact: {self.events_checked} events verified."
        return f"Audit chain BROKEN at event {self.first_bad_id}: {self.problem}"


def verify_events(events: Iterable[StoredEvent]) -> ChainReport:
    """Walk events in id order and report the first one that does not follow its predecessor.

    Detects an edited event (its hash no longer matches its content), a deleted event (a gap in
    the positions, or a previous-hash link that points nowhere) and reordered events. Deleting
    events from the end leaves a shorter but consistent chain: compare ``head_hash`` with an
    exported copy to notice that.
    """
    expected_prev = GENESIS_HASH
    expected_id = 1
    checked = 0
    for event in events:
        fid = event.fields.id
        if fid != expected_id:
            problem = (
                f"expected event {expected_id} next but found event {fid}; "
                f"event {expected_id} is missing"
                if fid > expected_id
                else f"event {fid} appears out of order"
            )
            return ChainReport(False, checked, fid, problem, expected_prev, expected_id - 1)
        if event.prev_hash != expected_prev:
            return ChainReport(
                False,
                checked,
                fid,
                "its previous-hash link does not match the event before it "
                "(an event was removed, inserted or swapped)",
                expected_prev,
                expected_id - 1,
            )
        recomputed = event_hash(event.prev_hash, event.fields)
        if recomputed != event.hash:
            return ChainReport(
                False,
                checked,
                fid,
                "its content does not match its hash (the event was edited)",
                expected_prev,
                expected_id - 1,
            )
        expected_prev = event.hash
        expected_id += 1
        checked += 1
    return ChainReport(True, checked, None, None, expected_prev, expected_id - 1)
