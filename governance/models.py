"""Imports every record class so that ``Base.metadata`` knows all tables (Alembic, tests)."""

from governance.audit.models import AuditEvent, AuditMark
from governance.auth.models import BrowserSession, User
from governance.db.base import Base
from governance.fairness.models import FairnessAssessment, FairnessPolicyVersion
from governance.incidents.models import (
    Incident,
    IncidentEscalation,
    IncidentModel,
    IncidentPolicyVersion,
    IncidentPostmortem,
    IncidentTransition,
    PreventiveMeasure,
)
from governance.notifications.models import Notification, NotificationCondition
from governance.registry.models import (
    Approval,
    Deployment,
    Model,
    ModelVersion,
    ModelWatcher,
    PerformanceDay,
    PerformancePoint,
    Validation,
    VersionTransition,
)
from governance.risks.models import (
    MitigationPlan,
    PlanNote,
    Risk,
    RiskAcceptance,
    RiskMatrixVersion,
    RiskModel,
    RiskTransition,
)

__all__ = [
    "Approval",
    "AuditEvent",
    "AuditMark",
    "Base",
    "BrowserSession",
    "Deployment",
    "FairnessAssessment",
    "FairnessPolicyVersion",
    "Incident",
    "IncidentEscalation",
    "IncidentModel",
    "IncidentPolicyVersion",
    "IncidentPostmortem",
    "IncidentTransition",
    "MitigationPlan",
    "Model",
    "ModelVersion",
    "ModelWatcher",
    "Notification",
    "NotificationCondition",
    "PerformanceDay",
    "PerformancePoint",
    "PlanNote",
    "PreventiveMeasure",
    "Risk",
    "RiskAcceptance",
    "RiskMatrixVersion",
    "RiskModel",
    "RiskTransition",
    "User",
    "Validation",
    "VersionTransition",
]
