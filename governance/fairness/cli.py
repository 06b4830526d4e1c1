"""``python -m governance fairness assess``: the fairness gate for model pipelines.

Exit 0 when assessed; 1 with ``--fail-on-violation`` when any verdict is ``fail``; 2 on bad
input, with the reason on stderr (3, an internal error, is mapped by :func:`governance.cli.main`).
"""

from __future__ import annotations

import argparse
import json
import os
import stat
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from governance.errors import ValidationError
from governance.fairness.metrics import SUMMARY_METRICS

if TYPE_CHECKING:
    from governance.kernel import Workbench

EXIT_OK, EXIT_VIOLATION, EXIT_BAD_INPUT = 0, 1, 2


def add_fairness_commands(groups: Any) -> None:
    fairness = groups.add_parser("fairness", help="fairness and bias assessment")
    commands = fairness.add_subparsers(dest="cmd", required=True)
    assess = commands.add_parser(
        "assess",
        help="assess a prediction file (CSV, Parquet or Excel)",
        description="Group fairness metrics with intervals, a policy verdict and findings.",
    )
    assess.add_argument("path", type=Path)
    assess.add_argument("--y-true", required=True, metavar="COL", help="actual outcome column")
    assess.add_argument("--y-pred", metavar="COL", help="predicted outcome column")
    assess.add_argument("--score", metavar="COL", help="score column in [0, 1]")
    assess.add_argument("--threshold", type=float, help="score at or above which is positive")
    assess.add_argument("--positive-label", metavar="VALUE", help="the positive class")
    assess.add_argument(
        "--sensitive", action="append", required=True, metavar="COL", help="repeatable"
    )
    assess.add_argument("--intersect", action="store_true", help="also cross all sensitive columns")
    assess.add_argument(
        "--reference",
        action="append",
        metavar="VALUE",
        help="reference group (default: highest selection rate): VALUE for every column, or "
        "COL=VALUE for one; repeatable",
    )
    assess.add_argument(
        "--band",
        action="append",
        default=[],
        metavar="COL=CUTS",
        help="band a numeric sensitive column at these cut points, e.g. age=25,45,65; repeatable",
    )
    assess.add_argument("--format", choices=("json", "table"), default="json")
    assess.add_argument("--fail-on-violation", action="store_true", help="exit 1 on any fail")
    assess.add_argument("--min-group-size", type=int, help="override the policy's minimum")
    assess.add_argument("--save", action="store_true", help="store the assessment as evidence")
    assess.add_argument("--model", help="model name (with --save)")
    assess.add_argument("--version", dest="model_version", help="model version (with --save)")
    assess.add_argument(
        "--actor",
        default=os.environ.get("GOVERNANCE_ACTOR"),
        metavar="USERNAME",
        help="account the saved evidence is attributed to (default: $GOVERNANCE_ACTOR)",
    )


def _readable_file(path: Path) -> None:
    """Refuse, naming ``path``, what cannot be a prediction file: before DuckDB ever opens it."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise ValidationError(f"File {str(path)!r} does not exist.") from None
    except OSError as exc:
        raise ValidationError(f"Cannot read {str(path)!r}: {exc.strerror or exc}.") from None
    if stat.S_ISDIR(mode):
        raise ValidationError(f"{str(path)!r} is a directory, not a prediction file.")
    if not stat.S_ISREG(mode):
        raise ValidationError(
            f"{str(path)!r} is not a regular file (a pipe, socket or device); give a CSV, "
            "Parquet or Excel file."
        )
    try:
        with path.open("rb"):
            pass
    except OSError as exc:
        raise ValidationError(f"Cannot read {str(path)!r}: {exc.strerror or exc}.") from None


def _option_values(option: str, values: list[Any] | None) -> list[str]:
    """The values of a repeatable option, each a non-blank string.

    argparse (3.11) reads ``--sensitive=--`` as an empty list rather than the text ``--``.
    """
    checked: list[str] = []
    for value in values or []:
        if not isinstance(value, str) or not value.strip():
            shown = "--" if not isinstance(value, str) else value
            raise ValidationError(f"{option} needs a value, not {shown!r}.")
        checked.append(value)
    return checked


def _reference(args: argparse.Namespace) -> dict[str, str]:
    from governance.fairness.choices import parse_reference_options

    return parse_reference_options(args.reference or [], args.sensitive)


def _bands(args: argparse.Namespace) -> dict[str, tuple[float, ...]]:
    from governance.fairness.choices import parse_band_options

    return parse_band_options(args.band or [])


def run_fairness(args: argparse.Namespace, open_workbench: Callable[[], Workbench]) -> int:
    from governance.config import load_settings
    from governance.fairness.caps import FileCaps
    from governance.fairness.engine import assess_file
    from governance.fairness.policy import Policy, Verdict
    from governance.fairness.spec import AssessmentSpec

    args.sensitive = _option_values("--sensitive", args.sensitive)
    if args.reference is not None:
        args.reference = [v if isinstance(v, str) else "" for v in args.reference]
    args.band = _option_values("--band", args.band)
    _readable_file(args.path)
    if args.save and not args.model:
        raise ValidationError("--save needs --model NAME.")
    if args.save and not args.actor:
        raise ValidationError(
            "--save needs --actor USERNAME (or GOVERNANCE_ACTOR): evidence is attributed to a "
            "person's account."
        )
    spec = AssessmentSpec(
        y_true=args.y_true,
        y_pred=args.y_pred,
        score=args.score,
        threshold=args.threshold,
        positive_label=args.positive_label,
        sensitive=tuple(args.sensitive),
        intersect=args.intersect,
        reference=_reference(args),
        bands=_bands(args),
    )
    policy = Policy() if args.min_group_size is None else Policy(min_group_size=args.min_group_size)
    # In-process (a pipeline's own file), any number of rows; the column cap holds here too.
    caps = FileCaps.pipeline(load_settings())
    if not args.save:
        result = assess_file(args.path, spec, policy, caps=caps)
        payload = result.to_json()
    else:
        from governance.auth.service import actor_for_username
        from governance.fairness.service import active_policy, save_assessment

        workbench = open_workbench()
        try:
            with workbench.unit() as uow:
                actor = actor_for_username(uow, args.actor)  # refused before any work
                # Evidence is judged by the policy in force, not by command-line overrides.
                result = assess_file(args.path, spec, active_policy(uow, actor=actor), caps=caps)
                payload = result.to_json()
                payload["saved_assessment_id"] = save_assessment(
                    uow,
                    actor=actor,
                    result=result,
                    source=args.path,
                    model_name=args.model,
                    model_version=args.model_version,
                )
        finally:
            workbench.close()
    if args.format == "json":
        json.dump(payload, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(render_table(payload))
    failed = any(r["verdict"] == Verdict.FAIL.value for r in payload["results"])
    return EXIT_VIOLATION if failed and args.fail_on_violation else EXIT_OK


def _fmt(x: Any) -> str:
    return "—" if x is None else f"{x:.3f}" if isinstance(x, float) else str(x)


def render_table(payload: dict[str, Any]) -> str:
    lines = [f"{payload['n_rows']} rows · overall verdict: {payload['verdict'].upper()}", ""]
    columns = ("n", "selection_rate", "tpr", "fpr", "precision", "accuracy", "disparate_impact")
    for result in payload["results"]:
        name = " × ".join(result["sensitive_features"])
        lines.append(f"== {name}: {result['verdict'].upper()}")
        header = ["group", *columns]
        rows = [
            [
                ", ".join(g["group"].values()) + (" (ref)" if g["is_reference"] else ""),
                *(_fmt(g[c]) for c in columns),
            ]
            for g in result["groups"]
        ]
        widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
        for row in [header, *rows]:
            lines.append("  ".join(str(v).ljust(w) for v, w in zip(row, widths, strict=True)))
        for key, metric in SUMMARY_METRICS.items():
            lines.append(f"  {metric.label.lower()}: {_fmt(result[key])}")
        lines.extend(f"  - {f}" for f in result["findings"])
        if "threshold_sweep" in result:
            lines.append(f"  threshold sweep: {result['threshold_sweep']['statement']}")
        lines.append("")
    return "\n".join(lines) + "\n"
