#!/usr/bin/env python3
"""Check an audit-trail proof without the workbench: stdlib plus ``cryptography``.

    python scripts/verify_audit_proof.py PROOF.json --public-key HEX

PROOF.json is what ``python -m governance audit prove`` prints:

- an *inclusion* proof: one event's content, its chain link and an RFC 6962 audit path to the
  Merkle root of a signed checkpoint. Checked: the checkpoint's Ed25519 signature under the
  given public key, that SHA-256(previous hash + content) is the event's hash, and that the
  path leads from that hash to the checkpoint's root (RFC 9162 §2.1.3.2).
- a *consistency* proof between two signed checkpoints: the older tree is a prefix of the newer
  one, so nothing the older checkpoint covered was removed or rewritten (RFC 9162 §2.1.4.2).

This file deliberately imports nothing of the workbench (``governance``): an auditor can read
it in a few minutes, run it on another machine, and trust the answer no more and no less than
the key they pinned. Exit 0 the proof holds, 1 it does not, 2 the file or the key is unusable.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

CHECKPOINT_FORMAT = "governance-audit-checkpoint/1"
PROOF_FORMAT = "governance-audit-proof/1"


class Unusable(Exception):
    """The input cannot be checked at all (exit 2)."""


class Refuted(Exception):
    """The input was checked and does not hold (exit 1)."""


def _sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _node(left: bytes, right: bytes) -> bytes:
    return _sha256(b"\x01" + left + right)


def _hex32(value: Any, what: str) -> bytes:
    try:
        raw = bytes.fromhex(value)
    except (TypeError, ValueError):
        raise Unusable(f"{what} is not hexadecimal: {value!r}") from None
    if len(raw) != 32:
        raise Unusable(f"{what} must be 32 bytes (64 hex digits), got {len(raw)}")
    return raw


def _count(value: Any, what: str, minimum: int = 0) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise Unusable(f"{what} must be a whole number ≥ {minimum}, got {value!r}")
    return value


def _shift_until(fn: int, sn: int, *, lsb_set: bool) -> tuple[int, int]:
    while (fn & 1) != lsb_set and fn:
        fn, sn = fn >> 1, sn >> 1
    return fn, sn


def verify_inclusion(leaf: bytes, index: int, size: int, path: list[bytes], root: bytes) -> bool:
    """RFC 9162 §2.1.3.2: does ``path`` lead from ``leaf`` at ``index`` to ``root``?"""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = _node(p, r)
            if not fn & 1:
                fn, sn = _shift_until(fn, sn, lsb_set=True)
        else:
            r = _node(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, path: list[bytes]
) -> bool:
    """RFC 9162 §2.1.4.2: is the tree (old_size, old_root) a prefix of (new_size, new_root)?"""
    if old_size > new_size:
        return False
    if old_size == new_size:
        return not path and old_root == new_root
    if old_size == 0:
        return not path  # the empty tree is a prefix of every tree
    if not path:
        return False
    if old_size & (old_size - 1) == 0:  # an exact power of two: its root is a node of the new tree
        path = [old_root, *path]
    fn, sn = old_size - 1, new_size - 1
    if fn & 1:
        fn, sn = _shift_until(fn, sn, lsb_set=False)
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = _node(c, fr), _node(c, sr)
            if not fn & 1:
                fn, sn = _shift_until(fn, sn, lsb_set=True)
        else:
            sr = _node(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return fr == old_root and sr == new_root and sn == 0


def check_checkpoint(checkpoint: Any, public_key: bytes) -> dict[str, Any]:
    """The checkpoint's fields once its format and Ed25519 signature are checked."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    if not isinstance(checkpoint, dict) or checkpoint.get("format") != CHECKPOINT_FORMAT:
        raise Unusable(f"not a checkpoint of format {CHECKPOINT_FORMAT!r}")
    _count(checkpoint.get("size"), "checkpoint size")
    _hex32(checkpoint.get("head_hash"), "checkpoint head hash")
    _hex32(checkpoint.get("root_hash"), "checkpoint root hash")
    expected_id = hashlib.sha256(public_key).hexdigest()[:16]
    if checkpoint.get("key_id") != expected_id:
        raise Refuted(
            f"checkpoint was signed by key {checkpoint.get('key_id')!r}, "
            f"not by the pinned key {expected_id}"
        )
    try:
        signature = bytes.fromhex(checkpoint.get("signature", ""))
    except (TypeError, ValueError):
        raise Refuted("checkpoint signature is not hexadecimal") from None
    body = {k: v for k, v in checkpoint.items() if k != "signature"}
    message = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message.encode())
    except InvalidSignature:
        raise Refuted("checkpoint signature does not verify under the pinned key") from None
    return checkpoint


def check_inclusion(proof: dict[str, Any], public_key: bytes) -> str:
    checkpoint = check_checkpoint(proof.get("checkpoint"), public_key)
    event = proof.get("event")
    if not isinstance(event, dict):
        raise Unusable("inclusion proof has no event")
    position = _count(event.get("position"), "event position", 1)
    size = checkpoint["size"]
    payload = event.get("payload")
    prev_hash = event.get("prev_hash")
    if not isinstance(payload, str) or not isinstance(prev_hash, str):
        raise Unusable("event needs its payload text and previous hash")
    claimed = _hex32(event.get("hash"), "event hash")
    if _sha256((prev_hash + payload).encode("utf-8")) != claimed:
        raise Refuted(f"event {position}'s content does not hash to its hash")
    try:
        content = json.loads(payload)
    except ValueError:
        raise Refuted("event payload is not JSON") from None
    if not isinstance(content, dict) or content.get("id") != position:
        raise Refuted(f"event content does not name position {position}")
    if position > size:
        raise Refuted(f"event {position} is beyond the checkpoint's {size} events")
    if position == size and event["hash"] != checkpoint["head_hash"]:
        raise Refuted("the checkpoint's head is not this event")
    path = [_hex32(h, "path hash") for h in proof.get("path", [])]
    root = _hex32(checkpoint["root_hash"], "root hash")
    if not verify_inclusion(_sha256(b"\x00" + claimed), position - 1, size, path, root):
        raise Refuted(f"event {position} is not in the tree of the checkpoint ({size} events)")
    return (
        f"OK: event {position} ({content.get('action')} by {content.get('actor')} at "
        f"{content.get('occurred_at')}) is event {position} of the {size} events of the "
        f"checkpoint issued {checkpoint.get('issued_at')}."
    )


def check_consistency(proof: dict[str, Any], public_key: bytes) -> str:
    old = check_checkpoint(proof.get("old"), public_key)
    new = check_checkpoint(proof.get("new"), public_key)
    path = [_hex32(h, "path hash") for h in proof.get("path", [])]
    old_root = _hex32(old["root_hash"], "old root hash")
    new_root = _hex32(new["root_hash"], "new root hash")
    if not verify_consistency(old["size"], new["size"], old_root, new_root, path):
        raise Refuted(
            f"the checkpoint of {new['size']} events does not extend the one of "
            f"{old['size']}: history was removed or rewritten between them"
        )
    return (
        f"OK: the checkpoint of {new['size']} events (issued {new.get('issued_at')}) extends "
        f"the checkpoint of {old['size']} events (issued {old.get('issued_at')}) unchanged."
    )


def check(proof: Any, public_key: bytes) -> str:
    """A one-line statement of what the proof shows; raises Unusable or Refuted."""
    if not isinstance(proof, dict) or proof.get("format") != PROOF_FORMAT:
        raise Unusable(f"not a proof of format {PROOF_FORMAT!r}")
    kind = proof.get("type")
    if kind == "inclusion":
        return check_inclusion(proof, public_key)
    if kind == "consistency":
        return check_consistency(proof, public_key)
    raise Unusable(f"unknown proof type {kind!r}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("proof", type=Path, help="the JSON printed by `audit prove` (- for stdin)")
    parser.add_argument(
        "--public-key", required=True, help="the Ed25519 public key you pinned (64 hex digits)"
    )
    args = parser.parse_args(argv)
    try:
        key = _hex32(args.public_key.strip(), "public key")
        text = sys.stdin.read() if str(args.proof) == "-" else args.proof.read_text("utf-8")
        try:
            proof = json.loads(text)
        except ValueError as exc:
            raise Unusable(f"{args.proof} is not JSON: {exc}") from None
        print(check(proof, key))
        return 0
    except Refuted as exc:
        print(f"FAILED: {exc}", file=sys.stderr)
        return 1
    except (Unusable, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
