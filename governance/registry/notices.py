"""Whom the registry tells about a change, and what it says.

Each function is called by a registry service inside the unit of its cause, after the records
and the audit event are written, so a notice exists exactly when its cause does (a refused or
failed cause rolls it back). Not part of the public API.
"""

from __future__ import annotations

from urllib.parse import urlencode

from governance.auth.roles import PERMISSIONS, Action
from governance.kernel import UnitOfWork
from governance.notifications import notify, notify_role
from governance.notifications.rules import LINK_LIMIT
from governance.registry.models import Model, ModelVersion
from governance.registry.watchers import watcher_ids

# The registry page reads ``?model=`` to open the model named.
PAGE = "/registry"
# A quoted reason is a preview; the full text is on the version's history.
QUOTE_LIMIT = 500
# Leaves room in a title (200 characters) for the words around the name and the version.
NAME_IN_TITLE = 120


def link_to(model: Model) -> str:
    """The registry page opened on ``model``; the bare page when the name, encoded, would be
    longer than a link may be (a refused link would refuse the cause)."""
    link = f"{PAGE}?{urlencode({'model': model.name})}"
    return link if len(link) <= LINK_LIMIT else PAGE


def _named(model: Model, version: ModelVersion) -> str:
    name = model.name
    if len(name) > NAME_IN_TITLE:
        name = name[: NAME_IN_TITLE - 1] + "…"
    return f"{name} {version.version}"


def _quote(text: str) -> str:
    return text if len(text) <= QUOTE_LIMIT else text[: QUOTE_LIMIT - 1] + "…"


def _subject(version: ModelVersion) -> tuple[str, int]:
    return ("model_version", version.id)


def approval_requested(
    uow: UnitOfWork, model: Model, version: ModelVersion, requester: int | None, reason: str
) -> list[int]:
    """Every approver the matrix allows, but the model's owner and the requester: neither
    may decide (maker-checker), so telling them to would only be noise."""
    exclude = {model.owner_id} | ({requester} if requester is not None else set())
    return notify_role(
        uow,
        roles=PERMISSIONS[Action.REGISTRY_APPROVE],
        exclude=exclude,
        kind="registry.approval_requested",
        title=f"Approval requested: {_named(model, version)}",
        body=(
            f"Version {version.version} of {model.name} awaits your decision "
            f"(round {version.approval_round}). Reason: {_quote(reason)}"
        ),
        link=link_to(model),
        subject=_subject(version),
    )


def decided(
    uow: UnitOfWork,
    model: Model,
    version: ModelVersion,
    requester: int | None,
    *,
    decision: str,
    approver: str,
    notes: str,
) -> list[int]:
    """The requester and the owner (once each, when they are one person) hear the outcome."""
    recipients = {model.owner_id} | ({requester} if requester is not None else set())
    return notify(
        uow,
        recipients=recipients,
        kind=f"registry.version_{decision}",
        title=f"Version {decision}: {_named(model, version)}",
        body=(
            f"{approver} {decision} version {version.version} of {model.name}. "
            f"Notes: {_quote(notes)}"
        ),
        link=link_to(model),
        subject=_subject(version),
    )


def deprecated(uow: UnitOfWork, model: Model, version: ModelVersion, reason: str) -> list[int]:
    """The owner, the model's watchers and the person who added the version."""
    recipients = {model.owner_id} | watcher_ids(uow, model)
    if version.created_by_id is not None:
        recipients.add(version.created_by_id)
    return notify(
        uow,
        recipients=recipients,
        kind="registry.version_deprecated",
        title=f"Version deprecated: {_named(model, version)}",
        body=(
            f"Version {version.version} of {model.name} is deprecated and should no longer "
            f"be used. Reason: {_quote(reason)}"
        ),
        link=link_to(model),
        subject=_subject(version),
    )


def deployed(
    uow: UnitOfWork, model: Model, version: ModelVersion, environment: str, by: str
) -> list[int]:
    """The owner and the model's watchers hear where it now runs."""
    return notify(
        uow,
        recipients={model.owner_id} | watcher_ids(uow, model),
        kind="registry.version_deployed",
        title=f"Version deployed: {_named(model, version)} in {environment}",
        body=f"{by} deployed version {version.version} of {model.name} to {environment}.",
        link=link_to(model),
        subject=_subject(version),
    )
