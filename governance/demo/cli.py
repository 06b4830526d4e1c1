"""``python -m governance demo load``: a populated workbench for a first look.

Exit 0 loaded (or, with ``--if-empty``, skipped because the database has records); 2 refused
(the database has records), the reason on stderr, as every refusal of the command line.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from governance.demo.load import DemoSummary
    from governance.kernel import Workbench

EXIT_OK = 0


def add_demo_commands(groups: Any) -> None:
    demo = groups.add_parser("demo", help="the demo workspace (an empty database only)")
    commands = demo.add_subparsers(dest="cmd", required=True)
    load = commands.add_parser(
        "load",
        help="load the deterministic demo into an EMPTY database and print its accounts' "
        "passwords (shown once)",
    )
    load.add_argument(
        "--if-empty",
        action="store_true",
        help="when the database has records, load nothing and exit 0 (scripts/run --demo)",
    )


def run_demo(args: argparse.Namespace, open_workbench: Callable[[], Workbench]) -> int:
    from governance.demo.load import existing_records, listed, load_demo

    workbench = open_workbench()
    try:
        with workbench.unit() as uow:
            found = existing_records(uow)
        if found and args.if_empty:
            print(f"The database has records ({listed(found)}): the demo is not loaded again.",
                  file=sys.stderr)  # fmt: skip
            return EXIT_OK
        summary = load_demo(workbench)  # refuses by itself too (a load racing this one)
    finally:
        workbench.close()
    sys.stdout.write(render_summary(summary))
    return EXIT_OK


def render_summary(summary: DemoSummary) -> str:
    """The accounts table (with the passwords, shown only here) and what was loaded."""
    header = ("username", "role", "name", "password")
    rows = [(c.username, c.role.label, c.display_name, c.password) for c in summary.credentials]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = [
        "Demo loaded. Sign in as any of these accounts (demo only; the passwords are shown "
        "this once and not stored in clear):",
        "",
    ]
    for row in [header, tuple("-" * w for w in widths), *rows]:
        lines.append("  " + "  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)))
    lines += [
        "",
        f"{summary.models} models, {summary.versions} versions, {summary.points:,} performance "
        f"points, {summary.assessments} fairness assessments, {summary.risks} risks, "
        f"{summary.incidents} incidents "
        f"({summary.seconds:.1f} s).",
    ]
    return "\n".join(lines) + "\n"
