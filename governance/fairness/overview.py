"""The fairness panel of the overview: each model's latest saved verdict."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import func, select

from governance.actor import Actor
from governance.fairness.models import FairnessAssessment
from governance.kernel import UnitOfWork
from governance.overview import Panel, Tile, contributes


@contributes(order=30)
def fairness_panel(uow: UnitOfWork, actor: Actor) -> Panel:
    newest = (
        select(FairnessAssessment.model_name, func.max(FairnessAssessment.id).label("last_id"))
        .group_by(FairnessAssessment.model_name)
        .subquery()
    )
    rows = uow.session.execute(
        select(
            FairnessAssessment.model_name,
            FairnessAssessment.model_version,
            FairnessAssessment.verdict,
            FairnessAssessment.created_at,
        )
        .join(newest, FairnessAssessment.id == newest.c.last_id)
        .order_by(FairnessAssessment.model_name)
    ).all()
    if not rows:
        return Panel(
            title="Fairness of models",
            next_step="No fairness assessment has been saved yet. Data scientists upload "
            "predictions on the **Fairness** page and save the result as evidence.",
        )
    table = pd.DataFrame(
        {
            "Model": [r[0] for r in rows],
            "Version": [r[1] or "" for r in rows],
            "Latest verdict": [r[2].replace("_", " ") for r in rows],
            "Assessed": pd.to_datetime([r[3] for r in rows], utc=True),
        }
    )
    failing = sum(r[2] == "fail" for r in rows)
    return Panel(
        title="Fairness of models",
        tiles=(Tile("Models assessed", len(rows)), Tile("Latest verdict: fail", failing)),
        table=table,
    )
