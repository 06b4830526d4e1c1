"""Password policy and argon2id hashing."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from governance.errors import ValidationError

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024

# argon2-cffi's defaults follow RFC 9106's second recommended option (argon2id, 64 MiB).
_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Verified against when the username is unknown, so that a miss costs as long as a hit
    and response time does not reveal which usernames exist.

    Made on first use, not at import: importing the package stays cheap, and a process that
    never signs anyone in (an upload-reading worker under a memory limit) never pays 64 MiB.
    """
    return _hasher.hash("not a real password, only for equal timing")


def check_password_policy(password: str) -> None:
    """Refuse a password that is too short or too long, naming the rule."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(
            f"Password too short: use at least {MIN_PASSWORD_LENGTH} characters "
            f"(this one has {len(password)})."
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise ValidationError(f"Password too long: at most {MAX_PASSWORD_LENGTH} characters.")
    if password.strip() == "":
        raise ValidationError("Password cannot be only spaces.")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; a missing or malformed hash never matches."""
    try:
        return (
            _hasher.verify(password_hash or _dummy_hash(), password) and password_hash is not None
        )
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)
