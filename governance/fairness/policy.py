"""The fairness policy: thresholds a compliance officer owns, and the verdict they imply."""

from __future__ import annotations

import dataclasses
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any

from governance.errors import ValidationError


class Verdict(StrEnum):
    PASS = "pass"  # noqa: S105 (a verdict, not a secret)
    FAIL = "fail"
    INSUFFICIENT_DATA = "insufficient_data"


@dataclass(frozen=True, slots=True)
class Policy:
    """Thresholds of a fairness assessment.

    A grouping fails when, over its groups with at least ``min_group_size`` rows, the
    demographic parity difference reaches ``max_demographic_parity_difference``, a group's
    disparate impact ratio to the reference falls below ``min_disparate_impact_ratio``, or the
    equalized odds difference reaches ``max_equalized_odds_difference``.

    The minimum size applies to what a rate is a share of, not only to rows: among those
    groups, a true positive rate resting on fewer than ``min_group_size`` actual positives, or
    a false positive rate on fewer than that many actual negatives, is left out of the
    differences using it (the equalized odds difference for both, the equal opportunity
    difference for the true positive rate), and the findings say which and why. Such a rate is
    still reported, flagged, as are a precision on too few predicted positives and the
    other rates with a small denominator. With fewer than two groups of the minimum size
    nothing is judged, and the summaries are shown over every group with every rate.
    """

    max_demographic_parity_difference: float = 0.10
    min_disparate_impact_ratio: float = 0.80
    max_equalized_odds_difference: float = 0.10
    min_group_size: int = 30
    confidence_level: float = 0.95
    bootstrap_replicates: int = 1000
    random_seed: int = 20240101

    def __post_init__(self) -> None:
        checks = (
            (
                0 < self.max_demographic_parity_difference <= 1,
                "max demographic parity difference must be in (0, 1]",
            ),
            (
                0 < self.min_disparate_impact_ratio <= 1,
                "min disparate impact ratio must be in (0, 1]",
            ),
            (
                0 < self.max_equalized_odds_difference <= 1,
                "max equalized odds difference must be in (0, 1]",
            ),
            (1 <= self.min_group_size <= 1_000_000, "minimum group size must be 1 to 1,000,000"),
            (0.5 <= self.confidence_level < 1, "confidence level must be in [0.5, 1)"),
            (
                0 <= self.bootstrap_replicates <= 100_000,
                "bootstrap replicates must be 0 to 100,000",
            ),
        )
        for ok, message in checks:
            if not ok:
                raise ValidationError(f"Policy refused: {message}.")

    def amended(self, **thresholds: float) -> Policy:
        """This policy with some of its :data:`EDITABLE` thresholds changed (validated anew).

        The interval level, replicates and seed stay as they are: the page and the CLI edit the
        thresholds people decide on, not the statistics' settings.
        """
        unknown = set(thresholds) - set(EDITABLE)
        if unknown:
            raise ValidationError(f"Not a threshold of the policy: {', '.join(sorted(unknown))}.")
        changes = {k: type(getattr(self, k))(v) for k, v in thresholds.items()}
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Policy:
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        return cls(**known)


# The thresholds a compliance officer sets, in the order forms show them.
EDITABLE: tuple[str, ...] = (
    "max_demographic_parity_difference",
    "min_disparate_impact_ratio",
    "max_equalized_odds_difference",
    "min_group_size",
)
