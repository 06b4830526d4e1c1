"""The escalation and response policy in force, its versions, and changing it (audited).

As the fairness policy: versions are rows, the newest in force (the built-in defaults,
version 0, until an officer sets one); an edit names the version it was made from, and of two
officers racing from one version only one puts the next in force.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select, update

from governance.actor import Actor
from governance.audit.events import AuditAction, Event, Resource
from governance.auth.roles import Action
from governance.errors import Conflict, ValidationError
from governance.incidents import escalation
from governance.incidents.lifecycle import ACTIVE
from governance.incidents.models import Incident, IncidentPolicyVersion
from governance.incidents.policy import ResponsePolicy, policy_changes
from governance.kernel import UnitOfWork, authorize, clean_text, stale_message

THE_POLICY = "the incident response policy"


@dataclass(frozen=True, slots=True)
class PolicyVersion:
    version: int
    policy: ResponsePolicy
    created_at: datetime | None
    created_by: str | None
    reason: str | None


DEFAULT_POLICY = PolicyVersion(0, ResponsePolicy(), None, None, "built-in defaults")


def _version_of(row: IncidentPolicyVersion) -> PolicyVersion:
    return PolicyVersion(
        row.version, ResponsePolicy.from_dict(row.settings), row.created_at, row.created_by,
        row.reason,
    )  # fmt: skip


def in_force(uow: UnitOfWork) -> PolicyVersion:
    """The version in force, without a permission check (for the services' own use)."""
    stmt = select(IncidentPolicyVersion).order_by(IncidentPolicyVersion.version.desc()).limit(1)
    row = uow.session.scalars(stmt).first()
    return DEFAULT_POLICY if row is None else _version_of(row)


def policy_in_force(uow: UnitOfWork, *, actor: Actor) -> PolicyVersion:
    authorize(uow, actor, Action.INCIDENT_READ, Resource.INCIDENT_POLICY)
    return in_force(uow)


def policy_history(uow: UnitOfWork, *, actor: Actor) -> list[PolicyVersion]:
    """Every version, newest first; the built-in defaults last."""
    authorize(uow, actor, Action.INCIDENT_READ, Resource.INCIDENT_POLICY)
    rows = uow.session.scalars(
        select(IncidentPolicyVersion).order_by(IncidentPolicyVersion.version.desc())
    )
    return [*(_version_of(r) for r in rows), DEFAULT_POLICY]


def update_policy(
    uow: UnitOfWork,
    *,
    actor: Actor,
    policy: ResponsePolicy,
    reason: str | None,
    expected_version: int | None = None,
) -> PolicyVersion:
    """Put a new version in force (compliance officers), with a reason.

    The new acknowledgement windows apply at once to incidents still waiting for one (their
    next escalation is recomputed); a report deadline already running keeps the date it was
    given, so that a policy edit cannot lengthen a regulator's clock after the fact.
    """
    authorize(uow, actor, Action.INCIDENT_POLICY_EDIT, Resource.INCIDENT_POLICY)
    why = clean_text(reason, field="Reason for the change", limit=1000)
    current = in_force(uow)
    if expected_version is not None and expected_version != current.version:
        raise Conflict(stale_message(THE_POLICY))
    if current.policy == policy:
        raise ValidationError("Policy: nothing changed.")
    row = IncidentPolicyVersion(
        version=current.version + 1,
        created_at=uow.now(),
        created_by=actor.username,
        reason=why,
        settings=policy.to_dict(),
    )
    uow.session.add(row)
    uow.flush(THE_POLICY)
    moved = _reschedule(uow, policy)
    details = {
        "version": row.version,
        "changes": policy_changes(current.policy, policy),
        "before": current.policy.to_dict(),
        "after": policy.to_dict(),
        "reason": why,
        "rescheduled": moved,
    }
    uow.record(
        actor, Event(AuditAction.INCIDENT_POLICY_CHANGED, Resource.INCIDENT_POLICY, row.id, details)
    )
    return _version_of(row)


def _reschedule(uow: UnitOfWork, policy: ResponsePolicy) -> int:
    """Recompute when each incident still waiting for an acknowledgement escalates next."""
    waiting = uow.session.execute(
        select(
            Incident.id, Incident.severity, Incident.reported_at, Incident.escalation_level
        ).where(Incident.acknowledged_at.is_(None), Incident.status.in_([s.value for s in ACTIVE]))
    ).all()
    if not waiting:
        return 0
    params = [
        {"b_id": i, "b_next": escalation.next_due(policy, sev, at, level)}
        for i, sev, at, level in waiting
    ]

    table = Incident.__table__
    stmt = (
        update(table)
        .where(table.c.id == bindparam("b_id"))
        .values(next_escalation_at=bindparam("b_next"))
    )
    uow.session.execute(stmt, params, execution_options={"synchronize_session": False})
    return len(params)
