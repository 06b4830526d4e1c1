"""Roles, actions and the one permission matrix (role × action) of the workbench.

The matrix is enforced in the service layer; pages only use it to hide what a role cannot do.
Every later capability adds its actions here, and the matrix test walks them all.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    COMPLIANCE_OFFICER = "compliance_officer"
    DATA_SCIENTIST = "data_scientist"
    EXECUTIVE = "executive"
    AUDITOR = "auditor"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS: dict[Role, str] = {
    Role.ADMIN: "Administrator",
    Role.COMPLIANCE_OFFICER: "Compliance officer",
    Role.DATA_SCIENTIST: "Data scientist",
    Role.EXECUTIVE: "Executive",
    Role.AUDITOR: "Auditor",
}

ROLE_DESCRIPTIONS: dict[Role, str] = {
    Role.ADMIN: "Manages accounts and roles; reads the audit trail.",
    Role.COMPLIANCE_OFFICER: "Approves models, runs risks, incidents, retention and controls.",
    Role.DATA_SCIENTIST: "Registers models and versions; runs fairness assessments.",
    Role.EXECUTIVE: "Reads the overview and the compliance matrix; changes nothing.",
    Role.AUDITOR: "Reads everything, including the audit trail, and exports evidence.",
}


class Action(StrEnum):
    """Everything a person can ask the workbench to do, named as audited."""

    USER_READ = "user.read"
    USER_CREATE = "user.create"
    USER_CHANGE_ROLE = "user.change_role"
    USER_DEACTIVATE = "user.deactivate"
    USER_REACTIVATE = "user.reactivate"
    USER_RESET_PASSWORD = "user.reset_password"  # noqa: S105 (an action name)
    AUDIT_READ = "audit.read"
    AUDIT_EXPORT = "audit.export"
    AUDIT_CHECKPOINT = "audit.checkpoint"
    FAIRNESS_READ = "fairness.read"
    FAIRNESS_SAVE = "fairness.save"
    FAIRNESS_POLICY_EDIT = "fairness.policy_edit"
    FAIRNESS_EXPORT = "fairness.export"
    REGISTRY_READ = "registry.read"
    REGISTRY_REGISTER = "registry.register"
    REGISTRY_VALIDATE = "registry.validate"
    REGISTRY_SUBMIT = "registry.submit"
    REGISTRY_APPROVE = "registry.approve"
    REGISTRY_DEPLOY = "registry.deploy"
    REGISTRY_DEPRECATE = "registry.deprecate"
    MAINTENANCE = "system.maintenance"
    NOTIFICATION_READ = "notification.read"
    NOTIFICATION_MARK_READ = "notification.mark_read"
    RISK_READ = "risk.read"
    RISK_RECORD = "risk.record"
    RISK_ACCEPT = "risk.accept"
    RISK_MATRIX_EDIT = "risk.matrix_edit"
    INCIDENT_READ = "incident.read"
    INCIDENT_REPORT = "incident.report"
    INCIDENT_MANAGE = "incident.manage"
    INCIDENT_POLICY_EDIT = "incident.policy_edit"

    @property
    def phrase(self) -> str:
        """What the action does, as a refusal says it ("Your role cannot …")."""
        return ACTION_PHRASES[self]


ACTION_PHRASES: dict[Action, str] = {
    Action.USER_READ: "view user accounts",
    Action.USER_CREATE: "create user accounts",
    Action.USER_CHANGE_ROLE: "change a user's role",
    Action.USER_DEACTIVATE: "deactivate user accounts",
    Action.USER_REACTIVATE: "reactivate user accounts",
    Action.USER_RESET_PASSWORD: "reset another user's password",
    Action.AUDIT_READ: "read the audit trail",
    Action.AUDIT_EXPORT: "export the audit trail",
    Action.AUDIT_CHECKPOINT: "sign checkpoints of the audit trail",
    Action.FAIRNESS_READ: "read fairness assessments",
    Action.FAIRNESS_SAVE: "save fairness assessments as evidence",
    Action.FAIRNESS_POLICY_EDIT: "change the fairness policy",
    Action.FAIRNESS_EXPORT: "download fairness evidence (reports and stored files)",
    Action.REGISTRY_READ: "read the model registry",
    Action.REGISTRY_REGISTER: "register models and their versions",
    Action.REGISTRY_VALIDATE: "record validations of model versions",
    Action.REGISTRY_SUBMIT: "submit model versions for approval or reopen rejected ones",
    Action.REGISTRY_APPROVE: "approve or reject model versions",
    Action.REGISTRY_DEPLOY: "deploy model versions",
    Action.REGISTRY_DEPRECATE: "deprecate or retire model versions",
    Action.MAINTENANCE: "maintain the system (doctor, backups and restores)",
    Action.NOTIFICATION_READ: "read your notifications",
    Action.NOTIFICATION_MARK_READ: "mark your notifications as read",
    Action.RISK_READ: "read the risk register",
    Action.RISK_RECORD: "record risks, their status and their mitigation plans",
    Action.RISK_ACCEPT: "accept risks",
    Action.RISK_MATRIX_EDIT: "change the risk level matrix",
    Action.INCIDENT_READ: "read incidents",
    Action.INCIDENT_REPORT: "report incidents",
    Action.INCIDENT_MANAGE: "acknowledge, investigate, resolve or close incidents",
    Action.INCIDENT_POLICY_EDIT: "change the incident escalation and response policy",
}

_EVERYONE = frozenset(Role)

PERMISSIONS: dict[Action, frozenset[Role]] = {
    Action.USER_READ: frozenset({Role.ADMIN, Role.AUDITOR}),
    Action.USER_CREATE: frozenset({Role.ADMIN}),
    Action.USER_CHANGE_ROLE: frozenset({Role.ADMIN}),
    Action.USER_DEACTIVATE: frozenset({Role.ADMIN}),
    Action.USER_REACTIVATE: frozenset({Role.ADMIN}),
    Action.USER_RESET_PASSWORD: frozenset({Role.ADMIN}),
    Action.AUDIT_READ: frozenset({Role.ADMIN, Role.COMPLIANCE_OFFICER, Role.AUDITOR}),
    Action.AUDIT_EXPORT: frozenset({Role.ADMIN, Role.COMPLIANCE_OFFICER, Role.AUDITOR}),
    # A checkpoint states what the trail holds and changes none of it, like an export.
    Action.AUDIT_CHECKPOINT: frozenset({Role.ADMIN, Role.COMPLIANCE_OFFICER, Role.AUDITOR}),
    Action.FAIRNESS_READ: _EVERYONE,
    Action.FAIRNESS_SAVE: frozenset({Role.DATA_SCIENTIST, Role.COMPLIANCE_OFFICER}),
    Action.FAIRNESS_POLICY_EDIT: frozenset({Role.COMPLIANCE_OFFICER}),
    # Evidence leaves the workbench: those who produce it and those who examine it.
    Action.FAIRNESS_EXPORT: frozenset({Role.DATA_SCIENTIST, Role.COMPLIANCE_OFFICER, Role.AUDITOR}),
    Action.REGISTRY_READ: _EVERYONE,
    # Makers: data scientists register, validate and submit; administrators too, as the
    # command line's operator acts for a pipeline. Maker-checker holds per person (an owner or
    # requester never approves), whatever the roles.
    Action.REGISTRY_REGISTER: frozenset({Role.DATA_SCIENTIST, Role.ADMIN}),
    Action.REGISTRY_VALIDATE: frozenset({Role.DATA_SCIENTIST, Role.COMPLIANCE_OFFICER, Role.ADMIN}),
    Action.REGISTRY_SUBMIT: frozenset({Role.DATA_SCIENTIST, Role.ADMIN}),
    # Checkers: the people accountable for compliance.
    Action.REGISTRY_APPROVE: frozenset({Role.COMPLIANCE_OFFICER, Role.ADMIN}),
    # Only an approved version with a fresh passing validation deploys, so the gate is the
    # approval, not the role.
    Action.REGISTRY_DEPLOY: frozenset({Role.DATA_SCIENTIST, Role.ADMIN}),
    # Taking a model out of use: its makers, or compliance when it must stop.
    Action.REGISTRY_DEPRECATE: frozenset(
        {Role.DATA_SCIENTIST, Role.COMPLIANCE_OFFICER, Role.ADMIN}
    ),
    # Backups copy every record out, doctor --fix deletes files: the operators' business.
    Action.MAINTENANCE: frozenset({Role.ADMIN}),
    # Everyone has an inbox; that it is one's own is checked by the service on each record.
    Action.NOTIFICATION_READ: _EVERYONE,
    Action.NOTIFICATION_MARK_READ: _EVERYONE,
    # Executives read the heatmap; auditors examine the register.
    Action.RISK_READ: _EVERYONE,
    # Those who find and treat risks: compliance, the model makers, the operators.
    Action.RISK_RECORD: frozenset({Role.COMPLIANCE_OFFICER, Role.DATA_SCIENTIST, Role.ADMIN}),
    # Accepting a risk is compliance's decision, never the risk owner's (a service rule and
    # the risk_acceptances CHECK), as is the scale every risk is levelled by.
    Action.RISK_ACCEPT: frozenset({Role.COMPLIANCE_OFFICER}),
    Action.RISK_MATRIX_EDIT: frozenset({Role.COMPLIANCE_OFFICER}),
    Action.INCIDENT_READ: _EVERYONE,
    # Whoever builds or runs models sees them fail: they report.
    Action.INCIDENT_REPORT: frozenset({Role.COMPLIANCE_OFFICER, Role.DATA_SCIENTIST, Role.ADMIN}),
    # Those accountable for the response (and the regulator's clock) run it.
    Action.INCIDENT_MANAGE: frozenset({Role.COMPLIANCE_OFFICER, Role.ADMIN}),
    Action.INCIDENT_POLICY_EDIT: frozenset({Role.COMPLIANCE_OFFICER}),
}

# Roles that may only read: a guard against a future edit of the matrix granting them a change.
READ_ONLY_ROLES = frozenset({Role.EXECUTIVE, Role.AUDITOR})
READ_ACTIONS = frozenset(
    {
        Action.USER_READ,
        Action.AUDIT_READ,
        Action.AUDIT_EXPORT,
        Action.AUDIT_CHECKPOINT,
        Action.FAIRNESS_READ,
        Action.FAIRNESS_EXPORT,
        Action.NOTIFICATION_READ,
        # Stamps read_at on one's own notifications and changes no governed record: a
        # reader's bookkeeping, as the last sign-in time is, so read-only roles keep it.
        Action.NOTIFICATION_MARK_READ,
        Action.REGISTRY_READ,
        Action.RISK_READ,
        Action.INCIDENT_READ,
    }
)


def is_allowed(role: Role | str, action: Action) -> bool:
    """Whether ``role`` may perform ``action``."""
    try:
        return Role(role) in PERMISSIONS[action]
    except ValueError:
        return False


def parse_role(value: str) -> Role:
    """The role named ``value``, or a :class:`ValidationError` listing the valid roles."""
    from governance.errors import ValidationError

    try:
        return Role(value.strip().lower())
    except ValueError:
        valid = ", ".join(r.value for r in Role)
        raise ValidationError(f"Unknown role {value!r}: choose one of {valid}.") from None
