"""Imports every record class so that ``Base.metadata`` knows all tables (Alembic, tests)."""

from governance.audit.models import AuditEvent, AuditMark
from governance.auth.models import BrowserSession, User
from governance.db.base import Base
from governance.fairness.models import FairnessAssessment, FairnessPolicyVersion
from governance.notifications.models import Notification, NotificationCondition

__all__ = [
    "AuditEvent",
    "AuditMark",
    "Base",
    "BrowserSession",
    "FairnessAssessment",
    "FairnessPolicyVersion",
    "Notification",
    "NotificationCondition",
    "User",
]
