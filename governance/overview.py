"""The workspace at a glance: aggregate figures every role may read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from governance.audit.chain import ChainReport
from governance.audit.models import AuditEvent
from governance.audit.service import verify_chain
from governance.auth.models import User
from governance.auth.roles import Role


@dataclass(frozen=True, slots=True)
class WorkspaceSummary:
    active_users_by_role: dict[Role, int]
    deactivated_users: int
    audit_events: int
    last_event_at: datetime | None
    chain: ChainReport


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
        from datetime import UTC

        last = last.replace(tzinfo=UTC)
    return WorkspaceSummary(by_role, inactive, events or 0, last, verify_chain(session))
