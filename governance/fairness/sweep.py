"""Threshold sweep: how group rates and the policy's verdict move with the score threshold (pure).

Everything comes from the score histograms the engine already counts for the ROC curves (bins of
0.001), so a sweep costs no new pass over the file. At threshold ``t`` a row is predicted positive
when its score is at least ``t``; the predicted positives among a group's actual positives are
then the positives in bins ``t × 1000`` and above. For the thresholds 0.00, 0.01, …, 1.00 that
gives every group's confusion counts and, through the same functions and the same scope (groups
below the minimum size and rates on too small a denominator left out) as the assessment, each
group's selection rate, TPR and FPR, the overall accuracy, the policy's summaries and whether any
limit is breached. Assessing the file at one of these thresholds gives identical numbers: a score
is binned as ``floor(score × 1000 + 1e-6)``, so only a score less than 1e-9 below a threshold
would be counted as reaching it, and scores of up to three decimals are exact.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from governance.fairness.metrics import (
    Array,
    Counts,
    SummaryScope,
    default_reference,
    group_rates,
    quiet_nan,
    ratio,
    summaries,
)
from governance.fairness.policy import Policy
from governance.fairness.scores import RESOLUTION, ScoreHistogram

STEPS = 100  # thresholds 0.00 … 1.00
BINS_PER_STEP = RESOLUTION // STEPS
# Exactly the floats 0.0, 0.01, …, 1.0 (j / 100 is the double nearest to each decimal).
THRESHOLDS: Array = np.arange(STEPS + 1) / STEPS


def sweep_counts(hist: ScoreHistogram) -> Counts:
    """Confusion counts at every threshold of :data:`THRESHOLDS`: shape (thresholds, groups)."""
    # Per group and bin: actual positives (negatives) with a score in that bin or a higher one.
    pos_from = np.cumsum(hist.pos[:, ::-1], axis=1)[:, ::-1]
    neg_from = np.cumsum(hist.neg[:, ::-1], axis=1)[:, ::-1]
    first_bin = np.arange(STEPS + 1) * BINS_PER_STEP
    tp = pos_from[:, first_bin].T
    fp = neg_from[:, first_bin].T
    positives = hist.pos.sum(axis=1)
    negatives = hist.neg.sum(axis=1)
    return Counts(tp, fp, positives - tp, negatives - fp)


def reference_per_threshold(
    selection_rates: Array, n: Array, eligible: NDArray[np.bool_], named: int | None
) -> NDArray[np.intp]:
    """The reference group at each threshold: the named one, else the default rule's choice."""
    if named is not None:
        return np.full(selection_rates.shape[0], named, dtype=np.intp)
    return np.array([default_reference(row, n, eligible) for row in selection_rates], dtype=np.intp)


def min_disparate_impact(
    selection_rates: Array, references: NDArray[np.intp], eligible: NDArray[np.bool_]
) -> Array:
    """Per threshold: the smallest ratio of an eligible group's selection rate to the reference's.

    The reference itself is left out (its ratio is 1); NaN where no ratio is defined.
    """
    steps, groups = selection_rates.shape
    ref_rate = selection_rates[np.arange(steps), references]
    di = ratio(selection_rates, ref_rate[:, None])
    others = eligible[None, :] & (np.arange(groups)[None, :] != references[:, None])
    with quiet_nan():
        return np.nanmin(np.where(others, di, np.nan), axis=1)


def breached(
    dpd: Array, min_di: Array, eod: Array, policy: Policy, judged: bool
) -> NDArray[np.bool_]:
    """Per threshold: does any summary breach its policy limit (as the verdict judges it)?

    The parity and odds differences count only when at least two groups are judged; the ratio
    of every eligible group counts always. An undefined summary breaches nothing.
    """
    with np.errstate(invalid="ignore"):
        dp_bad = judged & (dpd >= policy.max_demographic_parity_difference)
        eo_bad = judged & (eod >= policy.max_equalized_odds_difference)
        di_bad = min_di < policy.min_disparate_impact_ratio
    return np.asarray(dp_bad | eo_bad | di_bad, dtype=bool)


@dataclass(frozen=True, slots=True)
class PassingRange:
    """Consecutive thresholds at which no policy limit is breached, and the most accurate one."""

    start: float
    end: float
    best_threshold: float
    best_accuracy: float

    def to_json(self) -> dict[str, float]:
        return {
            "from": self.start,
            "to": self.end,
            "best_threshold": self.best_threshold,
            "best_accuracy": self.best_accuracy,
        }


def passing_ranges(
    thresholds: Array, passes: NDArray[np.bool_], accuracy: Array
) -> list[PassingRange]:
    """The runs of consecutive passing thresholds, each with its most accurate threshold."""
    out: list[PassingRange] = []
    start: int | None = None
    for i, ok in enumerate([*passes.tolist(), False]):
        if ok and start is None:
            start = i
        elif not ok and start is not None:
            block = np.nan_to_num(accuracy[start:i], nan=-1.0)
            best = start + int(np.argmax(block))  # the lowest threshold among equals
            out.append(
                PassingRange(
                    float(thresholds[start]),
                    float(thresholds[i - 1]),
                    float(thresholds[best]),
                    float(accuracy[best]),
                )
            )
            start = None
    return out


def _threshold_text(t: float) -> str:
    return f"{t:.2f}" if round(t, 2) == t else f"{t:g}"


def _range_text(r: PassingRange) -> str:
    if r.start == r.end:
        return _threshold_text(r.start)
    return f"{_threshold_text(r.start)}–{_threshold_text(r.end)}"


def _joined(parts: Sequence[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def sweep_statement(
    ranges: Sequence[PassingRange],
    *,
    chosen_threshold: float | None,
    chosen_accuracy: float | None,
    judged: bool,
    min_group_size: int,
) -> str:
    """One sentence: where every limit is met, and the accuracy there vs at the chosen threshold."""
    if not judged:
        return (
            f"Not judged at any threshold: fewer than two groups have at least {min_group_size} "
            "rows."
        )
    accuracy = "undefined" if chosen_accuracy is None else f"{chosen_accuracy:.3f}"
    chosen = (
        "with the prediction column"
        if chosen_threshold is None
        else f"at the chosen {_threshold_text(chosen_threshold)}"
    )
    if not ranges:
        return (
            "No threshold from 0.00 to 1.00 meets every limit of the policy; accuracy "
            f"{accuracy} {chosen}."
        )
    best = max(ranges, key=lambda r: r.best_accuracy)  # the first range among equals
    return (
        f"Every limit of the policy is met at {_joined([_range_text(r) for r in ranges])}; "
        f"best accuracy there {best.best_accuracy:.3f} at {_threshold_text(best.best_threshold)}, "
        f"vs {accuracy} {chosen}."
    )


@dataclass(frozen=True, slots=True)
class ThresholdSweep:
    """Per threshold (rows of the arrays) and group (columns): rates, summaries and the verdict."""

    features: tuple[str, ...]
    groups: tuple[dict[str, str], ...]
    n: tuple[int, ...]
    eligible: tuple[bool, ...]
    excluded: dict[str, tuple[bool, ...]]
    thresholds: Array
    selection_rate: Array
    tpr: Array
    fpr: Array
    accuracy: Array
    demographic_parity_difference: Array
    min_disparate_impact_ratio: Array
    equalized_odds_difference: Array
    passes: NDArray[np.bool_]
    judged: bool
    chosen_threshold: float | None
    chosen_accuracy: float | None
    ranges: tuple[PassingRange, ...]
    statement: str

    def at(self, threshold: float) -> int:
        """The row of ``threshold`` (one of :data:`THRESHOLDS`)."""
        hits = np.flatnonzero(np.isclose(self.thresholds, threshold, rtol=0, atol=1e-9))
        if not hits.size:
            raise ValueError(f"{threshold} is not a threshold of the sweep")
        return int(hits[0])

    def to_json(self) -> dict[str, Any]:
        """Compact JSON data: one list per group and rate, one entry per threshold."""
        return {
            "sensitive_features": list(self.features),
            "thresholds": _floats(self.thresholds),
            "chosen_threshold": self.chosen_threshold,
            "chosen_accuracy": self.chosen_accuracy,
            "judged": self.judged,
            "groups": [
                {
                    "group": dict(g),
                    "n": self.n[i],
                    "sufficient_data": self.eligible[i],
                    # Sorted: the same JSON whatever order the masks were built in.
                    "excluded_rates": sorted(r for r, mask in self.excluded.items() if mask[i]),
                    "selection_rate": _floats(self.selection_rate[:, i]),
                    "tpr": _floats(self.tpr[:, i]),
                    "fpr": _floats(self.fpr[:, i]),
                }
                for i, g in enumerate(self.groups)
            ],
            "accuracy": _floats(self.accuracy),
            "demographic_parity_difference": _floats(self.demographic_parity_difference),
            "min_disparate_impact_ratio": _floats(self.min_disparate_impact_ratio),
            "equalized_odds_difference": _floats(self.equalized_odds_difference),
            "passes": [bool(x) for x in self.passes],
            "passing_ranges": [r.to_json() for r in self.ranges],
            "statement": self.statement,
        }


def _floats(values: Array) -> list[float | None]:
    return [None if not np.isfinite(x) else float(x) for x in values]


def _accuracy(counts: Counts) -> Array:
    """Overall accuracy over all groups (last axis)."""
    return ratio((counts.tp + counts.tn).sum(axis=-1), counts.n.sum(axis=-1))


def threshold_sweep(
    hist: ScoreHistogram,
    *,
    features: Sequence[str],
    groups: Sequence[tuple[str, ...]],
    scope: SummaryScope,
    reference: int | None,
    policy: Policy,
    chosen: Counts,
    chosen_threshold: float | None,
) -> ThresholdSweep:
    """Sweep one grouping's thresholds from 0.00 to 1.00.

    ``scope`` and ``reference`` (a named reference group's index, None for the default rule)
    are the assessment's own; ``chosen`` is the grouping's counts at the decision actually made
    (the chosen threshold, or the prediction column: ``chosen_threshold`` None).
    """
    counts = sweep_counts(hist)
    rates = group_rates(counts)
    sr = rates["selection_rate"]
    use = scope.use
    sub = Counts.unstack(counts.stack()[:, use])
    summary = summaries(sub, scope.excluded_in_use())
    refs = reference_per_threshold(sr, chosen.n, scope.eligible, reference)
    min_di = min_disparate_impact(sr, refs, scope.eligible)
    dpd = summary["demographic_parity_difference"]
    eod = summary["equalized_odds_difference"]
    passes = ~breached(dpd, min_di, eod, policy, scope.judged)
    accuracy = _accuracy(counts)
    ranges = tuple(passing_ranges(THRESHOLDS, passes, accuracy))
    chosen_accuracy = float(_accuracy(chosen))
    chosen_acc = chosen_accuracy if np.isfinite(chosen_accuracy) else None
    return ThresholdSweep(
        features=tuple(features),
        groups=tuple(dict(zip(features, key, strict=True)) for key in groups),
        n=tuple(int(x) for x in chosen.n),
        eligible=tuple(bool(x) for x in scope.eligible),
        excluded={
            r: tuple(bool(x) for x in scope.excluded[r])
            for r in ("tpr", "fpr")
            if scope.excluded[r].any()
        },
        thresholds=THRESHOLDS.copy(),
        selection_rate=sr,
        tpr=rates["tpr"],
        fpr=rates["fpr"],
        accuracy=accuracy,
        demographic_parity_difference=dpd,
        min_disparate_impact_ratio=min_di,
        equalized_odds_difference=eod,
        passes=passes,
        judged=scope.judged,
        chosen_threshold=chosen_threshold,
        chosen_accuracy=chosen_acc,
        ranges=ranges,
        statement=sweep_statement(
            ranges,
            chosen_threshold=chosen_threshold,
            chosen_accuracy=chosen_acc,
            judged=scope.judged,
            min_group_size=policy.min_group_size,
        ),
    )
