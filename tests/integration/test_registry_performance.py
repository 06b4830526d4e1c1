"""Performance points: imports checked before anything is written, bulk-appended in the
caller's unit on both databases, read back as daily trends, and a baseline crossing told to
the owner once per crossing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import func, select

from governance.audit.models import AuditEvent
from governance.auth.roles import Role
from governance.errors import NotFound, PermissionDenied, ValidationError
from governance.notifications.models import Notification
from governance.registry import performance
from governance.registry.models import PerformancePoint
from tests.factories import make_model, make_version

NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def scientist(make_user):
    return make_user(Role.DATA_SCIENTIST, "dana")


@pytest.fixture
def model(workbench, scientist):
    return make_model(workbench, by=scientist, name="Credit-Scorer")


def points_file(tmp_path, rows, name="points.csv"):
    frame = pd.DataFrame(rows)
    path = tmp_path / name
    if name.endswith(".parquet"):
        frame.to_parquet(path, index=False)
    else:
        frame.to_csv(path, index=False)
    return path


def series(days=10, metric="accuracy", start=0.95, step=0.0):
    return [
        {"metric": metric, "value": start + step * d,
         "timestamp": (NOW - timedelta(days=days - d)).isoformat()}
        for d in range(days)
    ]  # fmt: skip


def stored(workbench):
    with workbench.unit() as uow:
        return uow.session.scalar(select(func.count()).select_from(PerformancePoint))


def test_an_import_appends_every_point_and_one_event(workbench, scientist, model, tmp_path):
    rows = series(10) + series(10, "latency_ms", 120, 1)
    path = points_file(tmp_path, rows, "p.parquet")
    done = workbench.run(
        performance.import_points, actor=scientist.actor(), model="credit-scorer", path=path
    )
    assert done.rows == 20 and done.metrics == {"accuracy": 10, "latency_ms": 10}
    assert done.degraded == ()
    assert stored(workbench) == 20
    with workbench.unit() as uow:
        event = uow.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "registry.performance_recorded")
        ).one()
        assert event.details["rows"] == 20 and len(event.details["sha256"]) == 64
        trend = performance.daily_series(
            uow, actor=scientist.actor(), model=model.name, metric="latency_ms",
            since=(NOW - timedelta(days=30)).date(), until=NOW.date(),
        )  # fmt: skip
    # An independent reading of the same file: per-day means in pandas.
    frame = pd.DataFrame(rows)
    frame = frame[frame["metric"] == "latency_ms"]
    expected = frame.groupby(pd.to_datetime(frame["timestamp"]).dt.date)["value"].mean()
    assert trend["day"].tolist() == list(expected.index)
    assert np.allclose(trend["mean"], expected.to_numpy())
    assert trend["count"].sum() == 10


def test_versions_named_in_the_file_are_linked(workbench, scientist, model, tmp_path):
    v = make_version(workbench, model.name, maker=scientist, version="1.2.0")
    rows = [dict(r, version="1.2.0") for r in series(3)]
    workbench.run(performance.import_points, actor=scientist.actor(), model=model.name,
                  path=points_file(tmp_path, rows))  # fmt: skip
    with workbench.unit() as uow:
        linked = set(uow.session.scalars(select(PerformancePoint.version_id)))
    assert linked == {v.id}


BAD = [
    ({"metric": "accuracy", "value": "high", "timestamp": NOW.isoformat()}, "is not a number"),
    ({"metric": "accuracy", "value": "nan", "timestamp": NOW.isoformat()}, "not a finite number"),
    ({"metric": "latency_ms", "value": -3, "timestamp": NOW.isoformat()}, "cannot be negative"),
    ({"metric": "accuracy", "value": 0.9, "timestamp": "yesterday"}, "is not a date and time"),
    ({"metric": "accuracy", "value": 0.9,
      "timestamp": (NOW + timedelta(days=2)).isoformat()}, "is in the future"),
    ({"metric": "Accuracy <b>", "value": 0.9, "timestamp": NOW.isoformat()}, "not a metric name"),
    ({"metric": "accuracy", "value": 0.9, "timestamp": NOW.isoformat(), "colour": "red"},
     "unknown 'colour'"),
    ({"metric": "accuracy", "value": 0.9}, "the timestamp is empty"),
    ({"metric": "accuracy", "timestamp": NOW.isoformat()}, "the value is empty"),
    ({"metric": "accuracy", "value": 0.9, "timestamp": NOW.isoformat(), "details": "{oops"},
     "are not JSON"),
    ({"metric": "accuracy", "value": 0.9, "timestamp": NOW.isoformat(), "version": "9.9.9"},
     "is not registered"),
    ({"metric": "accuracy", "value": 0.9, "timestamp": NOW.isoformat(), "version": "v1"},
     "ersion"),
]  # fmt: skip


@pytest.mark.parametrize(("bad", "message"), BAD, ids=[m for _, m in BAD])
def test_a_bad_row_is_named_and_nothing_is_written(workbench, scientist, model, tmp_path, bad,
                                                   message):  # fmt: skip
    path = points_file(tmp_path, [*series(3), bad])
    with pytest.raises(ValidationError, match=message) as info:
        workbench.run(performance.import_points, actor=scientist.actor(), model=model.name,
                      path=path)  # fmt: skip
    if "data row" in str(info.value):
        assert "data row 4" in str(info.value)
    assert stored(workbench) == 0
    with workbench.unit() as uow:
        assert not uow.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "registry.performance_recorded")
        ).all()


def test_a_file_without_a_required_column_is_refused(workbench, scientist, model, tmp_path):
    path = points_file(tmp_path, [{"metric": "accuracy", "value": 0.9}])
    with pytest.raises(ValidationError, match="missing timestamp"):
        workbench.run(performance.import_points, actor=scientist.actor(), model=model.name,
                      path=path)  # fmt: skip
    assert stored(workbench) == 0


def test_unknown_model_and_refused_roles(workbench, scientist, model, make_user, tmp_path):
    path = points_file(tmp_path, series(2))
    with pytest.raises(NotFound, match="No model named"):
        workbench.run(performance.import_points, actor=scientist.actor(), model="nope",
                      path=path)  # fmt: skip
    executive = make_user(Role.EXECUTIVE, "erin")
    with pytest.raises(PermissionDenied):
        workbench.run(performance.import_points, actor=executive.actor(), model=model.name,
                      path=path)  # fmt: skip
    assert stored(workbench) == 0


def degradation_notices(workbench, owner_id):
    with workbench.unit() as uow:
        return uow.session.scalars(
            select(Notification.title).where(
                Notification.recipient_id == owner_id, Notification.kind == "performance.degraded"
            )
        ).all()


def test_a_crossing_is_told_once_and_again_after_recovery(workbench, scientist, model):
    """The baseline is accuracy >= 0.85: a week below tells the owner once."""

    def record(value, day):
        at = NOW - timedelta(days=day)
        return workbench.run(performance.record_points, actor=scientist.actor(), model=model.name,
                             points=[{"metric": "accuracy", "value": value,
                                      "timestamp": at.isoformat()}])  # fmt: skip

    assert record(0.9, 9).degraded == ()
    for day in (7, 6, 5, 4):
        assert record(0.80, day).degraded == ("accuracy",)
    assert len(degradation_notices(workbench, scientist.id)) == 1
    assert record(0.92, 3).degraded == ()  # recovered: the condition closes
    assert record(0.70, 2).degraded == ("accuracy",)
    assert (
        degradation_notices(workbench, scientist.id)
        == ["Performance below baseline: Credit-Scorer accuracy"] * 2
    )


def test_a_pipeline_records_points_with_details(workbench, scientist, model):
    done = workbench.run(
        performance.record_points, actor=scientist.actor(), model=model.name,
        points=[{"metric": "cost_usd", "value": 0.02, "timestamp": NOW.isoformat(),
                 "details": {"region": "eu", "batch": 7}}],
    )  # fmt: skip
    assert done.rows == 1
    with workbench.unit() as uow:
        row = uow.session.scalars(select(PerformancePoint)).one()
        assert row.details == {"batch": 7, "region": "eu"}
        assert row.observed_at == NOW
    with pytest.raises(ValidationError, match="none were given"):
        workbench.run(performance.record_points, actor=scientist.actor(), model=model.name,
                      points=[])  # fmt: skip


def test_times_with_an_offset_are_stored_in_utc(workbench, scientist, model, tmp_path):
    rows = [{"metric": "accuracy", "value": 0.9, "timestamp": "2026-06-01T10:00:00+02:00"},
            {"metric": "accuracy", "value": 0.9, "timestamp": "2026-06-01 09:00:00"}]  # fmt: skip
    workbench.run(performance.import_points, actor=scientist.actor(), model=model.name,
                  path=points_file(tmp_path, rows))  # fmt: skip
    with workbench.unit() as uow:
        times = sorted(uow.session.scalars(select(PerformancePoint.observed_at)))
    assert times == [datetime(2026, 6, 1, 8, tzinfo=UTC), datetime(2026, 6, 1, 9, tzinfo=UTC)]
    assert date(2026, 6, 1) == times[0].date()


@pytest.fixture(scope="module")
def worker():
    """The page's path: the file is read and checked in a reading worker, appended here."""
    from governance.analytics.isolated import IsolatedReader, ReadLimits

    pool = IsolatedReader(ReadLimits(seconds=20, memory_mb=2048),
                          preload=("governance.registry.performance",))  # fmt: skip
    yield pool
    pool.close()


def test_points_checked_in_a_worker_append_as_an_import_does(
    workbench, scientist, model, tmp_path, worker
):
    from governance.fairness.caps import FileCaps

    path = points_file(tmp_path, series(5) + series(5, "latency_ms", 400, 1))
    checked = worker.run("p.csv", performance.read_points, path, display_name="week.csv",
                         now=datetime.now(UTC), caps=FileCaps(max_columns=20))  # fmt: skip
    assert checked.table.num_rows == 10 and checked.name == "week.csv"
    assert stored(workbench) == 0  # reading writes nothing
    done = workbench.run(
        performance.append_points, actor=scientist.actor(), model=model.name, points=checked
    )
    assert done.rows == 10 and done.degraded == ("latency_ms",)
    with workbench.unit() as uow:
        event = uow.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "registry.performance_recorded")
        ).one()
        assert event.details["file"] == "week.csv"
        assert event.details["sha256"] == checked.sha256 == performance._sha256(path)


def test_a_bad_file_read_in_a_worker_is_refused_with_its_row(workbench, tmp_path, worker):
    rows = [*series(3), {"metric": "accuracy", "value": "high", "timestamp": NOW.isoformat()}]
    path = points_file(tmp_path, rows)
    with pytest.raises(ValidationError, match=r"data row 4: value 'high' is not a number"):
        worker.run("p.csv", performance.read_points, path, display_name="p.csv",
                   now=datetime.now(UTC))  # fmt: skip
    assert stored(workbench) == 0


def test_appending_checked_points_needs_the_right_to_import(
    workbench, scientist, model, tmp_path, make_user
):
    checked = performance.read_points(points_file(tmp_path, series(2)), now=datetime.now(UTC))
    executive = make_user(Role.EXECUTIVE, "erin")
    with pytest.raises(PermissionDenied):
        workbench.run(performance.append_points, actor=executive.actor(), model=model.name,
                      points=checked)  # fmt: skip
    assert stored(workbench) == 0


def _days_from_points(uow, model_id):
    """An independent reading: every point of the model grouped by its UTC day in Python."""
    grouped: dict[tuple[str, date], list[float]] = {}
    for metric, value, at in uow.session.execute(
        select(PerformancePoint.metric, PerformancePoint.value, PerformancePoint.observed_at).where(
            PerformancePoint.model_id == model_id
        )
    ):
        grouped.setdefault((metric, at.astimezone(UTC).date()), []).append(value)
    return {k: (len(v), sum(v), min(v), max(v)) for k, v in grouped.items()}


def test_the_days_sums_equal_the_points_after_overlapping_appends(workbench, scientist, model):
    """Two appends to the same days grow the days' rows; the trend reads them."""
    from governance.registry.models import PerformanceDay

    rng = np.random.default_rng(3)
    for _ in range(2):
        points = [{"metric": metric, "value": float(rng.random()),
                   "timestamp": (NOW - timedelta(hours=int(h))).isoformat()}
                  for metric in ("accuracy", "latency_ms")
                  for h in rng.integers(0, 24 * 5, 40)]  # fmt: skip
        workbench.run(performance.record_points, actor=scientist.actor(), model=model.name,
                      points=points)  # fmt: skip
    with workbench.unit() as uow:
        expected = _days_from_points(uow, model.id)
        days = {(d.metric, d.day): (d.points, d.total, d.minimum, d.maximum)
                for d in uow.session.scalars(select(PerformanceDay))}  # fmt: skip
        trend = performance.daily_series(
            uow, actor=scientist.actor(), model=model.name, metric="accuracy",
            since=(NOW - timedelta(days=6)).date(), until=NOW.date(),
        )  # fmt: skip
        mean, count = performance.window_mean(uow, model.id, "accuracy", NOW - timedelta(days=2))
        direct = uow.session.execute(
            select(func.avg(PerformancePoint.value), func.count()).where(
                PerformancePoint.metric == "accuracy",
                PerformancePoint.observed_at >= NOW - timedelta(days=2),
            )
        ).one()
    assert days.keys() == expected.keys()
    for key, (n, total, low, high) in expected.items():
        got = days[key]
        assert got[0] == n and np.isclose(got[1], total) and (got[2], got[3]) == (low, high)
    accuracy = sorted((d, v) for (m, d), v in expected.items() if m == "accuracy")
    assert trend["day"].tolist() == [d for d, _ in accuracy]
    assert trend["count"].tolist() == [v[0] for _, v in accuracy]
    assert np.allclose(trend["mean"], [v[1] / v[0] for _, v in accuracy])
    assert count == direct[1] and np.isclose(mean, direct[0])


def test_the_migration_fills_the_days_from_the_points_already_stored(db, scientist, model):
    """0011 on a database that already holds points (written here as before it existed): one
    row per model, metric and UTC day."""
    from sqlalchemy import insert, text

    from governance.db.migrate import downgrade, upgrade

    downgrade(db.engine, "0010_performance")
    day = datetime(2026, 6, 1, tzinfo=UTC)
    with db.engine.begin() as conn:
        conn.execute(insert(PerformancePoint), [
            {"model_id": model.id, "metric": "accuracy", "value": v, "observed_at": at}
            for v, at in ((0.5, day), (0.7, day + timedelta(hours=23, minutes=59)),
                          (0.9, day + timedelta(days=1)))
        ])  # fmt: skip
    upgrade(db.engine)
    with db.engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT day, points, total, minimum, maximum FROM performance_days ORDER BY day"
        )).all()  # fmt: skip
    assert [(str(r[0])[:10], r[1], r[2], r[3], r[4]) for r in rows] == [
        ("2026-06-01", 2, 1.2, 0.5, 0.7), ("2026-06-02", 1, 0.9, 0.9, 0.9)]  # fmt: skip
