"""Fairness metrics as pure functions of per-group confusion counts.

Per-group confusion counts (TP, FP, FN, TN) are the single intermediate: every group rate and
every summary below is a function of them, so the file engine, in-memory arrays and the
bootstrap all share one definition. Functions broadcast over leading axes: counts of shape
``(groups,)`` give one value per group, counts of shape ``(replicates, groups)`` give one per
replicate and group.

A rate whose denominator is zero is undefined and returned as NaN (``null`` in JSON), never 0.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
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
    name: str
    label: str
    definition: str
    compute: Callable[[Counts], Array]


SUMMARY_METRICS: dict[str, SummaryMetric] = {
    m.name: m
    for m in (
        SummaryMetric(
            "demographic_parity_difference",
            "Demographic parity difference",
            "largest minus smallest selection rate across groups",
            lambda c: spread(GROUP_METRICS["selection_rate"].compute(c)),
        ),
        SummaryMetric(
            "demographic_parity_ratio",
            "Demographic parity ratio",
            "smallest divided by largest selection rate across groups",
            lambda c: min_over_max(GROUP_METRICS["selection_rate"].compute(c)),
        ),
        SummaryMetric(
            "equalized_odds_difference",
            "Equalized odds difference",
            "the larger of the TPR spread and the FPR spread across groups",
            lambda c: np.fmax(
                spread(GROUP_METRICS["tpr"].compute(c)), spread(GROUP_METRICS["fpr"].compute(c))
            ),
        ),
        SummaryMetric(
            "equal_opportunity_difference",
            "Equal opportunity difference",
            "largest minus smallest true positive rate across groups",
            lambda c: spread(GROUP_METRICS["tpr"].compute(c)),
        ),
    )
}


def summaries(counts: Counts) -> dict[str, Array]:
    return {name: m.compute(counts) for name, m in SUMMARY_METRICS.items()}


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
