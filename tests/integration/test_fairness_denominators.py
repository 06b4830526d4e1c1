"""The minimum group size applied to each rate's denominator, on the real UCI Adult data.

Crossed by sex × race, the Adult test set has groups of ample rows but few actual positives
(women of Amer-Indian-Eskimo race: 66 rows, 3 earning >50K). Their true positive rates are left
out of the equalized odds and equal opportunity differences; the numbers are checked here against
a computation by pandas over the remaining groups. The data is read from ../shared/data/adult
(or GOVERNANCE_ADULT_DIR); where it is absent the test skips with the reason, and under CI
(CI=true) that is a failure.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from governance.fairness.engine import assess_file
from governance.fairness.policy import Policy
from governance.fairness.spec import AssessmentSpec
from tests.conftest import IN_CI
from tests.integration.test_fairness_crosscheck import ADULT, COLUMNS

NUMERIC = ["age", "education_num", "capital_gain", "capital_loss", "hours_per_week"]
MIN = Policy().min_group_size


def _load(name: str, skip: int) -> pd.DataFrame:
    df = pd.read_csv(ADULT / name, names=COLUMNS, skipinitialspace=True, skiprows=skip,
                     na_values="?")  # fmt: skip
    df["income"] = df["income"].str.rstrip(".")
    return df


@pytest.fixture(scope="module")
def adult() -> pd.DataFrame:
    """The Adult test set with a logistic regression's decisions (numeric columns, fixed seed)."""
    if not (ADULT / "adult.data").exists():
        reason = f"UCI Adult data not found at {ADULT}"
        if IN_CI:
            pytest.fail(reason + " (required under CI)")
        pytest.skip(reason)
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    train, test = _load("adult.data", 0), _load("adult.test", 1)
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=500, random_state=0))
    model.fit(train[NUMERIC], train["income"] == ">50K")
    out = test[["sex", "race", "income"]].copy()
    out["predicted"] = np.where(model.predict(test[NUMERIC]), ">50K", "<=50K")
    return out


@pytest.fixture(scope="module")
def crossed(adult, tmp_path_factory) -> dict:
    path = tmp_path_factory.mktemp("adult") / "adult_predictions.csv"
    adult.to_csv(path, index=False)
    spec = AssessmentSpec(
        y_true="income", y_pred="predicted", positive_label=">50K",
        sensitive=("sex", "race"), intersect=True,
    )  # fmt: skip
    result = assess_file(path, spec, Policy(bootstrap_replicates=200))
    return {"result": result, "json": result.to_json()["results"][2]}


def by_hand(adult: pd.DataFrame) -> pd.DataFrame:
    """Per sex × race: rows, actual positives and negatives, TPR and FPR, by pandas alone."""
    df = adult.assign(y=adult.income == ">50K", p=adult.predicted == ">50K")
    df["tp"] = df.y & df.p
    df["fp"] = ~df.y & df.p
    g = df.groupby(["sex", "race"]).agg(
        n=("y", "size"), pos=("y", "sum"), tp=("tp", "sum"), fp=("fp", "sum")
    )
    g["neg"] = g.n - g.pos
    g["tpr"] = g.tp / g.pos
    g["fpr"] = g.fp / g.neg
    return g


def test_adult_groups_with_few_positives_leave_their_tpr_out(adult, crossed):
    table = by_hand(adult)
    few = table[(table.n >= MIN) & (table.pos < MIN)]
    assert ("Female", "Amer-Indian-Eskimo") in few.index  # 66 rows, 3 actual positives
    assert (table.n >= MIN).all()  # every crossed group has enough rows: only the rate rule acts
    groups = {(g["group"]["sex"], g["group"]["race"]): g for g in crossed["json"]["groups"]}
    findings = crossed["json"]["findings"]
    for (sex, race), row in few.iterrows():
        group = groups[(sex, race)]
        positives = int(row.pos)
        reason = f"only {positives} actual positive{'s' if positives != 1 else ''} (< {MIN})"
        assert group["excluded_rates"]["tpr"] == reason
        assert group["tpr"] == pytest.approx(row.tpr, abs=1e-12)  # still reported
        assert (
            f"sex={sex}, race={race}: true positive rate left out of the equalized odds and "
            f"equal opportunity differences: {reason}." in findings
        )
    # The summaries over what remains, by hand.
    tpr = table.loc[table.pos >= MIN, "tpr"]
    fpr = table.loc[table.neg >= MIN, "fpr"]
    eopd = tpr.max() - tpr.min()
    eod = max(eopd, fpr.max() - fpr.min())
    assert crossed["json"]["equal_opportunity_difference"] == pytest.approx(eopd, abs=1e-12)
    assert crossed["json"]["equalized_odds_difference"] == pytest.approx(eod, abs=1e-12)
    # Counted, the noisy rates would set the summary (as Fairlearn, which counts every group).
    everyone = max(table.tpr.max() - table.tpr.min(), table.fpr.max() - table.fpr.min())
    assert everyone > eod + 0.05


def test_adult_intervals_describe_the_same_summary(crossed):
    lo, hi = crossed["json"]["summary_ci"]["equalized_odds_difference"]
    eod = crossed["json"]["equalized_odds_difference"]
    assert lo <= eod <= hi
    # With the 3-positive group in, resampled TPRs of 0/3 … 3/3 would stretch the interval to ~1.
    assert hi < eod + 0.2


def test_adult_flags_reach_the_one_grouping_alone_too(crossed):
    race = crossed["result"].results[1]
    flagged = {g.group["race"] for g in race.groups if "tpr" in g.excluded_rates}
    assert flagged == {"Amer-Indian-Eskimo", "Other"}  # 19 and 25 actual positives
