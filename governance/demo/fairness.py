"""The demo's one real model: loan applicants, a logistic regression, and its fairness evidence.

The applicants are generated (a fixed seed, so every load sees the same people); repayment
depends on income, debt, employment and missed payments, never on sex or age. Two models are
trained with scikit-learn:

- ``with_age`` learns from past approval decisions, which turned down young applicants more
  often than their repayment justified, and has age among its features: it inherits the bias,
  and the fairness assessment of its hold-out predictions fails (credit scoring 2.0.0);
- ``without_age`` learns from repayment itself, without age: it passes (credit scoring 2.1.0).

The hold-out predictions are written to a real CSV file, assessed by the fairness engine and
saved through the fairness service, exactly as a pipeline's ``fairness assess --save`` would.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from governance.actor import Actor
from governance.fairness.engine import assess_file
from governance.fairness.service import active_policy, save_assessment
from governance.fairness.spec import AssessmentSpec
from governance.kernel import UnitOfWork

Variant = Literal["with_age", "without_age"]
SEED = 20_261_201
APPLICANTS = 6_000  # half to train on, half held out and assessed: about a second in all
AGE_GROUPS = ("under 30", "30-49", "50 and over")
FEATURES = ("income_k", "debt_ratio", "years_employed", "missed_payments")
SPEC = AssessmentSpec(
    y_true="repaid",
    y_pred="approved",
    score="score",
    # age_group first: the fairness history's headline numbers are the first grouping's.
    sensitive=("age_group", "sex"),
)


def applicants(n: int = APPLICANTS, seed: int = SEED) -> pd.DataFrame:
    """Generated loan applicants with their actual repayment and a past decision."""
    rng = np.random.default_rng(seed)
    age = rng.integers(21, 71, n)
    frame = pd.DataFrame(
        {
            "applicant_id": np.arange(1, n + 1),
            "sex": rng.choice(["female", "male"], n),
            "age": age,
            "age_group": np.select(
                [age < 30, age < 50], [AGE_GROUPS[0], AGE_GROUPS[1]], AGE_GROUPS[2]
            ),
            "income_k": rng.lognormal(3.7, 0.35, n).round(1),
            "debt_ratio": rng.beta(2, 5, n).round(3),
            "years_employed": rng.gamma(2.0, 3.0, n).round(1),
            "missed_payments": rng.poisson(0.6, n),
        }
    )
    z = (frame[list(FEATURES)] - frame[list(FEATURES)].mean()) / frame[list(FEATURES)].std()
    logit = (
        1.1 + 1.0 * z["income_k"] - 1.2 * z["debt_ratio"] + 0.5 * z["years_employed"]
        - 0.9 * z["missed_payments"]
    )  # fmt: skip
    repaid = rng.random(n) < 1 / (1 + np.exp(-logit))
    frame["repaid"] = repaid.astype(int)
    # Past officers turned young applicants down more often than their repayment justified:
    # the labels a model learns "approval" from carry that bias.
    turned_down = (age < 30) & (rng.random(n) < 0.45)
    frame["past_approval"] = (repaid & ~turned_down).astype(int)
    return frame


@dataclass(frozen=True, slots=True)
class Trained:
    """A variant's hold-out predictions (written to ``path``) and its hold-out accuracy."""

    variant: Variant
    path: Path
    accuracy: float
    rows: int


def train_and_predict(variant: Variant, folder: Path) -> Trained:
    """Train ``variant`` on the first half of the applicants and write the predictions for
    the second half as ``folder / credit-<variant>.csv``."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    data = applicants()
    train, hold_out = data.iloc[: len(data) // 2], data.iloc[len(data) // 2 :]
    columns = [*FEATURES, "age"] if variant == "with_age" else list(FEATURES)
    target = "past_approval" if variant == "with_age" else "repaid"
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1_000))
    model.fit(train[columns], train[target])
    # Three decimals: the engine's AUC is exact for scores of up to three decimals.
    score = model.predict_proba(hold_out[columns])[:, 1].round(3)
    approved = (score >= 0.5).astype(int)
    out = pd.DataFrame(
        {
            "applicant_id": hold_out["applicant_id"].to_numpy(),
            "sex": hold_out["sex"].to_numpy(),
            "age_group": hold_out["age_group"].to_numpy(),
            "repaid": hold_out["repaid"].to_numpy(),
            "approved": approved,
            "score": score,
        }
    )
    path = folder / f"credit-{variant.replace('_', '-')}.csv"
    out.to_csv(path, index=False)
    accuracy = float((out["approved"] == out["repaid"]).mean())
    return Trained(variant, path, round(accuracy, 4), len(out))


def assess_and_save(
    uow: UnitOfWork, *, actor: Actor, trained: Trained, model: str, version: str
) -> int:
    """Assess the predictions under the policy in force and save them as evidence of
    ``model`` ``version`` (the fairness service links it to the registry's version)."""
    result = assess_file(trained.path, SPEC, active_policy(uow, actor=actor))
    return save_assessment(
        uow,
        actor=actor,
        result=result,
        source=trained.path,
        model_name=model,
        model_version=version,
    )
