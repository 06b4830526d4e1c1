"""Incident response charts: mean hours to acknowledge or resolve per month and severity,
and the incidents open by severity. Severity is shown by colour and by name (the legend and
the bars' labels), never by colour alone."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from governance.charts import palette

SEVERITY_COLOURS = {
    "critical": palette.VERMILLION,
    "high": palette.ORANGE,
    "medium": palette.BLUE,
    "low": palette.BLUISH_GREEN,
}
MEASURES = {
    "hours_to_acknowledge": "Mean hours to acknowledge",
    "hours_to_resolve": "Mean hours to resolve",
}


def response_times(response: pd.DataFrame, measure: str) -> go.Figure:
    """Grouped bars: one group per month (of the report), one bar per severity."""
    title = MEASURES[measure]
    fig = go.Figure()
    for severity, colour in SEVERITY_COLOURS.items():
        rows = response[response["severity"] == severity].dropna(subset=[measure])
        if rows.empty:
            continue
        fig.add_trace(
            go.Bar(
                x=rows["month"], y=rows[measure], name=severity, marker_color=colour,
                text=[f"{v:.1f}" for v in rows[measure]], textposition="outside",
                hovertemplate=f"{severity}<br>%{{x}}: %{{y:.1f}} h<extra></extra>",
            )
        )  # fmt: skip
    fig.update_layout(
        title=title, barmode="group", xaxis_title="Month reported", yaxis_title="Hours",
        legend_title="Severity", xaxis_type="category", plot_bgcolor="white",
        margin={"t": 60, "b": 40},
    )  # fmt: skip
    months = sorted(response["month"].dropna().unique())
    fig.update_xaxes(categoryorder="array", categoryarray=months)
    fig.update_yaxes(gridcolor=palette.GRID, rangemode="tozero")
    return fig


def open_by_severity(counts: pd.DataFrame) -> go.Figure:
    fig = go.Figure(
        go.Bar(
            x=counts["severity"], y=counts["open"], text=counts["open"], textposition="outside",
            marker_color=[SEVERITY_COLOURS[s] for s in counts["severity"]],
            hovertemplate="%{x}: %{y} open<extra></extra>",
        )
    )  # fmt: skip
    fig.update_layout(
        title="Open incidents by severity", xaxis_title="Severity", yaxis_title="Open",
        plot_bgcolor="white", margin={"t": 60, "b": 40},
    )  # fmt: skip
    fig.update_yaxes(gridcolor=palette.GRID, rangemode="tozero", dtick=1 if
                     counts["open"].max() <= 10 else None)  # fmt: skip
    return fig
