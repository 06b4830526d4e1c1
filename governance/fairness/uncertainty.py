"""Confidence intervals by bootstrap, and the test of a group against the reference.

Resampling N rows with replacement is the same as drawing the grouping's cell counts (group ×
TP/FP/FN/TN) from a multinomial with the observed cell shares, so 1,000 replicates cost the
same at 10 million rows as at a thousand: no row is touched again.
"""

from __future__ import annotations

import math

import numpy as np

from governance.fairness.metrics import Array, Counts, group_rates, quiet_nan


def bootstrap_counts(counts: Counts, *, replicates: int, seed: int) -> Counts:
    """``replicates`` resampled copies of ``counts``: arrays of shape (replicates, groups)."""
    cells = counts.stack()  # (groups, 4)
    total = int(cells.sum())
    shape = cells.shape
    if replicates == 0 or total == 0:
        return Counts.unstack(np.empty((0, *shape)))
    rng = np.random.default_rng(seed)
    draws = rng.multinomial(total, cells.ravel() / total, size=replicates).astype(np.float64)
    return Counts.unstack(draws.reshape(replicates, *shape))


def percentile_interval(samples: Array, level: float) -> tuple[Array, Array]:
    """Percentile interval over axis 0, ignoring replicates where the value is undefined."""
    alpha = (1 - level) / 2
    if samples.shape[0] == 0:
        nan = np.full(samples.shape[1:], np.nan)
        return nan, nan
    with quiet_nan():
        lo = np.nanquantile(samples, alpha, axis=0)
        hi = np.nanquantile(samples, 1 - alpha, axis=0)
    return lo, hi


def rate_intervals(boot: Counts, level: float) -> dict[str, tuple[Array, Array]]:
    """Interval of every per-group rate."""
    return {name: percentile_interval(values, level) for name, values in group_rates(boot).items()}


def two_proportion_p_value(x1: float, n1: float, x2: float, n2: float) -> float | None:
    """Two-sided p-value of a pooled two-proportion z-test (None when undefined)."""
    if n1 == 0 or n2 == 0:
        return None
    pooled = (x1 + x2) / (n1 + n2)
    variance = pooled * (1 - pooled) * (1 / n1 + 1 / n2)
    if variance == 0:
        return 1.0 if x1 / n1 == x2 / n2 else 0.0
    z = (x1 / n1 - x2 / n2) / math.sqrt(variance)
    return math.erfc(abs(z) / math.sqrt(2))
