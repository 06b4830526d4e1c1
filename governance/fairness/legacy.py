"""The original design's ``FairnessMetrics`` API, kept for callers written against it.

Its results come from the same counts core as everything else. Unlike the original sketch,
an undefined rate (no positives in a group, say) is ``None``, never 0, and rates are the
true ones: predictions ``[1, 1, 0, 0, 1, 0]`` with groups ``[A, A, B, B, A, B]`` select
A at 1.0 and B at 0.0.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np

from governance.errors import ValidationError
from governance.fairness.metrics import Counts, counts_from_arrays, group_rates

DEFAULT_PARITY_THRESHOLD = 0.10
DEFAULT_IMPACT_THRESHOLD = 0.80


def _codes(groups: Sequence[Hashable]) -> tuple[list[Hashable], np.ndarray]:
    index: dict[Hashable, int] = {}
    codes = np.fromiter((index.setdefault(g, len(index)) for g in groups), dtype=np.intp)
    return list(index), codes


def _binary(values: Sequence[Any], name: str) -> np.ndarray:
    arr = np.asarray(values)
    if arr.ndim != 1:
        raise ValidationError(f"{name} must be a flat list of 0/1 values.")
    bad = ~np.isin(arr, [0, 1])
    if bad.any():
        first = int(np.argmax(bad))
        raise ValidationError(f"{name} must hold only 0 and 1; position {first} is {arr[first]!r}.")
    return arr.astype(bool)


def _prepare(
    groups: Sequence[Hashable], *columns: tuple[Sequence[Any], str]
) -> tuple[list[Hashable], np.ndarray, list[np.ndarray]]:
    arrays = [_binary(values, name) for values, name in columns]
    for arr, (_, name) in zip(arrays, columns, strict=True):
        if len(arr) != len(groups):
            raise ValidationError(f"{name} has {len(arr)} values but groups has {len(groups)}.")
    if len(groups) == 0:
        raise ValidationError("No rows to assess: the inputs are empty.")
    keys, codes = _codes(groups)
    return keys, codes, arrays


def _value(x: float) -> float | None:
    return None if np.isnan(x) else float(x)


class FairnessMetrics:
    """Group fairness checks over plain lists (the original design's interface)."""

    @staticmethod
    def demographic_parity(
        predictions: Sequence[int],
        groups: Sequence[Hashable],
        *,
        threshold: float = DEFAULT_PARITY_THRESHOLD,
    ) -> dict[str, Any]:
        """Selection rate per group, their spread (``disparity``) and ``compliant``."""
        keys, codes, (pred,) = _prepare(groups, (predictions, "predictions"))
        counts = counts_from_arrays(None, pred, codes, len(keys))
        rates = group_rates(counts)["selection_rate"]
        disparity = float(np.max(rates) - np.min(rates))
        return {
            "selection_rates": {k: float(r) for k, r in zip(keys, rates, strict=True)},
            "disparity": disparity,
            "compliant": disparity < threshold,
        }

    @staticmethod
    def equalized_odds(
        y_true: Sequence[int], y_pred: Sequence[int], groups: Sequence[Hashable]
    ) -> dict[Hashable, dict[str, float | None]]:
        """True and false positive rate per group (``None`` where undefined)."""
        keys, codes, (truth, pred) = _prepare(groups, (y_true, "y_true"), (y_pred, "y_pred"))
        rates = group_rates(counts_from_arrays(truth, pred, codes, len(keys)))
        return {
            k: {"tpr": _value(rates["tpr"][i]), "fpr": _value(rates["fpr"][i])}
            for i, k in enumerate(keys)
        }

    @staticmethod
    def disparate_impact_ratio(
        predictions: Sequence[int],
        groups: Sequence[Hashable],
        *,
        threshold: float = DEFAULT_IMPACT_THRESHOLD,
    ) -> dict[Hashable, dict[str, float | bool | None]]:
        """Each group's selection rate over the highest one, and the four-fifths rule."""
        keys, codes, (pred,) = _prepare(groups, (predictions, "predictions"))
        counts: Counts = counts_from_arrays(None, pred, codes, len(keys))
        rates = group_rates(counts)["selection_rate"]
        reference = float(np.max(rates))
        out: dict[Hashable, dict[str, float | bool | None]] = {}
        for k, rate in zip(keys, rates, strict=True):
            # Nobody selected anywhere: a ratio 0/0 is undefined, and so is the rule.
            ratio = float(rate) / reference if reference > 0 else None
            out[k] = {
                "selection_rate": float(rate),
                "ratio": ratio,
                "compliant": None if ratio is None else ratio >= threshold,
            }
        return out
