"""How fairness tables read on screen: labels, one precision per kind of number, "—" for undefined.

Numbers stay numbers (so columns sort); a pandas Styler gives their display text. Undefined
values (a rate with a zero denominator, the reference group's p-value) show as "—", never as
"None" or "nan".
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from governance.fairness import GROUP_METRICS, SUMMARY_METRICS

CELL_LABELS = {
    "tp": ("True positives", "actual positive, predicted positive"),
    "fp": ("False positives", "actual negative, predicted positive"),
    "fn": ("False negatives", "actual positive, predicted negative"),
    "tn": ("True negatives", "actual negative, predicted negative"),
}
SHORT_RATE_LABELS = {"tpr": "TPR", "fpr": "FPR", "tnr": "TNR", "fnr": "FNR", "npv": "NPV"}
OTHER_LABELS: dict[str, tuple[str, str | None]] = {
    "group": ("Group", None),
    "n": ("n", "rows in the group"),
    "share": ("Share", "share of all rows"),
    "disparate_impact": ("Disparate impact", "selection rate ÷ the reference group's"),
    "selection_rate_difference": ("Difference vs reference", "selection rate − the reference's"),
    "p_value": ("p-value", "two-proportion z-test against the reference group"),
    "sufficient_data": ("Enough data", "at least the policy's minimum group size"),
    "is_reference": ("Reference", None),
    "auc": ("AUC", "area under the ROC curve"),
    "calibration_error": ("Calibration error", "expected calibration error, 10 bins"),
    "grouping": ("Grouping", None),
    "verdict": ("Verdict", None),
    "reference_group": ("Reference group", None),
    "groups": ("Groups", None),
}
PERCENT = {"share", *GROUP_METRICS}
DECIMAL3 = {"disparate_impact", "auc", "calibration_error", *SUMMARY_METRICS}
SIGNED3 = {"selection_rate_difference"}


def _label(column: str) -> tuple[str, str | None]:
    base, _, bound = column.partition("_ci_")
    if bound:
        name, _ = _label(base)
        return f"{name} ({'low' if bound == 'low' else 'high'})", "95% bootstrap interval bound"
    if column in CELL_LABELS:
        return CELL_LABELS[column]
    if column in OTHER_LABELS:
        return OTHER_LABELS[column]
    if column in GROUP_METRICS:
        metric = GROUP_METRICS[column]
        return SHORT_RATE_LABELS.get(column, metric.label), metric.definition
    if column in SUMMARY_METRICS:
        return SUMMARY_METRICS[column].label, SUMMARY_METRICS[column].definition
    return column, None


def column_config(columns: Iterable[str], **overrides: Any) -> dict[str, Any]:
    """Readable headers (with definitions as help) for every column of a fairness table."""
    config: dict[str, Any] = {}
    for column in columns:
        label, help_text = _label(column)
        config[column] = st.column_config.Column(label, help=help_text, width="small")
    config.update(overrides)
    return config


def _kind(column: str) -> str:
    base = column.partition("_ci_")[0]
    if base in PERCENT:
        return "percent"
    if base in SIGNED3:
        return "signed"
    if base in DECIMAL3:
        return "decimal"
    return "p" if base == "p_value" else "other"


_FORMATS = {
    "percent": "{:.1%}",
    "signed": "{:+.3f}",
    "decimal": "{:.3f}",
    "p": lambda p: "< 0.001" if p < 0.001 else f"{p:.3f}",
}


def styled(frame: pd.DataFrame) -> Styler:
    """``frame`` with display text: percentages to one decimal, ratios to three, "—" undefined."""
    formats = {c: _FORMATS[k] for c in frame.columns if (k := _kind(c)) in _FORMATS}
    return frame.style.format(formats, na_rep="—")  # type: ignore[arg-type]


def show_table(frame: pd.DataFrame, **overrides: Any) -> None:
    st.dataframe(
        styled(frame),
        hide_index=True,
        width="stretch",
        column_config=column_config(frame.columns, **overrides),
    )
