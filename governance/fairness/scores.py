"""Score-based metrics by group: AUC, ROC curves and calibration, from score histograms.

DuckDB puts each score in bin ``floor(score × 1000)`` (0 … 1000, so every three-decimal value
has a bin of its own), counting actual positives and negatives and summing the scores per bin
and group; everything here is a pure function of those histograms, so a 10-million-row file
costs one scan and a few kilobytes. AUC is the Mann-Whitney statistic with scores in one bin
counted as ties (half credit): exact when scores have at most three decimals, and otherwise off
by at most half the share of pairs whose scores differ by less than 0.001.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from governance.fairness.metrics import Array, ratio

RESOLUTION = 1000
BINS = RESOLUTION + 1
CALIBRATION_BINS = 10


@dataclass(frozen=True, slots=True)
class ScoreHistogram:
    """Per group (rows) and score bin (columns): actual positives, negatives, score sums."""

    pos: Array
    neg: Array
    score_sum: Array

    @classmethod
    def empty(cls, groups: int) -> ScoreHistogram:
        z = np.zeros((groups, BINS))
        return cls(z.copy(), z.copy(), z.copy())


def auc(hist: ScoreHistogram) -> Array:
    """Area under the ROC curve per group (NaN where a group lacks either class)."""
    pos_above = np.cumsum(hist.pos[:, ::-1], axis=1)[:, ::-1] - hist.pos  # strictly higher bins
    wins = (hist.neg * (pos_above + 0.5 * hist.pos)).sum(axis=1)
    return ratio(wins, hist.pos.sum(axis=1) * hist.neg.sum(axis=1))


def auc_interval(
    value: float, positives: float, negatives: float, level: float
) -> tuple[float | None, float | None]:
    """Hanley-McNeil normal interval of an AUC, clipped to [0, 1]."""
    if math.isnan(value) or positives == 0 or negatives == 0:
        return None, None
    q1 = value / (2 - value)
    q2 = 2 * value**2 / (1 + value)
    var = (
        value * (1 - value) + (positives - 1) * (q1 - value**2) + (negatives - 1) * (q2 - value**2)
    ) / (positives * negatives)
    z = _z(level)
    half = z * math.sqrt(max(var, 0.0))
    return max(0.0, value - half), min(1.0, value + half)


def _z(level: float) -> float:
    from statistics import NormalDist

    return NormalDist().inv_cdf(0.5 + level / 2)


def roc_points(hist: ScoreHistogram, group: int, max_points: int = 101) -> dict[str, list[float]]:
    """FPR and TPR of one group at thresholds from 1 down to 0 (at most ``max_points``)."""
    pos, neg = hist.pos[group][::-1], hist.neg[group][::-1]
    total_pos, total_neg = pos.sum(), neg.sum()
    if total_pos == 0 or total_neg == 0:
        return {"fpr": [], "tpr": [], "threshold": []}
    tpr = np.concatenate([[0.0], np.cumsum(pos) / total_pos])
    fpr = np.concatenate([[0.0], np.cumsum(neg) / total_neg])
    # Point k counts bins BINS-k … BINS-1, i.e. scores at or above (BINS - k) / RESOLUTION.
    thresholds = np.concatenate([[np.inf], np.arange(BINS - 1, -1, -1) / RESOLUTION])
    keep = np.unique(np.linspace(0, BINS, max_points).round().astype(int))
    return {
        "fpr": [float(x) for x in fpr[keep]],
        "tpr": [float(x) for x in tpr[keep]],
        "threshold": [float(x) for x in thresholds[keep]],
    }


def _coarse(values: Array) -> Array:
    """Sum fine bins into ten calibration bins along the last axis (1.000 joins the last)."""
    edges = np.minimum(np.arange(BINS) * CALIBRATION_BINS // RESOLUTION, CALIBRATION_BINS - 1)
    out = np.zeros((*values.shape[:-1], CALIBRATION_BINS))
    for k in range(CALIBRATION_BINS):
        out[..., k] = values[..., edges == k].sum(axis=-1)
    return out


def calibration(hist: ScoreHistogram, group: int) -> dict[str, list[float | int]]:
    """Mean score and observed positive rate of one group in ten equal score bins."""
    pos = _coarse(hist.pos[group])
    total = _coarse(hist.score_sum[group])
    n = pos + _coarse(hist.neg[group])
    keep = n > 0
    return {
        "mean_score": [float(x) for x in ratio(total, n)[keep]],
        "observed_rate": [float(x) for x in ratio(pos, n)[keep]],
        "n": [int(x) for x in n[keep]],
    }


def expected_calibration_error(hist: ScoreHistogram) -> Array:
    """Per group: the n-weighted mean gap between mean score and observed rate (10 bins)."""
    pos = _coarse(hist.pos)
    n = pos + _coarse(hist.neg)
    gap = np.abs(np.nan_to_num(ratio(_coarse(hist.score_sum), n)) - np.nan_to_num(ratio(pos, n)))
    return ratio((gap * n).sum(axis=1), n.sum(axis=1))
