"""``python -m governance registry …``: the model registry from the command line.

Commands act as the account named by ``--actor`` (default ``$GOVERNANCE_ACTOR``), or else as
the command line's operator (an administrator who is no account: it cannot approve, as an
approval is a person's decision). Exit 0 success; 2 bad input or a refused request, the reason
on stderr (3, an internal error, is mapped by :func:`governance.cli.main`).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from governance.errors import ValidationError

if TYPE_CHECKING:
    from governance.actor import Actor
    from governance.kernel import UnitOfWork, Workbench

EXIT_OK = 0


def _common(parser: argparse.ArgumentParser, *, version: bool = True, fmt: bool = False) -> None:
    parser.add_argument("model", metavar="MODEL", help="the model's name (any case)")
    if version:
        parser.add_argument("version", metavar="VERSION", help="a semantic version, e.g. 1.2.0")
    if fmt:
        parser.add_argument("--format", choices=("text", "json"), default="text")


def _reasoned(parser: argparse.ArgumentParser, *, row_version: bool = False) -> None:
    parser.add_argument("--reason", required=True, help="why (recorded in the history)")
    parser.add_argument(
        "--row-version",
        type=int,
        required=row_version,
        metavar="N",
        help="the version's row_version as you saw it (`registry versions`): refused if it "
        "changed since" + ("" if row_version else " (optional)"),
    )


def add_registry_commands(groups: Any) -> None:
    registry = groups.add_parser("registry", help="model registry: models, versions, lifecycle")
    registry.add_argument(
        "--actor",
        default=os.environ.get("GOVERNANCE_ACTOR"),
        metavar="USERNAME",
        help="the account acting (default: $GOVERNANCE_ACTOR, else the command line's operator)",
    )
    commands = registry.add_subparsers(dest="cmd", required=True)

    register = commands.add_parser("register", help="register a model")
    register.add_argument("name", metavar="NAME")
    register.add_argument("--provider", required=True, help="openai, anthropic, in-house, …")
    register.add_argument("--risk-tier", required=True, help="minimal, limited, high, unacceptable")
    register.add_argument("--intended-use", required=True)
    register.add_argument("--owner", metavar="USERNAME", help="the owner (default: the actor)")
    register.add_argument("--out-of-scope", dest="out_of_scope_uses")
    register.add_argument("--capability", action="append", dest="capabilities", default=[])
    register.add_argument("--limitation", action="append", dest="known_limitations", default=[])
    register.add_argument("--training-data")
    register.add_argument(
        "--baseline", help="performance baseline, e.g. 'accuracy >= 0.85; latency_ms <= 300'"
    )
    register.add_argument("--format", choices=("text", "json"), default="text")

    edit = commands.add_parser("edit", help="edit a model's record (only the fields given)")
    _common(edit, version=False, fmt=True)
    edit.add_argument("--row-version", type=int, required=True, metavar="N",
                      help="the model's row_version as you saw it (`registry show`)")  # fmt: skip
    edit.add_argument("--reason", required=True, help="why (recorded in the audit trail)")
    edit.add_argument("--provider")
    edit.add_argument("--risk-tier")
    edit.add_argument("--intended-use")
    edit.add_argument("--out-of-scope", dest="out_of_scope_uses")
    edit.add_argument("--capability", action="append", dest="capabilities",
                      help="repeat for each; replaces the list")  # fmt: skip
    edit.add_argument("--limitation", action="append", dest="known_limitations",
                      help="repeat for each; replaces the list")  # fmt: skip
    edit.add_argument("--training-data")
    edit.add_argument("--baseline", dest="performance_baseline")
    edit.add_argument("--owner", metavar="USERNAME")

    listed = commands.add_parser("list", help="list registered models")
    listed.add_argument("--format", choices=("text", "json"), default="text")
    _common(commands.add_parser("show", help="a model's record"), version=False, fmt=True)
    _common(commands.add_parser("versions", help="a model's versions"), version=False, fmt=True)

    add = commands.add_parser("add-version", help="add a draft version to a model")
    _common(add, fmt=True)
    add.add_argument("--changelog", required=True)
    add.add_argument("--artifact-uri", required=True, help="where the artifact is stored")
    add.add_argument("--sha256", required=True, help="the artifact's SHA-256 (64 hex digits)")

    validate = commands.add_parser("validate", help="record a validation against the baseline")
    _common(validate, fmt=True)
    measured = validate.add_mutually_exclusive_group(required=True)
    measured.add_argument(
        "--observed",
        action="append",
        metavar="METRIC=VALUE",
        help="a value measured elsewhere, one per baseline metric",
    )
    measured.add_argument(
        "--window-days",
        type=int,
        metavar="DAYS",
        help="judge the performance points recorded over the last DAYS days",
    )
    validate.add_argument("--evidence", action="append", default=[], metavar="METRIC=TEXT")
    _reasoned(validate)

    transition = commands.add_parser("transition", help="move a version to another status")
    _common(transition, fmt=True)
    transition.add_argument("--to", required=True, metavar="STATUS")
    transition.add_argument("--environment", help="with --to deployed")
    _reasoned(transition)

    for name, text in (("approve", "approve a pending version"), ("reject", "reject it")):
        decide = commands.add_parser(name, help=text)
        _common(decide, fmt=True)
        _reasoned(decide, row_version=True)

    deploy = commands.add_parser("deploy", help="deploy an approved version to an environment")
    _common(deploy, fmt=True)
    deploy.add_argument("--environment", required=True)
    deploy.add_argument("--endpoint")
    deploy.add_argument("--notes")
    _reasoned(deploy)

    for name, text in (("deprecate", "deprecate a version"), ("retire", "retire a deprecated one")):
        parser = commands.add_parser(name, help=text)
        _common(parser, fmt=True)
        _reasoned(parser)

    for name, text in (("watch", "hear of the model's deployments and deprecations"),
                       ("unwatch", "stop watching the model")):  # fmt: skip
        _common(commands.add_parser(name, help=text), version=False)

    from governance.registry.performance_cli import add_performance_commands

    add_performance_commands(commands)

    history = commands.add_parser(
        "history",
        help="a version's status changes; or, with --environment and --on, which version was "
        "deployed there then and who approved it",
    )
    history.add_argument("model", metavar="MODEL")
    history.add_argument("version", metavar="VERSION", nargs="?")
    history.add_argument("--environment")
    history.add_argument("--on", metavar="DATE", help="YYYY-MM-DD (a UTC day) or an ISO time")
    history.add_argument("--format", choices=("text", "json"), default="text")


def _pairs(option: str, values: Sequence[str]) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for value in values:
        key, sep, rest = value.partition("=")
        if not sep or not key.strip():
            raise ValidationError(f"{option} takes METRIC=VALUE, got {value!r}.")
        pairs[key.strip().lower()] = rest.strip()
    return pairs


def parse_when(value: str) -> date | datetime:
    """``--on``: a day (``2026-12-01``) or an instant (``2026-12-01T12:00:00+00:00``)."""
    text = (value or "").strip()
    try:
        return date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
    except ValueError:
        raise ValidationError(
            f"--on {value!r} is not a date (YYYY-MM-DD) or an ISO date and time."
        ) from None


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {k: _plain(v) for k, v in dataclasses.asdict(value).items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _print(args: argparse.Namespace, value: Any, line: Callable[[Any], str]) -> None:
    if getattr(args, "format", "text") == "json":
        json.dump(_plain(value), sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
        return
    for item in value if isinstance(value, list) else [value]:
        print(line(item))


def _model_line(m: Any) -> str:
    return f"{m.name}\t{m.provider}\t{m.risk_tier}\towner {m.owner}"


def _version_line(v: Any) -> str:
    return f"{v.model_name}\t{v.version}\t{v.status}\trow_version {v.row_version}"


def _deployed_line(d: Any) -> str:
    ended = f"{d.ended_at:%Y-%m-%d %H:%M}" if d.ended_at else "still current"
    approvers = ", ".join(d.approved_by) or "—"
    return (
        f"{d.version}\t{d.environment}\tdeployed {d.deployed_at:%Y-%m-%d %H:%M} by "
        f"{d.deployed_by}\tended {ended}\tapproved by {approvers}"
    )


def _step_line(t: Any) -> str:
    step = f"{t.from_status or '(new)'} -> {t.to_status}"
    return f"{t.at:%Y-%m-%d %H:%M:%S}\t{step}\t{t.actor}\t{t.environment or '-'}\t{t.reason}"


def _actor(uow: UnitOfWork, username: str | None) -> Actor:
    from governance.actor import Actor
    from governance.auth.service import actor_for_username

    return actor_for_username(uow, username) if username else Actor.command_line()


def run_registry(args: argparse.Namespace, open_workbench: Callable[[], Workbench]) -> int:
    workbench = open_workbench()
    try:
        with workbench.unit() as uow:
            actor = _actor(uow, args.actor)
            _COMMANDS[args.cmd](uow, actor, args)
        return EXIT_OK
    finally:
        workbench.close()


def _register(uow: UnitOfWork, actor: Actor, args: argparse.Namespace) -> None:
    from governance.registry import service

    owner = _actor(uow, args.owner).user_id if args.owner else None
    model = service.register_model(
        uow,
        actor=actor,
        name=args.name,
        provider=args.provider,
        risk_tier=args.risk_tier,
        intended_use=args.intended_use,
        owner_id=owner,
        out_of_scope_uses=args.out_of_scope_uses,
        capabilities=args.capabilities,
        known_limitations=args.known_limitations,
        training_data=args.training_data,
        performance_baseline=args.baseline,
    )
    _print(args, model, _model_line)


_EDITS = ("provider", "risk_tier", "intended_use", "out_of_scope_uses", "capabilities",
          "known_limitations", "training_data", "performance_baseline")  # fmt: skip


def _edit(uow: UnitOfWork, actor: Actor, args: argparse.Namespace) -> None:
    from governance.registry.editing import update_model

    changes = {f: getattr(args, f) for f in _EDITS if getattr(args, f) is not None}
    if args.owner:
        changes["owner_id"] = _actor(uow, args.owner).user_id
    if not changes:
        raise ValidationError("edit: give at least one field to change (see --help).")
    model = update_model(uow, actor=actor, name=args.model, expected_version=args.row_version,
                         reason=args.reason, changes=changes)  # fmt: skip
    _print(args, model, _model_line)


def _list(uow: UnitOfWork, actor: Actor, args: argparse.Namespace) -> None:
    from governance.registry import service

    _print(args, service.list_models(uow, actor=actor), _model_line)


def _show(uow: UnitOfWork, actor: Actor, args: argparse.Namespace) -> None:
    from governance.registry import service

    model = service.get_model(uow, actor=actor, name=args.model)
    if args.format == "json":
        _print(args, model, _model_line)
        return
    for key, value in _plain(model).items():
        print(f"{key}: {value}")


def _versions(uow: UnitOfWork, actor: Actor, args: argparse.Namespace) -> None:
    from governance.registry import service

    _print(args, service.list_versions(uow, actor=actor, model=args.model), _version_line)


def _version_id(uow: UnitOfWork, actor: Actor, args: argparse.Namespace) -> int:
    from governance.registry import service

    return service.get_version(uow, actor=actor, model=args.model, version=args.version).id


def _add_version(uow: UnitOfWork, actor: Actor, args: argparse.Namespace) -> None:
    from governance.registry import service

    version = service.add_version(
        uow,
        actor=actor,
        model=args.model,
        version=args.version,
        changelog=args.changelog,
        artifact_uri=args.artifact_uri,
        artifact_sha256=args.sha256,
    )
    _print(args, version, _version_line)


def _validate(uow: UnitOfWork, actor: Actor, args: argparse.Namespace) -> None:
    from governance.registry import service

    report = service.validate_version(
        uow,
        actor=actor,
        version_id=_version_id(uow, actor, args),
        observed=None if args.observed is None else _pairs("--observed", args.observed),
        window_days=args.window_days,
        evidence=_pairs("--evidence", args.evidence),
        reason=args.reason,
        expected_version=args.row_version,
    )
    _print(args, report, lambda r: f"validation {r.id}: {'passed' if r.passed else 'FAILED'}")


def _transition(uow: UnitOfWork, actor: Actor, args: argparse.Namespace) -> None:
    from governance.registry.lifecycle import Status, parse_status

    target = parse_status(args.to)
    if target is Status.VALIDATED:
        raise ValidationError(
            "--to validated: use `registry validate` with --window-days or --observed."
        )
    if target is Status.DEPLOYED:
        if not args.environment:
            raise ValidationError("--to deployed needs --environment.")
        args.endpoint = args.notes = None
    elif args.environment:
        raise ValidationError("--environment goes only with --to deployed.")
    if target in (Status.APPROVED, Status.REJECTED) and args.row_version is None:
        raise ValidationError(f"--to {target.value} needs --row-version (what you reviewed).")
    _lifecycle_targets()[target](uow, actor, args)


def _watch(uow: UnitOfWork, actor: Actor, args: argparse.Namespace) -> None:
    from governance.registry import watchers

    start = args.cmd == "watch"
    changed = (watchers.watch_model if start else watchers.unwatch_model)(
        uow, actor=actor, name=args.model
    )
    if start:
        print(f"watching {args.model}" if changed else f"already watching {args.model}")
    else:
        print(f"no longer watching {args.model}" if changed else f"not watching {args.model}")


def _call(name: str) -> Callable[[UnitOfWork, Actor, argparse.Namespace], None]:
    """A command that calls the lifecycle step ``name`` on one version."""

    def command(uow: UnitOfWork, actor: Actor, args: argparse.Namespace) -> None:
        from governance.registry import approvals, deployments

        step = getattr(approvals, name, None) or getattr(deployments, name)
        extra: dict[str, Any] = {}
        if name == "deploy_version":
            extra = {
                "environment": args.environment,
                "endpoint": args.endpoint,
                "notes": args.notes,
            }
        result = step(
            uow,
            actor=actor,
            version_id=_version_id(uow, actor, args),
            reason=args.reason,
            expected_version=args.row_version,
            **extra,
        )
        if name == "deploy_version":
            _print(args, result, lambda d: f"deployed in {d.environment} (deployment {d.id})")
        else:
            _print(args, result, _version_line)

    return command


def _lifecycle_targets() -> dict[Any, Callable[[UnitOfWork, Actor, argparse.Namespace], None]]:
    from governance.registry.lifecycle import Status

    return {
        Status.PENDING_APPROVAL: _call("request_approval"),
        Status.APPROVED: _call("approve_version"),
        Status.REJECTED: _call("reject_version"),
        Status.DRAFT: _call("reopen_version"),
        Status.DEPLOYED: _call("deploy_version"),
        Status.DEPRECATED: _call("deprecate_version"),
        Status.RETIRED: _call("retire_version"),
    }


def _history(uow: UnitOfWork, actor: Actor, args: argparse.Namespace) -> None:
    from governance.registry import history

    if args.environment or args.on:
        if not (args.environment and args.on) or args.version:
            raise ValidationError(
                "history MODEL --environment ENV --on DATE asks what was deployed; "
                "history MODEL VERSION lists a version's changes: give one or the other."
            )
        found = history.deployed_on(
            uow,
            actor=actor,
            model=args.model,
            environment=args.environment,
            on=parse_when(args.on),
        )
        if not found and args.format == "text":
            print(f"No version of {args.model} was deployed in {args.environment} then.")
        _print(args, found, _deployed_line)
        return
    if not args.version:
        raise ValidationError("history needs MODEL VERSION, or --environment and --on.")
    steps = history.version_history(uow, actor=actor, version_id=_version_id(uow, actor, args))
    _print(args, steps, _step_line)


def _performance_import(uow: UnitOfWork, actor: Actor, args: argparse.Namespace) -> None:
    from governance.registry.performance_cli import import_command

    import_command(uow, actor, args)


def _performance(uow: UnitOfWork, actor: Actor, args: argparse.Namespace) -> None:
    from governance.registry.performance_cli import trend_command

    trend_command(uow, actor, args)


_COMMANDS: dict[str, Callable[[UnitOfWork, Actor, argparse.Namespace], None]] = {
    "performance-import": _performance_import,
    "performance": _performance,
    "register": _register,
    "edit": _edit,
    "list": _list,
    "show": _show,
    "versions": _versions,
    "add-version": _add_version,
    "validate": _validate,
    "transition": _transition,
    "approve": _call("approve_version"),
    "reject": _call("reject_version"),
    "deploy": _call("deploy_version"),
    "deprecate": _call("deprecate_version"),
    "retire": _call("retire_version"),
    "history": _history,
    "watch": _watch,
    "unwatch": _watch,
}
