"""ROC curves and calibration by group, from the curves an assessment with a score carries."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go

from governance.charts.fairness import display_text
from governance.charts.palette import OKABE_ITO


def _layout(fig: go.Figure, title: str, x: str, y: str) -> go.Figure:
    fig.update_layout(
        title=title,
        xaxis={"title": x, "range": [0, 1], "tickformat": ".0%", "constrain": "domain"},
        yaxis={"title": y, "range": [0, 1], "tickformat": ".0%", "scaleanchor": "x"},
        template="plotly_white",
        legend_title_text="Group",
        margin={"t": 60, "l": 60, "r": 20, "b": 50},
        height=480,
    )
    return fig


def _diagonal(name: str) -> go.Scatter:
    return go.Scatter(
        x=[0, 1],
        y=[0, 1],
        mode="lines",
        name=name,
        line={"dash": "dot", "color": "#9E9E9E"},
        hoverinfo="skip",
    )


def _label(group: dict[str, Any]) -> str:
    return display_text(", ".join(f"{k}={v}" for k, v in group["group"].items()), 60)


def roc_chart(groups: Sequence[dict[str, Any]], *, title: str = "ROC curve by group") -> go.Figure:
    """One ROC curve per group (``groups``: group results as JSON, with ``curves``)."""
    fig = go.Figure(_diagonal("chance"))
    for i, g in enumerate(groups):
        roc = (g.get("curves") or {}).get("roc") or {}
        if not roc.get("fpr"):
            continue
        label = _label(g)
        auc = g.get("auc")
        fig.add_trace(
            go.Scatter(
                x=roc["fpr"],
                y=roc["tpr"],
                mode="lines",
                name=f"{label} (AUC {auc:.3f})" if auc is not None else label,
                line={"color": OKABE_ITO[i % len(OKABE_ITO)], "width": 2},
                customdata=[[t, g["n"]] for t in roc["threshold"]],
                hovertemplate="threshold ≥ %{customdata[0]:.3f}<br>FPR %{x:.1%}<br>"
                "TPR %{y:.1%}<br>n = %{customdata[1]:,}<extra></extra>",
            )
        )
    return _layout(fig, title, "False positive rate", "True positive rate")


def calibration_chart(
    groups: Sequence[dict[str, Any]], *, title: str = "Calibration by group"
) -> go.Figure:
    """Observed positive rate against mean score in ten score bins, one line per group."""
    fig = go.Figure(_diagonal("perfectly calibrated"))
    for i, g in enumerate(groups):
        cal = (g.get("curves") or {}).get("calibration") or {}
        if not cal.get("mean_score"):
            continue
        label = _label(g)
        fig.add_trace(
            go.Scatter(
                x=cal["mean_score"],
                y=cal["observed_rate"],
                mode="lines+markers",
                name=label,
                line={"color": OKABE_ITO[i % len(OKABE_ITO)]},
                customdata=cal["n"],
                hovertemplate="mean score %{x:.1%}<br>observed %{y:.1%}<br>"
                "n = %{customdata:,}<extra></extra>",
            )
        )
    return _layout(fig, title, "Mean score in bin", "Observed positive rate")
