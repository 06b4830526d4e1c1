"""Command line: database upkeep, accounts, the audit trail, the model registry, the risk
register, incidents, doctor, backups and restores, the demo workspace.

``db upgrade`` and ``db grant`` are the migration role's (the owner of the schema); every other
command runs as the app's role too, which with ``GOVERNANCE_MIGRATE_ON_START=false`` only
checks that the schema is at head (``db current`` and ``db check`` work on any revision).

Exit codes: 0 success; 1 a check failed (for example a broken audit chain); 2 bad input or a
refused request, with the reason on stderr; 3 an internal error (a bug, or a broken installation
or configuration), one line on stderr, the traceback too with ``--debug``.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Sequence
from typing import TYPE_CHECKING

from governance.auth.roles import Role
from governance.errors import GovernanceError, ValidationError

if TYPE_CHECKING:
    from governance.kernel import Workbench

# SQLAlchemy and Alembic are imported per command: `fairness assess` is a pipeline gate whose
# start-up time counts, and it needs no database unless it saves.

EXIT_OK, EXIT_CHECK_FAILED, EXIT_BAD_INPUT, EXIT_INTERNAL_ERROR = 0, 1, 2, 3


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m governance", description="AI governance workbench command line."
    )
    parser.add_argument(
        "--debug", action="store_true", help="print the traceback of an internal error"
    )
    groups = parser.add_subparsers(dest="group", required=True, metavar="COMMAND")

    db = groups.add_parser("db", help="database schema").add_subparsers(dest="cmd", required=True)
    db.add_parser("upgrade", help="migrate the database to the newest schema")
    db.add_parser("current", help="print the schema revision of the database")
    db.add_parser("check", help="exit 1 unless the schema is at this version's newest revision")
    grant = db.add_parser(
        "grant",
        help="PostgreSQL: give the app's role only what it needs (run as the schema's owner)",
    )
    grant.add_argument("--role", required=True, metavar="APP_ROLE", help="the app's login role")

    users = groups.add_parser("users", help="accounts").add_subparsers(dest="cmd", required=True)
    create = users.add_parser("create", help="create an account")
    create.add_argument("--username", required=True)
    create.add_argument("--role", required=True, help=", ".join(r.value for r in Role))
    create.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    create.add_argument(
        "--keep-password",
        action="store_true",
        help="do not ask the account to change its password at first sign-in "
        "(for an operator creating their own account)",
    )
    create.add_argument("--display-name")
    create.add_argument("--email")
    users.add_parser("list", help="list accounts")

    from governance.audit.cli import add_audit_commands

    add_audit_commands(groups)

    from governance.demo.cli import add_demo_commands
    from governance.fairness.cli import add_fairness_commands
    from governance.incidents.cli import add_incident_commands
    from governance.maintenance.cli import add_maintenance_commands
    from governance.registry.cli import add_registry_commands
    from governance.risks.cli import add_risk_commands

    add_fairness_commands(groups)
    add_registry_commands(groups)
    add_risk_commands(groups)
    add_incident_commands(groups)
    add_maintenance_commands(groups)
    add_demo_commands(groups)
    return parser


def _read_password(args: argparse.Namespace) -> str | None:
    if not args.password_stdin:
        return None
    data = sys.stdin.readline()
    return data.rstrip("\r\n")


def _db(args: argparse.Namespace, workbench: Workbench) -> int:
    from governance.db import migrate

    engine = workbench.database.engine
    if args.cmd == "upgrade":
        migrate.upgrade(engine)
        print(f"Database at schema {migrate.current_revision(engine)}.")
        return EXIT_OK
    if args.cmd == "grant":
        return _grant(args.role, workbench)
    revision = migrate.current_revision(engine)
    if args.cmd == "current":
        print(revision or "(empty)")
        return EXIT_OK
    problem = migrate.schema_problem(revision, migrate.head_revision(), migrate.known_revisions())
    if problem is not None:
        print(problem, file=sys.stderr)
        return EXIT_CHECK_FAILED
    print(f"Database at schema {revision}, this version's newest.")
    return EXIT_OK


def _grant(role: str, workbench: Workbench) -> int:
    from governance.db import grants, migrate

    engine = workbench.database.engine
    grants.require_postgresql(engine)
    # Granting on an older schema would leave the tables of later revisions ungranted.
    problem = migrate.schema_problem(
        migrate.current_revision(engine), migrate.head_revision(), migrate.known_revisions()
    )
    if problem is not None:
        raise ValidationError(f"Nothing granted. {problem}")
    report = grants.apply_grants(engine, role)
    for table in report.tables:
        print(f"{report.schema}.{table.table}: {', '.join(table.privileges)}")
    print(f"sequences: {', '.join(grants.SEQUENCE_PRIVILEGES)} on {', '.join(report.sequences)}")
    for problem in report.problems:
        print(f"problem: {problem}", file=sys.stderr)
    if report.problems:
        return EXIT_CHECK_FAILED
    print(f"Role {role} may use schema {report.schema} and nothing more.")
    return EXIT_OK


def _users(args: argparse.Namespace, workbench: Workbench) -> int:
    from governance.actor import Actor
    from governance.auth import service as auth

    actor = Actor.command_line()
    if args.cmd == "list":
        for u in workbench.run(auth.list_users, actor=actor):
            state = "active" if u.is_active else "deactivated"
            print(f"{u.id}\t{u.username}\t{u.role.value}\t{state}")
        return EXIT_OK
    password = _read_password(args)
    if password is None and not args.email:
        print("error: give --password-stdin, or --email for single sign-on", file=sys.stderr)
        return EXIT_BAD_INPUT
    user = workbench.run(
        auth.create_user,
        actor=actor,
        username=args.username,
        role=args.role,
        password=password,
        display_name=args.display_name,
        email=args.email,
        must_change_password=password is not None and not args.keep_password,
    )
    print(f"Created {user.username} ({user.role.label}), id {user.id}.")
    return EXIT_OK


def open_workbench() -> Workbench:
    """The configured workbench, its schema at head: migrated there, or with
    ``GOVERNANCE_MIGRATE_ON_START=false`` refused unless it is (exit 2, saying what to run)."""
    from governance.kernel import Workbench

    return Workbench.open()


def _schema_workbench() -> Workbench:
    """The workbench of the ``db`` commands, on whatever revision its schema is."""
    from governance.kernel import Workbench

    return Workbench.open(migrate=False)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; usage errors exit 2 from argparse itself (before anything runs)."""
    args = _parser().parse_args(argv)
    try:
        return _dispatch(args)
    except GovernanceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception as exc:  # anything else is a bug: never exit 1, which reads as a verdict
        if getattr(args, "debug", False):
            traceback.print_exc(file=sys.stderr)
        message = " ".join(str(exc).split())[:300]
        print(
            f"internal error: {type(exc).__name__}: {message} (run with --debug for the traceback)",
            file=sys.stderr,
        )
        return EXIT_INTERNAL_ERROR


def _dispatch(args: argparse.Namespace) -> int:
    if args.group == "fairness":
        from governance.fairness.cli import run_fairness

        return run_fairness(args, open_workbench)
    if args.group == "registry":
        from governance.registry.cli import run_registry

        return run_registry(args, open_workbench)
    if args.group == "risks":
        from governance.risks.cli import run_risks

        return run_risks(args, open_workbench)
    if args.group == "incidents":
        from governance.incidents.cli import run_incidents

        return run_incidents(args, open_workbench)
    if args.group == "demo":
        from governance.demo.cli import run_demo

        return run_demo(args, open_workbench)
    from governance.maintenance.cli import COMMANDS, run_maintenance

    if args.group in COMMANDS:
        return run_maintenance(args, open_workbench)

    if args.group == "audit":
        from governance.audit.cli import run_audit

        return run_audit(args, open_workbench)
    workbench = None
    try:
        if args.group == "db":
            workbench = _schema_workbench()
            return _db(args, workbench)
        workbench = open_workbench()
        return _users(args, workbench)
    finally:
        if workbench is not None:
            workbench.close()
