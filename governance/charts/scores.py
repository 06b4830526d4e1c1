"""ROC curves and calibration by group, from the curves an assessment with a score carries.

Each group's line has its own colour, dash and marker symbol (:func:`palette.series_style`), so
that more groups than the palette has colours stay apart. Group names reach hover boxes through
``customdata`` only, HTML-escaped, as in :mod:`governance.charts.fairness`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go

from governance.charts import palette
from governance.charts.fairness import display_text

# ROC curves hold up to 101 points: symbols on every one would hide the line, so plotly draws
# at most this many per curve (enough to tell the symbol).
ROC_MARKERS_SHOWN = 12
# Calibration markers: diameter in px of the smallest and of the most populous bin.
BIN_MARKER_MIN = 6.0
BIN_MARKER_MAX = 22.0


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


def _plain_label(group: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in group["group"].items())


def _label(group: dict[str, Any]) -> str:
    return display_text(_plain_label(group), 60)


def _line(index: int) -> dict[str, Any]:
    style = palette.series_style(index)
    return {"color": style.colour, "dash": style.dash, "width": 2}


def bin_marker_sizes(counts: Sequence[int], largest: int) -> list[float]:
    """Marker diameters whose areas are proportional to each bin's row count.

    ``largest`` is the biggest bin of the whole chart, so that sizes compare across groups.
    """
    if largest <= 0:
        return [BIN_MARKER_MIN for _ in counts]
    span = BIN_MARKER_MAX - BIN_MARKER_MIN
    return [BIN_MARKER_MIN + span * math.sqrt(max(n, 0) / largest) for n in counts]


def roc_chart(groups: Sequence[dict[str, Any]], *, title: str = "ROC curve by group") -> go.Figure:
    """One ROC curve per group (``groups``: group results as JSON, with ``curves``).

    Traces: the chance diagonal, then one line per group with a ROC curve, styled by the group's
    position in ``groups``; ``customdata`` rows are (threshold, n, escaped group label).
    """
    fig = go.Figure(_diagonal("chance"))
    for i, g in enumerate(groups):
        roc = (g.get("curves") or {}).get("roc") or {}
        if not roc.get("fpr"):
            continue
        label = _label(g)
        full = display_text(_plain_label(g))
        auc = g.get("auc")
        style = palette.series_style(i)
        fig.add_trace(
            go.Scatter(
                x=roc["fpr"],
                y=roc["tpr"],
                mode="lines+markers",
                name=f"{label} (AUC {auc:.3f})" if auc is not None else label,
                line=_line(i),
                marker={
                    "symbol": style.symbol,
                    "size": 7,
                    "color": style.colour,
                    "maxdisplayed": ROC_MARKERS_SHOWN,
                },
                customdata=[[t, g["n"], full] for t in roc["threshold"]],
                hovertemplate="%{customdata[2]}<br>threshold ≥ %{customdata[0]:.3f}<br>"
                "FPR %{x:.1%}<br>TPR %{y:.1%}<br>n = %{customdata[1]:,}<extra></extra>",
            )
        )
    return _layout(fig, title, "False positive rate", "True positive rate")


def calibration_chart(
    groups: Sequence[dict[str, Any]], *, title: str = "Calibration by group"
) -> go.Figure:
    """Observed positive rate against mean score in ten score bins, one line per group.

    Each bin's marker has an area proportional to its rows (the largest bin of the chart is the
    largest marker), and its n is in the hover box and in ``customdata`` (rows of n and the
    escaped group label): a bin of five rows far off the diagonal is noise, not miscalibration.
    """
    fig = go.Figure(_diagonal("perfectly calibrated"))
    bins = [(i, g, (g.get("curves") or {}).get("calibration") or {}) for i, g in enumerate(groups)]
    bins = [(i, g, cal) for i, g, cal in bins if cal.get("mean_score")]
    largest = max((int(n) for _, _, cal in bins for n in cal.get("n", [])), default=0)
    for i, g, cal in bins:
        style = palette.series_style(i)
        full = display_text(_plain_label(g))
        fig.add_trace(
            go.Scatter(
                x=cal["mean_score"],
                y=cal["observed_rate"],
                mode="lines+markers",
                name=_label(g),
                line=_line(i),
                marker={
                    "symbol": style.symbol,
                    "color": style.colour,
                    "size": bin_marker_sizes(cal["n"], largest),
                    "sizemode": "diameter",
                    "line": {"color": "#FFFFFF", "width": 0.5},
                },
                customdata=[[int(n), full] for n in cal["n"]],
                hovertemplate="%{customdata[1]}<br>mean score %{x:.1%}<br>observed %{y:.1%}<br>"
                "n = %{customdata[0]:,} in this bin<extra></extra>",
            )
        )
    _layout(fig, title, "Mean score in bin", "Observed positive rate")
    fig.update_layout(
        title={
            "text": title,
            "subtitle": {
                "text": "Marker area: rows in the score bin (hover for n).",
                "font": {"size": 12, "color": "#555555"},
            },
        },
        margin={"t": 80},
    )
    return fig
