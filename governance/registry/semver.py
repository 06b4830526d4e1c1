"""Semantic versions as semver.org 2.0.0 defines them: the grammar and the precedence.

``packaging`` implements PEP 440, which reads ``1.0.0-rc.1`` differently (and accepts forms
semver refuses), so the registry keeps its own small parser of the specification's grammar.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import total_ordering

from governance.errors import ValidationError

# The specification's own regular expression (semver.org, "Is there a suggested regular
# expression"): no leading zeros in numeric parts, dot-separated identifiers.
_SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$"
)
MAX_LENGTH = 100


@total_ordering
@dataclass(frozen=True, slots=True, eq=False)
class SemVer:
    """A parsed version; ``==`` and ``<`` follow precedence, so build metadata is ignored."""

    major: int
    minor: int
    patch: int
    prerelease: tuple[str, ...] = ()
    build: tuple[str, ...] = ()

    def __str__(self) -> str:
        text = f"{self.major}.{self.minor}.{self.patch}"
        if self.prerelease:
            text += "-" + ".".join(self.prerelease)
        if self.build:
            text += "+" + ".".join(self.build)
        return text

    @property
    def precedence_key(self) -> str:
        """The version without build metadata: two versions with equal keys are one version."""
        return str(SemVer(self.major, self.minor, self.patch, self.prerelease))

    def sort_key(self) -> tuple[object, ...]:
        """A tuple that orders as precedence does (cheap to compare, and to cache)."""
        return self._key()

    def _key(self) -> tuple[object, ...]:
        # A release ranks above its pre-releases (1.0.0-rc.1 < 1.0.0); among pre-release
        # identifiers numbers rank below text and compare numerically, text compares in ASCII,
        # and a longer list of equal leading identifiers ranks higher (spec item 11).
        pre = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in self.prerelease)
        return (self.major, self.minor, self.patch, 0 if self.prerelease else 1, pre)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SemVer):
            return NotImplemented
        return self._key() == other._key()

    def __lt__(self, other: SemVer) -> bool:
        return self._key() < other._key()

    def __hash__(self) -> int:
        return hash(self._key())


def parse_semver(value: str | None, *, field: str = "Version") -> SemVer:
    """``value`` as a :class:`SemVer`, or a :class:`ValidationError` naming ``field``."""
    text = (value or "").strip()
    if not text:
        raise ValidationError(f"{field} is required (a semantic version such as 1.2.0).")
    if len(text) > MAX_LENGTH:
        raise ValidationError(f"{field} too long: at most {MAX_LENGTH} characters.")
    if text[0] in "vV" and _SEMVER.match(text[1:]):
        raise ValidationError(f"{field} {text!r}: write it without the leading v ({text[1:]}).")
    match = _SEMVER.match(text)
    if match is None:
        raise ValidationError(
            f"{field} {text!r} is not a semantic version: MAJOR.MINOR.PATCH with optional "
            "-prerelease and +build parts, no leading zeros (for example 1.4.0 or 2.0.0-rc.1)."
        )
    major, minor, patch, pre, build = match.groups()
    return SemVer(
        int(major),
        int(minor),
        int(patch),
        tuple(pre.split(".")) if pre else (),
        tuple(build.split(".")) if build else (),
    )
