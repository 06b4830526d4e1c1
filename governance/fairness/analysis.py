"""From per-group counts to rates, intervals, disparities, a verdict and findings (pure)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from governance.errors import ValidationError
from governance.fairness.metrics import (
    GROUP_METRICS,
    SUMMARY_METRICS,
    Counts,
    disparate_impact,
    group_rates,
    summaries,
)
from governance.fairness.policy import Policy, Verdict
from governance.fairness.scores import (
    ScoreHistogram,
    auc,
    auc_interval,
    calibration,
    expected_calibration_error,
    roc_points,
)
from governance.fairness.spec import AssessmentSpec
from governance.fairness.uncertainty import (
    bootstrap_counts,
    percentile_interval,
    rate_intervals,
    summary_intervals,
    two_proportion_p_value,
)


@dataclass(frozen=True, slots=True)
class GroupingCounts:
    """Counts of one grouping: its features, its groups (value tuples) and their cells."""

    features: tuple[str, ...]
    groups: list[tuple[str, ...]]
    counts: Counts
    scores: ScoreHistogram | None = None


def _num(x: float) -> float | None:
    return None if x is None or np.isnan(x) else float(x)


def group_label(group: dict[str, str]) -> str:
    return ", ".join(f"{k}={v}" for k, v in group.items())


@dataclass(frozen=True, slots=True)
class GroupResult:
    group: dict[str, str]
    n: int
    share: float
    cells: dict[str, int]
    rates: dict[str, float | None]
    ci: dict[str, list[float | None]]
    disparate_impact: float | None
    selection_rate_difference: float | None
    p_value: float | None
    sufficient: bool
    is_reference: bool
    curves: dict[str, Any] | None = None

    @property
    def label(self) -> str:
        return group_label(self.group)

    def to_json(self) -> dict[str, Any]:
        return {
            "group": self.group,
            "n": self.n,
            "share": self.share,
            **self.cells,
            **self.rates,
            "disparate_impact": self.disparate_impact,
            "selection_rate_difference": self.selection_rate_difference,
            "p_value": self.p_value,
            "sufficient_data": self.sufficient,
            "is_reference": self.is_reference,
            "ci": self.ci,
            **({"curves": self.curves} if self.curves is not None else {}),
        }


@dataclass(frozen=True, slots=True)
class GroupingResult:
    sensitive_features: list[str]
    reference_group: dict[str, str]
    groups: list[GroupResult]
    summaries: dict[str, float | None]
    summary_ci: dict[str, list[float | None]]
    verdict: Verdict
    findings: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return " × ".join(self.sensitive_features)

    def to_json(self) -> dict[str, Any]:
        return {
            "sensitive_features": self.sensitive_features,
            "reference_group": self.reference_group,
            "groups": [g.to_json() for g in self.groups],
            **self.summaries,
            "summary_ci": self.summary_ci,
            "verdict": self.verdict.value,
            "findings": self.findings,
        }


@dataclass(frozen=True, slots=True)
class AssessmentResult:
    n_rows: int
    policy: Policy
    spec: AssessmentSpec
    mapping: dict[str, str]
    results: list[GroupingResult]

    @property
    def verdict(self) -> Verdict:
        verdicts = {r.verdict for r in self.results}
        for v in (Verdict.FAIL, Verdict.INSUFFICIENT_DATA):
            if v in verdicts:
                return v
        return Verdict.PASS

    def to_json(self) -> dict[str, Any]:
        """Plain JSON data; an undefined number is ``None`` (JSON ``null``), never NaN."""
        return json_safe(
            {
                "n_rows": self.n_rows,
                "policy": self.policy.to_dict(),
                "mapping": self.mapping,
                "definitions": definitions(),
                "verdict": self.verdict.value,
                "results": [r.to_json() for r in self.results],
            }
        )


def json_safe(value: Any) -> Any:
    """``value`` with every non-finite float replaced by ``None``."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value


def definitions() -> dict[str, str]:
    """Every reported number's definition, so that no figure is ambiguous."""
    out = {m.name: m.definition for m in GROUP_METRICS.values()}
    out.update({m.name: m.definition for m in SUMMARY_METRICS.values()})
    out["disparate_impact"] = "group selection rate divided by the reference group's"
    out["selection_rate_difference"] = "group selection rate minus the reference group's"
    out["p_value"] = "two-sided pooled two-proportion z-test of the selection rate vs the reference"
    out["ci"] = "bootstrap percentile interval (multinomial resampling of the confusion cells)"
    out["summaries"] = "computed over groups with at least the policy's minimum size"
    out["auc"] = "area under the ROC curve of the score (ties within 0.001 count half)"
    out["calibration_error"] = (
        "expected calibration error: n-weighted mean |mean score − observed rate| in 10 bins"
    )
    out["auc_difference"] = "largest minus smallest AUC across groups"
    return out


def _reference_index(
    features: tuple[str, ...],
    groups: list[tuple[str, ...]],
    rates: np.ndarray,
    eligible: np.ndarray,
    spec: AssessmentSpec,
) -> int:
    if all(f in spec.reference for f in features):
        wanted = tuple(str(spec.reference[f]) for f in features)
        if wanted not in groups:
            shown = ", ".join("/".join(g) for g in groups[:10])
            raise ValidationError(
                f"Reference group {'/'.join(wanted)!r} does not occur in {' × '.join(features)} "
                f"(groups: {shown})."
            )
        return groups.index(wanted)
    pool = np.where(eligible)[0] if eligible.any() else np.arange(len(groups))
    # Highest selection rate; ties go to the larger group, then the first name, for stability.
    return int(max(pool, key=lambda i: (np.nan_to_num(rates[i], nan=-1), 0, -i)))


def analyse_grouping(
    gc: GroupingCounts, n_rows: int, spec: AssessmentSpec, policy: Policy
) -> GroupingResult:
    counts = gc.counts
    n = counts.n
    rates = group_rates(counts)
    sr = rates["selection_rate"]
    eligible = n >= policy.min_group_size
    ref = _reference_index(gc.features, gc.groups, sr, eligible, spec)
    di = disparate_impact(sr, ref)

    boot = bootstrap_counts(counts, replicates=policy.bootstrap_replicates, seed=policy.random_seed)
    level = policy.confidence_level
    intervals = rate_intervals(boot, level)
    boot_sr = GROUP_METRICS["selection_rate"].compute(boot)
    di_lo, di_hi = percentile_interval(disparate_impact(boot_sr, ref), level)

    use = eligible if eligible.sum() >= 2 else np.ones_like(eligible)
    sub = Counts.unstack(counts.stack()[use])
    sub_boot = Counts.unstack(boot.stack()[:, use]) if boot.tp.size else boot
    summary_values = {k: _num(float(v)) for k, v in summaries(sub).items()}
    summary_ci = {
        k: [_num(lo), _num(hi)] for k, (lo, hi) in summary_intervals(sub_boot, level).items()
    }

    aucs = auc(gc.scores) if gc.scores is not None else None
    eces = expected_calibration_error(gc.scores) if gc.scores is not None else None
    if aucs is not None:
        summary_values["auc_difference"] = _num(
            float(np.nanmax(aucs[use]) - np.nanmin(aucs[use]))
            if np.isfinite(aucs[use]).any()
            else float("nan")
        )
    groups: list[GroupResult] = []
    for i, key in enumerate(gc.groups):
        x_ref = counts.tp[ref] + counts.fp[ref]
        x_i = counts.tp[i] + counts.fp[i]
        groups.append(
            GroupResult(
                group=dict(zip(gc.features, key, strict=True)),
                n=int(n[i]),
                share=float(n[i] / n_rows) if n_rows else 0.0,
                cells={
                    "tp": int(counts.tp[i]),
                    "fp": int(counts.fp[i]),
                    "fn": int(counts.fn[i]),
                    "tn": int(counts.tn[i]),
                },
                rates={name: _num(values[i]) for name, values in rates.items()},
                ci={
                    **{name: [_num(lo[i]), _num(hi[i])] for name, (lo, hi) in intervals.items()},
                    "disparate_impact": [_num(di_lo[i]), _num(di_hi[i])],
                },
                disparate_impact=_num(di[i]),
                selection_rate_difference=_num(sr[i] - sr[ref]),
                p_value=None if i == ref else two_proportion_p_value(x_i, n[i], x_ref, n[ref]),
                sufficient=bool(eligible[i]),
                is_reference=i == ref,
                curves=None
                if gc.scores is None
                else {"roc": roc_points(gc.scores, i), "calibration": calibration(gc.scores, i)},
            )
        )
        if aucs is not None and eces is not None:
            g = groups[-1]
            g.rates["auc"] = _num(aucs[i])
            g.rates["calibration_error"] = _num(eces[i])
            lo_a, hi_a = auc_interval(
                float(aucs[i]),
                float(counts.tp[i] + counts.fn[i]),
                float(counts.fp[i] + counts.tn[i]),
                level,
            )
            g.ci["auc"] = [lo_a, hi_a]
    verdict, findings = judge(groups, summary_values, policy)
    return GroupingResult(
        sensitive_features=list(gc.features),
        reference_group=groups[ref].group,
        groups=groups,
        summaries=summary_values,
        summary_ci=summary_ci,
        verdict=verdict,
        findings=findings,
    )


def _f(x: float | None) -> str:
    return "undefined" if x is None else f"{x:.2f}"


def _span(values: list[float]) -> str:
    return f"{_f(min(values))}–{_f(max(values))}" if values else "undefined"


def judge(
    groups: list[GroupResult], summary: dict[str, float | None], policy: Policy
) -> tuple[Verdict, list[str]]:
    """Apply the policy: a verdict and its findings in plain words."""
    findings: list[str] = []
    failed = False
    ref = next(g for g in groups if g.is_reference)
    eligible = [g for g in groups if g.sufficient]

    dpd = summary["demographic_parity_difference"]
    if len(eligible) >= 2 and dpd is not None and dpd >= policy.max_demographic_parity_difference:
        failed = True
        low = min(eligible, key=lambda g: g.rates["selection_rate"] or 0)
        high = max(eligible, key=lambda g: g.rates["selection_rate"] or 0)
        limit = policy.max_demographic_parity_difference
        findings.append(
            f"Demographic parity difference {_f(dpd)} ≥ {limit:.2f}: "
            f"selection rate ranges from {_f(low.rates['selection_rate'])} ({low.label}) to "
            f"{_f(high.rates['selection_rate'])} ({high.label})."
        )
    for g in eligible:
        if g.is_reference or g.disparate_impact is None:
            continue
        if g.disparate_impact < policy.min_disparate_impact_ratio:
            failed = True
            findings.append(
                f"Selection rate of {g.label} is {_f(g.rates['selection_rate'])}, of {ref.label} "
                f"{_f(ref.rates['selection_rate'])}: ratio {_f(g.disparate_impact)} < "
                f"{policy.min_disparate_impact_ratio:.2f}"
                + (f" (p = {g.p_value:.3g})." if g.p_value is not None else ".")
            )
    eod = summary["equalized_odds_difference"]
    if len(eligible) >= 2:
        if eod is None:
            findings.append("Equalized odds difference is undefined: no group has both classes.")
        elif eod >= policy.max_equalized_odds_difference:
            failed = True
            tpr: list[float] = [g.rates["tpr"] for g in eligible if g.rates["tpr"] is not None]
            fpr: list[float] = [g.rates["fpr"] for g in eligible if g.rates["fpr"] is not None]
            limit = policy.max_equalized_odds_difference
            findings.append(
                f"Equalized odds difference {_f(eod)} ≥ {limit:.2f}: "
                f"true positive rates span {_span(tpr)}, false positive rates {_span(fpr)}."
            )
    for g in groups:
        if not g.sufficient:
            findings.append(
                f"{g.label} has n = {g.n} < {policy.min_group_size}: insufficient data, "
                "not counted in the summaries or the verdict."
            )
        for rate in ("tpr", "fpr"):
            if g.sufficient and g.rates[rate] is None:
                findings.append(
                    f"{g.label}: {GROUP_METRICS[rate].label.lower()} is undefined "
                    f"({'no actual positives' if rate == 'tpr' else 'no actual negatives'})."
                )
    if failed:
        return Verdict.FAIL, findings
    if len(eligible) < 2 or len(eligible) < len(groups):
        if len(groups) < 2:
            findings.insert(0, "Only one group: there is nothing to compare.")
        return Verdict.INSUFFICIENT_DATA, findings
    findings.insert(0, "All thresholds of the policy are met.")
    return Verdict.PASS, findings


def analyse(
    n_rows: int,
    groupings: list[GroupingCounts],
    spec: AssessmentSpec,
    policy: Policy,
    mapping: dict[str, str],
) -> AssessmentResult:
    results = [analyse_grouping(g, n_rows, spec, policy) for g in groupings]
    return AssessmentResult(n_rows, policy, spec, mapping, results)
