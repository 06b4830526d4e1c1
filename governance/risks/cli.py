"""``python -m governance risks …``: the risk register from the command line.

Commands act as the account named by ``--actor`` (default ``$GOVERNANCE_ACTOR``), or else as
the command line's operator (an administrator who is no account: it cannot accept a risk, as
an acceptance is a person's decision). Exit 0 success; 2 bad input or a refused request.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from governance.registry.cli import _actor, _plain, _print

if TYPE_CHECKING:
    from governance.actor import Actor
    from governance.kernel import UnitOfWork, Workbench

EXIT_OK = 0
Command = Callable[["UnitOfWork", "Actor", argparse.Namespace], None]


def _fmt(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument("--format", choices=("text", "json"), default="text")
    return parser


def _risk(parser: argparse.ArgumentParser, *, row_version: bool = True) -> None:
    parser.add_argument("risk", metavar="RISK", type=int, help="the risk's number")
    if row_version:
        parser.add_argument(
            "--row-version",
            type=int,
            metavar="N",
            help="the risk's row_version as you saw it (`risks show`): refused if it changed",
        )


def add_risk_commands(groups: Any) -> None:
    risks = groups.add_parser("risks", help="risk register: risks, plans, acceptance, heatmap")
    risks.add_argument(
        "--actor",
        default=os.environ.get("GOVERNANCE_ACTOR"),
        metavar="USERNAME",
        help="the account acting (default: $GOVERNANCE_ACTOR, else the operator)",
    )
    commands = risks.add_subparsers(dest="cmd", required=True)

    register = _fmt(commands.add_parser("register", help="record a risk"))
    register.add_argument("title", metavar="TITLE")
    register.add_argument("--category", required=True, help="security, fairness, privacy, …")
    register.add_argument("--description", required=True)
    register.add_argument("--likelihood", required=True, help="1 to 5")
    register.add_argument("--impact", required=True, help="1 to 5")
    register.add_argument("--owner", required=True, metavar="USERNAME")
    register.add_argument("--model", action="append", dest="models", default=[], metavar="NAME")

    listed = _fmt(commands.add_parser("list", help="the register, highest score first"))
    listed.add_argument("--category")
    listed.add_argument("--status")
    listed.add_argument("--model", metavar="NAME")
    listed.add_argument("--owner", metavar="USERNAME")

    _risk(
        _fmt(commands.add_parser("show", help="a risk, its plans and its history")),
        row_version=False,
    )

    mitigate = _fmt(commands.add_parser("mitigate", help="add a mitigation plan to a risk"))
    _risk(mitigate, row_version=False)
    mitigate.add_argument("--strategy", required=True)
    mitigate.add_argument("--owner", required=True, metavar="USERNAME")
    mitigate.add_argument("--deadline", required=True, metavar="YYYY-MM-DD")

    progress = _fmt(commands.add_parser("plan-progress", help="note progress on a plan"))
    progress.add_argument("plan", metavar="PLAN", type=int, help="the plan's number")
    progress.add_argument("--note", required=True)
    progress.add_argument("--status", help="planned, in_progress, done, cancelled")

    transition = _fmt(commands.add_parser("transition", help="move a risk to another status"))
    _risk(transition)
    transition.add_argument("--to", required=True, metavar="STATUS")
    transition.add_argument("--reason", required=True)
    transition.add_argument("--residual-likelihood", metavar="1-5")
    transition.add_argument("--residual-impact", metavar="1-5")

    accept = _fmt(commands.add_parser("accept", help="accept a risk until a date"))
    _risk(accept)
    accept.add_argument("--justification", required=True)
    accept.add_argument("--expires", required=True, metavar="YYYY-MM-DD")

    matrix = _fmt(commands.add_parser("matrix", help="the level matrix; --cell … to change it"))
    matrix.add_argument(
        "--cell",
        action="append",
        default=[],
        metavar="L,I=LEVEL",
        help="set a cell, e.g. 4,3=critical (repeatable; needs --reason)",
    )
    matrix.add_argument("--reason")
    matrix.add_argument("--history", action="store_true", help="list every version")

    heatmap = _fmt(commands.add_parser("heatmap", help="open risks per likelihood × impact"))
    heatmap.add_argument("--residual", action="store_true", help="by the residual rating")
    heatmap.add_argument("--category")
    heatmap.add_argument("--model", metavar="NAME")

    _fmt(
        commands.add_parser(
            "expire",
            help="reopen risks whose acceptance expired; notify owners of plans newly overdue",
        )
    )


def run_risks(args: argparse.Namespace, open_workbench: Callable[[], Workbench]) -> int:
    workbench = open_workbench()
    try:
        with workbench.unit() as uow:
            actor = _actor(uow, args.actor)
            _COMMANDS[args.cmd](uow, actor, args)
        return EXIT_OK
    finally:
        workbench.close()


def _user_id(uow: UnitOfWork, username: str) -> int | None:
    return _actor(uow, username).user_id


def _risk_line(r: Any) -> str:
    return (
        f"{r.id}\t{r.score}\t{r.level}\t{r.status}\t{r.category}\t{r.title}\t"
        f"owner {r.owner}\trow_version {r.row_version}"
    )


def _register(uow: UnitOfWork, actor: Actor, args: argparse.Namespace) -> None:
    from governance.risks import service

    risk = service.register_risk(
        uow,
        actor=actor,
        category=args.category,
        title=args.title,
        description=args.description,
        likelihood=args.likelihood,
        impact=args.impact,
        owner_id=_user_id(uow, args.owner),
        models=args.models,
    )
    _print(args, risk, _risk_line)


def _list(uow: UnitOfWork, actor: Actor, args: argparse.Namespace) -> None:
    from governance.risks.register import Filters, list_risks

    owner = _user_id(uow, args.owner) if args.owner else None
    filters = Filters(args.category, args.status, args.model, owner)
    frame = list_risks(uow, actor=actor, filters=filters)
    rows = [
        dict(zip(frame.columns, _plain(list(r)), strict=True))
        for r in frame.astype(object).where(frame.notna(), None).itertuples(index=False)
    ]
    if args.format == "json":
        _print(args, rows, str)
        return
    for r in rows:
        flag = f"\t{r['overdue_plans']} plan(s) OVERDUE" if r["overdue_plans"] else ""
        print(
            f"{r['id']}\t{r['score']}\t{r['level']}\t{r['status']}\t{r['category']}\t"
            f"{r['title']}\towner {r['owner']}{flag}"
        )


def _show(uow: UnitOfWork, actor: Actor, args: argparse.Namespace) -> None:
    from governance.risks.register import risk_dossier

    dossier = risk_dossier(uow, actor=actor, risk_id=args.risk)
    if args.format == "json":
        _print(args, dossier, str)
        return
    for key, value in _plain(dossier.risk).items():
        print(f"{key}: {value}")
    for plan in dossier.plans:
        flag = " OVERDUE" if plan.overdue else ""
        print(
            f"plan {plan.id}: {plan.status}{flag}, due {plan.deadline}, owner {plan.owner}: "
            f"{plan.strategy}"
        )
    for step in dossier.history:
        print(
            f"{step.at:%Y-%m-%d %H:%M}\t{step.from_status or '(new)'} -> {step.to_status}\t"
            f"{step.actor}\t{step.reason}"
        )


def _mitigate(uow: UnitOfWork, actor: Actor, args: argparse.Namespace) -> None:
    from governance.risks import plans

    plan = plans.add_plan(
        uow,
        actor=actor,
        risk_id=args.risk,
        strategy=args.strategy,
        owner_id=_user_id(uow, args.owner),
        deadline=args.deadline,
    )
    _print(args, plan, lambda p: f"plan {p.id} for risk {p.risk_id}, due {p.deadline}")


def _progress(uow: UnitOfWork, actor: Actor, args: argparse.Namespace) -> None:
    from governance.risks import plans

    plan = plans.plan_progress(
        uow, actor=actor, plan_id=args.plan, note=args.note, status=args.status
    )
    _print(args, plan, lambda p: f"plan {p.id}: {p.status}")


def _transition(uow: UnitOfWork, actor: Actor, args: argparse.Namespace) -> None:
    from governance.risks import service

    risk = service.transition_risk(
        uow,
        actor=actor,
        risk_id=args.risk,
        to=args.to,
        reason=args.reason,
        residual_likelihood=args.residual_likelihood,
        residual_impact=args.residual_impact,
        expected_version=args.row_version,
    )
    _print(args, risk, _risk_line)


def _accept(uow: UnitOfWork, actor: Actor, args: argparse.Namespace) -> None:
    from governance.risks import acceptance

    risk = acceptance.accept_risk(
        uow,
        actor=actor,
        risk_id=args.risk,
        justification=args.justification,
        expires_on=args.expires,
        expected_version=args.row_version,
    )
    _print(args, risk, _risk_line)


def _matrix(uow: UnitOfWork, actor: Actor, args: argparse.Namespace) -> None:
    from governance.errors import ValidationError
    from governance.risks import levels
    from governance.risks.matrix import parse_cell

    if args.history:
        frame = levels.matrix_history(uow, actor=actor)
        rows = [_plain(dict(r._asdict())) for r in frame.itertuples(index=False)]
        _print(
            args,
            rows,
            lambda r: (
                f"{r['version']}\t{r['in_force_since']}\t{r['set_by']}\t"
                f"{r['reason']}\t{r['changes']}"
            ),
        )
        return
    current = levels.matrix_in_force(uow, actor=actor)
    if args.cell:
        if not args.reason:
            raise ValidationError("Reason for the change: --cell needs --reason.")
        changes = dict(parse_cell(c) for c in args.cell)
        current = levels.update_matrix(
            uow,
            actor=actor,
            matrix=current.matrix.with_cells(changes),
            reason=args.reason,
            expected_version=current.version,
        )
    elif args.reason:
        raise ValidationError("--reason goes with --cell.")
    data = {
        "version": current.version,
        "set_by": current.created_by,
        "reason": current.reason,
        "grid": {
            f"likelihood {lik}": row
            for lik, row in zip(range(1, 6), current.matrix.grid(), strict=True)
        },
    }
    if args.format == "json":
        _print(args, data, str)
        return
    print(f"matrix version {current.version} ({current.reason})")
    print("likelihood \\ impact\t" + "\t".join(str(i) for i in range(1, 6)))
    for lik in range(5, 0, -1):
        print(f"{lik}\t\t\t" + "\t".join(current.matrix.grid()[lik - 1]))


def _heatmap(uow: UnitOfWork, actor: Actor, args: argparse.Namespace) -> None:
    from governance.risks.heatmap import risk_heatmap
    from governance.risks.register import Filters

    heat = risk_heatmap(
        uow,
        actor=actor,
        residual=args.residual,
        filters=Filters(category=args.category, model=args.model),
    )
    if args.format == "json":
        _print(args, heat.frame().to_dict(orient="records"), str)
        return
    view = "residual" if args.residual else "inherent"
    print(f"open risks by {view} rating (matrix version {heat.matrix_version}); cells: count/level")
    print("likelihood \\ impact\t" + "\t".join(str(i) for i in range(1, 6)))
    for lik in range(5, 0, -1):
        cells = (f"{heat.counts[lik - 1][i]}/{heat.levels[lik - 1][i]}" for i in range(5))
        print(f"{lik}\t\t\t" + "\t".join(cells))


def _expire(uow: UnitOfWork, actor: Actor, args: argparse.Namespace) -> None:
    from governance.risks import acceptance

    done = acceptance.expire_acceptances(uow, actor=actor)
    _print(
        args,
        done,
        lambda d: (
            f"{len(d.reopened)} risk(s) reopened (acceptance expired), "
            f"{len(d.overdue_notified)} overdue plan(s) notified"
        ),
    )


_COMMANDS: dict[str, Command] = {
    "register": _register,
    "list": _list,
    "show": _show,
    "mitigate": _mitigate,
    "plan-progress": _progress,
    "transition": _transition,
    "accept": _accept,
    "matrix": _matrix,
    "heatmap": _heatmap,
    "expire": _expire,
}
