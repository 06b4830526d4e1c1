"""Independent reference numbers from Fairlearn and scikit-learn (test dependency only)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from fairlearn.metrics import (
    MetricFrame,
    demographic_parity_difference,
    demographic_parity_ratio,
    equal_opportunity_difference,
    equalized_odds_difference,
    false_negative_rate,
    false_positive_rate,
    selection_rate,
    true_negative_rate,
    true_positive_rate,
)
from sklearn.metrics import accuracy_score, precision_score

PER_GROUP = {
    "selection_rate": selection_rate,
    "tpr": true_positive_rate,
    "fpr": false_positive_rate,
    "tnr": true_negative_rate,
    "fnr": false_negative_rate,
    "accuracy": accuracy_score,
    "precision": lambda y, p: precision_score(y, p, zero_division=np.nan),
}


def fairlearn_reference(
    y_true: np.ndarray, y_pred: np.ndarray, sensitive: pd.DataFrame
) -> tuple[pd.DataFrame, dict[str, float]]:
    """Per-group metrics (index: group tuples as strings) and the four summaries."""
    frame = MetricFrame(
        metrics=PER_GROUP, y_true=y_true, y_pred=y_pred, sensitive_features=sensitive
    )
    kwargs = {"sensitive_features": sensitive}
    summary = {
        "demographic_parity_difference": demographic_parity_difference(y_true, y_pred, **kwargs),
        "demographic_parity_ratio": demographic_parity_ratio(y_true, y_pred, **kwargs),
        "equalized_odds_difference": equalized_odds_difference(y_true, y_pred, **kwargs),
        "equal_opportunity_difference": equal_opportunity_difference(y_true, y_pred, **kwargs),
    }
    return frame.by_group, summary


def assert_matches(result_json: dict, y_true, y_pred, sensitive: pd.DataFrame, tol=1e-9) -> None:
    """Compare one grouping of our JSON with Fairlearn on the same rows."""
    by_group, summary = fairlearn_reference(y_true, y_pred, sensitive)
    features = list(sensitive.columns)
    assert result_json["sensitive_features"] == features
    ours = {tuple(g["group"][f] for f in features): g for g in result_json["groups"]}
    assert len(ours) == len(by_group)
    for key, row in by_group.iterrows():
        key = key if isinstance(key, tuple) else (key,)
        group = ours[tuple(str(k) for k in key)]
        for metric in PER_GROUP:
            expected = float(row[metric])
            actual = group[metric]
            if np.isnan(expected):
                assert actual is None, (key, metric)
            else:
                assert abs(actual - expected) <= tol, (key, metric, actual, expected)
        assert group["n"] == int(((sensitive.astype(str) == list(map(str, key))).all(axis=1)).sum())
    for name, expected in _kept_summaries(result_json, by_group, features, summary).items():
        assert abs(result_json[name] - expected) <= tol, (name, result_json[name], expected)


def _kept_summaries(
    result_json: dict, by_group: pd.DataFrame, features: list[str], summary: dict[str, float]
) -> dict[str, float]:
    """Fairlearn's summaries over the rates our policy counts.

    Fairlearn counts every group; our summaries leave out groups below the minimum size and a
    rate whose denominator is below it (a TPR from 3 actual positives). Where anything is left
    out, the summaries are recomputed from Fairlearn's own per-group rates over what is kept.
    """
    groups = {tuple(g["group"][f] for f in features): g for g in result_json["groups"]}
    if all(g["sufficient_data"] and not g.get("excluded_rates") for g in groups.values()):
        return summary

    def kept(rate: str) -> pd.Series:
        values = {}
        for key, row in by_group.iterrows():
            key = tuple(str(k) for k in (key if isinstance(key, tuple) else (key,)))
            group = groups[key]
            if group["sufficient_data"] and rate not in group.get("excluded_rates", {}):
                values[key] = float(row[rate])
        return pd.Series(values, dtype=float).dropna()

    def spread(rate: str) -> float:
        values = kept(rate)
        return float(values.max() - values.min())

    selection = kept("selection_rate")
    return {
        "demographic_parity_difference": spread("selection_rate"),
        "demographic_parity_ratio": float(selection.min() / selection.max()),
        "equalized_odds_difference": max(spread("tpr"), spread("fpr")),
        "equal_opportunity_difference": spread("tpr"),
    }
