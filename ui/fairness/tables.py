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
SHORT_RATE_LABELS = {
    "tpr": "TPR",
    "fpr": "FPR",
    "tnr": "TNR",
    "fnr": "FNR",
    "npv": "NPV",
    "selection_rate": "Selection",
    "base_rate": "Base rate",
}
# Headers short enough that a whole table fits a laptop screen; the full name and definition
# are the header's help.
SHORT_SUMMARY_LABELS = {
    "demographic_parity_difference": "Dem. parity diff.",
    "demographic_parity_ratio": "Dem. parity ratio",
    "equalized_odds_difference": "Eq. odds diff.",
    "equal_opportunity_difference": "Eq. opp. diff.",
}
OTHER_LABELS: dict[str, tuple[str, str | None]] = {
    "group": ("Group", None),
    "n": ("n", "rows in the group"),
    "share": ("Share", "share of all rows"),
    "disparate_impact": ("DI", "disparate impact: selection rate ÷ the reference group's"),
    "selection_rate_difference": ("Δ vs ref.", "selection rate − the reference group's"),
    "p_value": ("p", "p-value: two-proportion z-test against the reference group"),
    "sufficient_data": ("Enough", "enough data: at least the policy's minimum group size"),
    "excluded_rates": ("Left out", "rates left out of the summaries: too few cases behind them"),
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
        return SHORT_RATE_LABELS.get(column, metric.label), f"{metric.label}: {metric.definition}"
    if column in SUMMARY_METRICS:
        metric = SUMMARY_METRICS[column]
        return SHORT_SUMMARY_LABELS.get(
            column, metric.label
        ), f"{metric.label}: {metric.definition}"
    return column, None


def column_config(columns: Iterable[str], **overrides: Any) -> dict[str, Any]:
    """Readable headers (with definitions as help) for every column of a fairness table."""
    config: dict[str, Any] = {}
    for column in columns:
        label, definition = _label(column)
        # No fixed widths: the grid sizes each column to its short header and values.
        config[column] = st.column_config.Column(label, help=definition)
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


def _text(column: pd.Series, kind: str) -> pd.Series:
    formatter = _FORMATS[kind]
    render = formatter.format if isinstance(formatter, str) else formatter
    return column.map(lambda v: "—" if pd.isna(v) else render(v))


def styled(frame: pd.DataFrame) -> Styler:
    """``frame`` with display text: percentages to one decimal, ratios to three, "—" undefined.

    A column holding an undefined value becomes text: the grid shows a missing number as "None"
    whatever the display text, and "undefined" must read as such. Other columns stay numbers
    (they sort as numbers) with a display format.
    """
    frame = frame.copy()
    formats: dict[str, Any] = {}
    for name in frame.columns:
        kind = _kind(name)
        if kind not in _FORMATS:
            continue
        if frame[name].isna().any():
            frame[name] = _text(frame[name], kind)
        else:
            formats[name] = _FORMATS[kind]
    return frame.style.format(formats)


def show_table(frame: pd.DataFrame, **overrides: Any) -> None:
    st.dataframe(
        styled(frame),
        hide_index=True,
        width="stretch",
        column_config=column_config(frame.columns, **overrides),
    )
