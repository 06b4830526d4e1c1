"""What the audit trail can say: every action and resource type, named in one place.

Call sites build an :class:`Event`; the writer refuses anything else, so a typo cannot invent
a new kind of event. The dotted names are what the audit page, the CLI and exports show.
A new service adds its members here (see CONTRIBUTING.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class AuditAction(StrEnum):
    """Things that happened."""

    USER_CREATED = "user.created"
    USER_ROLE_CHANGED = "user.role_changed"
    USER_DEACTIVATED = "user.deactivated"
    USER_REACTIVATED = "user.reactivated"
    USER_PASSWORD_RESET = "user.password_reset"  # noqa: S105 (an event name)
    USER_PASSWORD_CHANGED = "user.password_changed"  # noqa: S105 (an event name)
    LOGIN = "auth.login"
    LOGIN_FAILED = "auth.login_failed"
    ACCOUNT_LOCKED = "auth.account_locked"
    LOGOUT = "auth.logout"
    PERMISSION_DENIED = "permission.denied"
    AUDIT_EXPORTED = "audit.exported"
    AUDIT_CHECKPOINT_ISSUED = "audit.checkpoint_issued"
    FAIRNESS_POLICY_CHANGED = "fairness.policy_changed"
    FAIRNESS_ASSESSMENT_SAVED = "fairness.assessment_saved"
    FAIRNESS_EVIDENCE_EXPORTED = "fairness.evidence_exported"
    MODEL_REGISTERED = "registry.model_registered"
    MODEL_EDITED = "registry.model_edited"
    VERSION_ADDED = "registry.version_added"
    VERSION_VALIDATED = "registry.version_validated"
    APPROVAL_REQUESTED = "registry.approval_requested"
    VERSION_APPROVAL_GIVEN = "registry.approval_given"
    VERSION_REJECTED = "registry.version_rejected"
    VERSION_REOPENED = "registry.version_reopened"
    VERSION_DEPLOYED = "registry.version_deployed"
    DEPLOYMENT_SUPERSEDED = "registry.deployment_superseded"
    VERSION_DEPRECATED = "registry.version_deprecated"
    VERSION_RETIRED = "registry.version_retired"
    PERFORMANCE_RECORDED = "registry.performance_recorded"
    MODEL_WATCHED = "registry.model_watched"
    MODEL_UNWATCHED = "registry.model_unwatched"
    INCIDENT_REPORTED = "incident.reported"
    INCIDENT_ACKNOWLEDGED = "incident.acknowledged"
    INCIDENT_STATUS_CHANGED = "incident.status_changed"
    INCIDENT_RESOLVED = "incident.resolved"
    INCIDENT_CLOSED = "incident.closed"
    INCIDENT_POSTMORTEM_WRITTEN = "incident.postmortem_written"
    INCIDENT_REGULATOR_REPORTED = "incident.regulator_reported"
    INCIDENT_IMPACT_ASSESSED = "incident.impact_assessed"
    INCIDENT_ESCALATED = "incident.escalated"
    INCIDENT_POLICY_CHANGED = "incident.policy_changed"
    RISK_REGISTERED = "risk.registered"
    RISK_UPDATED = "risk.updated"
    RISK_TRANSITIONED = "risk.transitioned"
    RISK_ACCEPTED = "risk.accepted"
    RISK_ACCEPTANCE_EXPIRED = "risk.acceptance_expired"
    RISK_PLAN_ADDED = "risk.plan_added"
    RISK_PLAN_PROGRESS = "risk.plan_progress"
    RISK_MATRIX_CHANGED = "risk.matrix_changed"
    MAINTENANCE_FILE_REMOVED = "maintenance.file_removed"
    MAINTENANCE_BACKUP_CREATED = "maintenance.backup_created"
    MAINTENANCE_RESTORED = "maintenance.restored"


class Resource(StrEnum):
    """Kinds of thing an event is about."""

    USER = "user"
    AUDIT_TRAIL = "audit_trail"
    FAIRNESS_POLICY = "fairness_policy"
    FAIRNESS_ASSESSMENT = "fairness_assessment"
    MODEL = "model"
    MODEL_VERSION = "model_version"
    DEPLOYMENT = "deployment"
    RISK = "risk"
    MITIGATION_PLAN = "mitigation_plan"
    RISK_MATRIX = "risk_matrix"
    ARTIFACT_STORE = "artifact_store"
    NOTIFICATION = "notification"
    INCIDENT = "incident"
    INCIDENT_POLICY = "incident_policy"
    SYSTEM = "system"


@dataclass(frozen=True, slots=True)
class Event:
    """One audit event before it is chained: what happened, to what, and the details."""

    action: AuditAction
    resource: Resource
    resource_id: str | int | None = None
    details: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # The one validation point: plain strings would let a call site coin a new name.
        if not isinstance(self.action, AuditAction):
            raise TypeError(f"audit action must be an AuditAction, got {self.action!r}")
        if not isinstance(self.resource, Resource):
            raise TypeError(f"audit resource must be a Resource, got {self.resource!r}")
