"""The service layer's permission check: refuse, record the refusal, raise."""

from __future__ import annotations

from sqlalchemy.orm import Session

from governance.actor import Actor
from governance.audit.log import record_event
from governance.auth.models import User
from governance.auth.roles import Action, Role, is_allowed
from governance.errors import PermissionDenied

ACTION_PHRASES: dict[Action, str] = {
    Action.USER_READ: "view user accounts",
    Action.USER_CREATE: "create user accounts",
    Action.USER_CHANGE_ROLE: "change a user's role",
    Action.USER_DEACTIVATE: "deactivate user accounts",
    Action.USER_REACTIVATE: "reactivate user accounts",
    Action.USER_RESET_PASSWORD: "reset another user's password",
    Action.AUDIT_READ: "read the audit trail",
    Action.AUDIT_EXPORT: "export the audit trail",
    Action.FAIRNESS_READ: "read fairness assessments",
    Action.FAIRNESS_SAVE: "save fairness assessments as evidence",
    Action.FAIRNESS_POLICY_EDIT: "change the fairness policy",
}


def current_role(session: Session, actor: Actor) -> Role | None:
    """The actor's role as the records say now; ``None`` for an unknown or inactive person."""
    if actor.is_system:
        return actor.role
    user = session.get(User, actor.user_id, populate_existing=True)
    if user is None or not user.is_active:
        return None
    return Role(user.role)


def authorize(
    session: Session,
    actor: Actor,
    action: Action,
    *,
    resource_type: str,
    resource_id: str | int | None = None,
) -> None:
    """Return when ``actor`` may do ``action``; otherwise audit the denial and raise.

    Call it first, before any change: on refusal the session is rolled back, so the denial
    event is the only thing committed.
    """
    role = current_role(session, actor)
    if role is not None and is_allowed(role, action):
        return
    session.rollback()
    reason = "account inactive or unknown" if role is None else f"role {role.value}"
    record_event(
        session,
        actor=actor,
        action="permission.denied",
        resource_type=resource_type,
        resource_id=resource_id,
        details={"attempted": action.value, "reason": reason},
    )
    session.commit()
    if role is None:
        raise PermissionDenied("Your account is not active: sign in again or ask an administrator.")
    raise PermissionDenied(
        f"Your role ({role.label}) cannot {ACTION_PHRASES[action]}. "
        "Ask an administrator if you need this."
    )
