"""The workspace at a glance: aggregate figures every role may read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from governance.audit.chain import ChainReport
from governance.audit.models import AuditEvent
from governance.audit.service import verify_chain
from governance.auth.models import User
from governance.auth.roles import Role
from governance.fairness.models import FairnessAssessment


@dataclass(frozen=True, slots=True)
class WorkspaceSummary:
    active_users_by_role: dict[Role, int]
    deactivated_users: int
    audit_events: int
    last_event_at: datetime | None
    chain: ChainReport
    latest_fairness: list[tuple[str, str | None, str, datetime]]  # model, version, verdict, when


def workspace_summary(session: Session) -> WorkspaceSummary:
    """Counts only, no names: safe to show every signed-in role."""
    rows = session.execute(
        select(User.role, User.is_active, func.count()).group_by(User.role, User.is_active)
    ).all()
    by_role = {role: 0 for role in Role}
    inactive = 0
    for role, active, count in rows:
        if active:
            by_role[Role(role)] += count
        else:
            inactive += count
    events, last = session.execute(select(func.count(), func.max(AuditEvent.occurred_at))).one()
    if last is not None and last.tzinfo is None:  # SQLite returns aggregates without the type
        last = last.replace(tzinfo=UTC)
    return WorkspaceSummary(
        by_role, inactive, events or 0, last, verify_chain(session), _latest_fairness(session)
    )


def _latest_fairness(session: Session) -> list[tuple[str, str | None, str, datetime]]:
    """Each model's most recent saved fairness verdict (model names are not sensitive)."""
    newest = (
        select(FairnessAssessment.model_name, func.max(FairnessAssessment.id).label("last_id"))
        .group_by(FairnessAssessment.model_name)
        .subquery()
    )
    rows = session.execute(
        select(
            FairnessAssessment.model_name,
            FairnessAssessment.model_version,
            FairnessAssessment.verdict,
            FairnessAssessment.created_at,
        )
        .join(newest, FairnessAssessment.id == newest.c.last_id)
        .order_by(FairnessAssessment.model_name)
    ).all()
    return [(r[0], r[1], r[2], r[3]) for r in rows]
