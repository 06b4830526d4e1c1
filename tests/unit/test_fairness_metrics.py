"""The counts core, the summaries, the bootstrap and the original design's API."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import confusion_matrix

from governance.errors import ValidationError
from governance.fairness import FairnessMetrics
from governance.fairness.analysis import definitions
from governance.fairness.engine import assess_arrays
from governance.fairness.metrics import (
    GROUP_METRICS,
    SUMMARY_METRICS,
    Counts,
    counts_from_arrays,
    group_rates,
    ratio,
    summaries,
)
from governance.fairness.policy import Policy, Verdict
from governance.fairness.uncertainty import bootstrap_counts, two_proportion_p_value


def test_original_design_example_has_the_true_rates():
    # The original sketch's test expected 2/3 and 1/3; A is selected 3 of 3, B 0 of 3.
    result = FairnessMetrics.demographic_parity([1, 1, 0, 0, 1, 0], ["A", "A", "B", "B", "A", "B"])
    assert result["selection_rates"] == {"A": 1.0, "B": 0.0}
    assert result["disparity"] == 1.0
    assert result["compliant"] is False


def test_original_equalized_odds_reports_undefined_rates_as_none():
    out = FairnessMetrics.equalized_odds([1, 1, 0, 0], [1, 0, 0, 1], ["A", "A", "B", "B"])
    assert out["A"] == {"tpr": 0.5, "fpr": None}  # A has no actual negatives
    assert out["B"] == {"tpr": None, "fpr": 0.5}


def test_original_disparate_impact_ratio_and_four_fifths_rule():
    out = FairnessMetrics.disparate_impact_ratio([1, 1, 1, 0, 1, 0, 0, 0], list("AAAABBBB"))
    assert out["A"] == {"selection_rate": 0.75, "ratio": 1.0, "compliant": True}
    assert out["B"]["ratio"] == pytest.approx(1 / 3)
    assert out["B"]["compliant"] is False
    nobody = FairnessMetrics.disparate_impact_ratio([0, 0], ["A", "B"])
    assert nobody["A"]["ratio"] is None and nobody["A"]["compliant"] is None


@pytest.mark.parametrize(
    ("predictions", "groups", "message"),
    [([1, 2], ["A", "B"], "only 0 and 1"), ([1], ["A", "B"], "has 1 values"), ([], [], "empty")],
)
def test_original_api_refuses_bad_input(predictions, groups, message):
    with pytest.raises(ValidationError, match=message):
        FairnessMetrics.demographic_parity(predictions, groups)


def test_zero_denominator_is_nan_never_zero():
    assert math.isnan(float(ratio(np.array(0.0), np.array(0.0))))
    rates = group_rates(Counts.of([0], [3], [0], [0]))  # no actual positives at all
    assert math.isnan(rates["tpr"][0]) and rates["fpr"][0] == 1.0


def test_counts_agree_with_sklearn_confusion_matrix():
    rng = np.random.default_rng(5)
    y, p = rng.random(500) < 0.4, rng.random(500) < 0.5
    codes = rng.integers(0, 3, 500)
    counts = counts_from_arrays(y, p, codes, 3)
    for g in range(3):
        tn, fp, fn, tp = confusion_matrix(
            y[codes == g], p[codes == g], labels=[False, True]
        ).ravel()
        assert (counts.tp[g], counts.fp[g], counts.fn[g], counts.tn[g]) == (tp, fp, fn, tn)


def test_registries_document_every_metric():
    docs = definitions()
    assert set(GROUP_METRICS) | set(SUMMARY_METRICS) <= set(docs)
    assert all(docs[name] for name in docs)


def test_bootstrap_keeps_the_total_and_is_reproducible():
    counts = Counts.of([40, 10], [20, 5], [10, 30], [30, 55])
    a = bootstrap_counts(counts, replicates=200, seed=3)
    b = bootstrap_counts(counts, replicates=200, seed=3)
    assert a.tp.shape == (200, 2)
    assert np.all(a.n.sum(axis=1) == counts.n.sum())
    assert np.array_equal(a.stack(), b.stack())


def test_interval_covers_the_estimate_and_narrows_with_more_data():
    def width(scale: int) -> float:
        n = 400 * scale
        y = np.tile([1, 0, 0, 1], n // 4)
        p = np.tile([1, 1, 0, 0], n // 4)
        res = assess_arrays(y_true=y, y_pred=p, sensitive={"g": np.repeat(["a", "b"], n // 2)})
        g = res.results[0].groups[0]
        lo, hi = g.ci["selection_rate"]
        assert lo <= g.rates["selection_rate"] <= hi
        return hi - lo

    assert width(16) < width(1) / 2


def test_p_value_matches_a_hand_computed_z_test():
    # 60/100 vs 40/100: pooled 0.5, se = sqrt(0.25 * 0.02) = 0.0707, z = 2.828
    p = two_proportion_p_value(60, 100, 40, 100)
    assert p == pytest.approx(math.erfc(2.8284271247 / math.sqrt(2)), rel=1e-9)
    assert p == pytest.approx(0.00468, abs=1e-4)


def test_small_groups_are_flagged_and_excluded_from_the_verdict():
    y = np.array([1, 0] * 100 + [1, 0] * 5)
    p = np.array([1, 0] * 100 + [0, 0] * 5)
    g = np.array(["big"] * 200 + ["tiny"] * 10)
    res = assess_arrays(y_true=y, y_pred=p, sensitive={"g": g}).results[0]
    tiny = next(x for x in res.groups if x.group == {"g": "tiny"})
    assert tiny.sufficient is False and tiny.n == 10
    assert res.verdict is Verdict.INSUFFICIENT_DATA
    assert any("tiny has n = 10 < 30" in f for f in res.findings)
    # With fewer than two groups of sufficient size the summaries fall back to all groups:
    # still shown (big 0.5, tiny 0.0), but the verdict cannot be pass or fail.
    assert res.summaries["demographic_parity_difference"] == 0.5


def test_named_reference_group_and_signed_difference():
    y = np.array([1, 0] * 100)
    p = np.array([1, 1, 1, 0] * 25 + [1, 0, 0, 0] * 25)
    g = np.array(["x"] * 100 + ["y"] * 100)
    res = assess_arrays(y_true=y, y_pred=p, sensitive={"g": g}, reference={"g": "y"}).results[0]
    assert res.reference_group == {"g": "y"}
    x = next(r for r in res.groups if r.group == {"g": "x"})
    assert x.disparate_impact == pytest.approx(0.75 / 0.25)
    assert x.selection_rate_difference == pytest.approx(0.5)


def test_missing_sensitive_values_become_an_explicit_group():
    res = assess_arrays(
        y_true=[1, 0, 1, 0], y_pred=[1, 0, 0, 1], sensitive={"g": ["a", None, "a", None]}
    ).results[0]
    assert {tuple(r.group.values()) for r in res.groups} == {("a",), ("(missing)",)}


rows = st.lists(
    st.tuples(st.booleans(), st.booleans(), st.sampled_from(["a", "b", "c"])),
    min_size=2,
    max_size=200,
)


@settings(max_examples=60, deadline=None)
@given(data=rows, seed=st.integers(0, 2**32 - 1))
def test_results_do_not_depend_on_row_order(data, seed):
    order = np.random.default_rng(seed).permutation(len(data))
    shuffled = [data[i] for i in order]

    def run(d):
        y, p, g = zip(*d, strict=True)
        policy = Policy(bootstrap_replicates=50)
        res = assess_arrays(y_true=np.array(y), y_pred=np.array(p), sensitive={"g": list(g)},
                            positive=True, policy=policy)  # fmt: skip
        return json.dumps(res.to_json(), sort_keys=True, default=str)

    assert run(data) == run(shuffled)


@settings(max_examples=60, deadline=None)
@given(data=rows)
def test_ratios_stay_in_unit_interval_and_summaries_are_consistent(data):
    y, p, g = (np.array(c) for c in zip(*data, strict=True))
    policy = Policy(bootstrap_replicates=0, min_group_size=1)
    res = assess_arrays(
        y_true=y, y_pred=p, sensitive={"g": g}, positive=True, policy=policy
    ).results[0]
    s = res.summaries
    if s["demographic_parity_ratio"] is not None:
        assert 0 <= s["demographic_parity_ratio"] <= 1
    for r in res.groups:
        if r.disparate_impact is not None:
            assert 0 <= r.disparate_impact <= 1 + 1e-12  # reference has the highest rate
    if s["equalized_odds_difference"] is not None and s["equal_opportunity_difference"] is not None:
        assert s["equalized_odds_difference"] >= s["equal_opportunity_difference"]
    assert sum(r.n for r in res.groups) == len(data)
    assert set(summaries(Counts.of([1], [0], [0], [1]))) == set(SUMMARY_METRICS)
