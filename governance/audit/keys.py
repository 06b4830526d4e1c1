"""The checkpoint key: Ed25519, read from the environment, never stored by the workbench.

``GOVERNANCE_CHECKPOINT_KEY`` holds the 32-byte private seed as 64 hex digits; it signs. A
host that only verifies (an auditor's) may set ``GOVERNANCE_CHECKPOINT_PUBLIC_KEY`` instead.
Ed25519 rather than an HMAC: whoever checks a checkpoint needs only the public key, which
cannot forge one. The key is read when a command needs it, not into :class:`Settings`, so no
settings object, page state or log line ever carries it.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from governance.errors import ValidationError

KEY_ENV = "GOVERNANCE_CHECKPOINT_KEY"
PUBLIC_KEY_ENV = "GOVERNANCE_CHECKPOINT_PUBLIC_KEY"

_RAW = serialization.Encoding.Raw


@dataclass(frozen=True, slots=True)
class VerifyKey:
    """An Ed25519 public key: checks checkpoints, cannot sign them."""

    raw: bytes

    @property
    def hex(self) -> str:
        return self.raw.hex()

    @property
    def key_id(self) -> str:
        """A short name for the key, carried in every checkpoint it signs."""
        return hashlib.sha256(self.raw).hexdigest()[:16]

    def verifies(self, message: bytes, signature_hex: str) -> bool:
        try:
            signature = bytes.fromhex(signature_hex)
            Ed25519PublicKey.from_public_bytes(self.raw).verify(signature, message)
        except (ValueError, InvalidSignature):
            return False
        return True


@dataclass(frozen=True, slots=True)
class SigningKey:
    """An Ed25519 private key (its repr never shows it)."""

    _private: Ed25519PrivateKey = field(repr=False)

    @property
    def public(self) -> VerifyKey:
        raw = self._private.public_key().public_bytes(_RAW, serialization.PublicFormat.Raw)
        return VerifyKey(raw)

    def sign(self, message: bytes) -> str:
        return self._private.sign(message).hex()


def _hex_key(name: str, value: str) -> bytes:
    try:
        raw = bytes.fromhex(value.strip())
    except ValueError:
        raw = b""
    if len(raw) != 32:
        raise ValidationError(
            f"{name} must be 64 hexadecimal digits (an Ed25519 key); "
            "`python -m governance audit keygen` makes one."
        )
    return raw


def signing_key(environ: Mapping[str, str] | None = None) -> SigningKey:
    """The private key from ``GOVERNANCE_CHECKPOINT_KEY``, or a :class:`ValidationError`."""
    env = os.environ if environ is None else environ
    value = env.get(KEY_ENV, "")
    if not value.strip():
        raise ValidationError(
            f"No checkpoint key: set {KEY_ENV} in the environment "
            "(`python -m governance audit keygen` makes one; keep it out of the database)."
        )
    return SigningKey(Ed25519PrivateKey.from_private_bytes(_hex_key(KEY_ENV, value)))


def verify_key(environ: Mapping[str, str] | None = None) -> VerifyKey:
    """The public key to check checkpoints with: the pinned one, or the signing key's."""
    env = os.environ if environ is None else environ
    pinned = env.get(PUBLIC_KEY_ENV, "")
    if pinned.strip():
        raw = _hex_key(PUBLIC_KEY_ENV, pinned)
        try:
            Ed25519PublicKey.from_public_bytes(raw)
        except ValueError:
            raise ValidationError(f"{PUBLIC_KEY_ENV} is not an Ed25519 public key.") from None
        return VerifyKey(raw)
    if not env.get(KEY_ENV, "").strip():
        raise ValidationError(
            f"No key to check checkpoints with: set {PUBLIC_KEY_ENV} (the public key) or "
            f"{KEY_ENV} in the environment."
        )
    return signing_key(env).public


def new_key() -> tuple[str, str]:
    """A fresh key pair as (private hex, public hex)."""
    private = Ed25519PrivateKey.generate()
    seed = private.private_bytes(
        _RAW, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    public = private.public_key().public_bytes(_RAW, serialization.PublicFormat.Raw)
    return seed.hex(), public.hex()
