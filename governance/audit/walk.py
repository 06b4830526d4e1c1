"""Verifying the chain fast: stored text in, the same verdict as :func:`chain.verify_events`.

The reference check rebuilds each event as Python objects and serialises it again. Here each
row arrives as plain text (the time already in ISO form, the details as the JSON the writer
stored), and the canonical payload is assembled by string formatting and hashed. The writer
stores details as canonical JSON, so the stored text *is* the hashed text; a row that does not
match this way (written before that, or stored in another form) is tried again with its
details re-serialised, then by the reference path itself, so the fast path can never call an
event edited that the reference accepts. A match is proof on its own: SHA-256 has no known
second preimages.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from json.encoder import encode_basestring  # type: ignore[attr-defined]

from governance.audit.chain import GENESIS_HASH, ChainReport, canonical_json
from governance.audit.merkle import Frontier

RawEvent = tuple[int, str, str, str | None, str, str, str | None, str, str, str]
"""(id, occurred_at ISO text, actor, actor_role, action, resource_type, resource_id,
details JSON text, prev_hash, hash), in the order :mod:`governance.audit.scan` reads them."""

Reference = Callable[[int], str | None]
"""Recompute one stored event's hash the reference way (``None`` if it is gone)."""

_EDITED = "its content does not match its hash (the event was edited)"
_RELINKED = (
    "its previous-hash link does not match the event before it "
    "(an event was removed, inserted or swapped)"
)


def _text(s: str | None) -> str:
    return "null" if s is None else encode_basestring(s)


def payload_text(row: RawEvent, details: str) -> str:
    """The canonical JSON of a row's hashed fields (keys in sorted order), with ``details``."""
    eid, at, actor, role, action, rtype, rid = row[:7]
    return (
        f'{{"action":{encode_basestring(action)},"actor":{encode_basestring(actor)},'
        f'"actor_role":{_text(role)},"details":{details},"id":{eid},'
        f'"occurred_at":"{at}","resource_id":{_text(rid)},'
        f'"resource_type":{encode_basestring(rtype)}}}'
    )


def _out_of_place(expected: int, found: int) -> str:
    if found > expected:
        return (
            f"expected event {expected} next but found event {found}; "
            f"event {expected} is missing"
        )
    return f"event {found} appears out of order"


def _matches_slowly(row: RawEvent, prev: str, reference: Reference | None) -> bool:
    """The second and third tries for a row whose stored text did not hash to its hash."""
    import json

    try:
        details = canonical_json(json.loads(row[7]))
    except ValueError:
        details = None
    if details is not None:
        text = prev + payload_text(row, details)
        if hashlib.sha256(text.encode("utf-8")).hexdigest() == row[9]:
            return True
    return reference is not None and reference(row[0]) == row[9]


def walk(
    rows: Iterable[RawEvent],
    *,
    after: int = 0,
    prev: str = GENESIS_HASH,
    reference: Reference | None = None,
    frontier: Frontier | None = None,
    progress: Callable[[int], None] | None = None,
    every: int = 50_000,
) -> ChainReport:
    """Check ``rows`` (events ``after + 1`` onwards, in id order) as links after ``prev``.

    ``frontier``, when given, receives every event as a Merkle leaf; ``progress`` is called
    with the position reached every ``every`` events. The report's ``events_checked`` counts
    the rows checked here, its ``head_id`` and ``head_hash`` are the last good position.
    """
    sha256 = hashlib.sha256
    enc = encode_basestring
    add_leaf = frontier.append if frontier is not None else None
    expected = after + 1
    for row in rows:
        eid, at, actor, role, action, rtype, rid, details, prev_hash, digest = row
        if eid != expected:
            return _broken(after, expected, eid, _out_of_place(expected, eid), prev)
        if prev_hash != prev:
            return _broken(after, expected, eid, _RELINKED, prev)
        # payload_text, inlined: this line runs once per event of the trail.
        text = (
            f'{prev}{{"action":{enc(action)},"actor":{enc(actor)},'
            f'"actor_role":{"null" if role is None else enc(role)},"details":{details},'
            f'"id":{eid},"occurred_at":"{at}",'
            f'"resource_id":{"null" if rid is None else enc(rid)},"resource_type":{enc(rtype)}}}'
        )
        if sha256(text.encode()).hexdigest() != digest and not _matches_slowly(
            row, prev, reference
        ):
            return _broken(after, expected, eid, _EDITED, prev)
        if add_leaf is not None:
            add_leaf(sha256(b"\x00" + bytes.fromhex(digest)).digest())
        prev = digest
        expected += 1
        if progress is not None and not eid % every:
            progress(eid)
    return ChainReport(True, expected - 1 - after, None, None, prev, head_id=expected - 1)


def _broken(after: int, expected: int, eid: int, problem: str, prev: str) -> ChainReport:
    return ChainReport(False, expected - 1 - after, eid, problem, prev, head_id=expected - 1)
