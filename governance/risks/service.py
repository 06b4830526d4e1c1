"""The register: recording risks, re-rating them, moving them along their lifecycle, and
reading them (one risk, the list by score, a model's risks).

Every function takes the caller's unit of work first; changes are authorised, validated,
written and audited in it, and the edge commits. Acceptance lives in
:mod:`governance.risks.acceptance`, plans in :mod:`governance.risks.plans`, the matrix in
:mod:`governance.risks.levels`, the heatmap and trend in :mod:`governance.risks.heatmap`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm.attributes import flag_modified

from governance.actor import Actor
from governance.audit.events import AuditAction, Event, Resource
from governance.auth.models import User
from governance.auth.roles import Action
from governance.errors import ValidationError
from governance.kernel import UnitOfWork, authorize, clean_text
from governance.registry.models import Model
from governance.registry.records import model_by_name
from governance.risks.fields import parse_category, parse_rating, score
from governance.risks.levels import in_force
from governance.risks.lifecycle import RiskStatus, check_transition, parse_status
from governance.risks.models import Risk, RiskAcceptance, RiskModel, RiskTransition
from governance.risks.records import (
    THIS_RISK,
    RiskInfo,
    active_account,
    load_risk,
    move,
    reason_text,
    risk_info,
)
from governance.risks.upkeep import keep_current

TITLE_LIMIT = 200
PROSE_LIMIT = 5000
MODELS_LIMIT = 50


def _models(uow: UnitOfWork, names: Iterable[str] | str | None) -> list[Model]:
    if names is None:
        return []
    if isinstance(names, str):
        names = [n for n in names.split(",") if n.strip()]
    found: dict[int, Model] = {}
    for name in names:
        clean_text(name, field="Models", limit=200)
        model = model_by_name(uow, name)
        found[model.id] = model
    if len(found) > MODELS_LIMIT:
        raise ValidationError(f"Models: link at most {MODELS_LIMIT} models to one risk.")
    return sorted(found.values(), key=lambda m: m.name_key)


def _model_names(uow: UnitOfWork, risk_id: int) -> tuple[str, ...]:
    stmt = (
        select(Model.name)
        .join(RiskModel, RiskModel.model_id == Model.id)
        .where(RiskModel.risk_id == risk_id)
        .order_by(Model.name_key)
    )
    return tuple(uow.session.scalars(stmt))


def info_of(uow: UnitOfWork, risk: Risk) -> RiskInfo:
    owner = uow.session.get(User, risk.owner_id)
    return risk_info(
        risk, in_force(uow).matrix, owner.username if owner else "?", _model_names(uow, risk.id)
    )


def _fields(
    uow: UnitOfWork,
    *,
    category: object,
    title: object,
    description: object,
    likelihood: object,
    impact: object,
    owner_id: Any,
) -> dict[str, Any]:
    values = {
        "category": parse_category(category).value,
        "title": clean_text(title, field="Title", limit=TITLE_LIMIT),  # type: ignore[arg-type]
        "description": clean_text(
            description,
            field="Description",
            limit=PROSE_LIMIT,  # type: ignore[arg-type]
            multiline=True,
        ),
        "likelihood": parse_rating(likelihood, field="Likelihood"),
        "impact": parse_rating(impact, field="Impact"),
    }
    values["score"] = score(values["likelihood"], values["impact"])
    values["owner_id"] = active_account(uow, owner_id, field="Owner").id
    return values


def register_risk(
    uow: UnitOfWork,
    *,
    actor: Actor,
    category: str,
    title: str,
    description: str,
    likelihood: int | str,
    impact: int | str,
    owner_id: int | None,
    models: Iterable[str] | str | None = None,
) -> RiskInfo:
    """Record a risk (identified); its score is likelihood × impact, its level the matrix's."""
    authorize(uow, actor, Action.RISK_RECORD, Resource.RISK)
    values = _fields(
        uow,
        category=category,
        title=title,
        description=description,
        likelihood=likelihood,
        impact=impact,
        owner_id=owner_id,
    )
    linked = _models(uow, models)
    risk = Risk(
        status=RiskStatus.IDENTIFIED.value,
        created_at=uow.now(),
        created_by=actor.username,
        **values,
    )
    uow.session.add(risk)
    uow.flush(THIS_RISK)
    uow.session.add_all(RiskModel(risk_id=risk.id, model_id=m.id) for m in linked)
    uow.session.add(
        RiskTransition(
            risk_id=risk.id,
            from_status=None,
            to_status=risk.status,
            actor=actor.username,
            actor_id=actor.user_id,
            reason="registered",
            at=uow.now(),
        )
    )
    uow.flush("the risk's history")
    info = info_of(uow, risk)
    after = {**values, "models": list(info.models), "level": info.level, "status": risk.status}
    uow.record(actor, Event(AuditAction.RISK_REGISTERED, Resource.RISK, risk.id, {"after": after}))
    return info


_EDITABLE = ("category", "title", "description", "likelihood", "impact", "owner_id")


def update_risk(
    uow: UnitOfWork,
    *,
    actor: Actor,
    risk_id: int,
    expected_version: int | None,
    category: str,
    title: str,
    description: str,
    likelihood: int | str,
    impact: int | str,
    owner_id: int | None,
    models: Iterable[str] | str | None = None,
) -> RiskInfo:
    """Edit a risk's description and inherent rating, owner and models (not a closed one)."""
    authorize(uow, actor, Action.RISK_RECORD, Resource.RISK, risk_id)
    values = _fields(
        uow,
        category=category,
        title=title,
        description=description,
        likelihood=likelihood,
        impact=impact,
        owner_id=owner_id,
    )
    linked = _models(uow, models)
    risk = load_risk(uow, risk_id, expected_version)
    if risk.status == RiskStatus.CLOSED.value:
        raise ValidationError("Status: this risk is closed; a closed risk is not edited.")
    before = {k: getattr(risk, k) for k in _EDITABLE} | {"models": list(_model_names(uow, risk.id))}
    wanted = {k: values[k] for k in _EDITABLE} | {"models": [m.name for m in linked]}
    if wanted == before:
        raise ValidationError("Nothing changed: edit a field first.")
    # A mitigated risk's residual rating was measured against the inherent one.
    if risk.residual_likelihood is not None and (
        risk.residual_likelihood > values["likelihood"]
        or (risk.residual_impact or 0) > values["impact"]
    ):
        raise ValidationError(
            "Likelihood: the residual rating would exceed the inherent one; re-rate the "
            "residual risk first (move it back to mitigating)."
        )
    for key, value in values.items():
        setattr(risk, key, value)
    if not uow.session.is_modified(risk):
        # The models alone changed: the risk's version still moves, so a racing edit loses.
        flag_modified(risk, "title")
    uow.flush(THIS_RISK)
    uow.session.execute(delete(RiskModel).where(RiskModel.risk_id == risk.id))
    uow.session.add_all(RiskModel(risk_id=risk.id, model_id=m.id) for m in linked)
    uow.flush("the risk's models")
    info = info_of(uow, risk)
    after = {k: getattr(risk, k) for k in _EDITABLE} | {"models": list(info.models)}
    uow.record(
        actor,
        Event(AuditAction.RISK_UPDATED, Resource.RISK, risk.id, {"before": before, "after": after}),
    )
    return info


def transition_risk(
    uow: UnitOfWork,
    *,
    actor: Actor,
    risk_id: int,
    to: str,
    reason: str,
    residual_likelihood: int | str | None = None,
    residual_impact: int | str | None = None,
    expected_version: int | None = None,
) -> RiskInfo:
    """Move a risk along its lifecycle: mitigating, mitigated (with the residual likelihood
    and impact), closed. Acceptance is :func:`~governance.risks.acceptance.accept_risk`'s;
    reopening an accepted risk is the clock's, when the acceptance expires."""
    authorize(uow, actor, Action.RISK_RECORD, Resource.RISK, risk_id)
    target = parse_status(to)
    why = reason_text(reason)
    keep_current(uow)
    risk = load_risk(uow, risk_id, expected_version)
    step = check_transition(risk.status, target)
    if step.call != "transition_risk":
        how = (
            "a compliance officer accepts it (Accept)"
            if target is RiskStatus.ACCEPTED
            else "only its acceptance's expiry does that"
        )
        raise ValidationError(f"Status: a risk becomes {target.label} when {how}.")
    residual = None
    if target is RiskStatus.MITIGATED:
        if residual_likelihood is None or residual_impact is None:
            raise ValidationError(
                "Residual likelihood: a mitigated risk needs its residual likelihood and "
                "impact (1 to 5)."
            )
        residual = (
            parse_rating(residual_likelihood, field="Residual likelihood"),
            parse_rating(residual_impact, field="Residual impact"),
        )
        if residual[0] > risk.likelihood or residual[1] > risk.impact:
            raise ValidationError(
                f"Residual likelihood: the residual rating ({residual[0]} × {residual[1]}) "
                f"cannot exceed the inherent one ({risk.likelihood} × {risk.impact}); "
                "edit the risk's rating if it grew."
            )
        risk.residual_likelihood, risk.residual_impact = residual
    elif residual_likelihood is not None or residual_impact is not None:
        raise ValidationError("Residual likelihood: give the residual rating only with mitigated.")
    source = risk.status
    move(uow, actor, risk, target, why)
    if target is RiskStatus.CLOSED:
        uow.session.execute(
            update(RiskAcceptance)
            .where(RiskAcceptance.risk_id == risk.id, RiskAcceptance.ended_at.is_(None))
            .values(ended_at=uow.now(), end_reason="closed")
            .execution_options(synchronize_session=False)
        )
    details: dict[str, Any] = {
        "title": risk.title,
        "from": source,
        "to": target.value,
        "reason": why,
    }
    if residual is not None:
        details["residual"] = {"likelihood": residual[0], "impact": residual[1]}
    uow.record(actor, Event(AuditAction.RISK_TRANSITIONED, Resource.RISK, risk.id, details))
    return info_of(uow, risk)


def get_risk(uow: UnitOfWork, *, actor: Actor, risk_id: int) -> RiskInfo:
    """One risk, as the clock leaves it now."""
    authorize(uow, actor, Action.RISK_READ, Resource.RISK, risk_id)
    keep_current(uow)
    return info_of(uow, load_risk(uow, risk_id))


def risks_of_model(uow: UnitOfWork, actor: Actor, name: str) -> list[RiskInfo]:
    """The risks linked to the model named ``name``, highest score first (for its page)."""
    authorize(uow, actor, Action.RISK_READ, Resource.RISK)
    keep_current(uow)
    model = model_by_name(uow, name)
    risks = uow.session.scalars(
        select(Risk)
        .join(RiskModel, RiskModel.risk_id == Risk.id)
        .where(RiskModel.model_id == model.id)
        .order_by(Risk.score.desc(), Risk.id)
    )
    return [info_of(uow, r) for r in risks]


def owner_choices(uow: UnitOfWork, *, actor: Actor) -> list[tuple[int, str]]:
    """Active accounts that may own a risk or a plan, by username (usernames are not
    secrets; the register shows them)."""
    authorize(uow, actor, Action.RISK_READ, Resource.RISK)
    rows = uow.session.execute(
        select(User.id, User.username).where(User.is_active.is_(True)).order_by(User.username)
    )
    return [(i, n) for i, n in rows]
