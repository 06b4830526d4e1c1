"""An assessment on screen: verdict, summaries, one grouping at a time, charts and downloads.

The same rendering serves a fresh assessment and a saved one opened from History, so what an
auditor reopens reads exactly as what the data scientist saw.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import plotly.graph_objects as go
import streamlit as st

from governance.charts.catalog import DEFAULT_CHART, grouping_charts
from governance.fairness import (
    SUMMARY_METRICS,
    AssessmentResult,
    GroupingResult,
    Verdict,
    groups_frame,
    summary_frame,
    summary_limits,
)
from governance.reports.figures import with_export_context
from ui.downloads import figure_downloads, safe_filename, table_downloads
from ui.fairness.tables import SHORT_SUMMARY_LABELS, show_table
from ui.text import help_text, label_text, markdown_text

VERDICT_STYLE = {
    Verdict.PASS: (st.success, ":material/check_circle:", "PASS"),
    Verdict.FAIL: (st.error, ":material/cancel:", "FAIL"),
    Verdict.INSUFFICIENT_DATA: (st.warning, ":material/help:", "INSUFFICIENT DATA"),
}
COMPACT = [
    "group",
    "n",
    "selection_rate",
    "tpr",
    "fpr",
    "precision",
    "accuracy",
    "disparate_impact",
    "selection_rate_difference",
    "p_value",
    "sufficient_data",
    "excluded_rates",
    "auc",
]
SUMMARY_COLUMNS = [
    "grouping",
    "verdict",
    "reference_group",
    "groups",
    "groups_insufficient",
    *SUMMARY_METRICS,
]


@dataclass(frozen=True, slots=True)
class Shown:
    """What is on screen and where it came from (for keys, file names and export labels)."""

    result: AssessmentResult
    key: str  # widget key prefix: "fair" for a fresh assessment, "saved_<id>" for a saved one
    source: str
    model: str | None
    generated_at: datetime
    # How the verdict's policy is named: "the policy in force", or that of a saved assessment.
    policy_name: str = "the policy in force"


def verdict_banner(shown: Shown) -> None:
    result = shown.result
    show, icon, word = VERDICT_STYLE[result.verdict]
    show(
        f"**{word}** under {shown.policy_name} · {result.n_rows:,} rows · "
        f"{markdown_text(result.mapping['label'])}; {markdown_text(result.mapping['prediction'])}",
        icon=icon,
    )


def summaries(shown: Shown, pdf: Callable[[], bytes] | None, pdf_name: str) -> None:
    """One row per grouping, its downloads, and the PDF report when one can be made."""
    frame = summary_frame(shown.result)
    show_table(
        frame[SUMMARY_COLUMNS],
        groups_insufficient=st.column_config.Column(
            f"Under {shown.result.policy.min_group_size}",
            help="groups below the minimum size, left out of the summaries",
        ),
    )
    table_downloads(frame, stem="fairness-summary", key=f"{shown.key}_dl_summary")
    if pdf is not None:
        st.download_button(
            "PDF report",
            data=pdf,
            file_name=pdf_name,
            mime="application/pdf",
            key=f"{shown.key}_dl_report",
            on_click="ignore",
            icon=":material/picture_as_pdf:",
        )


def _lowest_ratio_card(
    grouping: GroupingResult, shown: Shown, column: st.delta_generator.DeltaGenerator
) -> None:
    """The policy's ratio test as it is applied: each group with enough data against the
    reference group (not the summary ratio, which compares the extremes)."""
    ratios = [
        (g.disparate_impact, g.label)
        for g in grouping.groups
        if g.sufficient and not g.is_reference and g.disparate_impact is not None
    ]
    bound = shown.result.policy.min_disparate_impact_ratio
    if not ratios:
        column.metric("Lowest DI", "undefined", border=True,
                      help="No other group with enough data to compare.")  # fmt: skip
        return
    value, label = min(ratios)
    breached = value < bound
    column.metric(
        "Lowest DI",
        f"{value:.3f}",
        delta=f"{'breaks' if breached else 'within'} ≥ {bound:.2f}",
        delta_color="inverse" if breached else "off",
        delta_arrow="off",
        help=f"Lowest disparate impact ratio: {help_text(label)}, its selection rate divided by "
        f"that of the reference group {help_text(_reference_label(grouping))}.",
        border=True,
    )


def _reference_label(grouping: GroupingResult) -> str:
    return next((g.label for g in grouping.groups if g.is_reference), "")


def _cards(grouping: GroupingResult, shown: Shown) -> None:
    limits = summary_limits(shown.result.policy)
    level = shown.result.policy.confidence_level
    columns = st.columns(len(SUMMARY_METRICS) + 1)
    _lowest_ratio_card(grouping, shown, columns[-1])
    for column, (key, metric) in zip(columns, SUMMARY_METRICS.items(), strict=False):
        value = grouping.summaries.get(key)
        lo, hi = grouping.summary_ci.get(key, [None, None])
        interval = "undefined" if lo is None or hi is None else f"{lo:.3f} to {hi:.3f}"
        limit = limits.get(key)
        breached = limit is not None and limit.breached(value)
        column.metric(
            SHORT_SUMMARY_LABELS.get(key, metric.label),
            "undefined" if value is None else f"{value:.3f}",
            delta=None if limit is None else f"{'breaks' if breached else 'within'} {limit.text}",
            delta_color="inverse" if breached else "off",
            delta_arrow="off",
            help=f"{metric.label}: {metric.definition}. {level:.0%} interval: {interval}.",
            border=True,
        )


def _group_table(grouping: GroupingResult, shown: Shown, stem: str) -> None:
    frame = groups_frame(grouping)
    every = st.toggle(
        "Show every column (counts, all rates, intervals)", key=f"{shown.key}_all_cols_{stem}"
    )
    show_table(frame if every else frame[[c for c in COMPACT if c in frame.columns]])
    table_downloads(frame, stem=stem, key=f"{shown.key}_dl_{stem}")


def _chart(grouping: GroupingResult, shown: Shown, stem: str) -> None:
    charts = grouping_charts(grouping, shown.result.policy)
    # One chart per run: building every figure each time would slow every click.
    name = (
        st.segmented_control(
            "Chart", list(charts), default=DEFAULT_CHART, key=f"{shown.key}_chart_{stem}"
        )
        or DEFAULT_CHART
    )
    fig = charts[name]()
    st.plotly_chart(fig, key=f"{shown.key}_plot_{stem}")

    def label(figure: go.Figure) -> go.Figure:
        return with_export_context(
            figure,
            model=shown.model,
            grouping=grouping.name,
            verdict=grouping.verdict.value,
            generated_at=shown.generated_at,
            source=shown.source,
        )

    figure_downloads(
        fig, stem=safe_filename(f"{stem}-{name}"), key=f"{shown.key}_dl_{stem}_fig", label=label
    )


def grouping_detail(shown: Shown) -> None:
    """The chosen grouping: cards against the policy, findings, groups, charts."""
    by_name = {g.name: g for g in shown.result.results}
    first = next(iter(by_name))
    chosen = st.segmented_control(
        "Grouping",
        list(by_name),
        default=first,
        key=f"{shown.key}_grouping",
        format_func=label_text,  # the names are the file's columns: shown, never interpreted
    )
    grouping = by_name.get(chosen or first, shown.result.results[0])
    stem = safe_filename(f"fairness-{'-'.join(grouping.sensitive_features)}")
    with st.container(border=True):
        _, _, word = VERDICT_STYLE[grouping.verdict]
        st.markdown(f"#### {markdown_text(grouping.name)} — {word}")
        _cards(grouping, shown)
        for finding in grouping.findings:
            st.markdown(f"- {markdown_text(finding)}")
        if grouping.sweep is not None:
            st.info(markdown_text(grouping.sweep.statement), icon=":material/tune:")
        _group_table(grouping, shown, stem)
        _chart(grouping, shown, stem)


def render(shown: Shown, *, pdf: Callable[[], bytes] | None, pdf_name: str) -> None:
    verdict_banner(shown)
    summaries(shown, pdf, pdf_name)
    grouping_detail(shown)
