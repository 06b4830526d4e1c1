"""Score-based metrics by group (AUC, ROC, calibration) against scikit-learn."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.calibration import calibration_curve
from sklearn.metrics import roc_auc_score

from governance.charts.scores import calibration_chart, roc_chart
from governance.errors import ValidationError
from governance.fairness.engine import assess_file
from governance.fairness.frames import groups_frame
from governance.fairness.spec import AssessmentSpec


def scored(n: int, decimals: int | None, seed: int = 4) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    race = rng.choice(["A", "B", "C"], n)
    y = rng.random(n) < 0.4
    s = np.clip(rng.normal(0.35 + 0.3 * y - 0.08 * (race == "C"), 0.2), 0, 1)
    if decimals is not None:
        s = np.round(s, decimals)
    return pd.DataFrame({"label": y.astype(int), "score": s, "race": race})


@pytest.mark.parametrize(("decimals", "tolerance"), [(3, 1e-12), (2, 1e-12), (None, 1e-4)])
def test_auc_by_group_matches_scikit_learn(tmp_path, decimals, tolerance):
    df = scored(30_000, decimals)
    path = tmp_path / "scored.parquet"
    df.to_parquet(path)
    result = assess_file(
        path, AssessmentSpec(y_true="label", score="score", threshold=0.5, sensitive=("race",))
    )
    grouping = result.results[0]
    for g in grouping.groups:
        part = df[df.race == g.group["race"]]
        assert g.rates["auc"] == pytest.approx(roc_auc_score(part.label, part.score), abs=tolerance)
        lo, hi = g.ci["auc"]
        assert lo < g.rates["auc"] < hi
        # The ROC ends at (1, 1) and the selection at the threshold matches the counts.
        roc = g.curves["roc"]
        assert roc["fpr"][-1] == 1.0 and roc["tpr"][-1] == 1.0
    aucs = [g.rates["auc"] for g in grouping.groups]
    assert grouping.summaries["auc_difference"] == pytest.approx(max(aucs) - min(aucs))


def test_calibration_bins_match_scikit_learn(tmp_path):
    df = scored(20_000, 3)
    path = tmp_path / "scored.csv"
    df.to_csv(path, index=False)
    result = assess_file(
        path, AssessmentSpec(y_true="label", score="score", threshold=0.5, sensitive=("race",))
    )
    g = result.results[0].groups[0]
    part = df[df.race == g.group["race"]]
    # Bins are [0, 0.1), [0.1, 0.2), …, [0.9, 1.0] (a score on an edge goes up, as with a
    # threshold). scikit-learn's calibration_curve puts edge values in the lower bin, so the
    # reference here is pandas with right-open intervals; with continuous scores (no value on
    # an edge) the two conventions agree and scikit-learn is checked too.
    edges = np.round(np.linspace(0, 1, 11), 10)  # exactly 0.1, 0.2, … as floats
    bins = pd.cut(part.score.clip(upper=0.999999), edges, right=False)  # 1.0 in the last bin
    expected = part.groupby(bins, observed=True).agg(rate=("label", "mean"), mean=("score", "mean"))
    assert g.curves["calibration"]["observed_rate"] == pytest.approx(list(expected.rate), abs=1e-12)
    assert g.curves["calibration"]["mean_score"] == pytest.approx(list(expected["mean"]), abs=1e-12)
    frame = groups_frame(result.results[0])
    assert {"auc", "auc_ci_low", "calibration_error"} <= set(frame.columns)


def test_calibration_matches_scikit_learn_for_continuous_scores(tmp_path):
    df = scored(20_000, None, seed=9)
    path = tmp_path / "continuous.parquet"
    df.to_parquet(path)
    result = assess_file(
        path, AssessmentSpec(y_true="label", score="score", threshold=0.5, sensitive=("race",))
    )
    g = result.results[0].groups[0]
    part = df[df.race == g.group["race"]]
    observed, predicted = calibration_curve(part.label, part.score, n_bins=10, strategy="uniform")
    assert g.curves["calibration"]["observed_rate"] == pytest.approx(list(observed), abs=1e-9)
    assert g.curves["calibration"]["mean_score"] == pytest.approx(list(predicted), abs=1e-9)


def test_prediction_with_score_column_still_gets_auc(tmp_path):
    df = scored(2_000, 3)
    df["prediction"] = (df.score >= 0.6).astype(int)
    path = tmp_path / "both.csv"
    df.to_csv(path, index=False)
    result = assess_file(
        path,
        AssessmentSpec(y_true="label", y_pred="prediction", score="score", sensitive=("race",)),
    )
    assert all(g.rates["auc"] is not None for g in result.results[0].groups)


def test_score_outside_unit_interval_is_refused_even_with_a_prediction_column(tmp_path):
    df = scored(500, 3)
    df["prediction"] = 1
    df.loc[7, "score"] = 1.7
    path = tmp_path / "bad.csv"
    df.to_csv(path, index=False)
    spec = AssessmentSpec(y_true="label", y_pred="prediction", score="score", sensitive=("race",))
    with pytest.raises(ValidationError, match="outside \\[0, 1\\]"):
        assess_file(path, spec)


def test_roc_and_calibration_charts_carry_one_trace_per_group(tmp_path):
    df = scored(3_000, 3)
    path = tmp_path / "s.parquet"
    df.to_parquet(path)
    payload = assess_file(
        path, AssessmentSpec(y_true="label", score="score", threshold=0.5, sensitive=("race",))
    ).to_json()
    groups = payload["results"][0]["groups"]
    roc = roc_chart(groups)
    assert len(roc.data) == 1 + len(groups)  # chance line + one curve per group
    assert roc.data[1].x[-1] == 1.0 and "AUC" in roc.data[1].name
    cal = calibration_chart(groups)
    assert list(cal.data[1].y) == groups[0]["curves"]["calibration"]["observed_rate"]
