"""Assessment results as tables: the frames that pages show, charts draw and exports write.

One row per group (:func:`groups_frame`) or per grouping (:func:`summary_frame`). Undefined
numbers (a rate whose denominator is zero) are NaN, never 0. A rate's interval is in the columns
``<rate>_ci_low`` and ``<rate>_ci_high``.

The group frame carries, in ``frame.attrs``, the grouping's name, its feature names, the columns
holding each feature's value and the reference group's label, so that charts need nothing else.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from governance.fairness.analysis import AssessmentResult, GroupingResult, group_label
from governance.fairness.metrics import GROUP_METRICS, SUMMARY_METRICS

RATES: tuple[str, ...] = tuple(GROUP_METRICS)
CELLS: tuple[str, ...] = ("tp", "fp", "fn", "tn")

# Columns of the group frame other than the feature values, in order.
FIXED_COLUMNS: tuple[str, ...] = (
    "group",
    "n",
    "share",
    *CELLS,
    *(c for r in RATES for c in (r, f"{r}_ci_low", f"{r}_ci_high")),
    "disparate_impact",
    "disparate_impact_ci_low",
    "disparate_impact_ci_high",
    "selection_rate_difference",
    "p_value",
    "sufficient_data",
    "is_reference",
    "excluded_rates",
)


def _float(x: float | None) -> float:
    return np.nan if x is None else float(x)


def _ci(ci: dict[str, list[float | None]], name: str) -> tuple[float, float]:
    lo, hi = ci.get(name, [None, None])
    return _float(lo), _float(hi)


def feature_columns(features: list[str]) -> dict[str, str]:
    """The column holding each feature's value.

    A feature is named by the user's file; where its name is one of the frame's own columns
    (a sensitive column called ``n``, say) the value column becomes ``"<name> (value)"``.
    """
    out: dict[str, str] = {}
    taken = set(FIXED_COLUMNS)
    for f in features:
        column = f
        while column in taken:
            column = f"{column} (value)"
        taken.add(column)
        out[f] = column
    return out


def groups_frame(grouping: GroupingResult) -> pd.DataFrame:
    """One row per group of ``grouping``: counts, rates with intervals, disparities, flags.

    Parameters
    ----------
    grouping:
        One grouping of an assessment (a sensitive feature, or several crossed).

    Returns
    -------
    pandas.DataFrame
        Columns ``group`` (the label, ``race=A, sex=F``), one column per feature value, ``n``,
        ``share``, ``tp``/``fp``/``fn``/``tn``, every rate of the metric registry with
        ``_ci_low``/``_ci_high``, ``disparate_impact`` (with interval),
        ``selection_rate_difference``, ``p_value``, ``sufficient_data``, ``is_reference`` and
        ``excluded_rates`` (text: each rate left out of the summaries for too small a
        denominator, with the reason, as ``tpr: only 3 actual positives (< 30)``; empty if none).
    """
    columns = feature_columns(grouping.sensitive_features)
    rows: list[dict[str, Any]] = []
    for g in grouping.groups:
        row: dict[str, Any] = {"group": g.label}
        row.update({columns[f]: g.group[f] for f in grouping.sensitive_features})
        row.update({"n": g.n, "share": g.share, **{c: g.cells[c] for c in CELLS}})
        for rate in RATES:
            lo, hi = _ci(g.ci, rate)
            row.update(
                {rate: _float(g.rates.get(rate)), f"{rate}_ci_low": lo, f"{rate}_ci_high": hi}
            )
        lo, hi = _ci(g.ci, "disparate_impact")
        row.update(
            {
                "disparate_impact": _float(g.disparate_impact),
                "disparate_impact_ci_low": lo,
                "disparate_impact_ci_high": hi,
                "selection_rate_difference": _float(g.selection_rate_difference),
                "p_value": _float(g.p_value),
                "sufficient_data": g.sufficient,
                "is_reference": g.is_reference,
                "excluded_rates": "; ".join(f"{k}: {v}" for k, v in g.excluded_rates.items()),
            }
        )
        rows.append(row)
    order = ["group", *columns.values(), *FIXED_COLUMNS[1:]]
    if any("auc" in g.rates for g in grouping.groups):
        # Score-based columns exist only when the assessment had a score column.
        for row, g in zip(rows, grouping.groups, strict=True):
            lo, hi = _ci(g.ci, "auc")
            row.update(
                {
                    "auc": _float(g.rates.get("auc")),
                    "auc_ci_low": lo,
                    "auc_ci_high": hi,
                    "calibration_error": _float(g.rates.get("calibration_error")),
                }
            )
        order += ["auc", "auc_ci_low", "auc_ci_high", "calibration_error"]
    frame = pd.DataFrame(rows, columns=order)
    for c in ("n", *CELLS):
        frame[c] = frame[c].astype("int64")
    for c in ("sufficient_data", "is_reference"):
        frame[c] = frame[c].astype(bool)
    frame.attrs.update(
        {
            "grouping": grouping.name,
            "features": list(grouping.sensitive_features),
            "feature_columns": [columns[f] for f in grouping.sensitive_features],
            "reference_group": group_label(grouping.reference_group),
        }
    )
    return frame


def summary_frame(result: AssessmentResult) -> pd.DataFrame:
    """One row per grouping of ``result``: its summaries with intervals and its verdict.

    Columns: ``grouping`` (``race × sex``), ``reference_group``, ``groups``, ``groups_insufficient``
    (groups below the policy's minimum size, left out of the summaries), each summary metric
    with ``_ci_low``/``_ci_high``, and ``verdict`` (``pass``, ``fail`` or ``insufficient_data``).
    """
    rows: list[dict[str, Any]] = []
    for r in result.results:
        row: dict[str, Any] = {
            "grouping": r.name,
            "reference_group": group_label(r.reference_group),
            "groups": len(r.groups),
            "groups_insufficient": sum(not g.sufficient for g in r.groups),
        }
        for name in SUMMARY_METRICS:
            lo, hi = _ci(r.summary_ci, name)
            row.update(
                {
                    name: _float(r.summaries.get(name)),
                    f"{name}_ci_low": lo,
                    f"{name}_ci_high": hi,
                }
            )
        row["verdict"] = r.verdict.value
        rows.append(row)
    columns = [
        "grouping",
        "reference_group",
        "groups",
        "groups_insufficient",
        *(c for m in SUMMARY_METRICS for c in (m, f"{m}_ci_low", f"{m}_ci_high")),
        "verdict",
    ]
    return pd.DataFrame(rows, columns=columns)
