"""The one list of a grouping's charts, shared by the fairness page and the PDF report.

:func:`grouping_charts` maps each chart's title to a builder that takes no argument, in display
order. Builders are lazy: nothing is computed until one is called, so a page that shows one chart
per run builds that one only. The group frame and the curves' JSON are computed at most once per
call of :func:`grouping_charts`, whichever builders are called.

The fairness page can use it in place of its own dictionary (views/fairness.py)::

    charts = grouping_charts(grouping, result.policy)
    name = st.segmented_control("Chart", list(charts), default=DEFAULT_CHART, ...) or DEFAULT_CHART
    fig = charts[name]()

Which charts a grouping has:

* always: Selection rate, Error rates, Disparate impact, Confusion matrices;
* with two or more sensitive features: Intersections;
* when any group carries score curves (the assessment had a score column): ROC, Calibration;
* when the grouping has a threshold sweep (a score column): Threshold sweep.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from governance.charts import fairness as charts
from governance.charts.scores import calibration_chart, roc_chart
from governance.charts.sweep import threshold_sweep_chart
from governance.fairness.analysis import GroupingResult
from governance.fairness.frames import groups_frame
from governance.fairness.policy import Policy

ChartBuilder = Callable[[], go.Figure]

SELECTION_RATE = "Selection rate"
ERROR_RATES = "Error rates"
DISPARATE_IMPACT = "Disparate impact"
CONFUSION_MATRICES = "Confusion matrices"
INTERSECTIONS = "Intersections"
ROC = "ROC"
CALIBRATION = "Calibration"
THRESHOLD_SWEEP = "Threshold sweep"
DEFAULT_CHART = SELECTION_RATE

# Every title grouping_charts can return, in display order.
CHART_TITLES: tuple[str, ...] = (
    SELECTION_RATE,
    ERROR_RATES,
    DISPARATE_IMPACT,
    CONFUSION_MATRICES,
    INTERSECTIONS,
    ROC,
    CALIBRATION,
    THRESHOLD_SWEEP,
)

_FrameChart = Callable[..., go.Figure]
_FRAME_CHARTS: tuple[tuple[str, _FrameChart], ...] = (
    (SELECTION_RATE, charts.selection_rate_chart),
    (ERROR_RATES, charts.error_rates_chart),
    (DISPARATE_IMPACT, charts.disparate_impact_chart),
    (CONFUSION_MATRICES, charts.confusion_matrix_chart),
    (INTERSECTIONS, charts.intersection_heatmap),
)


def has_curves(grouping: GroupingResult) -> bool:
    """Whether the grouping's groups carry ROC and calibration curves (a score was assessed)."""
    return any(g.curves for g in grouping.groups)


def grouping_charts(grouping: GroupingResult, policy: Policy) -> dict[str, ChartBuilder]:
    """Title → zero-argument builder of each chart of ``grouping``, in display order.

    Parameters
    ----------
    grouping:
        One grouping of an assessment.
    policy:
        The policy the assessment was judged by (thresholds, minimum group size, interval level).

    Returns
    -------
    dict
        Titles among :data:`CHART_TITLES`, each mapped to a function that builds that chart's
        :class:`plotly.graph_objects.Figure` when called (a fresh figure each call).
    """
    frame = cache(lambda: groups_frame(grouping))
    curves = cache(lambda: [g.to_json() for g in grouping.groups])
    wanted = set(CHART_TITLES)
    if len(grouping.sensitive_features) < 2:
        wanted.discard(INTERSECTIONS)
    if not has_curves(grouping):
        wanted -= {ROC, CALIBRATION}
    if grouping.sweep is None:
        wanted.discard(THRESHOLD_SWEEP)
    builders: dict[str, ChartBuilder] = {
        title: _from_frame(build, frame, policy) for title, build in _FRAME_CHARTS
    }
    builders[ROC] = _from_curves(roc_chart, curves)
    builders[CALIBRATION] = _from_curves(calibration_chart, curves)
    builders[THRESHOLD_SWEEP] = lambda: threshold_sweep_chart(grouping.sweep, policy)
    return {title: builders[title] for title in CHART_TITLES if title in wanted}


def _from_frame(
    build: _FrameChart, frame: Callable[[], pd.DataFrame], policy: Policy
) -> ChartBuilder:
    # A function per chart (not a lambda in a loop), so that each keeps its own builder.
    return lambda: build(frame(), policy=policy)


def _from_curves(
    build: Callable[[list[dict[str, Any]]], go.Figure], curves: Callable[[], list[dict[str, Any]]]
) -> ChartBuilder:
    return lambda: build(curves())


__all__ = [
    "CHART_TITLES",
    "DEFAULT_CHART",
    "THRESHOLD_SWEEP",
    "ChartBuilder",
    "grouping_charts",
    "has_curves",
]
