"""The permission check every service calls first."""

from __future__ import annotations

from typing import TYPE_CHECKING, NoReturn

from governance.actor import Actor
from governance.audit.events import AuditAction, Event, Resource
from governance.auth.models import User
from governance.auth.roles import Action, Role, is_allowed
from governance.errors import PermissionDenied

if TYPE_CHECKING:
    from governance.kernel.unit import UnitOfWork


def current_role(uow: UnitOfWork, actor: Actor) -> Role | None:
    """The actor's role as the records say now; ``None`` for an unknown or inactive person.

    Re-read on every call, so an actor held by a browser session cannot outlive a role change
    or a deactivation.
    """
    if actor.is_system:
        return actor.role
    user = uow.session.get(User, actor.user_id, populate_existing=True)
    if user is None or not user.is_active:
        return None
    return Role(user.role)


def authorize(
    uow: UnitOfWork,
    actor: Actor,
    action: Action,
    resource: Resource,
    resource_id: str | int | None = None,
) -> None:
    """Return when ``actor`` may do ``action``; otherwise end the unit with a denial.

    The refusal rolls the unit back and commits only the ``permission.denied`` event, so a
    refused change leaves nothing else behind, even when an earlier service of the same unit
    had already written.
    """
    role = current_role(uow, actor)
    if role is not None and is_allowed(role, action):
        return
    reason = "account inactive or unknown" if role is None else f"role {role.value}"
    if role is None:
        message = "Your account is not active: sign in again or ask an administrator."
    else:
        message = (
            f"Your role ({role.label}) cannot {action.phrase}. "
            "Ask an administrator if you need this."
        )
    deny(uow, actor, action, resource, resource_id, reason=reason, message=message)


def deny(
    uow: UnitOfWork,
    actor: Actor,
    action: Action,
    resource: Resource,
    resource_id: str | int | None = None,
    *,
    reason: str,
    message: str,
) -> NoReturn:
    """End the unit with a :class:`PermissionDenied` that the trail keeps as a denial.

    For refusals the matrix cannot express, decided by a service on the record itself ("only
    the recipient may mark a notification read", "the requester may not approve"): the same
    rollback and the same ``permission.denied`` event as :func:`authorize`'s, with the rule
    broken as ``reason`` (for auditors) and ``message`` (for the person).
    """
    denial = Event(
        AuditAction.PERMISSION_DENIED,
        resource,
        resource_id,
        {"attempted": action.value, "reason": reason},
    )

    def keep_denial(unit: UnitOfWork) -> None:
        unit.record(_as_recorded(unit, actor), denial)

    uow.refuse(PermissionDenied(message), keep_denial)


def _as_recorded(uow: UnitOfWork, actor: Actor) -> Actor | str:
    """The actor as the records know them now: a browser session may still hold the role of
    before a demotion, and the trail must name the role that was refused."""
    if actor.is_system:
        return actor
    user = uow.session.get(User, actor.user_id, populate_existing=True)
    if user is None:
        return actor.username  # no such account: a name, no role
    return Actor(user.username, Role(user.role), user.id)
