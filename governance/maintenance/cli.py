"""``python -m governance doctor``: the operator's commands.

The actor is the command line's operator, ``cli:<os user>`` with the administrator's powers,
as for ``users create``: whoever can reach the database and the artifact store holds those
powers already, and the audit trail names the operating-system account that used them.

Exit codes: 0 done (doctor: nothing wrong); 1 a check failed (doctor found problems); 2 bad
input; 3 an internal error.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from governance.actor import Actor
from governance.errors import IntegrityFailure

if TYPE_CHECKING:
    from governance.kernel import Workbench

EXIT_OK, EXIT_CHECK_FAILED = 0, 1
COMMANDS = ("doctor",)


def add_maintenance_commands(groups: Any) -> None:
    doctor = groups.add_parser(
        "doctor",
        help="find crash debris and damaged evidence; exit 1 if any (--fix removes debris)",
    )
    doctor.add_argument(
        "--fix", action="store_true", help="remove temporaries and orphans, each audited"
    )
    doctor.add_argument(
        "--grace-minutes",
        type=float,
        default=60.0,
        metavar="N",
        help="leave alone files touched in the last N minutes (default 60): a running process "
        "may still be writing them",
    )


def run_maintenance(args: argparse.Namespace, open_workbench: Callable[[], Workbench]) -> int:
    actor = Actor.command_line()
    try:
        workbench = open_workbench()
        try:
            return _doctor(args, actor, workbench)
        finally:
            workbench.close()
    except IntegrityFailure as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_CHECK_FAILED


def _doctor(args: argparse.Namespace, actor: Actor, workbench: Workbench) -> int:
    from governance.maintenance import doctor

    grace = timedelta(minutes=args.grace_minutes)
    service = doctor.repair if args.fix else doctor.examine
    report = workbench.run(service, actor=actor, grace=grace)
    print("\n".join(report.lines()))
    return EXIT_CHECK_FAILED if report.problems else EXIT_OK
