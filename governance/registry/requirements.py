"""A validation report: each requirement's threshold, observed value, evidence and verdict.

The observed values come with the call (a pipeline measured them elsewhere) or from the
recorded performance points (:mod:`governance.registry.measured`); fairness comes from the
version's latest linked assessment. Either way a requirement is this row, so the stored
reports keep one shape.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from governance.errors import ValidationError
from governance.registry.fields import Target, parse_number

# The four-fifths rule: a group selected at under 80% of the most-selected group's rate is
# adverse impact (US EEOC Uniform Guidelines, 29 CFR 1607.4(D)).
MIN_DISPARATE_IMPACT = 0.8


@dataclass(frozen=True, slots=True)
class Requirement:
    name: str
    threshold: str  # as read: "accuracy >= 0.85"
    observed: float | None
    evidence: str | None
    passed: bool

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def refuse_empty_baseline(baseline: tuple[Target, ...]) -> None:
    if not baseline:
        raise ValidationError(
            "Performance baseline: the model has none, so there is nothing to validate "
            "against. Register a baseline (for example accuracy >= 0.85) first."
        )


def judge(
    baseline: tuple[Target, ...],
    observed: Mapping[str, object],
    evidence: Mapping[str, str | None] | None = None,
) -> list[Requirement]:
    """One requirement per baseline metric; every metric needs an observed value."""
    refuse_empty_baseline(baseline)
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


def lowest_ratio(results: Mapping[str, Any]) -> tuple[float | None, str | None]:
    """The lowest disparate impact ratio over every grouping of a stored assessment (groups
    with enough data only), and where it is ("age_group = under 30").

    Over every grouping, not only the first: bias along the second sensitive attribute is
    adverse impact as much as along the first.
    """
    lowest: tuple[float | None, str | None] = (None, None)
    for grouping in results.get("results", []):
        for group in grouping.get("groups", []):
            ratio = group.get("disparate_impact")
            if ratio is None or not group.get("sufficient_data"):
                continue
            if lowest[0] is None or ratio < lowest[0]:
                lowest = (float(ratio), _group_name(group.get("group")))
    return lowest


def _group_name(group: object) -> str:
    """``{"age": "<30", "sex": "F"}`` as ``age = <30, sex = F``."""
    if isinstance(group, Mapping):
        return ", ".join(f"{k} = {v}" for k, v in group.items())
    return str(group)


def fairness_requirements(
    assessment_id: int, verdict: str, results: Mapping[str, Any]
) -> list[Requirement]:
    """What the version's latest linked fairness assessment says: its verdict is pass, and
    its lowest disparate impact ratio (over every grouping) meets the four-fifths rule. The
    assessment is the evidence of both."""
    evidence = f"fairness assessment #{assessment_id}"
    ratio, where = lowest_ratio(results)
    ratio_met = ratio is not None and ratio >= MIN_DISPARATE_IMPACT
    return [
        Requirement("fairness verdict", "verdict = pass", None, evidence, verdict == "pass"),
        Requirement(
            "disparate impact ratio",
            f"disparate impact ratio >= {MIN_DISPARATE_IMPACT}",
            ratio,
            f"{evidence}, lowest at {where}" if where else evidence,
            ratio_met,
        ),
    ]
