"""Fairness frames and charts: the figures hold the frame's numbers, thresholds and safe text."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from governance.charts import palette
from governance.charts.fairness import (
    confusion_matrix_chart,
    disparate_impact_chart,
    display_text,
    error_rates_chart,
    intersection_heatmap,
    selection_rate_chart,
)
from governance.fairness.engine import assess_arrays
from governance.fairness.frames import RATES, groups_frame, summary_frame
from governance.fairness.metrics import SUMMARY_METRICS
from governance.fairness.policy import Policy

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
