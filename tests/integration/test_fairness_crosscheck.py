"""Our numbers against Fairlearn: generated data and the real UCI Adult census data.

The Adult tests read ../shared/data/adult; they skip with the reason where it is absent
(CI has it, and under CI its absence is a failure).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from governance.fairness.engine import assess_arrays, assess_file
from governance.fairness.spec import AssessmentSpec
from tests.conftest import IN_CI
from tests.fairness_reference import assert_matches

ROOT = Path(__file__).resolve().parents[2]
ADULT = Path(os.environ.get("GOVERNANCE_ADULT_DIR", ROOT.parent / "shared" / "data" / "adult"))
COLUMNS = [
    "age", "workclass", "fnlwgt", "education", "education_num", "marital_status",
    "occupation", "relationship", "race", "sex", "capital_gain", "capital_loss",
    "hours_per_week", "native_country", "income",
]  # fmt: skip


def generated(n: int = 20_000, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    race = rng.choice(["A", "B", "C", "D"], n, p=[0.5, 0.3, 0.15, 0.05])
    sex = rng.choice(["F", "M"], n)
    y = rng.random(n) < np.where(sex == "F", 0.3, 0.45)
    p = rng.random(n) < np.where(y, 0.7, 0.2) * np.where(race == "A", 1.0, 0.8)
    return pd.DataFrame({"label": y.astype(int), "prediction": p.astype(int), "race": race,
                         "sex": sex})  # fmt: skip


def cli_json(path: Path, *args: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "governance", "fairness", "assess", str(path), *args],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_generated_data_matches_fairlearn_through_file_and_arrays(tmp_path):
    df = generated()
    path = tmp_path / "predictions.csv"
    df.to_csv(path, index=False)
    spec = AssessmentSpec(
        y_true="label", y_pred="prediction", sensitive=("race", "sex"), intersect=True
    )
    from_file = assess_file(path, spec).to_json()
    from_arrays = assess_arrays(
        y_true=df.label.to_numpy(), y_pred=df.prediction.to_numpy(),
        sensitive={"race": df.race.to_numpy(), "sex": df.sex.to_numpy()}, intersect=True,
    ).to_json()  # fmt: skip
    for result_file, result_arrays, features in zip(
        from_file["results"],
        from_arrays["results"],
        (["race"], ["sex"], ["race", "sex"]),
        strict=True,
    ):
        assert_matches(result_file, df.label, df.prediction, df[features])
        assert json.dumps(result_file, sort_keys=True) == json.dumps(result_arrays, sort_keys=True)


def test_cli_json_equals_the_api_result(tmp_path):
    df = generated(5_000, seed=3)
    path = tmp_path / "predictions.parquet"
    df.to_parquet(path)
    payload = cli_json(path, "--y-true", "label", "--y-pred", "prediction", "--sensitive", "race")
    api = assess_file(path, AssessmentSpec(y_true="label", y_pred="prediction",
                                           sensitive=("race",))).to_json()  # fmt: skip
    assert json.loads(json.dumps(api, allow_nan=True).replace("NaN", "null")) == payload


@pytest.fixture(scope="module")
def adult_predictions(tmp_path_factory) -> pd.DataFrame:
    if not (ADULT / "adult.data").exists():
        reason = f"UCI Adult data not found at {ADULT}"
        if IN_CI:
            pytest.fail(reason + " (required under CI)")
        pytest.skip(reason)
    from sklearn.compose import make_column_transformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    def load(name: str, skip: int) -> pd.DataFrame:
        df = pd.read_csv(ADULT / name, names=COLUMNS, skipinitialspace=True, skiprows=skip,
                         na_values="?")  # fmt: skip
        df["income"] = df["income"].str.rstrip(".")
        return df

    train, test = load("adult.data", 0), load("adult.test", 1)
    numeric = ["age", "education_num", "capital_gain", "capital_loss", "hours_per_week"]
    categorical = ["workclass", "marital_status", "occupation", "relationship"]
    model = make_pipeline(
        make_column_transformer(
            (StandardScaler(), numeric),
            (OneHotEncoder(handle_unknown="ignore"), categorical),
        ),
        LogisticRegression(max_iter=500),
    )
    model.fit(train[numeric + categorical].fillna("unknown"), train["income"] == ">50K")
    predicted = model.predict(test[numeric + categorical].fillna("unknown"))
    out = test[["race", "sex"]].copy()
    out["income"] = test["income"]
    out["predicted"] = np.where(predicted, ">50K", "<=50K")
    return out


def test_adult_cli_matches_fairlearn_to_1e_9(adult_predictions, tmp_path):
    path = tmp_path / "adult_predictions.csv"
    adult_predictions.to_csv(path, index=False)
    payload = cli_json(
        path, "--y-true", "income", "--y-pred", "predicted", "--positive-label", ">50K",
        "--sensitive", "sex", "--sensitive", "race", "--intersect",
    )  # fmt: skip
    assert payload["n_rows"] == len(adult_predictions) == 16281
    y_true = (adult_predictions["income"] == ">50K").astype(int)
    y_pred = (adult_predictions["predicted"] == ">50K").astype(int)
    for result, features in zip(
        payload["results"], (["sex"], ["race"], ["sex", "race"]), strict=True
    ):
        assert_matches(result, y_true, y_pred, adult_predictions[features], tol=1e-9)
    # A real model on Adult is known to select men far more often than women.
    sex = payload["results"][0]
    assert sex["verdict"] == "fail"
    assert sex["reference_group"] == {"sex": "Male"}
