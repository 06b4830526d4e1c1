"""The threshold sweep of one grouping as a chart: rates and summaries against the threshold.

Three panels share the threshold axis: each group's selection rate; each group's true positive
rate (solid) and false positive rate (dotted); the policy's summaries with their limits. The
thresholds at which every limit of the policy is met are shaded across all panels, and the
chosen threshold is a vertical line. Rates are fractions on axes formatted as percentages, so
``fig.data`` holds the sweep's numbers unchanged.

As in :mod:`governance.charts.fairness`, group labels come from users' files: they are
HTML-escaped before they become trace names and reach hover boxes only through ``customdata``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from governance.charts import palette
from governance.charts.fairness import display_text
from governance.fairness.policy import Policy
from governance.fairness.sweep import ThresholdSweep

# Okabe & Ito without yellow (too faint as a thin line on white) and black (kept for the
# chosen threshold and the summaries, which are not groups).
LINE_COLOURS: tuple[str, ...] = (
    palette.BLUE,
    palette.ORANGE,
    palette.BLUISH_GREEN,
    palette.VERMILLION,
    palette.REDDISH_PURPLE,
    palette.SKY_BLUE,
)
_PASS_FILL = palette.BAND
_PANEL_TITLES = (
    "Selection rate (% predicted positive)",
    "True positive rate (solid) and false positive rate (dotted)",
    "Summaries and the policy's limits",
)


def _data(sweep: ThresholdSweep | Mapping[str, Any]) -> Mapping[str, Any]:
    return sweep.to_json() if isinstance(sweep, ThresholdSweep) else sweep


def _label(group: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in group["group"].items())


def _note(group: Mapping[str, Any], min_size: int) -> str:
    """Hover note of a group: not judged, or rates left out (our own text, no user data)."""
    if not group.get("sufficient_data", True):
        return f"<br><i>n < {min_size}: shown, not judged</i>"
    left = [r.upper() for r in group.get("excluded_rates", []) if r in ("tpr", "fpr")]
    if left:
        return f"<br><i>{' and '.join(left)} left out: denominator < {min_size}</i>"
    return ""


def _group_traces(fig: go.Figure, data: Mapping[str, Any], policy: Policy) -> None:
    """Per group: its selection rate (row 1), TPR and FPR (row 2), in one legend entry."""
    x = data["thresholds"]
    for i, g in enumerate(data["groups"]):
        label = display_text(_label(g))
        judged = bool(g.get("sufficient_data", True))
        colour = LINE_COLOURS[i % len(LINE_COLOURS)] if judged else palette.INSUFFICIENT
        name = display_text(_label(g), 40) + ("" if judged else f" (n < {policy.min_group_size})")
        custom = [[label, int(g["n"]), _note(g, policy.min_group_size)]] * len(x)
        series = (
            (1, "selection_rate", "Selection rate", "solid", True),
            (2, "tpr", "True positive rate", "solid", False),
            (2, "fpr", "False positive rate", "dot", False),
        )
        for row, key, what, dash, legend in series:
            left_out = key in g.get("excluded_rates", [])
            fig.add_trace(
                go.Scatter(
                    x=x,
                    y=g[key],
                    mode="lines",
                    name=name,
                    legendgroup=f"group{i}",
                    showlegend=legend,
                    line={"color": colour, "dash": dash, "width": 1.2 if left_out else 2},
                    opacity=0.5 if left_out else 1.0,
                    customdata=custom,
                    hovertemplate=(
                        f"%{{customdata[0]}}<br>Threshold %{{x:.2f}}: {what} %{{y:.1%}}"
                        "<br>n = %{customdata[1]:,}%{customdata[2]}<extra></extra>"
                    ),
                ),
                row=row,
                col=1,
            )


def _summary_traces(fig: go.Figure, data: Mapping[str, Any], policy: Policy) -> None:
    """The policy's summaries per threshold (row 3) and their limits as labelled lines."""
    x = data["thresholds"]
    series = (
        ("demographic_parity_difference", "Demographic parity difference", "solid"),
        ("equalized_odds_difference", "Equalized odds difference", "dash"),
        ("min_disparate_impact_ratio", "Lowest disparate impact ratio", "dot"),
    )
    for key, name, dash in series:
        fig.add_trace(
            go.Scatter(
                x=x,
                y=data[key],
                mode="lines",
                name=name,
                line={"color": palette.REFERENCE, "dash": dash, "width": 1.6},
                hovertemplate=f"Threshold %{{x:.2f}}: {name.lower()} %{{y:.3f}}<extra></extra>",
            ),
            row=3,
            col=1,
        )
    limits = (
        (policy.max_demographic_parity_difference, "parity", "at or above fails"),
        (policy.max_equalized_odds_difference, "odds", "at or above fails"),
        (policy.min_disparate_impact_ratio, "ratio", "below fails"),
    )
    # Limits of equal value and sense share one line: "Parity and odds limit (0.10): …".
    merged: dict[tuple[float, str], list[str]] = {}
    for value, what, rule in limits:
        merged.setdefault((value, rule), []).append(what)
    for (value, rule), names in merged.items():
        fig.add_trace(
            go.Scatter(
                x=[0, 1],
                y=[value, value],
                mode="lines",
                name=f"{' and '.join(names).capitalize()} limit ({value:.2f}): {rule}",
                line={"color": palette.ATTENTION, "dash": "dash", "width": 1.2},
                hoverinfo="skip",
            ),
            row=3,
            col=1,
        )


def _passing(fig: go.Figure, ranges: Sequence[Mapping[str, float]]) -> None:
    """Shade the passing thresholds (half a step either side) in every panel, with a legend key."""
    for r in ranges:
        fig.add_vrect(
            x0=max(0.0, r["from"] - 0.005),
            x1=min(1.0, r["to"] + 0.005),
            fillcolor=_PASS_FILL,
            line_width=0,
            layer="below",
            row="all",
            col=1,
        )
    if ranges:
        fig.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="markers",
                name="Every limit of the policy met",
                marker={
                    "symbol": "square",
                    "size": 14,
                    "color": palette.with_alpha(palette.BLUISH_GREEN, 0.3),
                },
                hoverinfo="skip",
            )
        )


def _chosen(fig: go.Figure, threshold: float | None) -> None:
    if threshold is None:
        return
    style = {"color": palette.REFERENCE, "dash": "longdash", "width": 1.5}
    fig.add_vline(x=threshold, line=style, row="all", col=1)
    fig.add_trace(
        go.Scatter(
            x=[None],
            y=[None],
            mode="lines",
            name=f"Chosen threshold ({threshold:.2f})"
            if round(threshold, 2) == threshold
            else f"Chosen threshold ({threshold:g})",
            line=style,
            hoverinfo="skip",
        )
    )


def threshold_sweep_chart(
    sweep: ThresholdSweep | Mapping[str, Any],
    policy: Policy | None = None,
    *,
    title: str | None = None,
) -> go.Figure:
    """Selection rate, TPR and FPR of each group and the policy's summaries against the threshold.

    ``sweep`` is a :class:`~governance.fairness.sweep.ThresholdSweep` or its JSON (the
    ``threshold_sweep`` of a grouping in ``AssessmentResult.to_json()``); ``policy`` gives the
    limits and the minimum group size (default: the default policy, which should be the one
    the sweep was judged by). Traces, in order: per group its selection rate (row 1, in the
    legend), TPR and FPR (row 2); the three summaries and the limit lines (row 3); then legend
    keys for the shaded passing thresholds and the chosen threshold, when there are any.
    Groups below the minimum size are grey; a rate left out of the summaries is drawn faint.
    """
    policy = policy or Policy()
    data = _data(sweep)
    grouping = " × ".join(display_text(f) for f in data.get("sensitive_features", [])) or "group"
    fig = make_subplots(
        rows=3,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.08,
        subplot_titles=_PANEL_TITLES,
    )
    _group_traces(fig, data, policy)
    _summary_traces(fig, data, policy)
    _passing(fig, data.get("passing_ranges", []))
    _chosen(fig, data.get("chosen_threshold"))
    fig.update_layout(
        template="plotly_white",
        title={
            "text": title or f"Threshold sweep by {grouping}",
            "x": 0.01,
            "xanchor": "left",
            "font": {"size": 18},
            "subtitle": {
                "text": display_text(data.get("statement", "")),
                "font": {"size": 12, "color": "#555555"},
            },
        },
        font={"family": "DejaVu Sans, Arial, sans-serif", "size": 13, "color": "#222222"},
        legend={"orientation": "h", "yanchor": "top", "y": -0.07, "xanchor": "left", "x": 0.0},
        margin={"l": 70, "r": 30, "t": 110, "b": 60},
        hoverlabel={"align": "left"},
        height=980,
    )
    fig.update_xaxes(range=[0, 1], tickformat=".2f", showgrid=False, zeroline=False)
    fig.update_xaxes(title_text="Threshold (a score at or above it is positive)", row=3, col=1)
    for row in (1, 2):
        fig.update_yaxes(range=[0, 1.02], tickformat=".0%", title_text="Rate (%)", row=row, col=1)
    # A named reference group can be selected less often than others: ratios above 1.
    ratios = [v for v in data["min_disparate_impact_ratio"] if v is not None]
    top = max([1.05, *ratios])
    fig.update_yaxes(range=[0, top * 1.02], tickformat=".2f", title_text="Value", row=3, col=1)
    fig.update_yaxes(gridcolor=palette.GRID, zeroline=False)
    fig.update_annotations(font={"size": 13})
    return fig
