"""Maker-checker: submitting a version for approval, and the reviewers' decisions.

A reviewer is a compliance officer or an administrator who is neither the model's owner nor
the person who asked for the approval; the approvals table's CHECK constraint refuses it too.
A high-risk model needs two different approvers. Each decision names the ``row_version`` the
reviewer saw, and is refused as a :class:`Conflict` when the version moved meanwhile.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from governance.actor import Actor
from governance.audit.events import AuditAction, Event, Resource
from governance.auth.roles import Action
from governance.errors import Conflict, PermissionDenied
from governance.kernel import UnitOfWork, authorize, plain
from governance.registry import notices
from governance.registry.fields import RiskTier
from governance.registry.lifecycle import Status, check_transition
from governance.registry.models import Approval, Model, ModelVersion, VersionTransition
from governance.registry.records import (
    VersionInfo,
    load_version,
    move,
    reason_text,
    require_passing_validation,
    touch,
    version_info,
)


@dataclass(frozen=True, slots=True)
class ApprovalInfo:
    id: int
    version_id: int
    round: int
    approver: str
    decision: str
    notes: str
    at: datetime


def request_approval(
    uow: UnitOfWork,
    *,
    actor: Actor,
    version_id: int,
    reason: str,
    expected_version: int | None = None,
) -> VersionInfo:
    """Submit a validated version for approval; a new round of decisions begins."""
    authorize(uow, actor, Action.REGISTRY_SUBMIT, Resource.MODEL_VERSION, version_id)
    why = reason_text(reason)
    version, model = load_version(uow, version_id, expected_version)
    check_transition(version.status, Status.PENDING_APPROVAL)
    require_passing_validation(uow, version)
    version.approval_round += 1
    move(uow, actor, version, Status.PENDING_APPROVAL, why)
    details = {
        "model": model.name,
        "version": version.version,
        "round": version.approval_round,
        "approvers_needed": RiskTier(model.risk_tier).approvers_needed,
        "reason": why,
    }
    uow.record(
        actor, Event(AuditAction.APPROVAL_REQUESTED, Resource.MODEL_VERSION, version.id, details)
    )
    notices.approval_requested(uow, model, version, actor.user_id, why)
    return version_info(version, model)


def _requester_id(uow: UnitOfWork, version: ModelVersion) -> int | None:
    """Who submitted the current round (the newest step into pending approval)."""
    stmt = (
        select(VersionTransition.actor_id)
        .where(
            VersionTransition.version_id == version.id,
            VersionTransition.to_status == Status.PENDING_APPROVAL.value,
        )
        .order_by(VersionTransition.id.desc())
        .limit(1)
    )
    return uow.session.scalars(stmt).first()


def _check_reviewer(
    uow: UnitOfWork, actor: Actor, version: ModelVersion, model: Model
) -> int | None:
    """Refuse a reviewer who is not a person, or who made what they would check."""
    if actor.user_id is None:
        raise PermissionDenied(
            "An approval is a person's decision: act as your own account (--actor USERNAME)."
        )
    if actor.user_id == model.owner_id:
        raise PermissionDenied(
            f"You own {model.name}: an owner cannot approve or reject its versions "
            "(maker-checker). Ask another reviewer."
        )
    requester = _requester_id(uow, version)
    if actor.user_id == requester:
        raise PermissionDenied(
            "You asked for this approval: the requester cannot approve or reject it "
            "(maker-checker). Ask another reviewer."
        )
    decided = select(Approval.id).where(
        Approval.version_id == version.id,
        Approval.round == version.approval_round,
        Approval.approver_id == actor.user_id,
    )
    if uow.session.scalars(decided).first() is not None:
        raise Conflict("You have already decided on this version in this round of approval.")
    return requester


def _decide(
    uow: UnitOfWork,
    actor: Actor,
    version_id: int,
    expected_version: int,
    reason: str,
    target: Status,
) -> tuple[ModelVersion, Model, Approval]:
    why = reason_text(reason, field="Notes")
    version, model = load_version(uow, version_id, expected_version)
    check_transition(version.status, target)
    requester = _check_reviewer(uow, actor, version, model)
    touch(uow, version)  # first, so that a racing decision on the same state waits, then loses
    approval = Approval(
        version_id=version.id,
        round=version.approval_round,
        approver_id=actor.user_id,
        approver=actor.username,
        owner_id=model.owner_id,
        requester_id=requester,
        decision="approved" if target is Status.APPROVED else "rejected",
        notes=why,
        seen_row_version=expected_version,
        at=uow.now(),
    )
    uow.session.add(approval)
    uow.flush("this approval")
    return version, model, approval


def approvals_given(uow: UnitOfWork, version: ModelVersion) -> int:
    stmt = select(func.count(Approval.id)).where(
        Approval.version_id == version.id,
        Approval.round == version.approval_round,
        Approval.decision == "approved",
    )
    return uow.session.scalar(stmt) or 0


def approve_version(
    uow: UnitOfWork, *, actor: Actor, version_id: int, expected_version: int, reason: str
) -> VersionInfo:
    """Approve a pending version as it was shown (``expected_version``); it becomes approved
    once enough different people have (two for a high-risk model, one otherwise)."""
    authorize(uow, actor, Action.REGISTRY_APPROVE, Resource.MODEL_VERSION, version_id)
    version, model, approval = _decide(
        uow, actor, version_id, expected_version, reason, Status.APPROVED
    )
    given = approvals_given(uow, version)
    needed = RiskTier(model.risk_tier).approvers_needed
    if given >= needed:
        move(uow, actor, version, Status.APPROVED, approval.notes)
    details = {
        "model": model.name,
        "version": version.version,
        "round": approval.round,
        "approvals": given,
        "approvers_needed": needed,
        "status": version.status,
        "notes": approval.notes,
    }
    uow.record(
        actor,
        Event(AuditAction.VERSION_APPROVAL_GIVEN, Resource.MODEL_VERSION, version.id, details),
    )
    if version.status == Status.APPROVED.value:
        # The first of two approvals (high risk) decides nothing yet: nobody is told until
        # the version is approved.
        notices.decided(uow, model, version, approval.requester_id, decision="approved",
                        approver=actor.username, notes=approval.notes)  # fmt: skip
    return version_info(version, model)


def reject_version(
    uow: UnitOfWork, *, actor: Actor, version_id: int, expected_version: int, reason: str
) -> VersionInfo:
    """Reject a pending version as it was shown; ``reason`` is the reviewer's notes, which
    the maker reads before reopening it as a draft."""
    authorize(uow, actor, Action.REGISTRY_APPROVE, Resource.MODEL_VERSION, version_id)
    version, model, approval = _decide(
        uow, actor, version_id, expected_version, reason, Status.REJECTED
    )
    move(uow, actor, version, Status.REJECTED, approval.notes)
    details = {
        "model": model.name,
        "version": version.version,
        "round": approval.round,
        "notes": approval.notes,
    }
    uow.record(
        actor, Event(AuditAction.VERSION_REJECTED, Resource.MODEL_VERSION, version.id, details)
    )
    notices.decided(uow, model, version, approval.requester_id, decision="rejected",
                    approver=actor.username, notes=approval.notes)  # fmt: skip
    return version_info(version, model)


def reopen_version(
    uow: UnitOfWork,
    *,
    actor: Actor,
    version_id: int,
    reason: str,
    expected_version: int | None = None,
) -> VersionInfo:
    """Take a rejected version back to draft, to address the reviewer's notes."""
    authorize(uow, actor, Action.REGISTRY_SUBMIT, Resource.MODEL_VERSION, version_id)
    why = reason_text(reason)
    version, model = load_version(uow, version_id, expected_version)
    move(uow, actor, version, Status.DRAFT, why)
    details = {"model": model.name, "version": version.version, "reason": why}
    uow.record(
        actor, Event(AuditAction.VERSION_REOPENED, Resource.MODEL_VERSION, version.id, details)
    )
    return version_info(version, model)


def list_approvals(uow: UnitOfWork, *, actor: Actor, version_id: int) -> list[ApprovalInfo]:
    """Every decision on the version, oldest first, all rounds."""
    authorize(uow, actor, Action.REGISTRY_READ, Resource.MODEL_VERSION, version_id)
    load_version(uow, version_id)
    rows = uow.session.scalars(
        select(Approval).where(Approval.version_id == version_id).order_by(Approval.id)
    )
    return [plain(ApprovalInfo, r) for r in rows]
