"""Performance points: imported from a file or recorded by a pipeline, read as daily trends.

Points are checked in DuckDB before anything is written (one scan finds every kind of bad
row, and names the first of each), then appended in one bulk write inside the caller's unit:
``COPY`` on PostgreSQL, ``executemany`` on SQLite — an ORM object per point would make a
million-point import take minutes. One audit event covers the batch (its size, metrics, span
and the file's SHA-256). A metric of the model's baseline whose latest day breaks its
threshold opens a degradation condition and tells the owner once per crossing.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from governance.actor import Actor
from governance.audit.events import AuditAction, Event, Resource
from governance.auth.roles import Action
from governance.errors import ValidationError
from governance.fairness.caps import FileCaps
from governance.fairness.inputs import Source, explain_duckdb_error
from governance.kernel import UnitOfWork, authorize
from governance.notifications import close_condition, notify_on_opening
from governance.registry.fields import baseline_of
from governance.registry.models import Model, ModelVersion, PerformanceDay, PerformancePoint
from governance.registry.records import model_by_name
from governance.registry.semver import parse_semver

REQUIRED = ("metric", "value", "timestamp")
OPTIONAL = ("version", "details")
METRIC = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
# Times, costs and counts cannot be negative: a sign error upstream, refused here.
NON_NEGATIVE = re.compile(r"(latency|_ms$|_seconds$|^cost|_usd$|_count$|tokens)")
# Clocks disagree a little; a point from further ahead than this is a wrong time zone or year.
CLOCK_SKEW = timedelta(minutes=5)
MAX_POINTS = 20_000_000  # a batch held in memory at once (about 1 GiB at this size)


@dataclass(frozen=True, slots=True)
class Recorded:
    """What one import or recording appended."""

    model: str
    rows: int
    metrics: dict[str, int]
    first: datetime | None
    last: datetime | None
    degraded: tuple[str, ...]  # baseline metrics whose latest day now breaks the threshold


@dataclass(frozen=True, slots=True)
class CheckedPoints:
    """A file's points after every check, ready to append (plain data: it crosses processes)."""

    name: str  # the file's name as the person gave it, for messages and the audit event
    sha256: str
    table: pa.Table  # the typed points: row, metric, value, observed_at, version, details


_KEPT = "SELECT row, metric, value, observed_at, version, details FROM points ORDER BY row"


def read_points(
    path: Path, *, display_name: str | None = None, now: datetime, caps: FileCaps | None = None
) -> CheckedPoints:
    """Read and check the points of a CSV, Parquet or Excel file; nothing is written.

    Pure reading, so the page runs it in a bounded worker process (an upload's DuckDB scan
    never runs in the server) and hands the result to :func:`append_points`.
    """
    name = display_name or Path(path).name
    with Source(Path(path), display_name=name, caps=caps) as source:
        _checked(source.con, source.relation, source.params, name, now)
        table = source.con.sql(_KEPT).to_arrow_table()
    return CheckedPoints(name, _sha256(Path(path)), table)


def append_points(uow: UnitOfWork, *, actor: Actor, model: str, points: CheckedPoints) -> Recorded:
    """Append points that :func:`read_points` checked."""
    authorize(uow, actor, Action.REGISTRY_VALIDATE, Resource.MODEL)
    record = model_by_name(uow, model)
    con = duckdb.connect(":memory:")
    try:
        con.execute("SET TimeZone = 'UTC'")  # as sandboxed connections read times
        con.register("checked", points.table)
        con.execute("CREATE TEMP TABLE points AS SELECT * FROM checked")
        source = {"file": points.name[:200], "sha256": points.sha256}
        return _append(uow, actor, record, con, source)
    finally:
        con.close()


def import_points(
    uow: UnitOfWork,
    *,
    actor: Actor,
    model: str,
    path: Path,
    display_name: str | None = None,
) -> Recorded:
    """Append the points in a CSV, Parquet or Excel file (columns ``metric``, ``value``,
    ``timestamp``; optional ``version`` and ``details`` as JSON text)."""
    authorize(uow, actor, Action.REGISTRY_VALIDATE, Resource.MODEL)
    record = model_by_name(uow, model)
    name = display_name or Path(path).name
    # Checked and appended from one DuckDB connection: a million points never become a frame.
    with Source(Path(path), display_name=name) as source:
        _checked(source.con, source.relation, source.params, name, uow.now())
        digest = _sha256(Path(path))
        return _append(uow, actor, record, source.con, {"file": name[:200], "sha256": digest})


def record_points(
    uow: UnitOfWork, *, actor: Actor, model: str, points: Iterable[Mapping[str, Any]]
) -> Recorded:
    """Append points given as mappings with the file's columns (a pipeline's own call)."""
    authorize(uow, actor, Action.REGISTRY_VALIDATE, Resource.MODEL)
    record = model_by_name(uow, model)
    given = pd.DataFrame(list(points))
    if given.empty:
        raise ValidationError("Performance points: none were given.")
    if "details" in given:
        given["details"] = given["details"].map(
            lambda d: None if d is None else json.dumps(d, sort_keys=True, default=str)
        )
    con = duckdb.connect(":memory:")
    try:
        con.execute("SET TimeZone = 'UTC'")  # as sandboxed connections read times
        con.register("given", given)
        _checked(con, "given", {}, "the points", uow.now())
        return _append(uow, actor, record, con, {"source": "record_points"})
    finally:
        con.close()


def _checked(con, relation: str, params: dict, name: str, now: datetime) -> int:
    """How many points there are, left typed in DuckDB's temporary table ``points``; or a
    refusal naming the first bad row of each kind."""
    columns = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {relation}", params).fetchall()]  # noqa: S608 (ours)
    _check_columns(columns, name)
    version = "CAST(version AS VARCHAR)" if "version" in columns else "NULL"
    details = "CAST(details AS VARCHAR)" if "details" in columns else "NULL"
    # Column names are ours (checked above); the relation is ours; values are bound.
    typed = f"""
        SELECT row_number() OVER () AS row, CAST(metric AS VARCHAR) AS metric,
               CAST(value AS VARCHAR) AS raw_value, TRY_CAST(value AS DOUBLE) AS value,
               CAST(timestamp AS VARCHAR) AS raw_time,
               TRY_CAST(timestamp AS TIMESTAMPTZ) AS observed_at,
               {version} AS version, {details} AS details
        FROM {relation}"""  # noqa: S608
    try:
        con.execute(f"CREATE TEMP TABLE points AS {typed}", params)
        _refuse_bad_rows(con, name, now)
        [(count,)] = con.execute("SELECT count(*) FROM points").fetchall()
    except duckdb.Error as exc:
        raise ValidationError(explain_duckdb_error(exc, name)) from None
    if count == 0:
        raise ValidationError(f"{name!r} holds no performance points.")
    if count > MAX_POINTS:
        raise ValidationError(f"{name!r} has {count:,} points; import at most "
                              f"{MAX_POINTS:,} at a time.")  # fmt: skip
    return int(count)


def _check_columns(columns: list[str], name: str) -> None:
    lowered = [c.strip().lower() for c in columns]
    if lowered != list(columns):
        raise ValidationError(f"{name!r}: write column names in lower case without spaces "
                              f"({', '.join(map(repr, columns))[:300]}).")  # fmt: skip
    missing = [c for c in REQUIRED if c not in columns]
    unknown = [c for c in columns if c not in REQUIRED + OPTIONAL]
    if missing or unknown:
        parts = []
        if missing:
            parts.append(f"missing {', '.join(missing)}")
        if unknown:
            parts.append(f"unknown {', '.join(repr(c[:60]) for c in unknown[:10])}")
        raise ValidationError(
            f"{name!r}: {'; '.join(parts)}. A performance file has the columns metric, value "
            "and timestamp, and may have version and details (JSON text)."
        )


# Each check: a condition on a bad row, and what to say about the first one.
_BAD_ROWS: tuple[tuple[str, str], ...] = (
    ("metric IS NULL OR NOT regexp_full_match(metric, '[a-z][a-z0-9_]{0,63}')",
     "metric {metric!r} is not a metric name (lower-case letters, digits and _)"),
    ("raw_value IS NULL", "the value is empty"),
    ("value IS NULL", "value {raw_value!r} is not a number"),
    ("isnan(value) OR isinf(value)", "value {raw_value!r} is not a finite number"),
    ("raw_time IS NULL", "the timestamp is empty"),
    ("observed_at IS NULL", "timestamp {raw_time!r} is not a date and time"),
    ("observed_at > $latest", "timestamp {raw_time!r} is in the future"),
    ("value < 0 AND regexp_matches(metric, '" + NON_NEGATIVE.pattern + "')",
     "{metric} cannot be negative, and the value is {raw_value}"),
    ("details IS NOT NULL AND json_valid(details) IS NOT TRUE",
     "details {details!r} are not JSON"),
)  # fmt: skip


def _refuse_bad_rows(con, name: str, now: datetime) -> None:
    latest = now + CLOCK_SKEW
    for condition, problem in _BAD_ROWS:
        row = con.execute(
            f"SELECT row, metric, raw_value, raw_time, details, count(*) OVER () "  # noqa: S608
            f"FROM points WHERE {condition} ORDER BY row LIMIT 1",
            {"latest": latest} if "$latest" in condition else {},
        ).fetchone()
        if row is not None:
            number, metric, raw_value, raw_time, details, count = row
            shown = problem.format(
                metric=(metric or "")[:64], raw_value=(raw_value or "")[:40],
                raw_time=(raw_time or "")[:40], details=(details or "")[:60],
            )  # fmt: skip
            more = f" ({count - 1:,} more rows like it)" if count > 1 else ""
            raise ValidationError(
                f"{name!r}, data row {number:,}: {shown}{more}. Nothing was imported."
            )


# The time as text in the stored form (UTC, microseconds), made by DuckDB: formatting a
# million datetimes in Python took longer than the rest of the import together.
_STORED = "strftime(observed_at, '%Y-%m-%d %H:%M:%S.%f')"


def _versions(uow: UnitOfWork, model: Model, con) -> None:
    """Each named version's id in DuckDB's table ``version_ids``; unknown ones refused."""
    con.execute("CREATE TEMP TABLE version_ids (label VARCHAR PRIMARY KEY, id BIGINT)")
    named = [r[0] for r in con.execute(
        "SELECT DISTINCT version FROM points WHERE version IS NOT NULL ORDER BY version"
    ).fetchall()]  # fmt: skip
    ids: list[tuple[str, int]] = []
    for label in named:
        key = str(parse_semver(str(label)))
        found = uow.session.scalar(
            select(ModelVersion.id).where(
                ModelVersion.model_id == model.id, ModelVersion.version == key
            )
        )
        if found is None:
            raise ValidationError(
                f"Version {str(label)[:40]!r} of {model.name!r} is not registered. Register it "
                "first (python -m governance registry add-version), or leave the column empty."
            )
        ids.append((label, found))
    if ids:
        con.executemany("INSERT INTO version_ids VALUES (?, ?)", ids)


def _append(uow: UnitOfWork, actor: Actor, model: Model, con, source: dict[str, Any]) -> Recorded:
    """Write the checked points held in DuckDB (``points``), their days, and the event."""
    _versions(uow, model, con)
    metrics = {str(m): int(n) for m, n in con.execute(
        "SELECT metric, count(*) FROM points GROUP BY metric ORDER BY metric"
    ).fetchall()}  # fmt: skip
    rows = sum(metrics.values())
    [(low, high)] = con.execute(f"SELECT min({_STORED}), max({_STORED}) FROM points").fetchall()  # noqa: S608 (ours)
    first, last = _utc(low), _utc(high)
    _bulk_insert(uow, con, model.id)
    _add_days(uow, con, model.id)
    degraded = _check_degradation(uow, model, set(metrics))
    details = {**source, "rows": rows, "metrics": metrics, "first": first, "last": last,
               "degraded": list(degraded)}  # fmt: skip
    uow.record(actor, Event(AuditAction.PERFORMANCE_RECORDED, Resource.MODEL, model.id, details))
    return Recorded(model.name, rows, metrics, first, last, degraded)


# Fixed text: the column list above, one bound value each.
_SQLITE_INSERT = (
    "INSERT INTO performance_points "
    "(model_id, version_id, metric, value, observed_at, details) VALUES (?, ?, ?, ?, ?, ?)"
)
_COLUMNS = ("model_id", "version_id", "metric", "value", "observed_at", "details")
# Rows per chunk handed to the database: small enough to stream (the server parses one chunk
# while DuckDB and pyarrow make the next), large enough that per-chunk costs vanish.
_CHUNK = 100_000


def _rows_query(model_id: int, zone: str) -> str:
    """The points as ``performance_points`` rows, in the file's order (``model_id`` is an
    int from our record; ``zone`` is ours)."""
    return (
        f"SELECT CAST({int(model_id)} AS BIGINT) AS model_id, v.id AS version_id, p.metric, "  # noqa: S608
        f"p.value, {_STORED}{zone} AS observed_at, p.details "
        "FROM points p LEFT JOIN version_ids v ON v.label = p.version ORDER BY p.row"
    )


def _bulk_insert(uow: UnitOfWork, con, model_id: int) -> None:
    uow.session.flush()
    raw: Any = uow.session.connection().connection.driver_connection
    if uow.dialect == "postgresql":
        # DuckDB makes the rows (ids joined, times as text) and pyarrow writes each chunk as
        # CSV: no pandas frame and no Python object per value. Nulls are empty unquoted
        # fields, which PostgreSQL's CSV reads as NULL; strings are quoted.
        batches = con.sql(_rows_query(model_id, " || '+00:00'")).to_arrow_reader(_CHUNK)
        options = pa_csv.WriteOptions(include_header=False)
        sql = f"COPY performance_points ({', '.join(_COLUMNS)}) FROM STDIN WITH (FORMAT csv)"
        with raw.cursor() as cursor, cursor.copy(sql) as copy:
            for batch in batches:
                text_out = pa.BufferOutputStream()
                pa_csv.write_csv(batch, text_out, options)
                copy.write(text_out.getvalue())
        return
    # SQLite: the text form SQLAlchemy's UTCDateTime stores ('YYYY-MM-DD HH:MM:SS.ffffff').
    result = con.execute(_rows_query(model_id, ""))
    while chunk := result.fetchmany(_CHUNK):
        raw.executemany(_SQLITE_INSERT, chunk)


def _add_days(uow: UnitOfWork, con, model_id: int) -> None:
    """Grow each touched day's count, sum, minimum and maximum by the batch's own."""
    days = con.execute(
        f"SELECT metric, CAST(left({_STORED}, 10) AS DATE) AS day, count(*), sum(value), "  # noqa: S608 (ours)
        "min(value), max(value) FROM points GROUP BY ALL ORDER BY metric, day"
    ).fetchall()
    if not days:
        return
    table = PerformanceDay.__table__
    insert = pg_insert(table) if uow.dialect == "postgresql" else sqlite_insert(table)
    new = insert.excluded
    # Two appends to the same days add up (the row is locked by the first until it commits,
    # then updated by the second); both take the rows in (metric, day) order, so they queue
    # instead of deadlocking.
    least, greatest = (func.least, func.greatest) if uow.dialect == "postgresql" else (
        func.min, func.max)  # fmt: skip
    stmt = insert.on_conflict_do_update(
        index_elements=["model_id", "metric", "day"],
        set_={
            "points": table.c.points + new.points,
            "total": table.c.total + new.total,
            "minimum": least(table.c.minimum, new.minimum),
            "maximum": greatest(table.c.maximum, new.maximum),
        },
    )
    values = [
        {"model_id": model_id, "metric": m, "day": d, "points": int(n), "total": float(t),
         "minimum": float(lo), "maximum": float(hi)}
        for m, d, n, t, lo, hi in days
    ]  # fmt: skip
    uow.session.execute(stmt, values)


def _utc(stored: str) -> datetime:
    return datetime.fromisoformat(stored).replace(tzinfo=UTC)


def _latest_day_mean(uow: UnitOfWork, model_id: int, metric: str) -> float | None:
    last = uow.session.scalar(
        select(func.max(PerformancePoint.observed_at)).where(
            PerformancePoint.model_id == model_id, PerformancePoint.metric == metric
        )
    )
    if last is None:
        return None
    start = datetime.combine(last.astimezone(UTC).date(), datetime.min.time(), tzinfo=UTC)
    return uow.session.scalar(
        select(func.avg(PerformancePoint.value)).where(
            PerformancePoint.model_id == model_id,
            PerformancePoint.metric == metric,
            PerformancePoint.observed_at >= start,
        )
    )


def _check_degradation(uow: UnitOfWork, model: Model, metrics: set[str]) -> tuple[str, ...]:
    """Open or close each touched baseline metric's condition; notify the owner on opening."""
    degraded = []
    for target in baseline_of(model.performance_baseline):
        if target.metric not in metrics:
            continue
        mean = _latest_day_mean(uow, model.id, target.metric)
        key = f"performance:model:{model.id}:{target.metric}"
        if mean is None or target.met_by(mean):
            close_condition(uow, key)
            continue
        degraded.append(target.metric)
        notify_on_opening(
            uow,
            condition=key,
            recipients=[model.owner_id],
            kind="performance.degraded",
            title=f"Performance below baseline: {model.name} {target.metric}",
            body=f"The latest day's mean {target.metric} is {mean:.4g}; the baseline is {target}.",
            link=f"/registry?{urlencode({'model': model.name})}",
            subject=("model", model.id),
        )
    return tuple(degraded)


def daily_series(
    uow: UnitOfWork, *, actor: Actor, model: str, metric: str, since: date, until: date
) -> pd.DataFrame:
    """Per UTC day from ``since`` to ``until``: mean, min, max and count of ``metric``."""
    authorize(uow, actor, Action.REGISTRY_READ, Resource.MODEL)
    record = model_by_name(uow, model)
    # The days' own sums (kept with every append): one row a day, whatever the points.
    day = PerformanceDay
    stmt = (
        select(day.day, day.total, day.minimum, day.maximum, day.points)
        .where(
            day.model_id == record.id,
            day.metric == metric,
            day.day >= since,
            day.day <= until,
        )
        .order_by(day.day)
    )
    frame = pd.DataFrame(uow.session.execute(stmt).all(),
                         columns=["day", "total", "min", "max", "count"])  # fmt: skip
    frame["day"] = pd.to_datetime(frame["day"]).dt.date
    # Divided here, in floats: in SQL, Float / Integer is cast through NUMERIC on PostgreSQL.
    mean = frame.pop("total").astype(float) / frame["count"].astype(float)
    frame.insert(1, "mean", mean)
    return frame


def window_mean(
    uow: UnitOfWork, model_id: int, metric: str, since: datetime
) -> tuple[float | None, int]:
    """Mean and count of ``metric``'s points from ``since`` on: the points of the partial
    first day, then the days' sums (exactly the points' own mean, read in a few rows)."""
    boundary = datetime.combine(since.astimezone(UTC).date() + timedelta(days=1),
                                datetime.min.time(), tzinfo=UTC)  # fmt: skip
    head_total, head_count = uow.session.execute(
        select(func.sum(PerformancePoint.value), func.count()).where(
            PerformancePoint.model_id == model_id,
            PerformancePoint.metric == metric,
            PerformancePoint.observed_at >= since,
            PerformancePoint.observed_at < boundary,
        )
    ).one()
    rest_total, rest_count = uow.session.execute(
        select(func.sum(PerformanceDay.total), func.sum(PerformanceDay.points)).where(
            PerformanceDay.model_id == model_id,
            PerformanceDay.metric == metric,
            PerformanceDay.day >= boundary.date(),
        )
    ).one()
    count = int(head_count or 0) + int(rest_count or 0)
    if count == 0:
        return None, 0
    return (float(head_total or 0.0) + float(rest_total or 0.0)) / count, count


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
