"""Fairness frames and charts: the figures hold the frame's numbers, thresholds and safe text."""

from __future__ import annotations

import dataclasses
import html
import math
import re
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from governance.charts import palette
from governance.charts.catalog import CHART_TITLES, grouping_charts
from governance.charts.fairness import (
    confusion_matrix_chart,
    disparate_impact_chart,
    display_text,
    error_rates_chart,
    intersection_heatmap,
    selection_rate_chart,
    wrap_label,
)
from governance.charts.scores import BIN_MARKER_MAX, calibration_chart, roc_chart
from governance.charts.trend import disparate_impact_trend
from governance.fairness.engine import assess_arrays, assess_file
from governance.fairness.frames import RATES, groups_frame, summary_frame
from governance.fairness.metrics import SUMMARY_METRICS
from governance.fairness.policy import Policy
from governance.fairness.spec import AssessmentSpec

POLICY = Policy(bootstrap_replicates=200)
HOSTILE = '<b>D</b> & <a href="https://evil.example">x</a>'


def _result(small_group: bool = False):
    rng = np.random.default_rng(1)
    n = 5000
    values = ["A", "B", "C", HOSTILE] if small_group else ["A", "B", "C"]
    p = [0.6, 0.3, 0.096, 0.004] if small_group else [0.6, 0.3, 0.1]
    race = rng.choice(values, n, p=p)
    sex = rng.choice(["F", "M"], n)
    y = (rng.random(n) < 0.4).astype(int)
    pred = (rng.random(n) < np.where(race == "A", 0.5, 0.35)).astype(int)
    return assess_arrays(
        y_true=y, y_pred=pred, sensitive={"race": race, "sex": sex}, intersect=True, policy=POLICY
    )


@pytest.fixture(scope="module")
def result():
    return _result()


@pytest.fixture(scope="module")
def small():
    """The same shape with a fourth race of about 20 rows (below the minimum of 30)."""
    return _result(small_group=True)


@pytest.fixture(scope="module")
def race(result) -> pd.DataFrame:
    return groups_frame(result.results[0])


@pytest.fixture(scope="module")
def crossed(result) -> pd.DataFrame:
    return groups_frame(result.results[2])


@pytest.fixture(scope="module")
def small_race(small) -> pd.DataFrame:
    frame = groups_frame(small.results[0])
    assert not frame["sufficient_data"].all()
    return frame


def _bars(fig: go.Figure) -> list[go.Bar]:
    return [t for t in fig.data if t.type == "bar"]


def _lines(fig: go.Figure) -> dict[str, go.Scatter]:
    return {t.name: t for t in fig.data if t.type == "scatter"}


def _same(a, b) -> bool:
    return np.allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float), equal_nan=True)


# --- frames ------------------------------------------------------------------------------------


def test_groups_frame_has_one_row_per_group_with_every_rate_and_interval(result, race):
    grouping = result.results[0]
    assert list(race["group"]) == [g.label for g in grouping.groups]
    assert list(race["race"]) == ["A", "B", "C"]
    for rate in RATES:
        for i, g in enumerate(grouping.groups):
            assert race.loc[i, rate] == pytest.approx(g.rates[rate], nan_ok=True)
            assert race.loc[i, f"{rate}_ci_low"] == pytest.approx(g.ci[rate][0], nan_ok=True)
            assert race.loc[i, f"{rate}_ci_high"] == pytest.approx(g.ci[rate][1], nan_ok=True)
    assert list(race["n"]) == [g.n for g in grouping.groups]
    assert list(race["tp"] + race["fp"] + race["fn"] + race["tn"]) == list(race["n"])
    assert race["is_reference"].sum() == 1
    assert race.loc[race["is_reference"], "group"].item() == race.attrs["reference_group"]
    assert math.isnan(race.loc[race["is_reference"], "p_value"].item())
    assert race.attrs["features"] == ["race"] and race.attrs["grouping"] == "race"
    for column in ("disparate_impact_ci_low", "selection_rate_difference", "sufficient_data"):
        assert column in race.columns


def test_groups_frame_keeps_a_feature_named_like_a_column_apart():
    rng = np.random.default_rng(0)
    r = assess_arrays(
        y_true=rng.integers(0, 2, 200),
        y_pred=rng.integers(0, 2, 200),
        sensitive={"n": rng.choice(["x", "y"], 200)},
        policy=POLICY,
    )
    frame = groups_frame(r.results[0])
    assert frame.attrs["feature_columns"] == ["n (value)"]
    assert set(frame["n (value)"]) == {"x", "y"}
    assert frame["n"].dtype.kind == "i"


def test_summary_frame_has_one_row_per_grouping_with_intervals_and_verdict(result):
    frame = summary_frame(result)
    assert list(frame["grouping"]) == ["race", "sex", "race × sex"]
    assert list(frame["verdict"]) == [r.verdict.value for r in result.results]
    for name in SUMMARY_METRICS:
        assert _same(frame[name], [r.summaries[name] for r in result.results])
        assert (frame[f"{name}_ci_low"] <= frame[f"{name}_ci_high"]).all()


# --- selection rate ----------------------------------------------------------------------------


def test_selection_rate_chart_bars_reference_line_and_band(race):
    fig = selection_rate_chart(race, policy=POLICY)
    assert len(fig.data) == 3  # bars, 0.8 × reference line, reference line
    (bars,) = _bars(fig)
    assert _same(bars.y, race["selection_rate"])
    assert list(bars.x) == [0, 1, 2]
    ref = race.loc[race["is_reference"], "selection_rate"].item()
    lines = list(_lines(fig).values())
    threshold, reference = lines
    assert list(reference.y) == [ref, ref]
    assert threshold.y == pytest.approx([0.8 * ref, 0.8 * ref])
    assert list(reference.x) == [-0.5, 2.5]  # across every group
    (band,) = fig.layout.shapes
    assert (band.y0, band.y1) == pytest.approx((0.8 * ref, ref))
    assert band.fillcolor == palette.BAND


def test_selection_rate_error_bars_are_the_interval(race):
    (bars,) = _bars(selection_rate_chart(race, policy=POLICY))
    assert _same(bars.error_y.array, race["selection_rate_ci_high"] - race["selection_rate"])
    assert _same(bars.error_y.arrayminus, race["selection_rate"] - race["selection_rate_ci_low"])
    assert (np.asarray(bars.error_y.array) >= 0).all()


def test_selection_rate_hover_carries_n_through_customdata(race):
    (bars,) = _bars(selection_rate_chart(race, policy=POLICY))
    assert [row[1] for row in bars.customdata] == list(race["n"])
    assert "%{customdata[1]" in bars.hovertemplate and "n = " in bars.hovertemplate


def test_selection_rate_axes_titles_and_percent_format(race):
    fig = selection_rate_chart(race, policy=POLICY)
    assert fig.layout.title.text == "Selection rate by race"
    assert "%" in fig.layout.yaxis.title.text
    assert fig.layout.yaxis.tickformat == ".0%"
    assert fig.layout.xaxis.title.text
    assert all("n = " in t for t in fig.layout.xaxis.ticktext)


def test_insufficient_groups_are_a_separate_hatched_grey_trace(small_race):
    fig = selection_rate_chart(small_race, policy=POLICY)
    assert len(fig.data) == 4
    enough, few = _bars(fig)
    positions = list(small_race.index[~small_race["sufficient_data"]])
    assert list(few.x) == positions
    assert few.marker.color == palette.INSUFFICIENT and few.marker.pattern.shape == "/"
    assert "n < 30" in few.name
    assert all("n < 30" in row[2] for row in few.customdata)
    assert not any(row[2].startswith("<br><i>Insufficient") for row in enough.customdata)
    assert "30 rows" in fig.layout.title.subtitle.text
    # Together the two bar traces hold every group's rate at its own position.
    ys = dict(zip([*enough.x, *few.x], [*enough.y, *few.y], strict=True))
    assert _same([ys[i] for i in range(len(small_race))], small_race["selection_rate"])


# --- error rates -------------------------------------------------------------------------------


def test_error_rates_chart_tpr_and_fpr_with_interval_error_bars(race):
    fig = error_rates_chart(race, policy=POLICY)
    assert len(fig.data) == 2
    tpr, fpr = fig.data
    assert (tpr.name, fpr.name) == ("True positive rate", "False positive rate")
    for trace, rate in ((tpr, "tpr"), (fpr, "fpr")):
        assert _same(trace.y, race[rate])
        assert _same(trace.error_y.array, race[f"{rate}_ci_high"] - race[rate])
        assert _same(trace.error_y.arrayminus, race[rate] - race[f"{rate}_ci_low"])
        assert [row[1] for row in trace.customdata] == list(race["n"])
    assert tpr.marker.color != fpr.marker.color
    assert {tpr.marker.color, fpr.marker.color} <= set(palette.OKABE_ITO)
    assert fig.layout.yaxis.tickformat == ".0%" and "%" in fig.layout.yaxis.title.text


def test_error_rates_insufficient_bars_share_their_rate_slot(small_race):
    fig = error_rates_chart(small_race, policy=POLICY)
    assert len(fig.data) == 4
    assert [t.offsetgroup for t in fig.data] == ["tpr", "fpr", "tpr", "fpr"]
    assert fig.data[2].marker.pattern.shape == "/" and fig.data[0].marker.pattern.shape is None


# --- disparate impact --------------------------------------------------------------------------


def test_disparate_impact_chart_threshold_lines_at_0_8_and_1_25(race):
    fig = disparate_impact_chart(race, policy=POLICY)
    lines = list(_lines(fig).values())
    assert [line.y for line in lines] == [(0.8, 0.8), (1.25, 1.25)]
    (band,) = fig.layout.shapes
    assert (band.y0, band.y1) == (0.8, 1.25)


def test_disparate_impact_bars_hold_every_ratio_and_interval(race):
    fig = disparate_impact_chart(race, policy=POLICY)
    bars = _bars(fig)
    # race=A is the reference (1.0, within); B and C are below 0.8.
    assert [b.name for b in bars] == ["Within 0.8–1.25", "Outside 0.8–1.25"]
    assert bars[1].marker.color == palette.ATTENTION
    got = {}
    for b in bars:
        parts = (b.x, b.y, b.error_y.array, b.error_y.arrayminus)
        got.update({x: rest for x, *rest in zip(*parts, strict=True)})
    for i, row in race.iterrows():
        y, up, down = got[i]
        assert y == pytest.approx(row["disparate_impact"])
        assert up == pytest.approx(row["disparate_impact_ci_high"] - row["disparate_impact"])
        assert down == pytest.approx(row["disparate_impact"] - row["disparate_impact_ci_low"])
    assert "fails the policy" in bars[1].customdata[0][4]


def test_disparate_impact_lines_follow_the_policy(race):
    fig = disparate_impact_chart(race, policy=Policy(min_disparate_impact_ratio=0.75))
    assert [line.y[0] for line in _lines(fig).values()] == pytest.approx([0.75, 1 / 0.75])


# --- confusion matrices ------------------------------------------------------------------------


def test_confusion_matrix_chart_one_heatmap_per_group_of_shares(crossed):
    fig = confusion_matrix_chart(crossed, policy=POLICY)
    assert len(fig.data) == len(crossed) == 6
    for trace, (_, row) in zip(fig.data, crossed.iterrows(), strict=True):
        n = row["n"]
        assert trace.type == "heatmap"
        assert _same(trace.z, [[row["tp"] / n, row["fn"] / n], [row["fp"] / n, row["tn"] / n]])
        assert list(trace.customdata[0][0][:2]) == [row["tp"], n]
        assert trace.coloraxis == "coloraxis"
    assert fig.layout.coloraxis.colorbar.tickformat == ".0%"
    assert len(fig.layout.annotations) == 6  # one title per small multiple


def test_confusion_matrix_greys_insufficient_groups(small):
    frame = groups_frame(small.results[0])
    fig = confusion_matrix_chart(frame, policy=POLICY)
    for trace, ok in zip(fig.data, frame["sufficient_data"], strict=True):
        assert (trace.coloraxis == "coloraxis") is bool(ok)
        if not ok:
            assert trace.colorscale[0][1] == palette.MISSING_CELL


# --- intersection heatmap ----------------------------------------------------------------------


def test_intersection_heatmap_is_selection_rate_by_feature_pair(crossed):
    fig = intersection_heatmap(crossed, policy=POLICY)
    (heat,) = fig.data
    rows, cols = sorted(crossed["race"].unique()), sorted(crossed["sex"].unique())
    assert list(fig.layout.yaxis.ticktext) == rows and list(fig.layout.xaxis.ticktext) == cols
    for _, g in crossed.iterrows():
        i, j = rows.index(g["race"]), cols.index(g["sex"])
        assert heat.z[i][j] == pytest.approx(g["selection_rate"])
        assert heat.customdata[i][j][2] == g["n"]
    assert fig.layout.xaxis.title.text == "sex" and fig.layout.yaxis.title.text == "race"
    assert heat.zmin == 0


def test_intersection_heatmap_leaves_small_cells_grey_and_labelled(small):
    crossed = groups_frame(small.results[2])
    (heat,) = intersection_heatmap(crossed, policy=POLICY).data
    rows = sorted(crossed["race"].unique())
    i = rows.index(HOSTILE)
    assert all(math.isnan(v) for v in heat.z[i])
    assert all("too few" in t for t in heat.text[i])


def test_intersection_heatmap_needs_two_features(race):
    with pytest.raises(ValueError, match="two feature columns"):
        intersection_heatmap(race)


# --- user text ---------------------------------------------------------------------------------


def _every_text(fig: go.Figure) -> list[str]:
    layout = fig.layout
    texts = [layout.title.text or "", layout.title.subtitle.text or ""]
    texts += [a.text for a in layout.annotations]
    for axis in ("xaxis", "yaxis"):
        ax = getattr(layout, axis)
        texts += [ax.title.text or "", *(ax.ticktext or ())]
    for trace in fig.data:
        texts.append(trace.name or "")
        texts.append(trace.hovertemplate or "")
        if trace.customdata is not None:
            texts += [str(c) for c in np.asarray(trace.customdata, dtype=object).ravel()]
    return texts


@pytest.mark.parametrize(
    "build",
    [
        selection_rate_chart,
        error_rates_chart,
        disparate_impact_chart,
        confusion_matrix_chart,
    ],
)
def test_user_labels_are_escaped_and_never_in_hover_templates(small, build):
    frame = groups_frame(small.results[2])
    fig = build(frame, policy=POLICY)
    texts = _every_text(fig)
    assert not any("<b>D" in t or "<a " in t for t in texts)
    assert any("&lt;b&gt;D&lt;/b&gt;" in t for t in texts)
    for trace in fig.data:
        assert "D&lt;" not in (trace.hovertemplate or "")  # labels come via customdata only


def test_intersection_heatmap_escapes_values_and_feature_names():
    frame = pd.DataFrame(
        {
            "group": ["a", "b"],
            "<i>f</i>": ["<b>x</b>", "y"],
            "g": ["1", "1"],
            "n": [40, 40],
            "tp": [10, 5],
            "fp": [10, 5],
        }
    )
    fig = intersection_heatmap(frame, row_feature="<i>f</i>", column_feature="g")
    texts = _every_text(fig)
    assert not any("<b>x" in t or "<i>f" in t for t in texts)
    assert "&lt;b&gt;x&lt;/b&gt;" in fig.layout.yaxis.ticktext
    assert fig.data[0].z[0][0] == pytest.approx(0.5)


def test_display_text_drops_control_characters_and_shortens():
    assert display_text("a\x00b\nc") == "a b c"
    assert display_text("x" * 50, 10) == "x" * 9 + "…"
    assert display_text("<&>") == "&lt;&amp;&gt;"


def test_charts_refuse_a_frame_without_the_needed_columns(race):
    with pytest.raises(ValueError, match="lacks column"):
        selection_rate_chart(race.drop(columns=["selection_rate_ci_low"]))


# --- long labels -------------------------------------------------------------------------------

LONG_RACES = ["Native Hawaiian or Other Pacific Islander", "Black or African American", "White"]


@pytest.fixture(scope="module")
def long_crossed() -> pd.DataFrame:
    """race × sex with long race names: 6 groups of about 500 rows."""
    rng = np.random.default_rng(5)
    n = 3000
    race = rng.choice(LONG_RACES, n)
    sex = rng.choice(["Female", "Male"], n)
    r = assess_arrays(
        y_true=rng.integers(0, 2, n),
        y_pred=rng.integers(0, 2, n),
        sensitive={"race": race, "sex": sex},
        intersect=True,
        policy=POLICY,
    )
    return groups_frame(r.results[2])


def _lines_of(text: str) -> list[str]:
    """Plain lines of a plotly text: ``<br>`` splits, tags dropped, entities decoded."""
    return [html.unescape(re.sub(r"</?b>", "", line)) for line in text.split("<br>")]


def _whole_words(lines: list[str], label: str) -> bool:
    """Every word on the lines is a whole word of ``label`` (a last one may end in "…")."""
    words = set(label.replace(",", " ").split())
    for line in lines:
        tokens = line.replace("…", " ").replace(",", " ").split()
        cut = line.rstrip(",").endswith("…")
        for k, token in enumerate(tokens):
            shortened = cut and k == len(tokens) - 1
            if token not in words and not (shortened and any(w.startswith(token) for w in words)):
                return False
    return True


def test_intersection_tick_labels_break_between_words_only(long_crossed):
    ticks = selection_rate_chart(long_crossed, policy=POLICY).layout.xaxis.ticktext
    assert len(ticks) == len(long_crossed) == 6
    for tick, label in zip(ticks, long_crossed["group"], strict=True):
        lines = _lines_of(tick)[:-1]  # the last line is "n = …"
        assert len(lines) >= 2, tick  # each feature starts a line
        assert _whole_words(lines, label), (tick, label)
        # Both features stay visible, however long the first one is.
        sex = label.split("sex=")[1]
        assert lines[-1] == f"sex={sex}", tick
    white = [t for t in ticks if t.startswith("race=White")]
    assert white and all(t.startswith("race=White,<br>sex=") for t in white)


def test_wrap_label_never_splits_a_word():
    assert wrap_label("race=White, sex=Female", 9) == ["race=White,", "sex=Female"]
    # "sex=Female" is longer than 8: it gets a line of its own, unbroken.
    assert wrap_label("sex=Female", 8) == ["sex=Female"]
    long = "race=Native Hawaiian or Other Pacific Islander, sex=Female"
    lines = wrap_label(long, 12, max_lines=3)
    assert len(lines) <= 3 and lines[-1] == "sex=Female"
    assert lines[-2].endswith("…,") and _whole_words(lines, long)
    # A single word beyond any width is shortened with an ellipsis, not broken across lines.
    (only,) = wrap_label("code=" + "x" * 80, 10)
    assert only.endswith("…") and len(only) <= 26


def test_confusion_titles_are_shortened_wrapped_and_spaced(long_crossed):
    fig = confusion_matrix_chart(long_crossed, policy=POLICY)
    titles = [a.text for a in fig.layout.annotations]
    assert len(titles) == 6
    width = 80 // 4  # characters per column at four columns
    for title, label in zip(titles, long_crossed["group"], strict=True):
        *name, detail = _lines_of(title)
        assert len(name) <= 2 and detail.startswith("n = ")
        assert all(len(line) <= width + 2 for line in name), title
        assert _whole_words(name, label)
    assert any("…" in t for t in titles)  # the long names are shortened...
    assert len(set(titles)) == len(titles)  # ...but every group's title stays its own
    # The full, escaped name is in every cell's hover data.
    for trace, label in zip(fig.data, long_crossed["group"], strict=True):
        assert {c[3] for row in trace.customdata for c in row} == {display_text(label)}
    # Rows of matrices are far enough apart for the titles between them.
    lines = max(len(_lines_of(t)) for t in titles)
    plot_px = fig.layout.height - fig.layout.margin.t - fig.layout.margin.b
    upper, lower = fig.layout.yaxis.domain, fig.layout.yaxis5.domain
    assert (upper[0] - lower[1]) * plot_px >= 30 + 15 * lines
    assert fig.layout.margin.t >= 60 + 15 * lines  # the first row's titles, under the title


# --- ROC and calibration -----------------------------------------------------------------------


def _scored_groups(count: int) -> list[dict]:
    """Group results as JSON with curves, as ``GroupResult.to_json`` gives them."""
    out = []
    for i in range(count):
        n = [5 + 40 * k * (i + 1) for k in range(10)]
        out.append(
            {
                "group": {"code": f"g{i:02d}"},
                "n": sum(n),
                "auc": 0.7,
                "curves": {
                    "roc": {
                        "fpr": [0.0, 0.2, 1.0],
                        "tpr": [0.0, 0.6, 1.0],
                        "threshold": [1.0, 0.5, 0.0],
                    },
                    "calibration": {
                        "mean_score": [k / 10 + 0.05 for k in range(10)],
                        "observed_rate": [k / 10 for k in range(10)],
                        "n": n,
                    },
                },
            }
        )
    return out


@pytest.mark.parametrize("build", [roc_chart, calibration_chart])
def test_twelve_groups_get_twelve_distinct_styles(build):
    fig = build(_scored_groups(12))
    lines = [t for t in fig.data if t.hoverinfo != "skip"]
    assert len(lines) == 12
    styles = [(t.line.color, t.line.dash, t.marker.symbol) for t in lines]
    assert len(set(styles)) == 12
    assert "markers" in lines[0].mode
    # Colours come back after eight groups, but never with the same dash.
    assert styles[8][0] == styles[0][0] and styles[8][1] != styles[0][1]


def test_series_styles_cover_twenty_four_groups():
    styles = [palette.series_style(i) for i in range(24)]
    assert len({(s.colour, s.dash) for s in styles}) == 24
    assert {s.colour for s in styles} == set(palette.OKABE_ITO)


def test_calibration_shows_each_bins_count():
    groups = _scored_groups(2)
    fig = calibration_chart(groups)
    first, second = (t for t in fig.data if t.hoverinfo != "skip")
    n = groups[1]["curves"]["calibration"]["n"]
    assert [row[0] for row in second.customdata] == n
    assert "n = %{customdata[0]" in second.hovertemplate
    sizes = list(second.marker.size)
    assert sizes == sorted(sizes) and sizes[0] < sizes[-1]  # bigger bins, bigger markers
    assert sizes[-1] == pytest.approx(BIN_MARKER_MAX)  # the chart's largest bin
    assert max(first.marker.size) < BIN_MARKER_MAX  # sizes compare across groups
    assert "rows in the score bin" in fig.layout.title.subtitle.text


def test_score_charts_escape_group_names():
    groups = _scored_groups(1)
    groups[0]["group"] = {"code": "<b>x</b>"}
    for build in (roc_chart, calibration_chart):
        texts = _every_text(build(groups))
        assert not any("<b>x" in t for t in texts)
        assert any("&lt;b&gt;x" in t for t in texts)


# --- trend -------------------------------------------------------------------------------------


def _trend(times: list[datetime], grouping: str = "race") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "created_at": times,
            "grouping": grouping,
            "min_disparate_impact": np.linspace(0.7, 0.9, len(times)),
            "model_version": ["1.4.0"] * len(times),
            "verdict": ["fail"] * len(times),
        }
    )


@pytest.mark.parametrize(
    "times",
    [
        [datetime(2026, 12, 1, 14, 3, tzinfo=UTC)],
        [datetime(2026, 12, 1, 14, 3) + timedelta(minutes=m) for m in (0, 2, 9)],  # naive: UTC
    ],
    ids=["one point", "minutes apart"],
)
def test_trend_over_minutes_shows_whole_days(times):
    fig = disparate_impact_trend(_trend(times))
    axis = fig.layout.xaxis
    start, end = (pd.Timestamp(x) for x in axis.range)
    assert start <= pd.Timestamp(times[0]).tz_localize(None) - pd.Timedelta(hours=12)
    assert end >= pd.Timestamp(times[-1]).tz_localize(None) + pd.Timedelta(hours=12)
    assert end - start >= pd.Timedelta(days=2)
    assert axis.tickformat == "%Y-%m-%d" and axis.dtick == 24 * 3600 * 1000
    (trace,) = fig.data
    assert "markers" in trace.mode and trace.marker.size >= 6
    assert pd.Timestamp(trace.x[0]) == pd.Timestamp("2026-12-01 14:03")


def test_trend_over_weeks_keeps_plotlys_date_axis():
    times = [datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC)]
    fig = disparate_impact_trend(_trend(times))
    assert fig.layout.xaxis.range is None and fig.layout.xaxis.tickformat is None


def test_trend_escapes_grouping_and_version():
    frame = _trend([datetime(2026, 12, 1, tzinfo=UTC)], grouping="<i>race</i>")
    frame["model_version"] = ["<b>2</b>"]
    (trace,) = disparate_impact_trend(frame).data
    assert trace.name == "&lt;i&gt;race&lt;/i&gt;"
    assert trace.customdata[0][0] == "&lt;b&gt;2&lt;/b&gt;"


# --- the chart catalog -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def scored_grouping(tmp_path_factory):
    rng = np.random.default_rng(3)
    n = 3000
    race = rng.choice(["A", "B", "C"], n)
    y = rng.random(n) < 0.4
    score = np.clip(rng.normal(0.35 + 0.3 * y, 0.2), 0, 1).round(3)
    path = tmp_path_factory.mktemp("scored") / "scored.csv"
    pd.DataFrame({"label": y.astype(int), "score": score, "race": race}).to_csv(path, index=False)
    spec = AssessmentSpec(y_true="label", score="score", threshold=0.5, sensitive=("race",))
    return assess_file(path, spec, POLICY).results[0]


def test_catalog_lists_each_groupings_charts_in_display_order(result, scored_grouping):
    single, crossed = result.results[0], result.results[2]
    base = ["Selection rate", "Error rates", "Disparate impact", "Confusion matrices"]
    assert list(grouping_charts(single, POLICY)) == base
    assert list(grouping_charts(crossed, POLICY)) == [*base, "Intersections"]
    assert list(grouping_charts(scored_grouping, POLICY)) == [
        *base,
        "ROC",
        "Calibration",
        "Threshold sweep",
    ]
    assert set(grouping_charts(crossed, POLICY)) <= set(CHART_TITLES)


def test_catalog_builders_build_their_own_chart(result, scored_grouping):
    built = {k: b() for k, b in grouping_charts(result.results[2], POLICY).items()}
    assert built["Selection rate"].layout.title.text == "Selection rate by race × sex"
    assert built["Error rates"].data[0].name == "True positive rate"
    assert built["Disparate impact"].layout.title.text.startswith("Disparate impact ratio")
    assert len(built["Confusion matrices"].data) == len(result.results[2].groups)
    assert built["Intersections"].data[0].type == "heatmap"
    scored = grouping_charts(scored_grouping, POLICY)
    roc, calibration = scored["ROC"](), scored["Calibration"]()
    assert len(roc.data) == 1 + len(scored_grouping.groups)  # the diagonal, then each group
    assert roc.data[1].x == tuple(scored_grouping.groups[0].curves["roc"]["fpr"])
    assert [r[0] for r in calibration.data[1].customdata] == list(
        scored_grouping.groups[0].curves["calibration"]["n"]
    )
    sweep = scored["Threshold sweep"]()
    # Per group a selection-rate trace on the sweep's thresholds (0.00 … 1.00).
    assert sweep.data[0].x[0] == 0.0 and sweep.data[0].x[-1] == 1.0
    assert sweep.data[0].y == tuple(scored_grouping.sweep.selection_rate[:, 0])
    # The policy reaches the charts: its ratio is the disparate impact line.
    strict = grouping_charts(result.results[0], Policy(min_disparate_impact_ratio=0.9))
    lines = _lines(strict["Disparate impact"]())
    assert next(iter(lines.values())).y == (0.9, 0.9)


def test_catalog_builds_nothing_until_a_chart_is_asked_for(result):
    # No groups: every chart would refuse the (empty) frame, but only when built.
    empty = dataclasses.replace(result.results[0], groups=[])
    charts = grouping_charts(empty, POLICY)
    assert next(iter(charts)) == "Selection rate"
    with pytest.raises(ValueError, match="no rows"):
        charts["Selection rate"]()


def test_intersection_axes_follow_band_order_not_text_order():
    rng = np.random.default_rng(3)
    n = 2_000
    bands = rng.choice(["< 25", "25–45", "45–65", "≥ 65"], n)
    sex = rng.choice(["F", "M"], n)
    result = assess_arrays(
        y_true=rng.integers(0, 2, n),
        y_pred=rng.integers(0, 2, n),
        sensitive={"age": bands, "sex": sex},
        intersect=True,
    )
    crossed = result.results[2]
    fig = intersection_heatmap(groups_frame(crossed), policy=POLICY)
    labels = [html.unescape(str(v)) for v in fig.layout.yaxis.ticktext]
    assert labels == ["< 25", "25–45", "45–65", "≥ 65"]


def test_overlaid_bars_are_one_group_wide_when_kinds_alternate():
    # Groups A and C inside the tolerated band, B and D outside: each trace holds every other
    # group, and plotly would size its bars by that gap of two.
    rng = np.random.default_rng(8)
    n = 4_000
    group = rng.choice(["A", "B", "C", "D"], n)
    rate = np.select([group == "A", group == "B", group == "C"], [0.5, 0.2, 0.48], 0.15)
    result = assess_arrays(
        y_true=rng.integers(0, 2, n),
        y_pred=(rng.random(n) < rate).astype(int),
        sensitive={"g": group},
    )
    frame = groups_frame(result.results[0])
    bars = [t for t in disparate_impact_chart(frame, policy=POLICY).data if t.type == "bar"]
    assert [list(t.x) for t in bars] == [[0, 2], [1, 3]]  # within the band, then outside
    assert all(t.width == 0.8 for t in bars)
    rates = [t for t in selection_rate_chart(frame, policy=POLICY).data if t.type == "bar"]
    assert all(t.width == 0.8 for t in rates)


def test_confusion_titles_side_by_side_are_no_wider_than_their_column():
    import re as _re

    rng = np.random.default_rng(2)
    n = 4_000
    race = rng.choice(["Amer-Indian-Eskimo", "Asian-Pac-Islander", "White", "Black"], n)
    result = assess_arrays(
        y_true=rng.integers(0, 2, n),
        y_pred=rng.integers(0, 2, n),
        sensitive={"race": race, "sex": rng.choice(["Female", "Male"], n)},
        intersect=True,
    )
    fig = confusion_matrix_chart(groups_frame(result.results[2]), policy=POLICY)
    titles = [a.text for a in fig.layout.annotations if a.text and a.text.startswith("<b>")]
    assert len(titles) == 8
    for title in titles:
        name = _re.search(r"<b>(.*)</b>", title).group(1)
        assert max(len(html.unescape(line)) for line in name.split("<br>")) <= 20, title
