"""Baseline requirements judged on the performance points recorded over a window of days.

A floor (``accuracy >= 0.85``) is judged on the window's mean. A ceiling (``latency_ms <=
300``) is judged on the window's 95th percentile, as service levels are written: a mean under
the ceiling can hide a slow tail that one request in ten waits through. The points are the
version's own where any name it (a shadow run, a pipeline that records the version); a version
none name yet is judged on the model's points that name no version, and the evidence says
which, with the count and the days.
"""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from governance.errors import ValidationError
from governance.kernel import UnitOfWork
from governance.registry.fields import Direction, Target
from governance.registry.models import PerformancePoint
from governance.registry.requirements import Requirement, refuse_empty_baseline

PERCENTILE = 0.95
MAX_WINDOW_DAYS = 366


def check_window(days: object) -> int:
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_WINDOW_DAYS:
        raise ValidationError(
            f"Window: a whole number of days from 1 to {MAX_WINDOW_DAYS} (given {days!r})."
        )
    return days


def measured_requirements(
    uow: UnitOfWork,
    *,
    model_id: int,
    version_id: int,
    targets: tuple[Target, ...],
    days: int,
) -> list[Requirement]:
    """One requirement per baseline metric, judged on the last ``days`` days of points."""
    refuse_empty_baseline(targets)
    check_window(days)
    until = uow.now()
    since = until - timedelta(days=days)
    window = (
        PerformancePoint.model_id == model_id,
        PerformancePoint.observed_at >= since,
        PerformancePoint.observed_at <= until,
    )
    own = uow.session.scalar(
        select(PerformancePoint.id).where(*window, PerformancePoint.version_id == version_id)
    )
    if own is not None:
        scope, whose = PerformancePoint.version_id == version_id, "this version's points"
    else:
        scope, whose = PerformancePoint.version_id.is_(None), "the model's points"
    span = f"{since:%Y-%m-%d} to {until:%Y-%m-%d}, {days} days"
    return [_judged(uow, t, (*window, scope), f"{span}, {whose}") for t in targets]


def _judged(uow: UnitOfWork, target: Target, where: tuple[Any, ...], span: str) -> Requirement:
    points = (*where, PerformancePoint.metric == target.metric)
    count = uow.session.scalar(select(func.count()).where(*points)) or 0
    if count == 0:
        return Requirement(
            target.metric, str(target), None, f"no {target.metric} points ({span})", False
        )
    if target.direction is Direction.AT_LEAST:
        value = float(uow.session.scalar(select(func.avg(PerformancePoint.value)).where(*points)))
        statistic = "mean"
    else:
        # Nearest rank: the smallest value at least 95% of the points are at or below. ORDER
        # BY … OFFSET reads the same on both databases (SQLite has no percentile function).
        rank = math.ceil(PERCENTILE * count) - 1
        value = float(
            uow.session.scalar(
                select(PerformancePoint.value)
                .where(*points)
                .order_by(PerformancePoint.value)
                .offset(rank)
                .limit(1)
            )
        )
        statistic = "95th percentile"
    evidence = f"{statistic} of {count:,} point{'' if count == 1 else 's'} ({span})"
    return Requirement(target.metric, str(target), value, evidence, target.met_by(value))
