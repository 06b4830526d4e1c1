"""Which summary the policy bounds, and whether a value breaks that bound (for metric cards)."""

from __future__ import annotations

from dataclasses import dataclass

from governance.fairness.policy import Policy


@dataclass(frozen=True, slots=True)
class Limit:
    """A bound of the policy on one summary: ``value < bound`` or ``value ≥ bound`` passes."""

    bound: float
    below: bool  # True: the value must stay below the bound; False: reach at least it

    @property
    def text(self) -> str:
        return f"< {self.bound:.2f}" if self.below else f"≥ {self.bound:.2f}"

    def breached(self, value: float | None) -> bool:
        if value is None:
            return False
        return value >= self.bound if self.below else value < self.bound


def summary_limits(policy: Policy) -> dict[str, Limit]:
    """The policy's bound on each summary that has one.

    The demographic parity ratio has none: the policy's ratio test compares each group with the
    reference group (its disparate impact), which only with the default reference and no rate
    left out equals that summary. Equal opportunity has none either (equalized odds covers the
    TPR spread).
    """
    return {
        "demographic_parity_difference": Limit(policy.max_demographic_parity_difference, True),
        "equalized_odds_difference": Limit(policy.max_equalized_odds_difference, True),
    }
