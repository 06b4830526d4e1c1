"""A model's fairness over time: one line per grouping, with the policy's threshold.

Saved assessments are often minutes apart (or there is only one): plotly would then zoom its
date axis to milliseconds. Such a short span is shown as whole days around the points instead.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from governance.charts import palette
from governance.charts.fairness import display_text
from governance.fairness.policy import Policy

# Below this span the axis shows whole days around the points rather than zooming in.
SHORT_SPAN = pd.Timedelta(hours=1)
DAY_PADDING = pd.Timedelta(days=1)
_DAY_MS = 24 * 3600 * 1000


def _utc_naive(values: pd.Series) -> pd.Series:
    """Times as naive UTC (naive input is taken as UTC), the form plotly draws without shifting."""
    return pd.to_datetime(values, utc=True).dt.tz_convert(None)


def _date_axis(fig: go.Figure, times: pd.Series) -> None:
    """Whole-day ticks from a day before to a day after the points, when they span so little.

    Wider spans keep plotly's own date ticks, which suit them.
    """
    times = times.dropna()
    if times.empty or times.max() - times.min() >= SHORT_SPAN:
        return
    start, end = times.min() - DAY_PADDING, times.max() + DAY_PADDING
    fig.update_xaxes(
        range=[start.isoformat(), end.isoformat()],
        tickformat="%Y-%m-%d",
        dtick=_DAY_MS,
        hoverformat="%Y-%m-%d %H:%M",
    )


def disparate_impact_trend(
    trend: pd.DataFrame,
    *,
    policy: Policy | None = None,
    title: str = "Lowest disparate impact ratio over time",
) -> go.Figure:
    """Lowest disparate impact ratio of each saved assessment, per grouping, oldest first."""
    policy = policy or Policy()
    fig = go.Figure()
    for i, (grouping, rows) in enumerate(trend.groupby("grouping", sort=True)):
        style = palette.series_style(i)
        versions = rows["model_version"].map(lambda v: "—" if pd.isna(v) else display_text(v, 60))
        fig.add_trace(
            go.Scatter(
                x=_utc_naive(rows["created_at"]),
                y=rows["min_disparate_impact"],
                # Markers always: a single assessment, or one between gaps, is a lone point.
                mode="lines+markers",
                name=display_text(grouping, 60),
                line={"color": style.colour, "dash": style.dash},
                marker={"symbol": style.symbol, "size": 9, "color": style.colour},
                customdata=list(
                    zip(versions, rows["verdict"].fillna("—").map(display_text), strict=True)
                ),
                hovertemplate="%{x|%Y-%m-%d %H:%M}<br>ratio %{y:.2f}<br>version %{customdata[0]}"
                "<br>verdict %{customdata[1]}<extra></extra>",
            )
        )
    fig.add_hline(
        y=policy.min_disparate_impact_ratio,
        line={"dash": "dash", "color": "#B00020"},
        annotation_text=f"policy minimum {policy.min_disparate_impact_ratio:.2f}",
    )
    fig.update_layout(
        title=title,
        xaxis_title="Assessment date (UTC)",
        yaxis_title="Lowest disparate impact ratio (group ÷ reference)",
        yaxis={"range": [0, 1.05]},
        template="plotly_white",
        legend_title_text="Grouping",
        margin={"t": 60, "l": 60, "r": 20, "b": 50},
    )
    _date_axis(fig, _utc_naive(trend["created_at"]))
    return fig
