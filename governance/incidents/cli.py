"""``python -m governance incidents …``: incident management from the command line.

Commands act as the account named by ``--actor`` (default ``$GOVERNANCE_ACTOR``), or else as
the command line's operator. ``escalate`` is the cron job's: it escalates every incident past
its acknowledgement window (idempotent: a second run at the same moment escalates nothing).
Exit 0 success; 2 bad input or a refused request, the reason on stderr.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from governance.errors import ValidationError

if TYPE_CHECKING:
    from governance.actor import Actor
    from governance.kernel import UnitOfWork, Workbench

EXIT_OK = 0
Command = Callable[["UnitOfWork", "Actor", argparse.Namespace], None]


def _fmt(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=("text", "json"), default="text")


def _target(parser: argparse.ArgumentParser, *, fmt: bool = True) -> None:
    parser.add_argument("incident", type=int, metavar="ID", help="the incident's number")
    parser.add_argument(
        "--row-version", type=int, metavar="N",
        help="the incident's row_version as you saw it (`incidents show`): refused if it "
        "changed since (optional)",
    )  # fmt: skip
    if fmt:
        _fmt(parser)


def add_incident_commands(groups: Any) -> None:
    incidents = groups.add_parser("incidents", help="AI incidents: report, respond, escalate")
    incidents.add_argument(
        "--actor", default=os.environ.get("GOVERNANCE_ACTOR"), metavar="USERNAME",
        help="the account acting (default: $GOVERNANCE_ACTOR, else the command line's operator)",
    )  # fmt: skip
    commands = incidents.add_subparsers(dest="cmd", required=True)

    report = commands.add_parser("report", help="report an incident")
    report.add_argument(
        "--type",
        required=True,
        dest="incident_type",
        help="security, performance, data, compliance, operational, fairness",
    )
    report.add_argument("--severity", required=True, help="critical, high, medium, low")
    report.add_argument("--title", required=True)
    report.add_argument("--description", required=True)
    report.add_argument(
        "--detected-at",
        required=True,
        metavar="ISO",
        help="when it was detected: an ISO time with a zone, or 'now'",
    )
    report.add_argument(
        "--model",
        action="append",
        dest="models",
        default=[],
        metavar="MODEL",
        help="a registered model it concerns (repeat)",
    )
    _impact_options(report)
    _fmt(report)

    listed = commands.add_parser("list", help="incidents, most urgent first")
    listed.add_argument("--status", action="append", default=[])
    listed.add_argument("--severity", action="append", default=[])
    listed.add_argument("--type", action="append", default=[], dest="types")
    listed.add_argument("--model")
    listed.add_argument("--limit", type=int, default=500, help="0 for every match")
    _fmt(listed)

    _target(commands.add_parser("show", help="an incident and its timeline"))
    ack = commands.add_parser("acknowledge", help="take ownership: it stops escalating")
    _target(ack)
    ack.add_argument("--note")

    transition = commands.add_parser("transition", help="move an incident to another status")
    _target(transition)
    transition.add_argument("--to", required=True, metavar="STATUS")
    transition.add_argument("--reason")
    transition.add_argument("--root-cause", help="with --to resolved")

    resolve = commands.add_parser("resolve", help="resolve an incident with its root cause")
    _target(resolve)
    resolve.add_argument("--root-cause", required=True)
    resolve.add_argument("--resolution")

    post = commands.add_parser("postmortem", help="write the post-mortem of a resolved incident")
    _target(post)
    post.add_argument("--timeline", required=True)
    post.add_argument("--lessons", required=True, help="lessons learned")
    post.add_argument(
        "--measure",
        action="append",
        required=True,
        dest="measures",
        help="a preventive measure (repeat)",
    )

    close = commands.add_parser("close", help="close a resolved incident")
    _target(close)
    close.add_argument("--reason")

    filed = commands.add_parser(
        "regulator-report", help="record the serious incident's report to the authority"
    )
    _target(filed)
    filed.add_argument("--submitted-at", required=True, metavar="ISO", help="ISO time or 'now'")
    filed.add_argument("--reference", required=True, help="the authority's reference")

    impact = commands.add_parser("impact", help="change the harm and regulatory-impact facts")
    _target(impact)
    _impact_options(impact)
    impact.add_argument("--reason", required=True)

    _fmt(commands.add_parser("escalate", help="escalate what is past its window (cron)"))

    policy = commands.add_parser("policy", help="show the response policy, or change it")
    policy.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="ack_critical=15, on_creation=critical,high, level2_roles=admin,… "
        "report_days=15, report_days_death=10, report_days_widespread=2",
    )
    policy.add_argument("--reason", help="why (required with --set)")
    policy.add_argument(
        "--row-version",
        type=int,
        metavar="N",
        help="the policy version you changed (refused if another came since)",
    )
    policy.add_argument("--history", action="store_true", help="every version, newest first")
    _fmt(policy)

    _fmt(commands.add_parser("metrics", help="time to acknowledge and resolve; open by severity"))


def _impact_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--harm", dest="harm_category", help="harm category, e.g. privacy")
    parser.add_argument("--affected", dest="affected_people", type=int, metavar="N")
    parser.add_argument("--serious", action="store_true", help="a serious incident (Art. 3(49))")
    parser.add_argument("--death", action="store_true", dest="involves_death")
    parser.add_argument("--widespread", action="store_true", dest="widespread_infringement")
    parser.add_argument("--critical-infrastructure", action="store_true")


def parse_time(value: str, option: str) -> datetime:
    from governance.clock import utcnow

    text = (value or "").strip()
    if text.lower() == "now":
        return utcnow()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValidationError(f"{option} {value!r} is not an ISO date and time.") from None
    if moment.tzinfo is None:
        raise ValidationError(f"{option} {value!r} needs a time zone (e.g. 2026-12-01T09:30Z).")
    return moment


def _actor(uow: UnitOfWork, username: str | None) -> Actor:
    from governance.actor import Actor
    from governance.auth.service import actor_for_username

    return actor_for_username(uow, username) if username else Actor.command_line()


def run_incidents(args: argparse.Namespace, open_workbench: Callable[[], Workbench]) -> int:
    workbench = open_workbench()
    try:
        with workbench.unit() as uow:
            _COMMANDS[args.cmd](uow, _actor(uow, args.actor), args)
        return EXIT_OK
    finally:
        workbench.close()


def _print(args: argparse.Namespace, value: Any, line: Callable[[Any], str]) -> None:
    from governance.registry.cli import _print as print_value

    print_value(args, value, line)


def _line(i: Any) -> str:
    clock = i.report_clock(_now()).text()
    return (f"#{i.id}\t{i.severity}\t{i.status}\tlevel {i.escalation_level}\t{clock}\t"
            f"row_version {i.row_version}\t{i.title}")  # fmt: skip


def _now() -> datetime:
    from governance.clock import utcnow

    return utcnow()


def _impact(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "harm_category": args.harm_category, "affected_people": args.affected_people,
        "serious": args.serious, "involves_death": args.involves_death,
        "widespread_infringement": args.widespread_infringement,
        "critical_infrastructure": args.critical_infrastructure,
    }  # fmt: skip


def _report(uow: UnitOfWork, actor: Actor, args: argparse.Namespace) -> None:
    from governance.incidents import service

    info = service.report_incident(
        uow, actor=actor, incident_type=args.incident_type, severity=args.severity,
        title=args.title, description=args.description,
        detected_at=parse_time(args.detected_at, "--detected-at"), models=args.models,
        **_impact(args),
    )  # fmt: skip
    _print(args, info, _line)


def _list(uow: UnitOfWork, actor: Actor, args: argparse.Namespace) -> None:
    from governance.incidents import listing

    found = listing.list_incidents(
        uow, actor=actor, statuses=args.status, severities=args.severity, types=args.types,
        model=args.model, limit=args.limit or None,
    )  # fmt: skip
    frame = found.frame
    if args.format == "json":
        import json
        import sys

        records = json.loads(frame.to_json(orient="records", date_format="iso"))
        json.dump({"matching": found.matching, "total": found.total, "incidents": records},
                  sys.stdout, indent=2, ensure_ascii=False)  # fmt: skip
        sys.stdout.write("\n")
        return
    for row in frame.itertuples():
        clock = ("OVERDUE " if row.overdue else "") + (row.report_clock or "-")
        print(f"#{row.id}\t{row.severity}\t{row.status}\tlevel {row.escalation_level}\t"
              f"{clock}\t{row.title}")  # fmt: skip
    print(f"{len(frame)} shown of {found.matching} matching ({found.total} in all)")


def _show(uow: UnitOfWork, actor: Actor, args: argparse.Namespace) -> None:
    from governance.incidents import listing

    detail = listing.incident_detail(uow, actor=actor, incident_id=args.incident)
    if args.format == "json":
        data = {
            "incident": _plain(detail.info),
            "report_clock": {"state": detail.clock.state.value, "text": detail.clock.text(),
                             "due_at": _plain(detail.clock.due_at)},
            "timeline": _plain(list(detail.timeline)),
            "postmortem": _plain(detail.postmortem),
        }  # fmt: skip
        _print(args, data, str)
        return
    for key, value in _plain(detail.info).items():
        print(f"{key}: {value}")
    print(f"report clock: {detail.clock.text()}")
    for entry in detail.timeline:
        print(f"{entry.at:%Y-%m-%d %H:%M}\t{entry.what}\t{entry.who}\t{entry.details}")
    if detail.postmortem:
        print(f"post-mortem by {detail.postmortem.written_by}:")
        for m in detail.postmortem.measures:
            print(f"  measure {m.position}: {m.description}")


def _plain(value: Any) -> Any:
    from governance.registry.cli import _plain as plain

    return plain(value)


def _step(name: str) -> Command:
    """A command calling the service step ``name`` on one incident."""

    def command(uow: UnitOfWork, actor: Actor, args: argparse.Namespace) -> None:
        from governance.incidents import postmortem, service

        common = {"actor": actor, "incident_id": args.incident,
                  "expected_version": args.row_version}  # fmt: skip
        if name == "acknowledge":
            result = service.acknowledge_incident(uow, note=args.note, **common)
        elif name == "transition":
            result = service.transition_incident(uow, to=args.to, reason=args.reason,
                                                 root_cause=args.root_cause, **common)  # fmt: skip
        elif name == "resolve":
            result = service.resolve_incident(uow, root_cause=args.root_cause,
                                              resolution=args.resolution, **common)  # fmt: skip
        elif name == "close":
            result = service.close_incident(uow, reason=args.reason, **common)
        elif name == "regulator-report":
            result = service.record_regulator_report(
                uow, submitted_at=parse_time(args.submitted_at, "--submitted-at"),
                reference=args.reference, **common,
            )  # fmt: skip
        elif name == "impact":
            result = service.assess_impact(uow, reason=args.reason, **_impact(args), **common)
        else:
            written = postmortem.write_postmortem(
                uow, timeline=args.timeline, lessons_learned=args.lessons,
                measures=args.measures, **common,
            )  # fmt: skip
            _print(args, written, lambda p: f"post-mortem of #{p.incident_id}: "
                                            f"{len(p.measures)} preventive measures")  # fmt: skip
            return
        _print(args, result, _line)

    return command


def _escalate(uow: UnitOfWork, actor: Actor, args: argparse.Namespace) -> None:
    from governance.incidents import sweep

    done = sweep.escalate_overdue(uow, actor=actor)
    if args.format == "json":
        _print(args, done, str)
        return
    for e in done:
        print(f"#{e.incident_id}\tlevel {e.level}\t{e.reason}")
    print(f"{len(done)} escalation{'s' if len(done) != 1 else ''}")


def _settings(values: list[str]) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for value in values:
        key, sep, rest = value.partition("=")
        if not sep or not key.strip():
            raise ValidationError(f"--set takes KEY=VALUE, got {value!r}.")
        key = key.strip().lower()
        if key == "on_creation" or key.endswith("_roles"):
            changes[key] = [v.strip() for v in rest.split(",") if v.strip()]
        else:
            changes[key] = rest.strip()
    return changes


def _policy(uow: UnitOfWork, actor: Actor, args: argparse.Namespace) -> None:
    from governance.incidents import policy_store

    if args.history:
        _print(args, policy_store.policy_history(uow, actor=actor),
               lambda v: f"version {v.version}\t{v.created_by or '-'}\t{v.reason}")  # fmt: skip
        return
    current = policy_store.policy_in_force(uow, actor=actor)
    if args.set:
        try:
            policy = current.policy.amended(**_settings(args.set))
        except ValueError as exc:
            raise ValidationError(f"Policy refused: {exc}.") from None
        current = policy_store.update_policy(
            uow, actor=actor, policy=policy, reason=args.reason,
            expected_version=args.row_version,
        )  # fmt: skip
    if args.format == "json":
        _print(args, {"version": current.version, **current.policy.to_dict()}, str)
        return
    print(f"version {current.version} ({current.reason})")
    for key, value in current.policy.to_dict().items():
        print(f"{key}: {value}")


def _metrics(uow: UnitOfWork, actor: Actor, args: argparse.Namespace) -> None:
    import json
    import sys

    from governance.incidents import metrics

    found = metrics.incident_metrics(uow, actor=actor)
    if args.format == "json":
        data = {
            "response": json.loads(found.response.to_json(orient="records")),
            "open_by_severity": json.loads(found.open_by_severity.to_json(orient="records")),
        }
        json.dump(data, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return
    print(found.response.to_string(index=False))
    print(found.open_by_severity.to_string(index=False))


_COMMANDS: dict[str, Command] = {
    "report": _report,
    "list": _list,
    "show": _show,
    "acknowledge": _step("acknowledge"),
    "transition": _step("transition"),
    "resolve": _step("resolve"),
    "postmortem": _step("postmortem"),
    "close": _step("close"),
    "regulator-report": _step("regulator-report"),
    "impact": _step("impact"),
    "escalate": _escalate,
    "policy": _policy,
    "metrics": _metrics,
}
