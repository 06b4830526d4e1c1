"""Verifying the chain fast: stored text in, the same verdict as :func:`chain.verify_events`.

The reference check rebuilds each event as Python objects and serialises it again. Here each
row arrives as ``(id, prev_hash + canonical payload text, hash)``, assembled by the database
from the stored columns (see :mod:`governance.audit.scan`), and is only hashed. The writer
stores details as canonical JSON, so the stored text *is* the hashed text. A row that does not
hash to its hash this way is tried again with its details re-serialised (rows written before
details were stored canonically), then by the reference computation from its record, so the
fast path never calls an event edited that the reference accepts; and a match is proof on its
own, SHA-256 having no known second preimages.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable

from governance.audit.chain import GENESIS_HASH, ChainReport, canonical_json
from governance.audit.merkle import Frontier

RawEvent = tuple[int, str, str]
"""(id, prev_hash followed by the canonical payload text, hash)."""

Reference = Callable[[int], str | None]
"""Recompute one stored event's hash the reference way (``None`` if it is gone)."""

_EDITED = "its content does not match its hash (the event was edited)"
_RELINKED = (
    "its previous-hash link does not match the event before it "
    "(an event was removed, inserted or swapped)"
)
_DETAILS = ',"details":'


def _out_of_place(expected: int, found: int) -> str:
    if found > expected:
        return (
            f"expected event {expected} next but found event {found}; event {expected} is missing"
        )
    return f"event {found} appears out of order"


def _recanonicalised(text: str, eid: int) -> str | None:
    """``text`` with its details re-serialised canonically (``None`` if they are not JSON).

    The details sit between the first ``,"details":`` and the last ``,"id":N,"occurred_at":"``:
    neither can occur unescaped inside the string values around them.
    """
    start = text.find(_DETAILS)
    end = text.rfind(f',"id":{eid},"occurred_at":"')
    if start < 0 or end < start:
        return None
    start += len(_DETAILS)
    try:
        details = canonical_json(json.loads(text[start:end]))
    except ValueError:
        return None
    return text[:start] + details + text[end:]


def _matches_slowly(eid: int, text: str, digest: str, reference: Reference | None) -> bool:
    """The second and third tries for a row whose text did not hash to its hash."""
    again = _recanonicalised(text, eid)
    if again is not None and hashlib.sha256(again.encode("utf-8")).hexdigest() == digest:
        return True
    return reference is not None and reference(eid) == digest


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
    the rows checked here; its ``head_id`` and ``head_hash`` are the last good position.
    """
    sha256 = hashlib.sha256
    add_leaf = frontier.append if frontier is not None else None
    expected = after + 1
    for eid, text, digest in rows:
        if eid != expected:
            return _broken(after, expected, eid, _out_of_place(expected, eid), prev)
        if text[:64] != prev or text[64:65] != "{":
            return _broken(after, expected, eid, _RELINKED, prev)
        if sha256(text.encode()).hexdigest() != digest and not _matches_slowly(
            eid, text, digest, reference
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
