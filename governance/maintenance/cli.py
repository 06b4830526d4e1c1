"""``python -m governance doctor | backup | restore``: the operator's commands.

The actor is the command line's operator, ``cli:<os user>`` with the administrator's powers,
as for ``users create``: whoever can reach the database and the artifact store holds those
powers already, and the audit trail names the operating-system account that used them.

Exit codes: 0 done (doctor: nothing wrong); 1 a check failed (doctor found problems; a backup
was refused for a broken audit chain, or written but with problems it lists; a restore was
refused because the backup does not verify); 2 bad input (not a backup, a target that is not
empty, a file that exists); 3 an internal error (for example pg_dump missing).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from governance.actor import Actor
from governance.errors import IntegrityFailure

if TYPE_CHECKING:
    from governance.kernel import Workbench

EXIT_OK, EXIT_CHECK_FAILED = 0, 1
COMMANDS = ("doctor", "backup", "restore")


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
    backup = groups.add_parser(
        "backup", help="write the database, the artifact files and a manifest to one file"
    )
    backup.add_argument("--out", required=True, type=Path, metavar="FILE", help="a new file")
    restore = groups.add_parser(
        "restore", help="check a backup and restore it into an empty database and store"
    )
    restore.add_argument("backup", type=Path, metavar="BACKUP")


def run_maintenance(args: argparse.Namespace, open_workbench: Callable[[], Workbench]) -> int:
    actor = Actor.command_line()
    try:
        if args.group == "restore":
            return _restore(args, actor)
        workbench = open_workbench()
        try:
            if args.group == "doctor":
                return _doctor(args, actor, workbench)
            return _backup(args, actor, workbench)
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


def _backup(args: argparse.Namespace, actor: Actor, workbench: Workbench) -> int:
    from governance.maintenance.backup import create_backup

    info = workbench.run(create_backup, actor=actor, out=args.out)
    manifest = info.manifest
    print(
        f"Backup written to {info.path} ({info.size} bytes, SHA-256 {info.sha256}): "
        f"{manifest.dialect} database at revision {manifest.schema_revision}, "
        f"{len(manifest.artifact_members())} artifact files, audit trail at "
        f"{manifest.audit_head.describe()}."
    )
    for problem in manifest.problems:
        print(f"problem: {problem}", file=sys.stderr)
    if manifest.problems:
        print(
            "The backup holds what there was; run `python -m governance doctor`.", file=sys.stderr
        )
        return EXIT_CHECK_FAILED
    return EXIT_OK


def _restore(args: argparse.Namespace, actor: Actor) -> int:
    from governance.config import load_settings
    from governance.maintenance.restore import restore_backup

    info = restore_backup(load_settings(), backup=args.backup, actor=actor)
    manifest = info.manifest
    print(
        f"Restored {info.backup} (made {manifest.created_at} by {manifest.created_by}, "
        f"SHA-256 {info.backup_sha256}): every file matches its manifest, the audit chain "
        f"verifies and ends at {manifest.audit_head.describe()}, as recorded. The restore is "
        f"audit event {info.event_id}."
    )
    for problem in manifest.problems:
        print(f"note: the backup was made with a problem: {problem}", file=sys.stderr)
    if info.needs_upgrade:
        print("Run `python -m governance db upgrade` (or start the app) to migrate it.")
    if manifest.dialect == "postgresql":
        # pg_restore --no-privileges: the app role's grants are not in the backup.
        print("Then give the app its grants: `python -m governance db grant --role APP_ROLE`.")
    return EXIT_OK
