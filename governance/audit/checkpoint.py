"""Signed checkpoints of the audit chain: what is kept outside the database.

A checkpoint states "the trail had ``size`` events, the last with chain hash ``head_hash``,
and their Merkle root was ``root_hash``", with the time and an Ed25519 signature. Kept in an
external store (a WORM bucket, a ticket, an auditor's mailbox), it catches what the chain
alone cannot: removing the newest events, or rewriting history and recomputing every later
hash, both of which leave a chain that is consistent in itself.

The signature covers the canonical JSON of every other field, so a reader can check it with
nothing but the JSON text and the public key (see ``scripts/verify_audit_proof.py``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from governance.audit.chain import canonical_json
from governance.audit.keys import SigningKey, VerifyKey
from governance.errors import ValidationError

FORMAT = "governance-audit-checkpoint/1"
_HEX64 = re.compile(r"[0-9a-f]{64}")
_FIELDS = ("format", "size", "head_hash", "root_hash", "issued_at", "key_id", "signature")


@dataclass(frozen=True, slots=True)
class Checkpoint:
    size: int
    head_hash: str
    root_hash: str
    issued_at: str
    key_id: str
    signature: str

    def body(self) -> dict[str, Any]:
        """The signed fields."""
        return {
            "format": FORMAT,
            "size": self.size,
            "head_hash": self.head_hash,
            "root_hash": self.root_hash,
            "issued_at": self.issued_at,
            "key_id": self.key_id,
        }

    def message(self) -> bytes:
        return canonical_json(self.body()).encode("utf-8")

    def as_dict(self) -> dict[str, Any]:
        return {**self.body(), "signature": self.signature}

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), indent=2, sort_keys=True) + "\n"


def sign_checkpoint(
    key: SigningKey, *, size: int, head_hash: str, root_hash: str, issued_at: datetime
) -> Checkpoint:
    unsigned = Checkpoint(
        size=size,
        head_hash=head_hash,
        root_hash=root_hash,
        issued_at=issued_at.isoformat(timespec="seconds"),
        key_id=key.public.key_id,
        signature="",
    )
    return replace(unsigned, signature=key.sign(unsigned.message()))


def signature_problem(cp: Checkpoint, key: VerifyKey) -> str | None:
    """Why ``cp`` is not a checkpoint signed by ``key``, or ``None`` when it is."""
    if cp.key_id != key.key_id:
        return (
            f"it was signed by another key (key id {cp.key_id}; this workbench checks with "
            f"key id {key.key_id})"
        )
    if not key.verifies(cp.message(), cp.signature):
        return "its signature does not verify: the checkpoint was altered or forged"
    return None


def parse_checkpoint(text: str, *, source: str = "the checkpoint") -> Checkpoint:
    """A :class:`Checkpoint` from its JSON, or a :class:`ValidationError` naming the problem.

    Only the shape is checked here; whether the signature holds is
    :func:`signature_problem`'s question.
    """
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ValidationError(f"{source} is not JSON ({exc}).") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValidationError(f"{source} is not an audit checkpoint (format {FORMAT!r}).")
    return checkpoint_from(data, source=source)


def checkpoint_from(data: dict[str, Any], *, source: str) -> Checkpoint:
    missing = [name for name in _FIELDS if name not in data]
    if missing:
        raise ValidationError(f"{source} lacks {', '.join(missing)}.")
    size = data["size"]
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise ValidationError(f"{source}: size must be a whole number ≥ 0, got {size!r}.")
    for name in ("head_hash", "root_hash"):
        if not isinstance(data[name], str) or not _HEX64.fullmatch(data[name]):
            raise ValidationError(f"{source}: {name} must be 64 lowercase hex digits.")
    for name in ("issued_at", "key_id", "signature"):
        if not isinstance(data[name], str):
            raise ValidationError(f"{source}: {name} must be text.")
    return Checkpoint(
        size=size,
        head_hash=data["head_hash"],
        root_hash=data["root_hash"],
        issued_at=data["issued_at"],
        key_id=data["key_id"],
        signature=data["signature"],
    )
