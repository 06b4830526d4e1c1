"""Charts of a fairness assessment, built from the group frame of :mod:`governance.fairness.frames`.

Every builder takes the frame of one grouping (and the policy, for thresholds and the interval
level) and returns a :class:`plotly.graph_objects.Figure`. Rates are plotted as fractions on axes
formatted as percentages, so ``fig.data`` holds the frame's numbers unchanged.

Group labels and feature names come from users' files. Plotly renders a subset of HTML in every
text it draws (tick labels, titles, legend, hover), so such text is HTML-escaped before it enters a
figure, and it reaches hover boxes only through ``customdata``: hover templates are constant
strings that never contain user data.
"""

from __future__ import annotations

import html
import math
import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from governance.charts import palette
from governance.fairness.choices import value_order
from governance.fairness.policy import Policy

TICK_LABEL_LIMIT = 26
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


def display_text(text: object, limit: int | None = None) -> str:
    """User text made safe and literal for plotly: control characters out, HTML escaped.

    Plotly decodes ``&amp;``, ``&lt;`` and ``&gt;`` back to the characters, so a label such as
    ``<b>A</b>`` is drawn exactly as typed instead of in bold.
    """
    plain = _CONTROL.sub(" ", str(text)).strip()
    if limit is not None and len(plain) > limit:
        plain = plain[: limit - 1].rstrip() + "…"
    return html.escape(plain, quote=False)


def _need(frame: pd.DataFrame, columns: Sequence[str]) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"the groups frame lacks column(s) {missing}; use frames.groups_frame")
    if frame.empty:
        raise ValueError("the groups frame has no rows")


def _pct(x: float) -> str:
    return "undefined" if x is None or not math.isfinite(x) else f"{x:.1%}"


def _ratio(x: float) -> str:
    return "undefined" if x is None or not math.isfinite(x) else f"{x:.2f}"


def _interval(lo: float, hi: float, level: float, fmt: str = "pct") -> str:
    show = _pct if fmt == "pct" else _ratio
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return "no interval"
    return f"{level:.0%} interval {show(lo)} – {show(hi)}"


def _note(sufficient: bool, is_reference: bool, min_size: int) -> str:
    if not sufficient:
        return f"<br><i>Insufficient data: n < {min_size}, not counted in the verdict</i>"
    return "<br>Reference group" if is_reference else ""


def _fit_word(word: str, limit: int) -> str:
    """A word longer than ``limit`` shortened with an ellipsis: words are cut, never split."""
    return word if len(word) <= limit else word[: limit - 1] + "…"


def _shortened(lines: list[str], keep: int) -> list[str]:
    """The first ``keep`` lines, the last ending in "…" (before a feature's comma) if cut."""
    if len(lines) <= keep:
        return lines
    last = lines[keep - 1]
    comma = "," if lines[-1].endswith(",") else ""
    return [*lines[: keep - 1], last.rstrip(",") + "…" + comma]


def wrap_label(
    label: str,
    width: int = TICK_LABEL_LIMIT,
    max_lines: int = 4,
    *,
    word_limit: int | None = None,
) -> list[str]:
    """A group label as plain lines of about ``width`` characters, broken between words only.

    Each feature (``race=White, sex=Female``) starts a line and keeps its comma:
    ``["race=White,", "sex=Female"]``. Lines break at spaces, never inside a word, so a word
    longer than ``width`` has a line of its own; one longer than twice ``width`` (or
    :data:`TICK_LABEL_LIMIT`) is shortened with "…". When the label needs more than
    ``max_lines``, each feature is shortened (with "…") to its share of the lines, so that the
    features telling intersections apart all stay visible. The full label belongs in the hover.
    ``word_limit`` overrides how long one word may be (titles side by side need ``width``).
    """
    word_limit = word_limit or max(2 * width, TICK_LABEL_LIMIT)
    parts = _CONTROL.sub(" ", str(label)).split(", ")
    share = max_lines // len(parts) if len(parts) <= max_lines else max_lines
    lines: list[str] = []
    for k, part in enumerate(parts):
        text = part.strip() + ("," if k < len(parts) - 1 else "")
        words = [_fit_word(w, word_limit) for w in text.split()]
        wrapped = textwrap.wrap(
            " ".join(words), width, break_long_words=False, break_on_hyphens=False
        )
        lines.extend(_shortened(wrapped or [""], share))
    return _shortened(lines, max_lines)


def _wrapped(
    label: str, width: int = TICK_LABEL_LIMIT, max_lines: int = 4, word_limit: int | None = None
) -> str:
    """:func:`wrap_label`, HTML-escaped and joined with ``<br>`` for plotly."""
    lines = wrap_label(label, width, max_lines, word_limit=word_limit)
    return "<br>".join(html.escape(line, quote=False) for line in lines)


def _tick(
    label: str, n: int, sufficient: bool, is_reference: bool, min_size: int, width: int
) -> str:
    count = f"n = {n:,}"
    if not sufficient:
        count += f" (< {min_size})"
    if is_reference:
        count += " · ref."
    if width == 0:  # rotated: one line each
        return f"{display_text(label, 40)} · {count}"
    return f"{_wrapped(label, width)}<br>{count}"


def _grouping(frame: pd.DataFrame) -> str:
    name = frame.attrs.get("grouping")
    return display_text(name) if name else "group"


def _error(values: pd.Series, lo: pd.Series, hi: pd.Series) -> dict[str, object]:
    """Asymmetric error bars reaching from the value to each end of its interval."""
    return {
        "type": "data",
        "symmetric": False,
        "array": (hi - values).to_numpy(dtype=float),
        "arrayminus": (values - lo).to_numpy(dtype=float),
        "color": "#333333",
        "thickness": 1.2,
        "width": 4,
    }


def _base_layout(
    fig: go.Figure, *, title: str, x_title: str, y_title: str, subtitle: str = ""
) -> None:
    fig.update_layout(
        template="plotly_white",
        colorway=list(palette.OKABE_ITO),
        title={
            "text": title,
            "x": 0.01,
            "xanchor": "left",
            "y": 0.975,
            "yanchor": "top",
            "font": {"size": 18},
            "subtitle": {"text": subtitle, "font": {"size": 12, "color": "#555555"}},
        },
        font={"family": "DejaVu Sans, Arial, sans-serif", "size": 13, "color": "#222222"},
        legend={
            "orientation": "h",
            "yanchor": "bottom",
            "y": 1.0,
            "xanchor": "left",
            "x": 0.0,
            "font": {"size": 12},
        },
        margin={"l": 70, "r": 30, "t": 110 if subtitle else 90, "b": 70},
        hoverlabel={"align": "left"},
        height=500,
    )
    fig.update_xaxes(title_text=x_title, showgrid=False, zeroline=False)
    fig.update_yaxes(title_text=y_title, gridcolor=palette.GRID, zeroline=False)


def _insufficient_subtitle(
    frame: pd.DataFrame, min_size: int, what: str = "Hatched grey bars"
) -> str:
    if frame["sufficient_data"].all():
        return ""
    return f"{what}: fewer than {min_size} rows; shown, but not counted in the verdict."


def _group_axis(fig: go.Figure, frame: pd.DataFrame, min_size: int) -> None:
    many = len(frame) > 10
    # About 90 characters of 13 px text fit across the plot at the default export width.
    width = 0 if many else max(8, min(TICK_LABEL_LIMIT, 90 // len(frame)))
    ticks = [
        _tick(str(lab), int(n), bool(ok), bool(ref), min_size, width)
        for lab, n, ok, ref in zip(
            frame["group"], frame["n"], frame["sufficient_data"], frame["is_reference"], strict=True
        )
    ]
    fig.update_xaxes(
        tickmode="array",
        tickvals=list(range(len(frame))),
        ticktext=ticks,
        range=[-0.5, len(frame) - 0.5],
        tickangle=-40 if many else 0,
    )
    if many:
        fig.update_layout(height=620, margin={"b": 200})
    else:
        lines = max(t.count("<br>") for t in ticks) + 1
        fig.update_layout(height=480 + 18 * lines, margin={"b": 50 + 20 * lines})


def _hline(
    value: float, count: int, *, name: str, colour: str, dash: str, width: float = 2
) -> go.Scatter:
    """A horizontal line across every group, as a trace so that it is in the legend and data."""
    return go.Scatter(
        x=[-0.5, count - 0.5],
        y=[value, value],
        mode="lines",
        name=name,
        line={"color": colour, "dash": dash, "width": width},
        hoverinfo="skip",
    )


def _band(fig: go.Figure, low: float, high: float, name: str, *, legend: bool = True) -> None:
    fig.add_shape(
        type="rect",
        xref="paper",
        x0=0,
        x1=1,
        yref="y",
        y0=low,
        y1=high,
        fillcolor=palette.BAND,
        line={"width": 0},
        layer="below",
        name=name,
        showlegend=legend,
    )


def _customdata(frame: pd.DataFrame, policy: Policy, extra: list[list[str]]) -> np.ndarray:
    """Per group: escaped label, n, note, then ``extra`` columns (our own text, no user data)."""
    rows = [
        [
            display_text(lab),
            int(n),
            _note(bool(ok), bool(ref), policy.min_group_size),
            *(col[i] for col in extra),
        ]
        for i, (lab, n, ok, ref) in enumerate(
            zip(
                frame["group"],
                frame["n"],
                frame["sufficient_data"],
                frame["is_reference"],
                strict=True,
            )
        )
    ]
    return np.array(rows, dtype=object)


def _marker(colour: str, insufficient: bool) -> dict[str, object]:
    if not insufficient:
        return {"color": colour, "line": {"color": colour, "width": 1}}
    return {
        "color": palette.INSUFFICIENT,
        "pattern": {"shape": "/", "fgcolor": colour, "size": 7, "solidity": 0.3},
        "line": {"color": "#6E6E6E", "width": 1},
    }


# Bars sit at numeric positions 0, 1, 2, …; plotly sizes a trace's bars by the gap between its
# own positions, so a trace holding every other group would draw bars two groups wide. Overlaid
# traces therefore get this width explicitly (in groups).
BAR_WIDTH = 0.8


def _bars(
    frame: pd.DataFrame,
    mask: pd.Series,
    *,
    values: pd.Series,
    lo: pd.Series,
    hi: pd.Series,
    custom: np.ndarray,
    name: str,
    marker: dict[str, object],
    hovertemplate: str,
    **extra: object,
) -> go.Bar:
    """Bars of the groups in ``mask``, at their positions in the frame."""
    m = mask.to_numpy(dtype=bool)
    return go.Bar(
        x=list(frame.index[m]),
        y=values[m].to_numpy(dtype=float),
        name=name,
        marker=marker,
        error_y=_error(values[m], lo[m], hi[m]),
        customdata=custom[m],
        hovertemplate=hovertemplate,
        **extra,
    )


def _rate_range(values: pd.Series, hi: pd.Series) -> list[float]:
    top = np.nanmax([*hi.to_numpy(dtype=float), *values.to_numpy(dtype=float), 0.05])
    return [0, 1.02 if top > 0.9 else top * 1.12]


def selection_rate_chart(
    groups: pd.DataFrame, *, policy: Policy | None = None, title: str | None = None
) -> go.Figure:
    """Selection rate of each group, with the reference group's rate and the tolerated band.

    Traces, in order: bars of the groups with enough data (with interval error bars), bars of
    the groups below the policy's minimum size (grey, hatched) when there are any, the line at
    ``min_disparate_impact_ratio`` × the reference rate and the reference line. The band between
    the two lines is shaded (a layout shape): a bar ending below it fails the ratio test.
    """
    policy = policy or Policy()
    _need(
        groups,
        [
            *("group", "n", "sufficient_data", "is_reference"),
            *("selection_rate", "selection_rate_ci_low", "selection_rate_ci_high"),
        ],
    )
    frame = groups.reset_index(drop=True)
    count = len(frame)
    sr = frame["selection_rate"].astype(float)
    lo, hi = frame["selection_rate_ci_low"], frame["selection_rate_ci_high"]
    ok = frame["sufficient_data"].astype(bool)
    level = policy.confidence_level
    custom = _customdata(
        frame, policy, [[_interval(a, b, level) for a, b in zip(lo, hi, strict=True)]]
    )
    hover = (
        "%{customdata[0]}<br>Selection rate: %{y:.1%}<br>%{customdata[3]}"
        "<br>n = %{customdata[1]:,}%{customdata[2]}<extra></extra>"
    )
    fig = go.Figure()
    parts = (
        ("Selection rate", ok, False),
        (f"Insufficient data (n < {policy.min_group_size})", ~ok, True),
    )
    for name, mask, thin in parts:
        if mask.any():
            fig.add_trace(
                _bars(
                    frame,
                    mask,
                    values=sr,
                    lo=lo,
                    hi=hi,
                    custom=custom,
                    name=name,
                    marker=_marker(palette.SERIES, thin),
                    hovertemplate=hover,
                    width=BAR_WIDTH,
                )
            )
    reference = frame.loc[frame["is_reference"].astype(bool), "selection_rate"]
    ref_rate = float(reference.iloc[0]) if len(reference) else float("nan")
    if math.isfinite(ref_rate):
        ratio = policy.min_disparate_impact_ratio
        threshold = ratio * ref_rate
        _band(fig, threshold, ref_rate, f"{ratio:g}–1 × reference", legend=False)
        fig.add_trace(
            _hline(
                threshold,
                count,
                name=f"{ratio:g} × reference rate ({threshold:.1%}): below fails",
                colour=palette.VERMILLION,
                dash="dash",
            )
        )
        fig.add_trace(
            _hline(
                ref_rate,
                count,
                name=f"Reference group rate ({ref_rate:.1%})",
                colour=palette.REFERENCE,
                dash="solid",
                width=1.5,
            )
        )
    _base_layout(
        fig,
        title=title or f"Selection rate by {_grouping(frame)}",
        subtitle=_insufficient_subtitle(frame, policy.min_group_size),
        x_title=f"Group ({_grouping(frame)})",
        y_title="Selection rate (% predicted positive)",
    )
    fig.update_layout(barmode="overlay")
    fig.update_yaxes(tickformat=".0%", range=_rate_range(sr, hi))
    _group_axis(fig, frame, policy.min_group_size)
    return fig


def error_rates_chart(
    groups: pd.DataFrame, *, policy: Policy | None = None, title: str | None = None
) -> go.Figure:
    """True and false positive rate of each group side by side, with interval error bars.

    Traces, in order: TPR and FPR of the groups with enough data, then (when there are any)
    TPR and FPR of the groups below the policy's minimum size, hatched. A rate's bars share an
    offset group, so each group's TPR bar sits left of its FPR bar whatever trace it is in.
    """
    policy = policy or Policy()
    need = ["group", "n", "sufficient_data", "is_reference"]
    for rate in ("tpr", "fpr"):
        need += [rate, f"{rate}_ci_low", f"{rate}_ci_high"]
    _need(groups, need)
    frame = groups.reset_index(drop=True)
    ok = frame["sufficient_data"].astype(bool)
    level = policy.confidence_level
    series = (
        ("tpr", "True positive rate", palette.SERIES, "of actual positives selected"),
        ("fpr", "False positive rate", palette.SECOND_SERIES, "of actual negatives selected"),
    )
    traces: list[go.Bar] = []
    later: list[go.Bar] = []
    for rate, name, colour, meaning in series:
        values = frame[rate].astype(float)
        lo, hi = frame[f"{rate}_ci_low"], frame[f"{rate}_ci_high"]
        custom = _customdata(
            frame,
            policy,
            [
                [_interval(a, b, level) for a, b in zip(lo, hi, strict=True)],
                [_pct(v) for v in values],
            ],
        )
        hover = (
            f"%{{customdata[0]}}<br>{name}: %{{customdata[4]}} {meaning}"
            "<br>%{customdata[3]}<br>n = %{customdata[1]:,}%{customdata[2]}<extra></extra>"
        )
        for mask, thin, target in ((ok, False, traces), (~ok, True, later)):
            if mask.any():
                target.append(
                    _bars(
                        frame,
                        mask,
                        values=values,
                        lo=lo,
                        hi=hi,
                        custom=custom,
                        name=f"{name}, n < {policy.min_group_size}" if thin else name,
                        marker=_marker(colour, thin),
                        hovertemplate=hover,
                        offsetgroup=rate,
                    )
                )
    fig = go.Figure([*traces, *later])
    top = [frame[r].astype(float) for r in ("tpr", "fpr")]
    tops = [frame[f"{r}_ci_high"].astype(float) for r in ("tpr", "fpr")]
    _base_layout(
        fig,
        title=title or f"True and false positive rates by {_grouping(frame)}",
        subtitle=_insufficient_subtitle(frame, policy.min_group_size, "Hatched bars"),
        x_title=f"Group ({_grouping(frame)})",
        y_title="Rate (%)",
    )
    fig.update_layout(barmode="group", bargap=0.25, bargroupgap=0.05)
    fig.update_yaxes(tickformat=".0%", range=_rate_range(pd.concat(top), pd.concat(tops)))
    _group_axis(fig, frame, policy.min_group_size)
    return fig


def disparate_impact_chart(
    groups: pd.DataFrame, *, policy: Policy | None = None, title: str | None = None
) -> go.Figure:
    """Each group's selection rate divided by the reference group's, with its interval.

    Traces, in order: one bar trace per status present (within the band, outside it,
    insufficient data), then the lines at ``min_disparate_impact_ratio`` (0.8) and at its
    inverse (1.25). Each bar sits at its group's position, so traces never overlap; the band
    between the lines is shaded (a layout shape).
    """
    policy = policy or Policy()
    _need(
        groups,
        [
            *("group", "n", "sufficient_data", "is_reference"),
            *("disparate_impact", "disparate_impact_ci_low", "disparate_impact_ci_high"),
        ],
    )
    frame = groups.reset_index(drop=True)
    count = len(frame)
    low_limit = policy.min_disparate_impact_ratio
    high_limit = 1 / low_limit
    di = frame["disparate_impact"].astype(float)
    lo, hi = frame["disparate_impact_ci_low"], frame["disparate_impact_ci_high"]
    ok = frame["sufficient_data"].astype(bool)

    def status(value: float) -> str:
        if not math.isfinite(value):
            return "undefined (the reference group selects no one)"
        if value < low_limit:
            return f"below {low_limit:.2f}: fails the policy"
        if value > high_limit:
            return f"above {high_limit:.2f}: the reference group is the disadvantaged one"
        return f"within {low_limit:.2f}–{high_limit:.2f}"

    custom = _customdata(
        frame,
        policy,
        [
            [
                _interval(a, b, policy.confidence_level, "ratio")
                for a, b in zip(lo, hi, strict=True)
            ],
            [status(v) for v in di],
        ],
    )
    defined = pd.Series(np.isfinite(di.to_numpy()), index=di.index)
    inside = di.between(low_limit, high_limit)
    kinds = (
        (f"Within {low_limit:g}–{high_limit:g}", ok & inside, palette.SERIES, False),
        (f"Outside {low_limit:g}–{high_limit:g}", ok & defined & ~inside, palette.ATTENTION, False),
        (f"Insufficient data (n < {policy.min_group_size})", ~ok, palette.SERIES, True),
    )
    hover = (
        "%{customdata[0]}<br>Disparate impact ratio: %{y:.2f}, %{customdata[4]}"
        "<br>%{customdata[3]}<br>n = %{customdata[1]:,}%{customdata[2]}<extra></extra>"
    )
    fig = go.Figure()
    _band(fig, low_limit, high_limit, f"{low_limit:g}–{high_limit:g}", legend=False)
    for name, mask, colour, thin in kinds:
        if mask.any():
            fig.add_trace(
                _bars(
                    frame,
                    mask,
                    values=di,
                    lo=lo,
                    hi=hi,
                    custom=custom,
                    name=name,
                    marker=_marker(colour, thin),
                    hovertemplate=hover,
                    width=BAR_WIDTH,
                )
            )
    fig.add_trace(
        _hline(
            low_limit,
            count,
            name=f"{low_limit:g}: policy minimum",
            colour=palette.VERMILLION,
            dash="dash",
        )
    )
    fig.add_trace(
        _hline(
            high_limit,
            count,
            name=f"{high_limit:g} (= 1 / {low_limit:g})",
            colour=palette.REDDISH_PURPLE,
            dash="dot",
        )
    )
    top = np.nanmax([*hi.to_numpy(dtype=float), *di.to_numpy(dtype=float), high_limit])
    top = top if math.isfinite(top) else high_limit
    _base_layout(
        fig,
        title=title or f"Disparate impact ratio by {_grouping(frame)}",
        subtitle=" ".join(
            filter(
                None,
                [
                    _insufficient_subtitle(frame, policy.min_group_size),
                    ""
                    if defined[ok].all()
                    else "No bar: ratio undefined (reference selects no one).",
                ],
            )
        ),
        x_title=f"Group ({_grouping(frame)})",
        y_title="Ratio to reference selection rate (×)",
    )
    fig.update_layout(barmode="overlay")
    fig.update_yaxes(range=[0, top * 1.1], tickformat=".2f")
    _group_axis(fig, frame, policy.min_group_size)
    return fig


CONFUSION_LAYOUT = (("tp", "fn"), ("fp", "tn"))
_CELL_NAMES = {
    "tp": "True positives",
    "fn": "False negatives",
    "fp": "False positives",
    "tn": "True negatives",
}


# Small-multiple titles: at most this many lines of the group's name, then a line of counts.
CONFUSION_TITLE_LINES = 2
# About this many characters of 12 px bold text fit across all columns at the export width.
_TITLE_CHARACTERS = 80


def _confusion_titles(frame: pd.DataFrame, cols: int, min_size: int) -> list[str]:
    """Each group's subplot title: its name wrapped to its column, shortened with "…".

    Titles wider than their column run into the neighbours' (plotly does not wrap them); the
    full name is in the hover box of every cell.
    """
    width = max(12, min(40, _TITLE_CHARACTERS // cols))
    titles = []
    for lab, n, ok, ref in zip(
        frame["group"], frame["n"], frame["sufficient_data"], frame["is_reference"], strict=True
    ):
        detail = f"n = {int(n):,}"
        if not ok:
            detail += f" (< {min_size})"
        if ref:
            detail += " · ref."
        # Side by side, no word may be wider than its column ("race=Amer-Indian-Eskimo,").
        name = _wrapped(str(lab), width, CONFUSION_TITLE_LINES, word_limit=width)
        titles.append(f"<b>{name}</b><br>{detail}")
    return titles


@dataclass(frozen=True)
class _SmallMultiples:
    """Pixel layout of the confusion matrices: each row's title fits in the gap above it."""

    rows: int
    title_lines: int
    subtitle: bool
    cell_px: int = 200
    line_px: int = 17
    ticks_px: int = 30  # the x tick labels of the row above
    bottom: int = 45

    @property
    def gap(self) -> int:
        return self.ticks_px + self.line_px * self.title_lines + 8

    @property
    def plot(self) -> int:
        return self.rows * self.cell_px + (self.rows - 1) * self.gap

    @property
    def vertical_spacing(self) -> float:
        # make_subplots takes the gap as a fraction of the plot height.
        return self.gap / self.plot if self.rows > 1 else 0.0

    @property
    def top(self) -> int:
        return 65 + self.line_px * self.title_lines + (25 if self.subtitle else 0)

    @property
    def height(self) -> int:
        return self.plot + self.top + self.bottom


def _confusion_trace(row: pd.Series, min_size: int) -> go.Heatmap:
    """One group's 2 × 2 matrix of shares, its cells' counts as text and hover data."""
    n = int(row["n"])
    label = display_text(row["group"])
    z = [[row[c] / n if n else np.nan for c in pair] for pair in CONFUSION_LAYOUT]
    ok = bool(row["sufficient_data"])
    text = [
        [f"{int(row[c]):,}<br>{_pct(row[c] / n if n else np.nan)}" for c in pair]
        for pair in CONFUSION_LAYOUT
    ]
    custom = [
        [[int(row[c]), n, _CELL_NAMES[c], label, _note(ok, False, min_size)] for c in pair]
        for pair in CONFUSION_LAYOUT
    ]
    colour: dict[str, object] = (
        {"coloraxis": "coloraxis"}
        if ok
        else {
            "colorscale": [[0, palette.MISSING_CELL], [1, palette.MISSING_CELL]],
            "showscale": False,
        }
    )
    return go.Heatmap(
        z=z,
        x=["Predicted +", "Predicted −"],
        y=["Actual +", "Actual −"],
        text=text,
        texttemplate="%{text}",
        textfont={"size": 12},
        customdata=custom,
        hovertemplate=(
            "%{customdata[3]}<br>%{customdata[2]}: %{customdata[0]:,} "
            "(%{z:.1%} of n = %{customdata[1]:,})%{customdata[4]}<extra></extra>"
        ),
        xgap=2,
        ygap=2,
        name=label,
        **colour,
    )


def confusion_matrix_chart(
    groups: pd.DataFrame,
    *,
    policy: Policy | None = None,
    title: str | None = None,
    columns: int = 4,
) -> go.Figure:
    """One 2 × 2 confusion matrix per group (small multiples), coloured by share of the group.

    Rows are the actual class (positive, negative), columns the prediction, so ``z`` is
    ``[[tp, fn], [fp, tn]] / n``: shares, so that groups of different sizes compare. The cell
    text shows the count and the share. One heatmap trace per group, in the frame's order; groups
    with enough data share one colour axis, groups below the policy's minimum size are grey.
    """
    policy = policy or Policy()
    _need(groups, ["group", "n", "tp", "fp", "fn", "tn", "sufficient_data", "is_reference"])
    frame = groups.reset_index(drop=True)
    count = len(frame)
    cols = max(1, min(columns, count))
    rows = math.ceil(count / cols)
    min_size = policy.min_group_size
    titles = _confusion_titles(frame, cols, min_size)
    lines = max(t.count("<br>") for t in titles) + 1
    few = not frame["sufficient_data"].all()
    geometry = _SmallMultiples(rows, lines, few)
    fig = make_subplots(
        rows=rows,
        cols=cols,
        subplot_titles=titles,
        horizontal_spacing=0.05,
        vertical_spacing=geometry.vertical_spacing,
    )
    shares: list[float] = []
    for i, row in frame.iterrows():
        trace = _confusion_trace(row, min_size)
        if row["sufficient_data"]:
            shares.extend(v for pair in trace.z for v in pair)
        fig.add_trace(
            trace,
            row=int(i) // cols + 1,  # type: ignore[call-overload]
            col=int(i) % cols + 1,  # type: ignore[call-overload]
        )
    finite = [v for v in shares if math.isfinite(v)]
    _base_layout(
        fig,
        title=title or f"Confusion matrix by {_grouping(frame)}",
        subtitle=(
            f"Grey matrices: fewer than {min_size} rows; shown, but not counted in the verdict."
            if few
            else ""
        ),
        x_title="",
        y_title="",
    )
    fig.update_layout(
        height=geometry.height,
        margin={"t": geometry.top, "l": 80, "r": 30, "b": geometry.bottom},
        coloraxis={
            "colorscale": palette.SEQUENTIAL,
            "cmin": 0,
            "cmax": max(finite) if finite else 1,
            "colorbar": {"title": {"text": "Share of<br>group (%)"}, "tickformat": ".0%"},
        },
    )
    fig.update_yaxes(autorange="reversed", showgrid=False, tickfont={"size": 11})
    for c in range(2, cols + 1):
        fig.update_yaxes(showticklabels=False, col=c)
    fig.update_xaxes(showgrid=False, tickfont={"size": 11})
    fig.update_annotations(font={"size": 12})
    return fig


def _feature_pair(
    groups: pd.DataFrame, row_feature: str | None, column_feature: str | None
) -> tuple[str, str]:
    """The two feature columns of an intersection heatmap: as given, else the frame's first."""
    if row_feature is None or column_feature is None:
        known = list(groups.attrs.get("feature_columns", []))
        if len(known) < 2:
            raise ValueError(
                "an intersection heatmap needs two feature columns: pass row_feature and "
                "column_feature, or the frame of an intersectional grouping"
            )
        row_feature = row_feature or known[0]
        column_feature = column_feature or known[1 if known[0] == row_feature else 0]
    if row_feature == column_feature:
        raise ValueError("row_feature and column_feature must differ")
    return row_feature, column_feature


def intersection_heatmap(
    groups: pd.DataFrame,
    *,
    row_feature: str | None = None,
    column_feature: str | None = None,
    policy: Policy | None = None,
    title: str | None = None,
) -> go.Figure:
    """Selection rate for each combination of two features, from an intersectional grouping.

    ``row_feature`` and ``column_feature`` are columns of the frame holding feature values
    (default: the first two of ``frame.attrs["feature_columns"]``). With more than two features
    the counts are summed over the others. Combinations with fewer than the policy's minimum
    rows are grey (``z`` is NaN) with their rate and n as text; combinations that never occur
    read "no rows". One heatmap trace; ``z`` rows follow the sorted row values, columns the
    sorted column values (numbers and bands by value, as :func:`value_order` sorts them).
    """
    policy = policy or Policy()
    row_feature, column_feature = _feature_pair(groups, row_feature, column_feature)
    _need(groups, [row_feature, column_feature, "n", "tp", "fp"])
    frame = groups.assign(
        _row=groups[row_feature].astype(str),
        _col=groups[column_feature].astype(str),
        _selected=groups["tp"] + groups["fp"],
    )
    cells = frame.groupby(["_row", "_col"], sort=True).agg(
        n=("n", "sum"), selected=("_selected", "sum")
    )
    # In the engine's order: bands and numbers by value, "(missing)" last (not as text).
    row_values = sorted(frame["_row"].unique(), key=value_order)
    col_values = sorted(frame["_col"].unique(), key=value_order)
    z = np.full((len(row_values), len(col_values)), np.nan)
    text = [["no rows"] * len(col_values) for _ in row_values]
    custom = [
        [[display_text(r), display_text(c), 0, "undefined (no rows)", ""] for c in col_values]
        for r in row_values
    ]
    min_size = policy.min_group_size
    for (r, c), cell in cells.iterrows():
        i, j = row_values.index(r), col_values.index(c)
        n = int(cell["n"])
        rate = cell["selected"] / n if n else np.nan
        note = ""
        if n < min_size:
            note = f"<br><i>Insufficient data: n < {min_size}, not counted in the verdict</i>"
            text[i][j] = f"{_pct(rate)}<br>n = {n:,} (too few)"
        else:
            z[i, j] = rate
            text[i][j] = f"{_pct(rate)}<br>n = {n:,}"
        custom[i][j] = [display_text(r), display_text(c), n, _pct(rate), note]
    row_title, col_title = display_text(row_feature), display_text(column_feature)
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=list(range(len(col_values))),
            y=list(range(len(row_values))),
            text=text,
            texttemplate="%{text}",
            textfont={"size": 13},
            customdata=custom,
            hovertemplate=(
                f"{row_title} = %{{customdata[0]}}<br>{col_title} = %{{customdata[1]}}"
                "<br>Selection rate: %{customdata[3]}<br>n = %{customdata[2]:,}"
                "%{customdata[4]}<extra></extra>"
            ),
            hoverongaps=True,
            colorscale=palette.SEQUENTIAL,
            # From 0, so that lightness is proportional to the rate (a band from the lowest to
            # the highest rate would paint a 36 % cell as if it were 0 %).
            zmin=0,
            zmax=float(np.nanmax(z)) if np.isfinite(z).any() else 1.0,
            colorbar={"title": {"text": "Selection<br>rate (%)"}, "tickformat": ".0%"},
            xgap=3,
            ygap=3,
        )
    )
    few = bool((cells["n"] < min_size).any())
    _base_layout(
        fig,
        title=title or f"Selection rate by {row_title} × {col_title}",
        subtitle=(
            f"Grey cells: fewer than {min_size} rows; not coloured, not counted in the verdict."
            if few
            else ""
        ),
        x_title=col_title,
        y_title=row_title,
    )
    fig.update_layout(
        plot_bgcolor=palette.MISSING_CELL,
        height=max(360, 160 + 75 * len(row_values)),
        margin={"t": 95 if few else 70},  # no legend above the plot
    )
    fig.update_xaxes(
        tickmode="array",
        tickvals=list(range(len(col_values))),
        ticktext=[display_text(v, TICK_LABEL_LIMIT) for v in col_values],
        showgrid=False,
        side="bottom",
    )
    fig.update_yaxes(
        tickmode="array",
        tickvals=list(range(len(row_values))),
        ticktext=[display_text(v, TICK_LABEL_LIMIT) for v in row_values],
        autorange="reversed",
        showgrid=False,
    )
    return fig
