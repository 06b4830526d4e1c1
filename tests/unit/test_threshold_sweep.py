"""The threshold sweep: from the score histograms, against direct counting, Fairlearn and the
assessment of the same file at each threshold; its JSON, its chart and its place in the PDF."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import demographic_parity_difference, equalized_odds_difference

from governance.charts import palette
from governance.charts.sweep import threshold_sweep_chart
from governance.fairness.engine import assess_file
from governance.fairness.policy import Policy, Verdict
from governance.fairness.scores import BINS, RESOLUTION, ScoreHistogram
from governance.fairness.spec import AssessmentSpec
from governance.fairness.sweep import (
    THRESHOLDS,
    PassingRange,
    passing_ranges,
    sweep_counts,
    sweep_statement,
)
from governance.reports import fairness_pdf
from governance.reports.figures import image_export_unavailable
from tests.unit.test_fairness_pdf import Pdf

POLICY = Policy(bootstrap_replicates=0)
CHECKED = (0.0, 0.2, 0.37, 0.5, 0.63, 0.81, 1.0)


def scored(n: int, decimals: int | None, seed: int = 11) -> pd.DataFrame:
    """Three large groups whose scores differ a little by group."""
    rng = np.random.default_rng(seed)
    race = rng.choice(["A", "B", "C"], n, p=[0.5, 0.3, 0.2])
    y = rng.random(n) < np.where(race == "C", 0.3, 0.45)
    s = np.clip(rng.normal(0.35 + 0.3 * y - 0.06 * (race == "C"), 0.18), 0, 1)
    if decimals is not None:
        s = np.round(s, decimals)
    return pd.DataFrame({"label": y.astype(int), "score": s, "race": race})


def tricky(n: int = 6000, seed: int = 12) -> pd.DataFrame:
    """As :func:`scored`, plus a group of 20 rows and one of 200 rows with only 8 positives."""
    df = scored(n, 3, seed)
    rng = np.random.default_rng(seed + 1)
    small = pd.DataFrame(
        {"label": rng.integers(0, 2, 20), "score": rng.random(20).round(3), "race": "D"}
    )
    rare_y = np.zeros(200, dtype=int)
    rare_y[:8] = 1
    rare = pd.DataFrame(
        {"label": rare_y, "score": (0.2 + 0.5 * rng.random(200)).round(3), "race": "E"}
    )
    return pd.concat([df, small, rare], ignore_index=True)


def histogram(df: pd.DataFrame, groups: list[str]) -> ScoreHistogram:
    """The engine's binning, by numpy: floor(score × 1000 + 1e-6)."""
    hist = ScoreHistogram.empty(len(groups))
    bins = np.floor(df.score.to_numpy() * RESOLUTION + 1e-6).astype(int)
    rows = df.race.map({g: i for i, g in enumerate(groups)}).to_numpy()
    y = df.label.to_numpy() == 1
    np.add.at(hist.pos, (rows[y], bins[y]), 1)
    np.add.at(hist.neg, (rows[~y], bins[~y]), 1)
    return hist


@pytest.mark.parametrize("decimals", [3, 2, None])
def test_sweep_counts_equal_direct_counting_at_every_threshold(decimals):
    df = scored(5000, decimals)
    groups = ["A", "B", "C"]
    counts = sweep_counts(histogram(df, groups))
    assert counts.tp.shape == (101, 3) and BINS == 1001
    for j, t in enumerate(THRESHOLDS):
        assert t == float(f"{j / 100:.2f}")  # exactly the decimal threshold
        for i, g in enumerate(groups):
            part = df[df.race == g]
            pred = part.score >= t
            truth = part.label == 1
            assert counts.tp[j, i] == (pred & truth).sum()
            assert counts.fp[j, i] == (pred & ~truth).sum()
            assert counts.fn[j, i] == (~pred & truth).sum()
            assert counts.tn[j, i] == (~pred & ~truth).sum()


def _assess(path: Path, threshold: float, **kw) -> object:
    spec = AssessmentSpec(
        y_true="label", score="score", threshold=threshold, sensitive=("race",), **kw
    )
    return assess_file(path, spec, POLICY).results[0]


def _check_against_assessment(path: Path, **kw) -> None:
    """At each checked threshold the sweep's numbers equal an assessment at that threshold."""
    sweep = _assess(path, 0.5, **kw).sweep
    assert sweep is not None
    for t in CHECKED:
        at = _assess(path, t, **kw)
        j = sweep.at(t)
        for i, g in enumerate(at.groups):
            assert sweep.groups[i] == g.group
            for rate, values in (("selection_rate", sweep.selection_rate), ("tpr", sweep.tpr),
                                 ("fpr", sweep.fpr)):  # fmt: skip
                mine = float(values[j, i])
                theirs = g.rates[rate]
                assert (theirs is None and np.isnan(mine)) or mine == theirs, (t, g.label, rate)
        for name in ("demographic_parity_difference", "equalized_odds_difference"):
            mine = float(getattr(sweep, name)[j])
            theirs = at.summaries[name]
            assert (theirs is None and np.isnan(mine)) or mine == theirs, (t, name)
        ratios = [
            g.disparate_impact
            for g in at.groups
            if g.sufficient and not g.is_reference and g.disparate_impact is not None
        ]
        min_di = float(sweep.min_disparate_impact_ratio[j])
        assert (not ratios and np.isnan(min_di)) or min_di == min(ratios), t
        assert bool(sweep.passes[j]) == (at.verdict is not Verdict.FAIL), t
        cells = np.array([[g.cells[c] for c in ("tp", "fp", "fn", "tn")] for g in at.groups])
        accuracy = (cells[:, 0].sum() + cells[:, 3].sum()) / cells.sum()
        assert float(sweep.accuracy[j]) == accuracy, t


@pytest.mark.parametrize("decimals", [3, None])
def test_sweep_equals_the_assessment_at_each_threshold_and_fairlearn(tmp_path, decimals):
    df = scored(8000, decimals)
    path = tmp_path / "scored.parquet"
    df.to_parquet(path)
    _check_against_assessment(path)
    # Independently of our code: Fairlearn on the rows thresholded by pandas.
    sweep = _assess(path, 0.5).sweep
    for t in CHECKED[1:-1]:
        pred = (df.score >= t).astype(int)
        j = sweep.at(t)
        dpd = demographic_parity_difference(df.label, pred, sensitive_features=df.race)
        eod = equalized_odds_difference(df.label, pred, sensitive_features=df.race)
        assert float(sweep.demographic_parity_difference[j]) == pytest.approx(dpd, abs=1e-12)
        assert float(sweep.equalized_odds_difference[j]) == pytest.approx(eod, abs=1e-12)


def test_sweep_keeps_the_assessments_scope_small_groups_rare_positives_and_reference(tmp_path):
    df = tricky()
    path = tmp_path / "tricky.csv"
    df.to_csv(path, index=False)
    result = _assess(path, 0.5)
    e = next(g for g in result.groups if g.group == {"race": "E"})
    assert e.excluded_rates["tpr"] == "only 8 actual positives (< 30)"
    sweep = result.sweep
    assert sweep.eligible == (True, True, True, False, True)
    assert sweep.excluded == {"tpr": (False, False, False, False, True)}
    _check_against_assessment(path)
    _check_against_assessment(path, reference={"race": "C"})


def test_sweep_json_is_compact_safe_and_only_there_with_a_score(tmp_path):
    df = scored(3000, 3)
    df["prediction"] = (df.score >= 0.45).astype(int)
    path = tmp_path / "s.parquet"
    df.to_parquet(path)
    spec = AssessmentSpec(y_true="label", score="score", threshold=0.5, sensitive=("race",))
    payload = assess_file(path, spec, POLICY).to_json()
    text = json.dumps(payload, allow_nan=False, ensure_ascii=False)  # no NaN anywhere
    sweep = payload["results"][0]["threshold_sweep"]
    assert len(sweep["thresholds"]) == 101 and sweep["thresholds"][50] == 0.5
    assert [g["group"] for g in sweep["groups"]] == [{"race": r} for r in "ABC"]
    assert all(len(g[k]) == 101 for g in sweep["groups"] for k in ("selection_rate", "tpr", "fpr"))
    assert sweep["groups"][0]["selection_rate"][0] == 1.0  # threshold 0 selects everyone
    assert sweep["chosen_threshold"] == 0.5
    assert sweep["statement"] in text
    no_score = AssessmentSpec(y_true="label", y_pred="prediction", sensitive=("race",))
    assert "threshold_sweep" not in assess_file(path, no_score, POLICY).to_json()["results"][0]
    both = AssessmentSpec(y_true="label", y_pred="prediction", score="score", sensitive=("race",))
    with_prediction = assess_file(path, both, POLICY).results[0].sweep
    assert with_prediction.chosen_threshold is None
    expected = ((df.prediction == df.label).mean()).item()
    assert with_prediction.chosen_accuracy == pytest.approx(expected, abs=1e-15)
    assert "with the prediction column" in with_prediction.statement


def test_passing_ranges_take_the_most_accurate_threshold_of_each_run():
    thresholds = np.arange(8) / 100
    passes = np.array([True, True, False, False, True, True, True, False])
    accuracy = np.array([0.5, 0.6, 0.9, 0.9, 0.7, 0.8, 0.8, 0.95])
    ranges = passing_ranges(thresholds, passes, accuracy)
    assert ranges == [PassingRange(0.0, 0.01, 0.01, 0.6), PassingRange(0.04, 0.06, 0.05, 0.8)]
    assert passing_ranges(thresholds, np.zeros(8, dtype=bool), accuracy) == []
    last = passing_ranges(thresholds, np.array([False] * 7 + [True]), accuracy)
    assert last == [PassingRange(0.07, 0.07, 0.07, 0.95)]


def test_the_statement_in_words():
    ranges = [PassingRange(0.42, 0.47, 0.45, 0.8123), PassingRange(0.9, 0.9, 0.9, 0.5)]
    kw = {"judged": True, "min_group_size": 30}
    assert sweep_statement(ranges, chosen_threshold=0.5, chosen_accuracy=0.84, **kw) == (
        "Every limit of the policy is met at 0.42–0.47 and 0.90; best accuracy there 0.812 at "
        "0.45, vs 0.840 at the chosen 0.50."
    )
    assert sweep_statement([], chosen_threshold=0.505, chosen_accuracy=0.7, **kw) == (
        "No threshold from 0.00 to 1.00 meets every limit of the policy; accuracy 0.700 at the "
        "chosen 0.505."
    )
    assert sweep_statement(
        ranges, chosen_threshold=0.5, chosen_accuracy=0.8, judged=False, min_group_size=30
    ) == ("Not judged at any threshold: fewer than two groups have at least 30 rows.")


@pytest.fixture(scope="module")
def hostile_sweep(tmp_path_factory):
    df = tricky()
    df["race"] = df.race.replace({"A": "<b>A</b>"})
    path = tmp_path_factory.mktemp("sweep") / "hostile.csv"
    df.to_csv(path, index=False)
    spec = AssessmentSpec(y_true="label", score="score", threshold=0.5, sensitive=("race",))
    return assess_file(path, spec, POLICY)


def test_sweep_chart_draws_the_sweeps_numbers(hostile_sweep):
    grouping = hostile_sweep.results[0]
    data = hostile_sweep.to_json()["results"][0]["threshold_sweep"]
    fig = threshold_sweep_chart(data, hostile_sweep.policy)
    groups = data["groups"]
    # Per group: selection rate (row 1), TPR and FPR (row 2), in the order of the sweep.
    for i, g in enumerate(groups):
        sr, tpr, fpr = fig.data[3 * i : 3 * i + 3]
        assert list(sr.y) == g["selection_rate"] and sr.yaxis == "y"
        assert list(tpr.y) == g["tpr"] and list(fpr.y) == g["fpr"] and tpr.yaxis == "y2"
        assert fpr.line.dash == "dot" and sr.showlegend and not tpr.showlegend
    assert "&lt;b&gt;A&lt;/b&gt;" in fig.data[0].name
    assert all("<b>A" not in (t.hovertemplate or "") for t in fig.data)
    assert fig.data[0].customdata[0][0] == "race=&lt;b&gt;A&lt;/b&gt;"
    small = fig.data[3 * 3]  # "D": 20 rows, not judged
    assert small.line.color == palette.INSUFFICIENT and "(n < 30)" in small.name
    assert fig.data[3 * 4 + 1].opacity == 0.5  # E's TPR is left out: drawn faint
    summaries = [t for t in fig.data if t.yaxis == "y3" and t.name.endswith("difference")]
    assert list(summaries[0].y) == data["demographic_parity_difference"]
    shaded = [s for s in fig.layout.shapes if s.type == "rect"]
    assert len(shaded) == 3 * len(data["passing_ranges"]) > 0  # one per panel
    chosen = [s for s in fig.layout.shapes if s.type == "line"]
    assert len(chosen) == 3 and all(s.x0 == 0.5 for s in chosen)
    assert fig.layout.xaxis3.title.text.startswith("Threshold")
    # The object gives the same figure as its JSON.
    same = threshold_sweep_chart(grouping.sweep, hostile_sweep.policy)
    assert same.to_json() == fig.to_json()


def _pdf(result, **kw) -> bytes:
    return fairness_pdf.assessment_pdf(
        result,
        file_name="hostile.csv",
        file_sha256=None,
        generated_by="alice",
        generated_at=datetime(2025, 1, 2, tzinfo=UTC),
        **{"include_charts": False, **kw},
    )


def test_pdf_says_where_the_policy_is_met(hostile_sweep):
    text = Pdf(_pdf(hostile_sweep)).text()
    statement = hostile_sweep.results[0].sweep.statement
    assert "Threshold sweep" in text
    assert statement[:60] in text.replace("\n", " ")


def test_sweep_chart_renders_for_the_pdf(hostile_sweep):
    reason = image_export_unavailable()
    if reason:
        pytest.skip(reason)
    sweep = json.dumps(hostile_sweep.to_json()["results"][0]["threshold_sweep"], sort_keys=True)
    png = fairness_pdf._sweep_png(sweep, json.dumps(hostile_sweep.policy.to_dict()))
    assert isinstance(png, bytes) and png.startswith(b"\x89PNG")
