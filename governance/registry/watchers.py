"""Watching a model: hearing of its deployments and deprecations without owning it.

Any signed-in account that reads the registry may watch a model; a watch is the person's own
choice, so nobody watches on another's behalf. Starting and stopping are audited; a second
"watch" of a model already watched changes nothing and records nothing.
"""

from __future__ import annotations

from sqlalchemy import delete, select

from governance.actor import Actor
from governance.audit.events import AuditAction, Event, Resource
from governance.auth.models import User
from governance.auth.roles import Action
from governance.errors import ValidationError
from governance.kernel import UnitOfWork, authorize
from governance.registry.models import Model, ModelWatcher
from governance.registry.records import model_by_name


def _person(actor: Actor) -> int:
    if actor.user_id is None:
        raise ValidationError(
            "Watching: only an account watches a model (name one with --actor USERNAME)."
        )
    return actor.user_id


def watch_model(uow: UnitOfWork, *, actor: Actor, name: str) -> bool:
    """Start watching ``name``; False when already watching (nothing changes)."""
    authorize(uow, actor, Action.REGISTRY_READ, Resource.MODEL)
    user_id = _person(actor)
    model = model_by_name(uow, name)
    if uow.session.get(ModelWatcher, (model.id, user_id)) is not None:
        return False
    uow.session.add(ModelWatcher(model_id=model.id, user_id=user_id, since=uow.now()))
    uow.flush("this watch")  # two tabs at once: the second is a conflict, not a crash
    uow.record(actor, Event(AuditAction.MODEL_WATCHED, Resource.MODEL, model.id,
                            {"model": model.name}))  # fmt: skip
    return True


def unwatch_model(uow: UnitOfWork, *, actor: Actor, name: str) -> bool:
    """Stop watching ``name``; False when not watching it."""
    authorize(uow, actor, Action.REGISTRY_READ, Resource.MODEL)
    user_id = _person(actor)
    model = model_by_name(uow, name)
    gone = uow.session.execute(
        delete(ModelWatcher).where(
            ModelWatcher.model_id == model.id, ModelWatcher.user_id == user_id
        )
    )
    if not gone.rowcount:
        return False
    uow.record(actor, Event(AuditAction.MODEL_UNWATCHED, Resource.MODEL, model.id,
                            {"model": model.name}))  # fmt: skip
    return True


def watching(uow: UnitOfWork, *, actor: Actor, name: str) -> bool:
    """Whether the actor watches ``name``."""
    authorize(uow, actor, Action.REGISTRY_READ, Resource.MODEL)
    model = model_by_name(uow, name)
    if actor.user_id is None:
        return False
    return uow.session.get(ModelWatcher, (model.id, actor.user_id)) is not None


def watcher_ids(uow: UnitOfWork, model: Model) -> set[int]:
    """The accounts watching ``model`` (for its notices; inactive ones are skipped there)."""
    return set(uow.session.scalars(
        select(ModelWatcher.user_id).where(ModelWatcher.model_id == model.id)
    ))  # fmt: skip


def watcher_names(uow: UnitOfWork, *, actor: Actor, name: str) -> list[str]:
    """Who watches ``name``, by username (the page shows them; usernames are not secrets)."""
    authorize(uow, actor, Action.REGISTRY_READ, Resource.MODEL)
    model = model_by_name(uow, name)
    stmt = (
        select(User.username)
        .join(ModelWatcher, ModelWatcher.user_id == User.id)
        .where(ModelWatcher.model_id == model.id)
        .order_by(User.username)
    )
    return list(uow.session.scalars(stmt))
