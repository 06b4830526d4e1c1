"""What an incident is made of (pure): its type, severity, harm category and their parsers."""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

from governance.errors import ValidationError


class IncidentType(StrEnum):
    SECURITY = "security"
    PERFORMANCE = "performance"
    DATA = "data"
    COMPLIANCE = "compliance"
    OPERATIONAL = "operational"
    FAIRNESS = "fairness"


class Severity(StrEnum):
    """Most severe first: the order of every list, chart and policy table."""

    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @property
    def rank(self) -> int:
        return list(Severity).index(self)


class HarmCategory(StrEnum):
    """Who or what was harmed (after VerifyWise's harm categories and EU AI Act Art. 3(49))."""

    HEALTH_SAFETY = "health_safety"
    FUNDAMENTAL_RIGHTS = "fundamental_rights"
    DISCRIMINATION = "discrimination"
    PRIVACY = "privacy"
    FINANCIAL = "financial"
    PROPERTY_ENVIRONMENT = "property_environment"
    CRITICAL_INFRASTRUCTURE = "critical_infrastructure"
    REPUTATIONAL = "reputational"
    OTHER = "other"

    @property
    def label(self) -> str:
        return HARM_LABELS[self]


HARM_LABELS: dict[HarmCategory, str] = {
    HarmCategory.HEALTH_SAFETY: "Health or safety of people",
    HarmCategory.FUNDAMENTAL_RIGHTS: "Fundamental rights",
    HarmCategory.DISCRIMINATION: "Discrimination or unfair treatment",
    HarmCategory.PRIVACY: "Privacy or personal data",
    HarmCategory.FINANCIAL: "Financial loss",
    HarmCategory.PROPERTY_ENVIRONMENT: "Property or the environment",
    HarmCategory.CRITICAL_INFRASTRUCTURE: "Critical infrastructure",
    HarmCategory.REPUTATIONAL: "Reputation",
    HarmCategory.OTHER: "Other",
}

E = TypeVar("E", bound=StrEnum)


def parse_choice(enum: type[E], value: object, field: str) -> E:
    """The member of ``enum`` named ``value`` (any case, spaces or underscores), or a
    :class:`ValidationError` naming ``field`` and the valid choices."""
    text = str(value or "").strip().lower().replace(" ", "_").replace("-", "_")
    try:
        return enum(text)
    except ValueError:
        valid = ", ".join(m.value for m in enum)
        shown = str(value)[:80]
        raise ValidationError(f"{field}: {shown!r} is not one of {valid}.") from None
