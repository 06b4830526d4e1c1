"""Fairness metrics as pure functions of per-group confusion counts.

Per-group confusion counts (TP, FP, FN, TN) are the single intermediate: every group rate and
every summary below is a function of them, so the file engine, in-memory arrays and the
bootstrap all share one definition. Functions broadcast over leading axes: counts of shape
``(groups,)`` give one value per group, counts of shape ``(replicates, groups)`` give one per
replicate and group.

A rate whose denominator is zero is undefined and returned as NaN (``null`` in JSON), never 0.
A summary can leave chosen rates of chosen groups out (``excluded``): they then count as
undefined, which is how a rate resting on too few actual positives or negatives is kept out of
the equalized odds difference (see :func:`small_denominators`).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Counts:
    """Confusion counts per group (arrays of equal shape)."""

    tp: Array
    fp: Array
    fn: Array
    tn: Array

    @classmethod
    def of(cls, tp: object, fp: object, fn: object, tn: object) -> Counts:
        return cls(*(np.asarray(x, dtype=np.float64) for x in (tp, fp, fn, tn)))

    @property
    def n(self) -> Array:
        return self.tp + self.fp + self.fn + self.tn

    def stack(self) -> Array:
        """Shape ``(..., groups, 4)`` in the order TP, FP, FN, TN."""
        return np.stack([self.tp, self.fp, self.fn, self.tn], axis=-1)

    @classmethod
    def unstack(cls, cells: Array) -> Counts:
        return cls(cells[..., 0], cells[..., 1], cells[..., 2], cells[..., 3])


def ratio(numerator: Array, denominator: Array) -> Array:
    """``numerator / denominator``, NaN where the denominator is zero."""
    num = np.asarray(numerator, dtype=np.float64)
    den = np.asarray(denominator, dtype=np.float64)
    out = np.full(np.broadcast(num, den).shape, np.nan)
    np.divide(num, den, out=out, where=den != 0)
    return out


@dataclass(frozen=True, slots=True)
class GroupMetric:
    """A per-group rate: its name, label, definition and formula over counts."""

    name: str
    label: str
    definition: str
    compute: Callable[[Counts], Array]
    needs_labels: bool = True


GROUP_METRICS: dict[str, GroupMetric] = {
    m.name: m
    for m in (
        GroupMetric(
            "selection_rate",
            "Selection rate",
            "share predicted positive: (TP + FP) / n",
            lambda c: ratio(c.tp + c.fp, c.n),
            needs_labels=False,
        ),
        GroupMetric(
            "base_rate",
            "Base rate",
            "share actually positive: (TP + FN) / n",
            lambda c: ratio(c.tp + c.fn, c.n),
        ),
        GroupMetric(
            "tpr",
            "True positive rate",
            "recall, TP / (TP + FN): positives correctly selected",
            lambda c: ratio(c.tp, c.tp + c.fn),
        ),
        GroupMetric(
            "fpr",
            "False positive rate",
            "FP / (FP + TN): negatives wrongly selected",
            lambda c: ratio(c.fp, c.fp + c.tn),
        ),
        GroupMetric(
            "tnr",
            "True negative rate",
            "specificity, TN / (FP + TN)",
            lambda c: ratio(c.tn, c.fp + c.tn),
        ),
        GroupMetric(
            "fnr",
            "False negative rate",
            "FN / (TP + FN): positives wrongly rejected",
            lambda c: ratio(c.fn, c.tp + c.fn),
        ),
        GroupMetric(
            "precision",
            "Precision",
            "positive predictive value, TP / (TP + FP)",
            lambda c: ratio(c.tp, c.tp + c.fp),
        ),
        GroupMetric(
            "npv",
            "Negative predictive value",
            "TN / (TN + FN)",
            lambda c: ratio(c.tn, c.tn + c.fn),
        ),
        GroupMetric(
            "accuracy",
            "Accuracy",
            "(TP + TN) / n",
            lambda c: ratio(c.tp + c.tn, c.n),
        ),
    )
}


def group_rates(counts: Counts) -> dict[str, Array]:
    """Every per-group metric of the registry."""
    return {name: metric.compute(counts) for name, metric in GROUP_METRICS.items()}


@dataclass(frozen=True, slots=True)
class Denominator:
    """What a rate is a share of, when that is not the whole group."""

    what: str  # plural noun: "actual positives"
    compute: Callable[[Counts], Array]


# Rates whose denominator is part of the group. Selection rate, base rate and accuracy are
# shares of all n rows, which the minimum group size already governs.
DENOMINATORS: dict[str, Denominator] = {
    "tpr": Denominator("actual positives", lambda c: c.tp + c.fn),
    "fnr": Denominator("actual positives", lambda c: c.tp + c.fn),
    "fpr": Denominator("actual negatives", lambda c: c.fp + c.tn),
    "tnr": Denominator("actual negatives", lambda c: c.fp + c.tn),
    "precision": Denominator("predicted positives", lambda c: c.tp + c.fp),
    "npv": Denominator("predicted negatives", lambda c: c.tn + c.fn),
}


def small_denominators(counts: Counts, minimum: int) -> dict[str, NDArray[np.bool_]]:
    """Per rate of :data:`DENOMINATORS`: the groups whose denominator is from 1 to ``minimum − 1``.

    A zero denominator is left out: that rate is undefined already (NaN), and reported as such.
    """
    out: dict[str, NDArray[np.bool_]] = {}
    for name, den in DENOMINATORS.items():
        d = den.compute(counts)
        out[name] = (d > 0) & (d < minimum)
    return out


def default_reference(selection_rates: Array, n: Array, eligible: NDArray[np.bool_]) -> int:
    """The default reference group: the highest selection rate among the eligible groups.

    Ties go to the larger group, then to the first group in order (groups come sorted), so that
    the choice does not depend on row order. An undefined rate ranks below every rate. Without
    an eligible group every group is a candidate.
    """
    pool = np.flatnonzero(eligible) if eligible.any() else np.arange(len(eligible))
    return int(
        max(pool, key=lambda i: (float(np.nan_to_num(selection_rates[i], nan=-1.0)), n[i], -i))
    )


def spread(values: Array) -> Array:
    """``max − min`` over the last axis, ignoring undefined groups (NaN if none defined)."""
    with quiet_nan():
        return np.nanmax(values, axis=-1) - np.nanmin(values, axis=-1)


def min_over_max(values: Array) -> Array:
    """``min / max`` over the last axis, ignoring undefined groups."""
    with quiet_nan():
        hi = np.nanmax(values, axis=-1)
        lo = np.nanmin(values, axis=-1)
    return ratio(lo, hi)


@contextmanager
def quiet_nan() -> Iterator[None]:
    """Silence numpy's all-NaN warnings: an all-undefined slice simply gives NaN."""
    with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


@dataclass(frozen=True, slots=True)
class SummaryMetric:
    """A summary across groups, computed from the group rates it ``uses``."""

    name: str
    label: str
    definition: str
    uses: tuple[str, ...]
    compute: Callable[[dict[str, Array]], Array]


SUMMARY_METRICS: dict[str, SummaryMetric] = {
    m.name: m
    for m in (
        SummaryMetric(
            "demographic_parity_difference",
            "Demographic parity difference",
            "largest minus smallest selection rate across groups",
            ("selection_rate",),
            lambda r: spread(r["selection_rate"]),
        ),
        SummaryMetric(
            "demographic_parity_ratio",
            "Demographic parity ratio",
            "smallest divided by largest selection rate across groups",
            ("selection_rate",),
            lambda r: min_over_max(r["selection_rate"]),
        ),
        SummaryMetric(
            "equalized_odds_difference",
            "Equalized odds difference",
            "the larger of the TPR spread and the FPR spread across groups",
            ("tpr", "fpr"),
            lambda r: np.fmax(spread(r["tpr"]), spread(r["fpr"])),
        ),
        SummaryMetric(
            "equal_opportunity_difference",
            "Equal opportunity difference",
            "largest minus smallest true positive rate across groups",
            ("tpr",),
            lambda r: spread(r["tpr"]),
        ),
    )
}


def summaries(
    counts: Counts, excluded: Mapping[str, NDArray[np.bool_]] | None = None
) -> dict[str, Array]:
    """Every summary of the registry over the groups (last axis) of ``counts``.

    ``excluded`` maps a rate name to a mask over the groups: those groups' values of that rate
    count as undefined in every summary using it. Masks broadcast over leading (replicate or
    threshold) axes, so one mask serves the observed counts and all their resamples.
    """
    rates = group_rates(counts)
    for name, mask in (excluded or {}).items():
        rates[name] = np.where(mask, np.nan, rates[name])
    return {name: m.compute(rates) for name, m in SUMMARY_METRICS.items()}


def summaries_using(rate: str) -> list[str]:
    """Names of the summaries that use ``rate``, in registry order."""
    return [name for name, m in SUMMARY_METRICS.items() if rate in m.uses]


def disparate_impact(selection_rates: Array, reference: int) -> Array:
    """Each group's selection rate divided by the reference group's (index on last axis)."""
    return ratio(selection_rates, selection_rates[..., reference : reference + 1])


def counts_from_arrays(
    y_true: NDArray[np.bool_] | None,
    y_pred: NDArray[np.bool_],
    codes: NDArray[np.intp],
    groups: int,
) -> Counts:
    """Confusion counts per group from boolean outcomes and integer group codes.

    Without labels (``y_true`` None) every row counts as a negative label, so only the
    selection rate is meaningful.
    """
    truth = np.zeros_like(y_pred, dtype=bool) if y_true is None else y_true
    cell = codes * 4 + np.where(truth, np.where(y_pred, 0, 2), np.where(y_pred, 1, 3))
    flat = np.bincount(cell, minlength=groups * 4).astype(np.float64)
    return Counts.unstack(flat.reshape(groups, 4))


@dataclass(frozen=True, slots=True)
class SummaryScope:
    """Which groups a grouping's summaries cover, and which of their rates are left out.

    ``eligible``: groups with at least the minimum number of rows, the ones the verdict judges.
    ``use``: the groups the summaries are computed over, the eligible ones, or every group when
    fewer than two are eligible (then the summaries are shown but nothing is judged).
    ``excluded``: per rate, the eligible groups whose denominator for that rate (actual
    positives for the TPR, say) is below the minimum: when judging, such a rate is as unreliable
    as a group that small, so it counts as undefined in the summaries using it.
    """

    eligible: NDArray[np.bool_]
    use: NDArray[np.bool_]
    excluded: dict[str, NDArray[np.bool_]]

    @property
    def judged(self) -> bool:
        """At least two groups are large enough to compare."""
        return int(self.eligible.sum()) >= 2

    def excluded_in_use(self) -> dict[str, NDArray[np.bool_]]:
        """``excluded`` restricted to the groups in ``use`` (for counts sliced to them)."""
        return {name: mask[self.use] for name, mask in self.excluded.items()}


def summary_scope(counts: Counts, minimum: int) -> SummaryScope:
    """The :class:`SummaryScope` of ``counts`` under a minimum group size of ``minimum``."""
    eligible = np.asarray(counts.n >= minimum, dtype=bool)
    judged = int(eligible.sum()) >= 2
    use = eligible if judged else np.ones_like(eligible)
    # Without two judged groups nothing is judged: every rate is shown, none is left out.
    excluded = {
        name: (mask & eligible) if judged else np.zeros_like(eligible)
        for name, mask in small_denominators(counts, minimum).items()
    }
    return SummaryScope(eligible, use, excluded)
