"""``registry performance-import`` and ``registry performance``: points in, daily trend out."""

from __future__ import annotations

import argparse
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from governance.actor import Actor
    from governance.kernel import UnitOfWork


def add_performance_commands(commands: Any) -> None:
    load = commands.add_parser(
        "performance-import",
        help="append performance points from a CSV, Parquet or Excel file "
        "(columns metric, value, timestamp; optional version, details)",
    )
    load.add_argument("model", metavar="MODEL")
    load.add_argument("file", metavar="FILE", type=Path)
    load.add_argument("--format", choices=("text", "json"), default="text")

    trend = commands.add_parser("performance", help="a metric's daily mean, min, max and count")
    trend.add_argument("model", metavar="MODEL")
    trend.add_argument("--metric", required=True)
    trend.add_argument("--days", type=int, default=30, help="the last N UTC days (default 30)")
    trend.add_argument("--format", choices=("text", "json"), default="text")


def import_command(uow: UnitOfWork, actor: Actor, args: argparse.Namespace) -> None:
    from governance.registry.cli import _print
    from governance.registry.performance import import_points

    if args.file.is_dir():
        from governance.errors import ValidationError

        raise ValidationError(f"{args.file} is a folder: give a CSV, Parquet or Excel file.")
    done = import_points(uow, actor=actor, model=args.model, path=args.file)
    _print(args, done, _imported_line)


def _imported_line(done: Any) -> str:
    counts = ", ".join(f"{metric} {n:,}" for metric, n in done.metrics.items())
    line = (
        f"Imported {done.rows:,} points into {done.model} ({counts}), "
        f"{done.first:%Y-%m-%d} to {done.last:%Y-%m-%d}."
    )
    if done.degraded:
        line += f" Below baseline on the latest day: {', '.join(done.degraded)}."
    return line


def trend_command(uow: UnitOfWork, actor: Actor, args: argparse.Namespace) -> None:
    from governance.errors import ValidationError
    from governance.registry.cli import _print
    from governance.registry.performance import daily_series

    if not 1 <= args.days <= 3660:
        raise ValidationError("--days must be between 1 and 3660.")
    until = uow.now().date()
    frame = daily_series(uow, actor=actor, model=args.model, metric=args.metric,
                         since=until - timedelta(days=args.days - 1), until=until)  # fmt: skip
    rows = [
        {"day": r.day, "mean": r.mean, "min": r.min, "max": r.max, "count": int(r.count)}
        for r in frame.itertuples()
    ]
    if not rows and args.format == "text":
        print(f"No {args.metric} points for {args.model} in the last {args.days} days.")
    _print(args, rows, lambda r: (
        f"{r['day']}\tmean {r['mean']:.6g}\tmin {r['min']:.6g}\tmax {r['max']:.6g}\t"
        f"n {r['count']}"
    ))  # fmt: skip
