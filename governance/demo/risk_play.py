"""The demo's risk steps as calls of the risk services, each at its moment of the demo's
clock (``load.py`` plays them with the registry's, oldest first)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from governance.auth.service import UserInfo
from governance.demo.risks import (
    MATRIX_BY,
    MATRIX_CELLS,
    MATRIX_DAYS_AGO,
    MATRIX_REASON,
    RISKS,
    DemoRisk,
    RiskStep,
)
from governance.kernel import UnitOfWork
from governance.risks import acceptance, levels, plans
from governance.risks import service as risks

Call = Callable[[UnitOfWork], None]
SWEEP = "system"


def risk_timeline(users: dict[str, UserInfo], now: datetime) -> list[tuple[datetime, Call]]:
    """Every risk step, with a sweep the morning after each past expiry and one at the end."""
    ids: dict[str, int] = {}
    plan_ids: dict[str, int] = {}
    entries: list[tuple[datetime, Call]] = []
    today = now.date()
    for risk in RISKS:
        entries.append((now - timedelta(days=risk.days_ago), _register(users, risk, ids)))
        for step in risk.steps:
            entries.append(
                (
                    now - timedelta(days=step.days_ago),
                    _step(users, risk, step, ids, plan_ids, today),
                )
            )
            if step.verb == "accept" and step.in_days < 0:
                lapse = now + timedelta(days=step.in_days + 1)
                entries.append((lapse.replace(hour=6, minute=0), _sweep(users)))
    matrix_at = now - timedelta(days=MATRIX_DAYS_AGO)
    entries.append((matrix_at, _matrix(users)))
    entries.append((now, _sweep(users)))
    return entries


def _register(users: dict[str, UserInfo], risk: DemoRisk, ids: dict[str, int]) -> Call:
    def call(uow: UnitOfWork) -> None:
        ids[risk.title] = risks.register_risk(
            uow,
            actor=users[risk.by].actor(),
            category=risk.category,
            title=risk.title,
            description=risk.description,
            likelihood=risk.likelihood,
            impact=risk.impact,
            owner_id=users[risk.owner].id,
            models=list(risk.models),
        ).id

    return call


def _step(
    users: dict[str, UserInfo],
    risk: DemoRisk,
    step: RiskStep,
    ids: dict[str, int],
    plan_ids: dict[str, int],
    today: Any,
) -> Call:
    def call(uow: UnitOfWork) -> None:
        actor = users[step.who].actor()
        risk_id = ids[risk.title]
        if step.verb == "plan":
            plan_ids[risk.title] = plans.add_plan(
                uow,
                actor=actor,
                risk_id=risk_id,
                strategy=step.text,
                owner_id=users[risk.owner].id,
                deadline=today + timedelta(days=step.in_days),
            ).id
        elif step.verb == "progress":
            plans.plan_progress(
                uow, actor=actor, plan_id=plan_ids[risk.title], note=step.text, status=step.status
            )
        elif step.verb == "accept":
            acceptance.accept_risk(
                uow,
                actor=actor,
                risk_id=risk_id,
                justification=step.text,
                expires_on=today + timedelta(days=step.in_days),
            )
        else:
            residual = {}
            if step.residual is not None:
                residual = {
                    "residual_likelihood": step.residual[0],
                    "residual_impact": step.residual[1],
                }
            risks.transition_risk(
                uow, actor=actor, risk_id=risk_id, to=step.verb, reason=step.text, **residual
            )

    return call


def _matrix(users: dict[str, UserInfo]) -> Call:
    def call(uow: UnitOfWork) -> None:
        actor = users[MATRIX_BY].actor()
        current = levels.matrix_in_force(uow, actor=actor)
        levels.update_matrix(
            uow,
            actor=actor,
            matrix=current.matrix.with_cells(MATRIX_CELLS),
            reason=MATRIX_REASON,
            expected_version=current.version,
        )

    return call


def _sweep(users: dict[str, UserInfo]) -> Call:
    def call(uow: UnitOfWork) -> None:
        acceptance.expire_acceptances(uow, actor=users[MATRIX_BY].actor())

    return call
