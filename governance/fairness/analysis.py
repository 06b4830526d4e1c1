"""From per-group counts to rates, intervals, disparities, a verdict and findings (pure)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from governance.errors import ValidationError
from governance.fairness.metrics import (
    DENOMINATORS,
    GROUP_METRICS,
    SUMMARY_METRICS,
    Counts,
    SummaryScope,
    default_reference,
    disparate_impact,
    group_rates,
    summaries,
    summaries_using,
    summary_scope,
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
from governance.fairness.sweep import ThresholdSweep, threshold_sweep
from governance.fairness.uncertainty import (
    bootstrap_counts,
    percentile_interval,
    rate_intervals,
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
    # Rate name → why it is left out of the summaries ("only 3 actual positives (< 30)").
    excluded_rates: dict[str, str] = field(default_factory=dict)

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
            "excluded_rates": self.excluded_rates,
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
    # With a score column: rates and verdict at thresholds 0.00 … 1.00 (None without one).
    sweep: ThresholdSweep | None = None

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
            **({"threshold_sweep": self.sweep.to_json()} if self.sweep is not None else {}),
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
    out["summaries"] = (
        "computed over groups with at least the policy's minimum size; a rate whose denominator "
        "(actual positives for TPR and FNR, actual negatives for FPR and TNR, predicted "
        "positives for precision) is below that minimum is left out of the summaries using it"
    )
    out["excluded_rates"] = (
        "a group's rates left out of the summaries because their denominator is below the "
        "policy's minimum size, each with the reason"
    )
    out["threshold_sweep"] = (
        "with a score column: each group's selection rate, TPR and FPR, the overall accuracy and "
        "the policy's summaries at thresholds 0.00 to 1.00 in steps of 0.01, from the score "
        "histogram (bins of 0.001), and where every limit of the policy is met"
    )
    out["auc"] = "area under the ROC curve of the score (ties within 0.001 count half)"
    out["calibration_error"] = (
        "expected calibration error: n-weighted mean |mean score − observed rate| in 10 bins"
    )
    out["auc_difference"] = "largest minus smallest AUC across groups"
    return out


def _named_reference(
    features: tuple[str, ...], groups: list[tuple[str, ...]], spec: AssessmentSpec
) -> int | None:
    """The index of the reference group the spec names for these features, if it names one."""
    if not all(f in spec.reference for f in features):
        return None
    wanted = tuple(str(spec.reference[f]) for f in features)
    if wanted not in groups:
        shown = ", ".join("/".join(g) for g in groups[:10])
        raise ValidationError(
            f"Reference group {'/'.join(wanted)!r} does not occur in {' × '.join(features)} "
            f"(groups: {shown})."
        )
    return groups.index(wanted)


def _reference_index(
    features: tuple[str, ...],
    groups: list[tuple[str, ...]],
    rates: np.ndarray,
    n: np.ndarray,
    eligible: np.ndarray,
    spec: AssessmentSpec,
) -> int:
    """The named reference group, else the highest selection rate (ties: larger n, first name)."""
    named = _named_reference(features, groups, spec)
    return named if named is not None else default_reference(rates, n, eligible)


def _summaries(
    counts: Counts, boot: Counts, scope: SummaryScope, level: float
) -> tuple[dict[str, float | None], dict[str, list[float | None]]]:
    """The summaries over ``scope`` and their bootstrap intervals, leaving out the same rates."""
    excluded = scope.excluded_in_use()
    sub = Counts.unstack(counts.stack()[scope.use])
    # The resamples keep the observed exclusions: an interval describes the same summary.
    sub_boot = Counts.unstack(boot.stack()[:, scope.use])
    values = {k: _num(float(v)) for k, v in summaries(sub, excluded).items()}
    intervals: dict[str, list[float | None]] = {}
    for k, samples in summaries(sub_boot, excluded).items():
        lo, hi = percentile_interval(samples[:, None], level)
        intervals[k] = [_num(float(lo[0])), _num(float(hi[0]))]
    return values, intervals


def _excluded_reasons(counts: Counts, scope: SummaryScope, minimum: int) -> list[dict[str, str]]:
    """Per group: each rate left out of the summaries and why, in words."""
    out: list[dict[str, str]] = [{} for _ in range(len(scope.use))]
    for name, mask in scope.excluded.items():
        den = DENOMINATORS[name]
        values = den.compute(counts)
        for i in np.flatnonzero(mask):
            count = int(values[i])
            what = den.what[:-1] if count == 1 else den.what  # "1 actual positive"
            out[i][name] = f"only {count} {what} (< {minimum})"
    return out


def _score_rates(
    gc: GroupingCounts, use: np.ndarray
) -> tuple[np.ndarray | None, np.ndarray | None, float | None]:
    """AUC and calibration error per group, and the AUC difference over ``use`` (None: no score)."""
    if gc.scores is None:
        return None, None, None
    aucs = auc(gc.scores)
    eces = expected_calibration_error(gc.scores)
    difference = (
        float(np.nanmax(aucs[use]) - np.nanmin(aucs[use]))
        if np.isfinite(aucs[use]).any()
        else float("nan")
    )
    return aucs, eces, _num(difference)


def _add_score_rates(
    g: GroupResult, i: int, counts: Counts, aucs: np.ndarray, eces: np.ndarray, level: float
) -> None:
    g.rates["auc"] = _num(aucs[i])
    g.rates["calibration_error"] = _num(eces[i])
    g.ci["auc"] = list(
        auc_interval(
            float(aucs[i]),
            float(counts.tp[i] + counts.fn[i]),
            float(counts.fp[i] + counts.tn[i]),
            level,
        )
    )


def analyse_grouping(
    gc: GroupingCounts, n_rows: int, spec: AssessmentSpec, policy: Policy
) -> GroupingResult:
    counts = gc.counts
    n = counts.n
    rates = group_rates(counts)
    sr = rates["selection_rate"]
    scope = summary_scope(counts, policy.min_group_size)
    eligible = scope.eligible
    ref = _reference_index(gc.features, gc.groups, sr, n, eligible, spec)
    di = disparate_impact(sr, ref)

    boot = bootstrap_counts(counts, replicates=policy.bootstrap_replicates, seed=policy.random_seed)
    level = policy.confidence_level
    intervals = rate_intervals(boot, level)
    boot_sr = GROUP_METRICS["selection_rate"].compute(boot)
    di_lo, di_hi = percentile_interval(disparate_impact(boot_sr, ref), level)
    summary_values, summary_ci = _summaries(counts, boot, scope, level)

    aucs, eces, auc_difference = _score_rates(gc, scope.use)
    if aucs is not None:
        summary_values["auc_difference"] = auc_difference
    reasons = _excluded_reasons(counts, scope, policy.min_group_size)
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
                excluded_rates=reasons[i],
            )
        )
        if aucs is not None and eces is not None:
            _add_score_rates(groups[-1], i, counts, aucs, eces, level)
    verdict, findings = judge(groups, summary_values, policy)
    sweep = None
    if gc.scores is not None:
        sweep = threshold_sweep(
            gc.scores,
            features=gc.features,
            groups=gc.groups,
            scope=scope,
            reference=_named_reference(gc.features, gc.groups, spec),
            policy=policy,
            chosen=counts,
            # With a prediction column as well, the decision is that column, not a threshold.
            chosen_threshold=spec.threshold if spec.y_pred is None else None,
        )
    return GroupingResult(
        sensitive_features=list(gc.features),
        reference_group=groups[ref].group,
        groups=groups,
        summaries=summary_values,
        summary_ci=summary_ci,
        verdict=verdict,
        findings=findings,
        sweep=sweep,
    )


def _f(x: float | None) -> str:
    return "undefined" if x is None else f"{x:.2f}"


def _span(values: list[float]) -> str:
    return f"{_f(min(values))}–{_f(max(values))}" if values else "undefined"


def _parity_finding(eligible: list[GroupResult], dpd: float | None, policy: Policy) -> str | None:
    """The finding when the demographic parity difference reaches its limit."""
    limit = policy.max_demographic_parity_difference
    if len(eligible) < 2 or dpd is None or dpd < limit:
        return None
    low = min(eligible, key=lambda g: g.rates["selection_rate"] or 0)
    high = max(eligible, key=lambda g: g.rates["selection_rate"] or 0)
    return (
        f"Demographic parity difference {_f(dpd)} ≥ {limit:.2f}: "
        f"selection rate ranges from {_f(low.rates['selection_rate'])} ({low.label}) to "
        f"{_f(high.rates['selection_rate'])} ({high.label})."
    )


def _ratio_findings(eligible: list[GroupResult], ref: GroupResult, policy: Policy) -> list[str]:
    """One finding per judged group whose disparate impact ratio is below the minimum."""
    out: list[str] = []
    for g in eligible:
        if g.is_reference or g.disparate_impact is None:
            continue
        if g.disparate_impact < policy.min_disparate_impact_ratio:
            out.append(
                f"Selection rate of {g.label} is {_f(g.rates['selection_rate'])}, of {ref.label} "
                f"{_f(ref.rates['selection_rate'])}: ratio {_f(g.disparate_impact)} < "
                f"{policy.min_disparate_impact_ratio:.2f}"
                + (f" (p = {g.p_value:.3g})." if g.p_value is not None else ".")
            )
    return out


def _counted(groups: list[GroupResult], rate: str) -> list[float]:
    """The values of ``rate`` that the summaries count (defined, not left out)."""
    return [
        value
        for g in groups
        if (value := g.rates[rate]) is not None and rate not in g.excluded_rates
    ]


def _odds_finding(
    eligible: list[GroupResult], eod: float | None, policy: Policy
) -> tuple[bool, str | None]:
    """Whether the equalized odds difference fails, and the finding to report about it."""
    if len(eligible) < 2:
        return False, None
    if eod is None:
        if any({"tpr", "fpr"} & set(g.excluded_rates) for g in eligible):
            return False, (
                f"Equalized odds difference is undefined: no group has {policy.min_group_size} "
                f"or more actual positives, nor {policy.min_group_size} or more actual negatives."
            )
        return False, "Equalized odds difference is undefined: no group has both classes."
    limit = policy.max_equalized_odds_difference
    if eod < limit:
        return False, None
    return True, (
        f"Equalized odds difference {_f(eod)} ≥ {limit:.2f}: "
        f"true positive rates span {_span(_counted(eligible, 'tpr'))}, "
        f"false positive rates {_span(_counted(eligible, 'fpr'))}."
    )


def _left_out(rate: str) -> str:
    """Which summaries a rate is left out of, in words: "the equalized odds difference"."""
    names = [SUMMARY_METRICS[m].label.lower() for m in summaries_using(rate)]
    if len(names) > 1 and all(x.endswith(" difference") for x in names):
        stems = [x.removesuffix(" difference") for x in names]
        return "the " + ", ".join(stems[:-1]) + " and " + stems[-1] + " differences"
    return "the " + " and ".join(names)


def _data_findings(groups: list[GroupResult], policy: Policy) -> list[str]:
    """Per group: too few rows, rates left out for too small a denominator, undefined rates."""
    out: list[str] = []
    for g in groups:
        if not g.sufficient:
            out.append(
                f"{g.label} has n = {g.n} < {policy.min_group_size}: insufficient data, "
                "not counted in the summaries or the verdict."
            )
        for rate, reason in g.excluded_rates.items():
            if summaries_using(rate):
                out.append(
                    f"{g.label}: {GROUP_METRICS[rate].label.lower()} left out of "
                    f"{_left_out(rate)}: {reason}."
                )
        for rate in ("tpr", "fpr"):
            if g.sufficient and g.rates[rate] is None:
                out.append(
                    f"{g.label}: {GROUP_METRICS[rate].label.lower()} is undefined "
                    f"({'no actual positives' if rate == 'tpr' else 'no actual negatives'})."
                )
    return out


def judge(
    groups: list[GroupResult], summary: dict[str, float | None], policy: Policy
) -> tuple[Verdict, list[str]]:
    """Apply the policy: a verdict and its findings in plain words."""
    ref = next(g for g in groups if g.is_reference)
    eligible = [g for g in groups if g.sufficient]
    parity = _parity_finding(eligible, summary["demographic_parity_difference"], policy)
    ratios = _ratio_findings(eligible, ref, policy)
    odds_failed, odds = _odds_finding(eligible, summary["equalized_odds_difference"], policy)
    findings = [f for f in (parity, *ratios, odds) if f is not None]
    findings += _data_findings(groups, policy)
    if parity is not None or ratios or odds_failed:
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
