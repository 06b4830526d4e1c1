"""The rules an assessment applies before it compares groups.

The reference group's tie-break, the minimum size applied to each rate's denominator, the order
of groups, and the shared parsing of the choices a person makes (cut points, positive class,
reference groups).
"""

from __future__ import annotations

import csv
import itertools
from pathlib import Path

import numpy as np
import pytest

from governance.errors import ValidationError
from governance.fairness.choices import (
    NEGATIVE_WORDS,
    POSITIVE_WORDS,
    parse_band_option,
    parse_band_options,
    parse_cut_points,
    parse_reference_option,
    parse_reference_options,
    positive_from_words,
    suggest_positive_label,
    value_order,
)
from governance.fairness.engine import MISSING, assess_arrays, assess_file
from governance.fairness.frames import groups_frame
from governance.fairness.metrics import Counts
from governance.fairness.policy import Policy, Verdict
from governance.fairness.spec import AssessmentSpec
from governance.fairness.uncertainty import bootstrap_counts

POLICY = Policy(bootstrap_replicates=200)


def rows_for(cells: dict[str, tuple[int, int, int, int]]) -> tuple[list, list, list]:
    """y_true, y_pred and group arrays holding exactly these (TP, FP, FN, TN) per group."""
    y: list[int] = []
    p: list[int] = []
    g: list[str] = []
    for group, (tp, fp, fn, tn) in cells.items():
        for truth, pred, count in ((1, 1, tp), (0, 1, fp), (1, 0, fn), (0, 0, tn)):
            y += [truth] * count
            p += [pred] * count
            g += [group] * count
    return y, p, g


def assess_cells(cells: dict[str, tuple[int, int, int, int]], policy: Policy = POLICY, **kw):
    y, p, g = rows_for(cells)
    return assess_arrays(y_true=y, y_pred=p, sensitive={"g": g}, policy=policy, **kw).results[0]


# --- 1. reference group: highest selection rate, ties to the larger group, then the name -------


def test_equal_rates_make_the_larger_group_the_reference():
    # Both select exactly half; "a" comes first by name but has 40 rows against b's 400.
    result = assess_cells({"a": (10, 10, 10, 10), "b": (100, 100, 100, 100)})
    assert [g.rates["selection_rate"] for g in result.groups] == [0.5, 0.5]
    assert result.reference_group == {"g": "b"}


def test_equal_rates_and_sizes_make_the_first_name_the_reference():
    result = assess_cells({"b": (20, 20, 20, 20), "a": (20, 20, 20, 20)})
    assert result.reference_group == {"g": "a"}


def test_the_highest_rate_still_beats_size():
    result = assess_cells({"big": (100, 100, 100, 100), "small": (15, 10, 5, 10)})
    assert result.reference_group == {"g": "small"}  # 25/40 > 200/400


# --- 2. the minimum size applies to each rate's denominator -------------------------------------


# "few" has 100 rows but only 5 actual positives (its TPR rests on 5 people).
FEW_POSITIVES = {
    "a": (60, 20, 40, 80),  # TPR 0.60, FPR 0.20
    "b": (35, 30, 15, 120),  # TPR 0.70, FPR 0.20
    "few": (0, 19, 5, 76),  # TPR 0.00 on 5, FPR 0.20
}


def _spread(values: list[float]) -> float:
    return max(values) - min(values)


def test_a_tpr_on_too_few_positives_is_left_out_of_the_odds_summaries():
    result = assess_cells(FEW_POSITIVES)
    few = next(g for g in result.groups if g.group == {"g": "few"})
    assert few.sufficient and few.n == 100
    assert few.excluded_rates == {
        "tpr": "only 5 actual positives (< 30)",
        "fnr": "only 5 actual positives (< 30)",
        "precision": "only 19 predicted positives (< 30)",
    }
    # By hand: TPR spread over a and b only, FPR spread over all three.
    tpr = {"a": 60 / 100, "b": 35 / 50}
    fpr = {"a": 20 / 100, "b": 30 / 150, "few": 19 / 95}
    assert result.summaries["equal_opportunity_difference"] == pytest.approx(
        _spread([*tpr.values()])
    )
    expected_eod = max(_spread([*tpr.values()]), _spread([*fpr.values()]))
    assert result.summaries["equalized_odds_difference"] == pytest.approx(expected_eod)
    assert expected_eod < 0.11  # with "few" counted it would be 0.70
    assert (
        "g=few: true positive rate left out of the equalized odds and equal opportunity "
        "differences: only 5 actual positives (< 30)." in result.findings
    )
    # The rate is still reported, and flagged in the JSON and the group frame.
    assert few.rates["tpr"] == 0.0
    as_json = next(g for g in result.to_json()["groups"] if g["group"] == {"g": "few"})
    assert as_json["excluded_rates"]["tpr"] == "only 5 actual positives (< 30)"
    frame = groups_frame(result)
    assert "tpr: only 5 actual positives (< 30)" in frame.loc[2, "excluded_rates"]
    assert frame.loc[0, "excluded_rates"] == ""


def test_the_summary_intervals_leave_out_the_same_rates():
    result = assess_cells(FEW_POSITIVES)
    # The same resamples, by hand: the bootstrap draws cells, so do exactly that here.
    cells = np.array(list(FEW_POSITIVES.values()), dtype=float)
    boot = bootstrap_counts(
        Counts.unstack(cells), replicates=POLICY.bootstrap_replicates, seed=POLICY.random_seed
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        tpr = boot.tp / (boot.tp + boot.fn)
        fpr = boot.fp / (boot.fp + boot.tn)
    tpr_spread = np.nanmax(tpr[:, :2], axis=1) - np.nanmin(tpr[:, :2], axis=1)  # not "few"
    fpr_spread = np.nanmax(fpr, axis=1) - np.nanmin(fpr, axis=1)
    eod = np.fmax(tpr_spread, fpr_spread)
    level = POLICY.confidence_level
    ends = [(1 - level) / 2, 1 - (1 - level) / 2]
    lo, hi = np.nanquantile(eod, ends)
    assert result.summary_ci["equalized_odds_difference"] == pytest.approx([lo, hi], abs=1e-12)
    lo, hi = np.nanquantile(tpr_spread, ends)
    assert result.summary_ci["equal_opportunity_difference"] == pytest.approx([lo, hi], abs=1e-12)
    assert hi < 0.5  # with "few" in, its TPR of 0 on 5 people would dominate every replicate


def test_a_fpr_on_too_few_negatives_is_left_out_of_the_equalized_odds_difference_only():
    cells = {
        "a": (40, 10, 10, 40),  # FPR 0.2
        "b": (50, 10, 10, 30),  # FPR 0.25
        "many": (70, 8, 10, 12),  # 20 actual negatives: FPR 0.4 left out
    }
    result = assess_cells(cells)
    many = next(g for g in result.groups if g.group == {"g": "many"})
    assert set(many.excluded_rates) == {"fpr", "tnr", "npv"}  # npv: 22 predicted negatives
    assert many.excluded_rates["fpr"] == "only 20 actual negatives (< 30)"
    tpr = [40 / 50, 50 / 60, 70 / 80]
    assert result.summaries["equalized_odds_difference"] == pytest.approx(
        max(_spread(tpr), 0.25 - 0.2)
    )
    assert (
        "g=many: false positive rate left out of the equalized odds difference: only 20 actual "
        "negatives (< 30)." in result.findings
    )


def test_precision_on_few_predicted_positives_is_flagged_without_a_finding():
    result = assess_cells({"a": (20, 20, 20, 20), "b": (3, 2, 37, 38)})
    b = next(g for g in result.groups if g.group == {"g": "b"})
    assert b.excluded_rates["precision"] == "only 5 predicted positives (< 30)"
    assert not any("precision" in f for f in result.findings)


def test_one_positive_is_singular_in_the_reason():
    result = assess_cells({"a": (20, 20, 20, 20), "b": (1, 0, 0, 39)})
    b = next(g for g in result.groups if g.group == {"g": "b"})
    assert b.excluded_rates["tpr"] == "only 1 actual positive (< 30)"


def test_the_rule_follows_the_policy_minimum():
    result = assess_cells(FEW_POSITIVES, policy=Policy(bootstrap_replicates=0, min_group_size=5))
    assert all(not g.excluded_rates.get("tpr") for g in result.groups)
    assert result.summaries["equal_opportunity_difference"] == pytest.approx(0.70)


def test_nothing_is_left_out_when_fewer_than_two_groups_are_judged():
    # Only "big" has 30 rows: the summaries are shown over both groups with every rate, unjudged.
    result = assess_cells({"big": (10, 10, 10, 10), "tiny": (1, 2, 3, 4)})
    assert all(g.excluded_rates == {} for g in result.groups)
    assert result.verdict is Verdict.INSUFFICIENT_DATA
    assert result.summaries["equal_opportunity_difference"] == pytest.approx(0.5 - 0.25)


def test_without_enough_positives_anywhere_equal_opportunity_is_undefined():
    cells = {"a": (5, 20, 5, 20), "b": (4, 20, 6, 20)}  # 10 positives, 40 negatives each
    result = assess_cells(cells)
    assert result.summaries["equal_opportunity_difference"] is None
    assert result.summaries["equalized_odds_difference"] == pytest.approx(0.0)


def test_without_enough_of_either_class_the_odds_difference_says_why():
    cells = {"a": (5, 5, 5, 20), "b": (4, 6, 6, 19)}  # 10 positives, 25 negatives each
    result = assess_cells(cells)
    assert result.summaries["equalized_odds_difference"] is None
    assert (
        "Equalized odds difference is undefined: no group has 30 or more actual positives, "
        "nor 30 or more actual negatives." in result.findings
    )


def test_a_left_out_rate_no_longer_fails_the_verdict():
    # "few" has a TPR of 0 on 5 positives against 0.1 elsewhere: counted, the equalized odds
    # difference would be 0.10 and fail; left out, only the FPRs differ (by 0.007).
    cells = {"a": (3, 13, 27, 57), "b": (3, 13, 27, 57), "few": (0, 17, 5, 78)}
    result = assess_cells(cells, policy=Policy(bootstrap_replicates=0))
    assert result.summaries["equalized_odds_difference"] == pytest.approx(13 / 70 - 17 / 95)
    assert result.summaries["demographic_parity_difference"] == pytest.approx(0.17 - 0.16)
    assert result.verdict is Verdict.PASS
    assert any("g=few: true positive rate left out" in f for f in result.findings)


# --- 3. group order: bands and numbers by value, missing last -----------------------------------


def _write(path: Path, header: tuple[str, ...], rows: list[tuple]) -> Path:
    with path.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(["" if v is None else v for v in r] for r in rows)
    return path


def test_age_bands_are_listed_in_numeric_order_with_missing_last(tmp_path):
    ages = [None, 70, 18, 30, 50, 64, 65, 24, 25, 45, 90, 33] * 20
    rows = [(i % 2, (i // 2) % 2, a) for i, a in enumerate(ages)]
    path = _write(tmp_path / "age.csv", ("y", "p", "age"), rows)
    spec = AssessmentSpec(y_true="y", y_pred="p", sensitive=("age",), bands={"age": (25, 45, 65)})
    result = assess_file(path, spec, Policy(bootstrap_replicates=0)).results[0]
    labels = [g.group["age"] for g in result.groups]
    assert labels == ["< 25", "25–45", "45–65", "≥ 65", MISSING]
    assert list(groups_frame(result)["age"]) == labels


def test_numeric_values_sort_as_numbers(tmp_path):
    rows = [(i % 2, (i // 2) % 2, v) for i, v in enumerate([10, 2, 1, -3, 2.5] * 8)]
    path = _write(tmp_path / "n.csv", ("y", "p", "g"), rows)
    spec = AssessmentSpec(y_true="y", y_pred="p", sensitive=("g",))
    from_file = [g.group["g"] for g in assess_file(path, spec, POLICY).results[0].groups]
    assert [float(v) for v in from_file] == [-3, 1, 2, 2.5, 10]
    arrays = assess_arrays(
        y_true=[1, 0] * 6, y_pred=[1, 1, 0] * 4, sensitive={"g": ["10", "2", "1", None] * 3}
    ).results[0]
    assert [g.group["g"] for g in arrays.groups] == ["1", "2", "10", MISSING]


def test_intersections_order_each_feature_by_value():
    sex = ["F", "M"] * 40
    band = ["≥ 65", "< 25", "25–65", "< 25"] * 20
    result = assess_arrays(
        y_true=[1, 0, 0, 1] * 20,
        y_pred=[1, 1, 0, 0] * 20,
        sensitive={"sex": sex, "band": band},
        intersect=True,
    )
    crossed = [tuple(g.group.values()) for g in result.results[2].groups]
    assert crossed == sorted(crossed, key=lambda k: (k[0], value_order(k[1])))
    assert [g.group["band"] for g in result.results[1].groups] == ["< 25", "25–65", "≥ 65"]


def test_text_values_keep_alphabetical_order():
    assert sorted(["b", "a", MISSING, "10", "2"], key=value_order) == ["2", "10", "a", "b", MISSING]


# --- 4. choices shared by the page and the CLI --------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("25, 45, 65", (25.0, 45.0, 65.0)),
        ("25;45;65", (25.0, 45.0, 65.0)),
        ("  25 45\t65 ", (25.0, 45.0, 65.0)),
        ("-1.5, 0, 1e3", (-1.5, 0.0, 1000.0)),
        ("30", (30.0,)),
        ("", ()),
        ("  ,  ", ()),
    ],
)
def test_cut_points_are_read_in_every_common_spelling(text, expected):
    assert parse_cut_points(text, "age") == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("25, forty, 65", "Cut points of 'age': 'forty' is not a number"),
        ("25, inf", "Cut points of 'age' must be finite numbers, not 'inf'"),
        ("nan", "must be finite numbers, not 'nan'"),
        ("45, 25", "Cut points of 'age' must increase: 25 comes after 45"),
        ("25, 25", "must increase: 25 comes after 25"),
    ],
)
def test_bad_cut_points_are_refused_naming_the_column(text, message):
    with pytest.raises(ValidationError, match=message):
        parse_cut_points(text, "age")


def test_band_options_of_the_cli():
    assert parse_band_option("age=25,45,65") == ("age", (25.0, 45.0, 65.0))
    assert parse_band_option("score=band=0.5") == ("score=band", (0.5,))
    assert parse_band_options(["age=30", "income=1e4;5e4"]) == {
        "age": (30.0,),
        "income": (10000.0, 50000.0),
    }
    for text, message in (
        ("age", "--band needs COL=CUTS, for example age=25,45,65"),
        ("=25", "--band needs COL=CUTS"),
        ("age=", "--band age= gives no cut points"),
        ("age=25,x", "Cut points of 'age': 'x' is not a number"),
    ):
        with pytest.raises(ValidationError, match=message):
            parse_band_option(text)
    with pytest.raises(ValidationError, match="cut points for 'age' twice"):
        parse_band_options(["age=30", "age=40"])


def test_the_suggested_positive_label_uses_the_engines_words():
    # For every pair the engine infers, the page suggests the same value.
    for pos, neg in itertools.product(sorted(POSITIVE_WORDS), sorted(NEGATIVE_WORDS)):
        for values in ([pos, neg], [neg.upper(), pos.upper()]):
            expected = values[0] if values[0].lower() == pos else values[1]
            assert positive_from_words(values) == expected
            assert suggest_positive_label(values) == expected


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["<=50K", ">50K"], ">50K"),
        (["<=50K.", ">50K."], ">50K."),
        (["≤ 50k", "≥ 50k"], "≥ 50k"),
        (["0.0", "1.0"], "1.0"),
        (["No", "Yes"], "Yes"),
        (["denied", "approved", "pending"], "approved"),
        (["low", "high"], None),
        (["yes", "true"], None),
        (["2", "3"], None),
        ([], None),
    ],
)
def test_suggested_positive_label(values, expected):
    assert suggest_positive_label(values) == expected


def test_income_labels_are_suggested_but_not_inferred():
    # The engine still asks (tests/unit/test_fairness_bad_inputs.py): "above" is not always good.
    assert positive_from_words(["<=50K", ">50K"]) is None
    assert suggest_positive_label(["<=50K", ">50K"]) == ">50K"


def test_reference_options_of_the_cli():
    sensitive = ["race", "sex", "a=b"]
    assert parse_reference_option("race=White", sensitive) == {"race": "White"}
    assert parse_reference_option("race=x=y", sensitive) == {"race": "x=y"}
    assert parse_reference_option("a=b=1", sensitive) == {"a=b": "1"}  # the longest column
    assert parse_reference_option("Male", ["sex", "race"]) == {"sex": "Male", "race": "Male"}
    assert parse_reference_options(["race=White", "sex=Male"], ["race", "sex"]) == {
        "race": "White",
        "sex": "Male",
    }
    assert parse_reference_options(["X", "sex=Male"], ["race", "sex"]) == {
        "race": "X",
        "sex": "Male",
    }
    assert parse_reference_options([], ["race"]) == {}


@pytest.mark.parametrize(
    ("texts", "message"),
    [
        (["age=30"], "--reference names 'age', which is not a --sensitive column"),
        (["race="], "--reference race= gives no value for 'race'"),
        ([""], "--reference needs a value"),
        (["race=A", "race=B"], "--reference names 'race' twice"),
        (["A", "B"], "--reference VALUE .* is given twice"),
    ],
)
def test_bad_reference_options_are_refused(texts, message):
    with pytest.raises(ValidationError, match=message):
        parse_reference_options(texts, ["race", "sex"])


def test_huge_but_finite_cut_points_are_kept():
    assert parse_cut_points("1e308", "x") == (1e308,)
    with pytest.raises(ValidationError, match="finite"):
        parse_cut_points("1e309", "x")  # overflows to inf


def test_a_policy_is_amended_in_its_thresholds_only():
    from governance.fairness.policy import Policy

    base = Policy(bootstrap_replicates=200)
    new = base.amended(min_group_size=50.0, max_equalized_odds_difference=0.05)
    assert new.min_group_size == 50 and isinstance(new.min_group_size, int)
    assert new.max_equalized_odds_difference == 0.05
    assert new.bootstrap_replicates == 200 and new.random_seed == base.random_seed
    with pytest.raises(ValidationError, match="Not a threshold of the policy: random_seed"):
        base.amended(random_seed=1)
    with pytest.raises(ValidationError, match="min disparate impact ratio"):
        base.amended(min_disparate_impact_ratio=1.5)
