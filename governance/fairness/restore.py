"""A saved assessment's stored JSON back into the result objects the engine produced.

Saved evidence is kept as ``AssessmentResult.to_json()``; reopening it (page, PDF) goes through
the same result objects as a fresh assessment, so there is one way to show an assessment. The
round trip is tested: ``result_from_json(r.to_json(), …).to_json() == r.to_json()``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from governance.fairness.analysis import AssessmentResult, GroupingResult, GroupResult
from governance.fairness.metrics import GROUP_METRICS
from governance.fairness.policy import Policy, Verdict
from governance.fairness.spec import AssessmentSpec
from governance.fairness.sweep import PassingRange, ThresholdSweep

_SCORE_RATES = ("auc", "calibration_error")
_CELLS = ("tp", "fp", "fn", "tn")


def _group(data: Mapping[str, Any]) -> GroupResult:
    rates = {k: data[k] for k in (*GROUP_METRICS, *_SCORE_RATES) if k in data}
    return GroupResult(
        group=dict(data["group"]),
        n=int(data["n"]),
        share=float(data["share"]),
        cells={c: int(data[c]) for c in _CELLS},
        rates=rates,
        ci={k: list(v) for k, v in data["ci"].items()},
        disparate_impact=data["disparate_impact"],
        selection_rate_difference=data["selection_rate_difference"],
        p_value=data["p_value"],
        sufficient=bool(data["sufficient_data"]),
        is_reference=bool(data["is_reference"]),
        curves=data.get("curves"),
        excluded_rates=dict(data.get("excluded_rates") or {}),
    )


def _array(values: list[Any]) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=np.float64)


def sweep_from_json(data: Mapping[str, Any]) -> ThresholdSweep:
    """The sweep of a grouping from its ``threshold_sweep`` JSON."""
    groups = data["groups"]
    rates = {
        name: np.column_stack([_array(g[name]) for g in groups])
        for name in ("selection_rate", "tpr", "fpr")
    }
    excluded_names = sorted({r for g in groups for r in g["excluded_rates"]})
    return ThresholdSweep(
        features=tuple(data["sensitive_features"]),
        groups=tuple(dict(g["group"]) for g in groups),
        n=tuple(int(g["n"]) for g in groups),
        eligible=tuple(bool(g["sufficient_data"]) for g in groups),
        excluded={r: tuple(r in g["excluded_rates"] for g in groups) for r in excluded_names},
        thresholds=_array(data["thresholds"]),
        selection_rate=rates["selection_rate"],
        tpr=rates["tpr"],
        fpr=rates["fpr"],
        accuracy=_array(data["accuracy"]),
        demographic_parity_difference=_array(data["demographic_parity_difference"]),
        min_disparate_impact_ratio=_array(data["min_disparate_impact_ratio"]),
        equalized_odds_difference=_array(data["equalized_odds_difference"]),
        passes=np.array(data["passes"], dtype=bool),
        judged=bool(data["judged"]),
        chosen_threshold=data["chosen_threshold"],
        chosen_accuracy=data["chosen_accuracy"],
        ranges=tuple(
            PassingRange(r["from"], r["to"], r["best_threshold"], r["best_accuracy"])
            for r in data["passing_ranges"]
        ),
        statement=data["statement"],
    )


def _grouping(data: Mapping[str, Any], summary_names: list[str]) -> GroupingResult:
    sweep = data.get("threshold_sweep")
    return GroupingResult(
        sensitive_features=list(data["sensitive_features"]),
        reference_group=dict(data["reference_group"]),
        groups=[_group(g) for g in data["groups"]],
        summaries={k: data[k] for k in summary_names if k in data},
        summary_ci={k: list(v) for k, v in data["summary_ci"].items()},
        verdict=Verdict(data["verdict"]),
        findings=list(data["findings"]),
        sweep=sweep_from_json(sweep) if sweep else None,
    )


def _spec(data: Mapping[str, Any]) -> AssessmentSpec:
    return AssessmentSpec(
        **{
            **data,
            "sensitive": tuple(data["sensitive"]),
            "bands": {k: tuple(v) for k, v in data.get("bands", {}).items()},
        }
    )


def result_from_json(
    payload: Mapping[str, Any], *, spec: Mapping[str, Any], policy: Mapping[str, Any]
) -> AssessmentResult:
    """The :class:`AssessmentResult` whose ``to_json()`` is ``payload``."""
    known = {
        "sensitive_features",
        "reference_group",
        "groups",
        "summary_ci",
        "verdict",
        "findings",
        "threshold_sweep",
    }
    results = payload["results"]
    summary_names = [k for k in (results[0] if results else {}) if k not in known]
    return AssessmentResult(
        n_rows=int(payload["n_rows"]),
        policy=Policy.from_dict(dict(policy)),
        spec=_spec(spec),
        mapping=dict(payload["mapping"]),
        results=[_grouping(r, summary_names) for r in results],
    )
