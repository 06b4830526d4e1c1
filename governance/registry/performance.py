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
from sqlalchemy import func, select, text

from governance.actor import Actor
from governance.audit.events import AuditAction, Event, Resource
from governance.auth.roles import Action
from governance.errors import ValidationError
from governance.fairness.caps import FileCaps
from governance.fairness.inputs import Source, explain_duckdb_error
from governance.kernel import UnitOfWork, authorize
from governance.notifications import close_condition, notify_on_opening
from governance.registry.fields import baseline_of
from governance.registry.models import Model, ModelVersion, PerformancePoint
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
    frame: pd.DataFrame  # metric, value, observed (UTC text), version, details


def read_points(
    path: Path, *, display_name: str | None = None, now: datetime, caps: FileCaps | None = None
) -> CheckedPoints:
    """Read and check the points of a CSV, Parquet or Excel file; nothing is written.

    Pure reading, so the page runs it in a bounded worker process (an upload's DuckDB scan
    never runs in the server) and hands the result to :func:`append_points`.
    """
    name = display_name or Path(path).name
    with Source(Path(path), display_name=name, caps=caps) as source:
        frame = _checked(source.con, source.relation, source.params, name, now)
    return CheckedPoints(name, _sha256(Path(path)), frame)


def append_points(
    uow: UnitOfWork, *, actor: Actor, model: str, points: CheckedPoints
) -> Recorded:
    """Append points that :func:`read_points` checked."""
    authorize(uow, actor, Action.REGISTRY_VALIDATE, Resource.MODEL)
    record = model_by_name(uow, model)
    source = {"file": points.name[:200], "sha256": points.sha256}
    return _append(uow, actor, record, points.frame, source)


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
    model_by_name(uow, model)  # an unknown model is refused before the file is read
    points = read_points(path, display_name=display_name, now=uow.now())
    return append_points(uow, actor=actor, model=model, points=points)


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
        frame = _checked(con, "given", {}, "the points", uow.now())
    finally:
        con.close()
    return _append(uow, actor, record, frame, {"source": "record_points"})


def _checked(con, relation: str, params: dict, name: str, now: datetime) -> pd.DataFrame:
    """The points as typed columns, or a refusal naming the first bad row of each kind."""
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
        # The time as text in the stored form (UTC, microseconds), made by DuckDB: formatting
        # a million datetimes in Python took longer than the rest of the import together.
        frame = con.execute(
            "SELECT metric, value, strftime(observed_at, '%Y-%m-%d %H:%M:%S.%f') AS observed, "
            "version, details FROM points ORDER BY row"
        ).df()
    except duckdb.Error as exc:
        raise ValidationError(explain_duckdb_error(exc, name)) from None
    if frame.empty:
        raise ValidationError(f"{name!r} holds no performance points.")
    if len(frame) > MAX_POINTS:
        raise ValidationError(f"{name!r} has {len(frame):,} points; import at most "
                              f"{MAX_POINTS:,} at a time.")  # fmt: skip
    return frame


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


def _versions(uow: UnitOfWork, model: Model, frame: pd.DataFrame) -> pd.Series:
    """Each point's version id (``None`` where the file named none); unknown ones refused."""
    named = frame["version"].dropna().unique().tolist()
    if not named:
        return pd.Series([None] * len(frame), dtype=object)
    ids: dict[str, int] = {}
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
        ids[label] = found
    return frame["version"].map(lambda v: None if v is None or pd.isna(v) else ids[v])


def _append(
    uow: UnitOfWork, actor: Actor, model: Model, frame: pd.DataFrame, source: dict[str, Any]
) -> Recorded:
    versions = _versions(uow, model, frame)
    rows = pd.DataFrame(
        {
            "model_id": model.id,
            "version_id": versions.astype(object),
            "metric": frame["metric"],
            "value": frame["value"].astype(float),
            "observed_at": frame["observed"],  # 'YYYY-MM-DD HH:MM:SS.ffffff', UTC
            "details": frame["details"].astype(object),
        }
    )
    _bulk_insert(uow, rows)
    metrics = {str(k): int(v) for k, v in rows["metric"].value_counts().sort_index().items()}
    first, last = (_utc(rows["observed_at"].min()), _utc(rows["observed_at"].max()))
    degraded = _check_degradation(uow, model, set(metrics))
    details = {**source, "rows": len(rows), "metrics": metrics, "first": first, "last": last,
               "degraded": list(degraded)}  # fmt: skip
    uow.record(actor, Event(AuditAction.PERFORMANCE_RECORDED, Resource.MODEL, model.id, details))
    return Recorded(model.name, len(rows), metrics, first, last, degraded)


# Fixed text: the column list above, one bound value each.
_SQLITE_INSERT = (
    "INSERT INTO performance_points "
    "(model_id, version_id, metric, value, observed_at, details) VALUES (?, ?, ?, ?, ?, ?)"
)


def _bulk_insert(uow: UnitOfWork, rows: pd.DataFrame) -> None:
    uow.session.flush()
    raw: Any = uow.session.connection().connection.driver_connection
    columns = ("model_id", "version_id", "metric", "value", "observed_at", "details")
    if uow.dialect == "postgresql":
        # pyarrow's CSV writer: a third of the time pandas' takes for a million rows. Nulls
        # are empty unquoted fields, which PostgreSQL's CSV reads as NULL; strings are quoted.
        out = rows.assign(observed_at=rows["observed_at"] + "+00:00")
        table = pa.Table.from_pandas(out[list(columns)], preserve_index=False)
        text_out = pa.BufferOutputStream()
        pa_csv.write_csv(table, text_out, pa_csv.WriteOptions(include_header=False))
        sql = f"COPY performance_points ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv)"
        with raw.cursor() as cursor, cursor.copy(sql) as copy:
            copy.write(text_out.getvalue().to_pybytes())
        return
    # SQLite: the text form SQLAlchemy's UTCDateTime stores ('YYYY-MM-DD HH:MM:SS.ffffff').
    times = rows["observed_at"]
    version_ids = [None if pd.isna(v) else int(v) for v in rows["version_id"]]
    details = [None if d is None or pd.isna(d) else d for d in rows["details"]]
    data = zip(rows["model_id"].tolist(), version_ids, rows["metric"].tolist(),
               rows["value"].tolist(), times.tolist(), details, strict=True)  # fmt: skip
    raw.executemany(_SQLITE_INSERT, data)


def _utc(stored: str) -> datetime:
    return datetime.fromisoformat(stored).replace(tzinfo=UTC)


def _day(uow: UnitOfWork) -> Any:
    if uow.dialect == "postgresql":
        return func.date_trunc("day", text("observed_at AT TIME ZONE 'UTC'"))
    return func.substr(PerformancePoint.observed_at, 1, 10)


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
    start = datetime.combine(since, datetime.min.time(), tzinfo=UTC)
    end = datetime.combine(until + timedelta(days=1), datetime.min.time(), tzinfo=UTC)
    day = _day(uow).label("day")
    stmt = (
        select(
            day,
            func.avg(PerformancePoint.value),
            func.min(PerformancePoint.value),
            func.max(PerformancePoint.value),
            func.count(),
        )
        .where(
            PerformancePoint.model_id == record.id,
            PerformancePoint.metric == metric,
            PerformancePoint.observed_at >= start,
            PerformancePoint.observed_at < end,
        )
        .group_by(day)
        .order_by(day)
    )
    frame = pd.DataFrame(uow.session.execute(stmt).all(),
                         columns=["day", "mean", "min", "max", "count"])  # fmt: skip
    frame["day"] = pd.to_datetime(frame["day"]).dt.date
    return frame


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
