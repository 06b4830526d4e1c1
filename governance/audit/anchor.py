"""Anchoring the chain outside the database: signed checkpoints and Merkle proofs.

The hash chain shows that the stored events are consistent with each other. It cannot show
that none were removed from the end, nor that someone with write access to the database did
not rewrite an event and recompute every later hash: both leave a consistent chain. A
checkpoint signed with a key the database never sees (:mod:`governance.audit.keys`) and kept
elsewhere fixes the head: checking the trail against it (:func:`check_trail`) fails on either.
Between two checkpoints a consistency proof, and for one event an inclusion proof, can be
checked by anyone holding the public key, without the database
(``scripts/verify_audit_proof.py``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from governance.actor import Actor
from governance.audit import merkle, scan
from governance.audit.chain import canonical_json
from governance.audit.checkpoint import (
    Checkpoint,
    checkpoint_from,
    sign_checkpoint,
    signature_problem,
)
from governance.audit.events import AuditAction, Event, Resource
from governance.audit.keys import SigningKey, VerifyKey
from governance.audit.models import AuditEvent
from governance.audit.verification import (
    TreeHead,
    Verification,
    position_of,
    record_marks,
    verify_full,
)
from governance.auth.roles import Action
from governance.errors import IntegrityFailure, ValidationError
from governance.kernel import UnitOfWork, authorize

PROOF_FORMAT = "governance-audit-proof/1"


@dataclass(frozen=True, slots=True)
class TrailCheck:
    """A full verification plus what the external anchors (checkpoint, head hash) say."""

    verification: Verification
    problems: tuple[str, ...] = ()
    checkpoint: Checkpoint | None = None
    expected_at: int | None = None  # where the expected head hash was found

    @property
    def ok(self) -> bool:
        return self.verification.intact and not self.problems


def _short(digest: str) -> str:
    return digest[:16] + "…"


def tree_problems(cp: Checkpoint, tree: TreeHead | None) -> list[str]:
    """What the stored trail's tree over ``cp.size`` events says against ``cp``."""
    if tree is None:
        return []  # the chain broke before: that is the finding
    when = cp.issued_at
    if tree.size < cp.size:
        return [
            f"The trail ends at event {tree.size}, but the checkpoint of {when} covers "
            f"{cp.size} events: events {tree.size + 1} to {cp.size} were removed."
        ]
    if tree.head_hash != cp.head_hash:
        return [
            f"Event {cp.size} has hash {_short(tree.head_hash)} but the checkpoint of {when} "
            f"says {_short(cp.head_hash)}: the trail up to event {cp.size} was rewritten and "
            "its hashes recomputed after the checkpoint."
        ]
    if tree.root_hash != cp.root_hash:
        return [
            f"The Merkle root of the first {cp.size} events is {_short(tree.root_hash)}, the "
            f"checkpoint of {when} says {_short(cp.root_hash)}."
        ]
    return []


def check_trail(
    uow: UnitOfWork,
    *,
    checkpoint: Checkpoint | None = None,
    key: VerifyKey | None = None,
    expect_head: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> TrailCheck:
    """Verify every event, then the trail against ``checkpoint`` and ``expect_head``.

    ``checkpoint`` must be signed by ``key``; its claims are compared only if it is.
    ``expect_head`` is a chain hash noted earlier (``audit verify`` prints the head's): the
    trail must still pass through it. The verified position is recorded only when every
    check holds. No permission is needed, as for :func:`verify_full`.
    """
    problems: list[str] = []
    trusted = None
    if checkpoint is not None:
        if key is None:
            raise ValidationError("A key is needed to check a checkpoint.")
        bad = signature_problem(checkpoint, key)
        if bad:
            problems.append(f"The checkpoint does not verify: {bad}.")
        else:
            trusted = checkpoint
    sizes = () if trusted is None else (trusted.size,)
    verification = verify_full(uow, progress=progress, tree_sizes=sizes, record=False)
    if trusted is not None:
        problems += tree_problems(trusted, verification.tree(trusted.size))
    found = None
    if expect_head is not None:
        found = position_of(uow, expect_head)
        if found is None:
            problems.append(
                f"No event has hash {_short(expect_head)}: the event that was the head when it "
                "was noted is gone, or the trail before it was rewritten."
            )
    check = TrailCheck(verification, tuple(problems), checkpoint, found)
    if check.ok:
        record_marks(uow, verification)
    return check


def issue_checkpoint(
    uow: UnitOfWork, *, actor: Actor, key: SigningKey, previous: Checkpoint | None = None
) -> Checkpoint:
    """Verify every event and sign a checkpoint of the head (needs ``audit.checkpoint``).

    With ``previous`` (the last checkpoint from the external store) nothing is signed unless
    the trail still extends it, so a rewritten history is never certified. The checkpoint is
    recorded as an audit event (the next one: a checkpoint covers the events before it).
    """
    authorize(uow, actor, Action.AUDIT_CHECKPOINT, Resource.AUDIT_TRAIL)
    size = scan.head(uow.session)[0]
    if previous is not None:
        bad = signature_problem(previous, key.public)
        if bad:
            raise IntegrityFailure(f"No checkpoint signed: the previous checkpoint {bad}.")
    sizes = (size,) if previous is None else (size, previous.size)
    verification = verify_full(uow, tree_sizes=sizes, record=False)
    if not verification.intact:
        raise IntegrityFailure(f"No checkpoint signed: {verification.summary()}")
    if previous is not None:
        problems = tree_problems(previous, verification.tree(previous.size))
        if problems:
            raise IntegrityFailure(f"No checkpoint signed: {problems[0]}")
    tree = verification.tree(size)
    assert tree is not None  # the chain held up to its head
    checkpoint = sign_checkpoint(
        key,
        size=tree.size,
        head_hash=tree.head_hash,
        root_hash=tree.root_hash,
        issued_at=uow.now(),
    )
    record_marks(uow, verification)
    uow.record(
        actor,
        Event(
            AuditAction.AUDIT_CHECKPOINT_ISSUED,
            Resource.AUDIT_TRAIL,
            resource_id=tree.size,
            details=checkpoint.as_dict(),
        ),
    )
    return checkpoint


@dataclass(frozen=True, slots=True)
class RecordedCheckpoint:
    """The newest checkpoint the trail records, and what can be said of it here."""

    checkpoint: Checkpoint
    event_id: int
    issued_by: str
    still_matches: bool  # the stored event at its size still has its head hash


def last_checkpoint(uow: UnitOfWork, *, actor: Actor) -> RecordedCheckpoint | None:
    """The newest ``audit.checkpoint_issued`` event's checkpoint (needs ``audit.read``).

    The record is a convenience: it lives in the database it vouches for. The copy in the
    external store is the one that proves anything.
    """
    authorize(uow, actor, Action.AUDIT_READ, Resource.AUDIT_TRAIL)
    row = uow.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == AuditAction.AUDIT_CHECKPOINT_ISSUED.value)
        .order_by(AuditEvent.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    try:
        cp = checkpoint_from(dict(row.details or {}), source=f"event {row.id}")
    except ValidationError:
        return None
    matches = cp.size == 0 or scan.hash_at(uow.session, cp.size) == cp.head_hash
    return RecordedCheckpoint(cp, row.id, row.actor, matches)


def _subtree(uow: UnitOfWork) -> merkle.Subtree:
    def subtree(lo: int, hi: int) -> bytes:
        # Leaves lo … hi-1 are events lo+1 … hi.
        hashes = scan.chain_hashes(uow.session, after=lo, upto=hi)
        return merkle.root_of(merkle.leaf_hash(bytes.fromhex(h)) for h in hashes)

    return subtree


def _require_anchor(uow: UnitOfWork, cp: Checkpoint, key: VerifyKey, name: str) -> None:
    bad = signature_problem(cp, key)
    if bad:
        raise IntegrityFailure(f"The {name} does not verify: {bad}.")
    if cp.size and scan.hash_at(uow.session, cp.size) != cp.head_hash:
        raise IntegrityFailure(
            f"The stored trail no longer matches the {name} at event {cp.size}: run "
            "`audit verify --checkpoint` with it to see what changed."
        )


def prove_inclusion(
    uow: UnitOfWork, *, actor: Actor, position: int, checkpoint: Checkpoint, key: VerifyKey
) -> dict[str, Any]:
    """An inclusion proof of event ``position`` in ``checkpoint`` (needs ``audit.read``).

    It carries the event's canonical content and previous hash, so a verifier recomputes
    the event's hash itself and follows the audit path to the signed root.
    """
    authorize(uow, actor, Action.AUDIT_READ, Resource.AUDIT_TRAIL)
    if not 1 <= position <= checkpoint.size:
        raise ValidationError(
            f"Event {position} is not covered by the checkpoint: it covers events 1 to "
            f"{checkpoint.size}."
        )
    _require_anchor(uow, checkpoint, key, "checkpoint")
    row = uow.session.get(AuditEvent, position, populate_existing=True)
    if row is None:
        raise IntegrityFailure(f"Event {position} is missing from the stored trail.")
    payload = canonical_json(scan.stored_fields(row).payload())
    if hashlib.sha256((row.prev_hash + payload).encode("utf-8")).hexdigest() != row.hash:
        raise IntegrityFailure(
            f"Event {position}'s content does not match its hash: it was edited."
        )
    path = merkle.inclusion_proof(position - 1, checkpoint.size, _subtree(uow))
    return {
        "format": PROOF_FORMAT,
        "type": "inclusion",
        "checkpoint": checkpoint.as_dict(),
        "event": {
            "position": position,
            "prev_hash": row.prev_hash,
            "hash": row.hash,
            "payload": payload,
        },
        "path": [node.hex() for node in path],
    }


def prove_consistency(
    uow: UnitOfWork, *, actor: Actor, old: Checkpoint, new: Checkpoint, key: VerifyKey
) -> dict[str, Any]:
    """A proof that ``new``'s tree extends ``old``'s unchanged (needs ``audit.read``)."""
    authorize(uow, actor, Action.AUDIT_READ, Resource.AUDIT_TRAIL)
    if old.size > new.size:
        raise ValidationError(
            f"The older checkpoint comes first: {old.size} events is more than {new.size}."
        )
    _require_anchor(uow, old, key, "older checkpoint")
    _require_anchor(uow, new, key, "newer checkpoint")
    path = merkle.consistency_proof(old.size, new.size, _subtree(uow))
    return {
        "format": PROOF_FORMAT,
        "type": "consistency",
        "old": old.as_dict(),
        "new": new.as_dict(),
        "path": [node.hex() for node in path],
    }
