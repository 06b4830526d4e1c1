"""A model's saved fairness assessments, as its registry page lists them.

Read through the registry link (``fairness_assessments.model_id``), so a renamed model or a
name typed in another case still finds its evidence. The ratio shown is the lowest over every
grouping, as validation judges it; the fairness page's history shows the first grouping's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from governance.actor import Actor
from governance.audit.events import Resource
from governance.auth.roles import Action
from governance.fairness.models import FairnessAssessment
from governance.kernel import UnitOfWork, authorize
from governance.registry.models import ModelVersion
from governance.registry.records import model_by_name
from governance.registry.requirements import lowest_ratio


@dataclass(frozen=True, slots=True)
class FairnessEvidence:
    id: int
    created_at: datetime
    created_by: str
    version: str | None  # the registry version it names, if any
    verdict: str
    lowest_ratio: float | None
    lowest_at: str | None  # the group with that ratio ("age_group = under 30")
    rows: int
    file_name: str


def model_fairness(uow: UnitOfWork, *, actor: Actor, name: str) -> list[FairnessEvidence]:
    """Every saved assessment of model ``name``, newest first."""
    authorize(uow, actor, Action.FAIRNESS_READ, Resource.FAIRNESS_ASSESSMENT)
    model = model_by_name(uow, name)
    stmt = (
        select(FairnessAssessment, ModelVersion.version)
        .outerjoin(ModelVersion, ModelVersion.id == FairnessAssessment.model_version_id)
        .where(FairnessAssessment.model_id == model.id)
        .order_by(FairnessAssessment.created_at.desc(), FairnessAssessment.id.desc())
    )
    found = []
    for row, version in uow.session.execute(stmt):
        ratio, where = lowest_ratio(row.results)
        line = FairnessEvidence(
            row.id, row.created_at, row.created_by, version, row.verdict, ratio, where,
            row.row_count, row.file_name,
        )  # fmt: skip
        found.append(line)
    return found
