"""The registry panel of the overview: how many models, where they run, and what waits on
someone — versions pending approval and metrics below their baseline, oldest first."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
from sqlalchemy import distinct, func, select

from governance.actor import Actor
from governance.kernel import UnitOfWork
from governance.notifications.models import NotificationCondition
from governance.overview import Panel, Tile, contributes
from governance.registry.models import Deployment, Model, ModelVersion, VersionTransition

ATTENTION_ROWS = 20  # the oldest waits; the registry page has the rest
_DEGRADED = "performance:model:"  # the prefix of a degradation condition's key (performance.py)


@contributes(order=25)
def registry_panel(uow: UnitOfWork, actor: Actor) -> Panel:
    models = uow.session.scalar(select(func.count()).select_from(Model)) or 0
    if models == 0:
        return Panel(
            title="Model registry",
            next_step="No model is registered yet. Data scientists register models and their "
            "versions on the **Model registry** page (or `python -m governance registry "
            "register`).",
        )
    running = uow.session.scalar(
        select(func.count(distinct(Deployment.model_id))).where(Deployment.is_current.is_(True))
    )
    waiting = _pending(uow)
    degraded = _degraded(uow)
    rows = sorted(waiting + degraded, key=lambda r: r[2])[:ATTENTION_ROWS]
    table = None
    if rows:
        table = pd.DataFrame(
            {
                "Model": [r[0] for r in rows],
                "Waiting on": [r[1] for r in rows],
                "Since": pd.to_datetime([r[2] for r in rows], utc=True),
            }
        )
    return Panel(
        title="Model registry",
        tiles=(
            Tile("Models registered", models),
            Tile("Models deployed", running or 0, "with a version deployed in some environment"),
            Tile("Versions pending approval", len(waiting)),
            Tile("Metrics below baseline", len(degraded), "the latest day's mean breaks it"),
        ),
        table=table,
        note=None if rows else "Nothing waits on a decision, and every metric meets its baseline.",
    )


def _pending(uow: UnitOfWork) -> list[tuple[str, str, datetime]]:
    """Each version pending approval, since its latest move into that status."""
    since = (
        select(VersionTransition.version_id, func.max(VersionTransition.at).label("at"))
        .where(VersionTransition.to_status == "pending_approval")
        .group_by(VersionTransition.version_id)
        .subquery()
    )
    stmt = (
        select(Model.name, ModelVersion.version, since.c.at)
        .join(ModelVersion, ModelVersion.model_id == Model.id)
        .join(since, since.c.version_id == ModelVersion.id)
        .where(ModelVersion.status == "pending_approval")
    )
    return [(name, f"approval of {version}", at) for name, version, at in uow.session.execute(stmt)]


def _degraded(uow: UnitOfWork) -> list[tuple[str, str, datetime]]:
    """Each baseline metric whose degradation condition is open, since it opened."""
    open_ = uow.session.execute(
        select(NotificationCondition.key, NotificationCondition.opened_at).where(
            NotificationCondition.key.startswith(_DEGRADED),
            NotificationCondition.closed_at.is_(None),
        )
    ).all()
    found = []
    for key, opened_at in open_:
        model_id, _, metric = key.removeprefix(_DEGRADED).partition(":")
        if model_id.isdigit():
            found.append((int(model_id), metric, opened_at))
    names = dict(
        uow.session.execute(
            select(Model.id, Model.name).where(Model.id.in_({m for m, _, _ in found}))
        ).all()
    )
    return [(names.get(m, "?"), f"{metric} below its baseline", at) for m, metric, at in found]
