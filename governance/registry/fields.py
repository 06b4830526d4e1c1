"""What a registry entry holds, checked: providers, risk tiers, the baseline, artifact hashes.

Pure rules; every refusal is a :class:`ValidationError` that names the field.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from governance.errors import ValidationError
from governance.kernel.text import clean_text


class Provider(StrEnum):
    OPENAI = "openai"
    ANTHROPIC = "anthropic"
    GOOGLE = "google"
    MISTRAL = "mistral"
    META = "meta"
    GROQ = "groq"
    HUGGING_FACE = "hugging-face"
    IN_HOUSE = "in-house"
    OTHER = "other"


class RiskTier(StrEnum):
    """The EU AI Act's tiers (Regulation (EU) 2024/1689, Articles 5, 6 and 50)."""

    MINIMAL = "minimal"
    LIMITED = "limited"
    HIGH = "high"
    UNACCEPTABLE = "unacceptable"

    @property
    def approvers_needed(self) -> int:
        # High-risk systems get a four-eyes approval on top of maker-checker: two people.
        return 2 if self is RiskTier.HIGH else 1

    @property
    def deployable(self) -> bool:
        # Article 5 prohibits these practices outright: no approval can make them lawful.
        return self is not RiskTier.UNACCEPTABLE


class Direction(StrEnum):
    AT_LEAST = ">="
    AT_MOST = "<="


@dataclass(frozen=True, slots=True)
class Target:
    """One line of the performance baseline: ``metric`` must be ``direction`` ``threshold``."""

    metric: str
    threshold: float
    direction: Direction

    def met_by(self, observed: float) -> bool:
        if self.direction is Direction.AT_LEAST:
            return observed >= self.threshold
        return observed <= self.threshold

    def __str__(self) -> str:
        return f"{self.metric} {self.direction.value} {self.threshold:g}"


def _choice(enum: type[StrEnum], value: str | None, field: str) -> Any:
    text = (value or "").strip().lower()
    try:
        return enum(text)
    except ValueError:
        valid = ", ".join(m.value for m in enum)
        shown = (value or "")[:40]
        raise ValidationError(f"{field} {shown!r} is not known: choose one of {valid}.") from None


def parse_provider(value: str | None) -> Provider:
    return _choice(Provider, value, "Provider")


def parse_risk_tier(value: str | None) -> RiskTier:
    return _choice(RiskTier, value, "Risk tier")


_METRIC = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_DIRECTIONS = {
    ">=": Direction.AT_LEAST,
    "≥": Direction.AT_LEAST,
    "<=": Direction.AT_MOST,
    "≤": Direction.AT_MOST,
}
_LINE = re.compile(r"^\s*([^<>=≤≥\s]+)\s*(>=|<=|≥|≤)\s*(\S+)\s*$")
MAX_TARGETS = 50


def parse_number(value: object, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValidationError(f"{field} must be a number, got {value!r}.")
    try:
        number = float(value)
    except ValueError:
        raise ValidationError(f"{field} must be a number, got {str(value)[:40]!r}.") from None
    if not math.isfinite(number):
        raise ValidationError(f"{field} must be a finite number, got {value!r}.")
    return number


def _target(metric: object, threshold: object, direction: object) -> Target:
    name = str(metric).strip().lower()
    if not _METRIC.match(name):
        raise ValidationError(
            f"Performance baseline: metric {str(metric)[:40]!r} must be a lower-case name of "
            "letters, digits and underscores (for example accuracy or latency_ms)."
        )
    if direction not in _DIRECTIONS:
        raise ValidationError(
            f"Performance baseline: the direction of {name} must be >= or <=, got {direction!r}."
        )
    value = parse_number(threshold, f"Performance baseline: the threshold of {name}")
    return Target(name, value, _DIRECTIONS[str(direction)])


def parse_baseline(value: Mapping[str, Any] | str | None) -> tuple[Target, ...]:
    """The performance baseline from a mapping (``{"accuracy": {"threshold": 0.85,
    "direction": ">="}}``) or text (``accuracy >= 0.85; latency_ms <= 300``)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return ()
    if isinstance(value, str):
        targets = []
        for part in value.replace("\n", ";").split(";"):
            if not part.strip():
                continue
            match = _LINE.match(part)
            if match is None:
                raise ValidationError(
                    f"Performance baseline: {part.strip()[:60]!r} is not 'metric >= threshold' "
                    "or 'metric <= threshold'."
                )
            metric, direction, threshold = match.groups()
            targets.append(_target(metric, threshold, direction))
    elif isinstance(value, Mapping):
        targets = []
        for metric, spec in value.items():
            if not isinstance(spec, Mapping) or set(spec) != {"threshold", "direction"}:
                raise ValidationError(
                    f"Performance baseline: {str(metric)[:40]!r} needs exactly a threshold "
                    "and a direction."
                )
            targets.append(_target(metric, spec["threshold"], spec["direction"]))
    else:
        raise ValidationError("Performance baseline must be a mapping or text.")
    names = [t.metric for t in targets]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValidationError(f"Performance baseline names {', '.join(duplicates)} twice.")
    if len(targets) > MAX_TARGETS:
        raise ValidationError(f"Performance baseline: at most {MAX_TARGETS} metrics.")
    return tuple(targets)


def baseline_json(targets: tuple[Target, ...]) -> dict[str, dict[str, Any]]:
    return {t.metric: {"threshold": t.threshold, "direction": t.direction.value} for t in targets}


def baseline_of(stored: Mapping[str, Any]) -> tuple[Target, ...]:
    return parse_baseline(stored)


def clean_items(
    value: list[str] | tuple[str, ...] | str | None, *, field: str, limit: int = 500
) -> list[str]:
    """A list of short texts (capabilities, limitations): from a list, or text split on ``;``.

    Each item goes through :func:`clean_text`, so no control characters, nothing too long.
    """
    if value is None:
        return []
    items = value.split(";") if isinstance(value, str) else list(value)
    if len(items) > 100:
        raise ValidationError(f"{field}: at most 100 items.")
    cleaned = [clean_text(i, field=field, limit=limit, required=False) for i in items]
    return [c for c in cleaned if c]


_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def parse_sha256(value: str | None) -> str:
    text = (value or "").strip().lower()
    if not _SHA256.match(text):
        raise ValidationError(
            "Artifact SHA-256 must be 64 hexadecimal characters (the artifact's sha256sum)."
        )
    return text


_ENVIRONMENT = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")


def parse_environment(value: str | None) -> str:
    text = (value or "").strip().lower()
    if not _ENVIRONMENT.match(text):
        raise ValidationError(
            f"Environment {(value or '')[:40]!r}: a short lower-case name of letters, digits, - "
            "and _ (for example staging or production)."
        )
    return text
