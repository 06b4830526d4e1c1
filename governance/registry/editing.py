"""Editing a registered model's record: its documentation, baseline, owner and risk tier.

The name stays (versions, evidence and the audit trail name the model by it). The model's
owner or an administrator edits the documentation, the baseline and the owner. The risk tier
is a governance decision with consequences (a high-risk version needs two approvers; an
unacceptable model never deploys): raising it is always allowed to those who edit, lowering
it is a checker's call — a compliance officer or administrator who does not own the model,
never the maker alone. An edit applies to the record as the editor saw it (``expected_version``)
and names what changed in its audit event.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from governance.actor import Actor
from governance.audit.events import AuditAction, Event, Resource
from governance.auth.roles import Action, Role, is_allowed
from governance.errors import Conflict, ValidationError
from governance.kernel import UnitOfWork, authorize, clean_text, deny
from governance.kernel.guard import current_role
from governance.kernel.unit import stale_message
from governance.registry.fields import (
    RiskTier,
    baseline_json,
    clean_items,
    parse_baseline,
    parse_provider,
    parse_risk_tier,
)
from governance.registry.lifecycle import Status
from governance.registry.models import Model, ModelVersion
from governance.registry.records import model_by_name, reason_text
from governance.registry.service import PROSE_LIMIT, ModelInfo, _model_info, _owner

_TIERS = list(RiskTier)  # in order of severity
_PROSE = {"intended_use": "Intended use", "out_of_scope_uses": "Out-of-scope uses",
          "training_data": "Training data"}  # fmt: skip
_ITEMS = {"capabilities": "Capabilities", "known_limitations": "Known limitations"}
EDITABLE = frozenset({*_PROSE, *_ITEMS, "provider", "performance_baseline", "owner_id",
                      "risk_tier"})  # fmt: skip


def update_model(
    uow: UnitOfWork,
    *,
    actor: Actor,
    name: str,
    expected_version: int,
    reason: str,
    changes: Mapping[str, Any],
) -> ModelInfo:
    """Apply ``changes`` (field → new value, only the fields to change) to model ``name``."""
    unknown = sorted(set(changes) - EDITABLE)
    if unknown:
        raise ValidationError(f"Model edit: {', '.join(unknown)} cannot be edited "
                              f"(editable: {', '.join(sorted(EDITABLE))}).")  # fmt: skip
    authorize(uow, actor, Action.REGISTRY_READ, Resource.MODEL)
    why = reason_text(reason)
    model = model_by_name(uow, name)
    if model.row_version != expected_version:
        raise Conflict(stale_message(f"the record of {model.name!r}"))
    values = _cleaned(uow, actor, changes)
    before = {k: _shown(uow, k, getattr(model, k)) for k in values}
    changed = {k: v for k, v in values.items() if getattr(model, k) != v}
    if not changed:
        raise ValidationError("Model edit: nothing differs from the record as it is.")
    _may_edit(uow, actor, model, changed)
    for field, value in changed.items():
        setattr(model, field, value)
    uow.flush(f"the record of {model.name!r}")
    details = {"model": model.name, "reason": why,
               "before": {k: before[k] for k in changed},
               "after": {k: _shown(uow, k, v) for k, v in changed.items()}}  # fmt: skip
    uow.record(actor, Event(AuditAction.MODEL_EDITED, Resource.MODEL, model.id, details))
    return _model_info(uow, model)


def _cleaned(uow: UnitOfWork, actor: Actor, changes: Mapping[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for field, value in changes.items():
        if field in _PROSE:
            required = field == "intended_use"
            values[field] = clean_text(value, field=_PROSE[field], limit=PROSE_LIMIT,
                                       required=required, multiline=True)  # fmt: skip
        elif field in _ITEMS:
            values[field] = clean_items(value, field=_ITEMS[field])
        elif field == "provider":
            values[field] = parse_provider(value).value
        elif field == "performance_baseline":
            values[field] = baseline_json(parse_baseline(value))
        elif field == "risk_tier":
            values[field] = parse_risk_tier(value).value
        elif field == "owner_id":
            values[field] = _owner(uow, actor, int(value)).id
    return values


def _may_edit(uow: UnitOfWork, actor: Actor, model: Model, changed: Mapping[str, Any]) -> None:
    role = current_role(uow, actor)
    owns = actor.user_id is not None and actor.user_id == model.owner_id
    tier = changed.get("risk_tier")
    lowering = tier is not None and _TIERS.index(RiskTier(tier)) < _TIERS.index(
        RiskTier(model.risk_tier)
    )
    if set(changed) - {"risk_tier"} or (tier is not None and not lowering):
        authorize(uow, actor, Action.REGISTRY_REGISTER, Resource.MODEL, model.id)
        if not owns and role is not Role.ADMIN:
            deny(uow, actor, Action.REGISTRY_REGISTER, Resource.MODEL, model.id,
                 reason="not the model's owner",
                 message="Only its owner or an administrator edits a model's record.")  # fmt: skip
    if lowering and owns:
        deny(uow, actor, Action.REGISTRY_APPROVE, Resource.MODEL, model.id,
             reason="lowering the risk tier of one's own model",
             message="A model's owner cannot lower its risk tier: a compliance officer or an "
             "administrator who does not own it decides that.")  # fmt: skip
    if lowering and (role is None or not is_allowed(role, Action.REGISTRY_APPROVE)):
        deny(uow, actor, Action.REGISTRY_APPROVE, Resource.MODEL, model.id,
             reason="lowering a risk tier without a checker's role",
             message="Lowering a model's risk tier is a decision for a compliance officer or "
             "an administrator.")  # fmt: skip
    if tier == RiskTier.UNACCEPTABLE.value and _deployed(uow, model):
        raise ValidationError(
            "Risk tier: an unacceptable-risk model may not run; retire its deployed versions "
            "before marking it unacceptable."
        )


def _deployed(uow: UnitOfWork, model: Model) -> bool:
    stmt = select(ModelVersion.id).where(
        ModelVersion.model_id == model.id, ModelVersion.status == Status.DEPLOYED.value
    )
    return uow.session.scalars(stmt.limit(1)).first() is not None


def _shown(uow: UnitOfWork, field: str, value: Any) -> Any:
    """A value as the audit event keeps it (the owner by username, not id)."""
    if field == "owner_id":
        from governance.auth.models import User

        user = uow.session.get(User, value)
        return user.username if user is not None else value
    return list(value) if isinstance(value, tuple) else value
