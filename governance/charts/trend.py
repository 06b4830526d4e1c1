"""A model's fairness over time: one line per grouping, with the policy's threshold."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from governance.charts.palette import OKABE_ITO
from governance.fairness.policy import Policy


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
        fig.add_trace(
            go.Scatter(
                x=rows["created_at"],
                y=rows["min_disparate_impact"],
                mode="lines+markers",
                name=str(grouping),
                line={"color": OKABE_ITO[i % len(OKABE_ITO)]},
                customdata=rows[["model_version", "verdict"]].fillna("—").to_numpy(),
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
    return fig
