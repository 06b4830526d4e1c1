"""A validation report: each requirement's threshold, observed value, evidence and verdict.

Today the observed values come with the call (a pipeline measured them); a later change
computes them from recorded performance points and fairness assessments. Either way a
requirement is this row, so the stored reports keep one shape.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from governance.errors import ValidationError
from governance.registry.fields import Target, parse_number


@dataclass(frozen=True, slots=True)
class Requirement:
    name: str
    threshold: str  # as read: "accuracy >= 0.85"
    observed: float | None
    evidence: str | None
    passed: bool

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def judge(
    baseline: tuple[Target, ...],
    observed: Mapping[str, object],
    evidence: Mapping[str, str | None] | None = None,
) -> list[Requirement]:
    """One requirement per baseline metric; every metric needs an observed value."""
    if not baseline:
        raise ValidationError(
            "Performance baseline: the model has none, so there is nothing to validate "
            "against. Register a baseline (for example accuracy >= 0.85) first."
        )
    known = {t.metric for t in baseline}
    unknown = sorted(str(k) for k in observed if k not in known)
    if unknown:
        raise ValidationError(
            f"Observed values: {', '.join(unknown)} not in the model's baseline "
            f"({', '.join(sorted(known))})."
        )
    missing = [t.metric for t in baseline if t.metric not in observed]
    if missing:
        raise ValidationError(f"Observed values: give a value for {', '.join(missing)}.")
    evidence = evidence or {}
    report = []
    for target in baseline:
        value = parse_number(observed[target.metric], f"Observed value of {target.metric}")
        report.append(
            Requirement(
                name=target.metric,
                threshold=str(target),
                observed=value,
                evidence=evidence.get(target.metric),
                passed=target.met_by(value),
            )
        )
    return report
