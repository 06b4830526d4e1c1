"""The risk register's charts: the 5 × 5 heatmap (counts per cell, coloured by level), the
level matrix drawn as the same grid, and open risks by level over time.

Each cell carries its level in words as well as in colour, so the chart reads without colour.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go

from governance.charts import palette

LEVELS = ("low", "medium", "high", "critical")
LEVEL_COLOURS = {
    "low": palette.BLUISH_GREEN,
    "medium": palette.YELLOW,
    "high": palette.ORANGE,
    "critical": palette.VERMILLION,
}
RATINGS = (1, 2, 3, 4, 5)


def _scale() -> list[list[object]]:
    """A discrete colour scale: level rank 0..3 → its colour, with hard steps."""
    steps: list[list[object]] = []
    for i, level in enumerate(LEVELS):
        steps += [[i / 4, LEVEL_COLOURS[level]], [(i + 1) / 4, LEVEL_COLOURS[level]]]
    return steps


def _grid(
    levels: Sequence[Sequence[str]], text: list[list[str]], hover: list[list[str]], title: str
) -> go.Figure:
    z = [[LEVELS.index(levels[lik - 1][imp - 1]) + 0.5 for imp in RATINGS] for lik in RATINGS]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=list(RATINGS),
            y=list(RATINGS),
            zmin=0,
            zmax=4,
            colorscale=_scale(),
            showscale=False,
            text=text,
            texttemplate="%{text}",
            textfont={"size": 15},
            customdata=hover,
            hovertemplate="%{customdata}<extra></extra>",
            xgap=3,
            ygap=3,
        )
    )
    for level in LEVELS:  # a legend of the levels (the cells say theirs in words too)
        fig.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="markers",
                name=level,
                marker={"size": 12, "symbol": "square", "color": LEVEL_COLOURS[level]},
            )
        )
    fig.update_xaxes(
        title="Impact",
        tickmode="array",
        tickvals=list(RATINGS),
        showgrid=False,
        zeroline=False,
        range=[0.5, 5.5],
    )
    fig.update_yaxes(
        title="Likelihood",
        tickmode="array",
        tickvals=list(RATINGS),
        showgrid=False,
        zeroline=False,
        range=[0.5, 5.5],
    )
    fig.update_layout(
        title=title,
        height=460,
        margin={"l": 60, "r": 20, "t": 60, "b": 50},
        plot_bgcolor="white",
        legend={"orientation": "h", "y": -0.18},
        font={"color": palette.BLACK},
    )
    return fig


def heatmap_figure(
    counts: Sequence[Sequence[int]], levels: Sequence[Sequence[str]], *, residual: bool
) -> go.Figure:
    """Open risks per likelihood × impact cell (rows likelihood 1..5, columns impact 1..5)."""
    # An empty cell says only its level, small; a cell with risks leads with their count.
    text = [
        [
            f"<b>{counts[lik - 1][imp - 1]}</b><br>{levels[lik - 1][imp - 1]}"
            if counts[lik - 1][imp - 1]
            else f"<span style='font-size:11px'>{levels[lik - 1][imp - 1]}</span>"
            for imp in RATINGS
        ]
        for lik in RATINGS
    ]
    hover = [
        [
            f"Likelihood {lik} × impact {imp} (score {lik * imp}, {levels[lik - 1][imp - 1]})"
            f": {counts[lik - 1][imp - 1]} open risk(s)"
            for imp in RATINGS
        ]
        for lik in RATINGS
    ]
    view = "residual" if residual else "inherent"
    return _grid(levels, text, hover, f"Open risks by {view} likelihood and impact")


def matrix_figure(levels: Sequence[Sequence[str]], *, version: int) -> go.Figure:
    """The level matrix in force: each cell's level and score."""
    text = [
        [f"<b>{levels[lik - 1][imp - 1]}</b><br>{lik * imp}" for imp in RATINGS] for lik in RATINGS
    ]
    hover = [
        [
            f"Likelihood {lik} × impact {imp}: score {lik * imp}, {levels[lik - 1][imp - 1]}"
            for imp in RATINGS
        ]
        for lik in RATINGS
    ]
    return _grid(levels, text, hover, f"Level matrix, version {version}")


def trend_figure(trend: pd.DataFrame) -> go.Figure:
    """Open risks at the end of each day, one line per level (columns day, level, risks)."""
    fig = go.Figure()
    for i, level in enumerate(LEVELS):
        part = trend[trend["level"] == level]
        fig.add_trace(
            go.Scatter(
                x=pd.to_datetime(part["day"], utc=True).dt.tz_convert(None),
                y=part["risks"],
                name=level,
                mode="lines",
                line_shape="hv",
                line={
                    "color": LEVEL_COLOURS[level],
                    "width": 2.5,
                    "dash": palette.DASHES[i % len(palette.DASHES)],
                },
                hovertemplate=f"{level}: %{{y}} open on %{{x|%d %b %Y}}<extra></extra>",
            )
        )
    fig.update_layout(
        title="Open risks by level",
        height=380,
        plot_bgcolor="white",
        margin={"l": 60, "r": 20, "t": 60, "b": 40},
        hovermode="x unified",
        legend={"orientation": "h", "y": -0.2},
    )
    fig.update_yaxes(title="Open risks", rangemode="tozero", gridcolor=palette.GRID)
    fig.update_xaxes(title=None, gridcolor=palette.GRID)
    return fig
