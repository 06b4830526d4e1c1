"""Incident management: reporting, the response (acknowledge, investigate, resolve, close),
escalation by policy, the EU AI Act's report clocks, post-mortems and metrics.

Pages, the CLI and (later) the API import from here only. Names resolve lazily (PEP 562), so
the pure rules load without the records layer.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS: dict[str, str] = {
    # pure rules
    "IncidentType": "fields",
    "Severity": "fields",
    "HarmCategory": "fields",
    "HARM_LABELS": "fields",
    "Status": "lifecycle",
    "TRANSITIONS": "lifecycle",
    "allowed_from": "lifecycle",
    "ResponsePolicy": "policy",
    "LevelRule": "policy",
    "policy_changes": "policy",
    "ReportClock": "deadlines",
    "ClockState": "deadlines",
    "duration": "deadlines",
    "basis": "deadlines",
    "format_minutes": "escalation",
    # plain data and service calls
    "IncidentInfo": "records",
    "report_incident": "service",
    "acknowledge_incident": "service",
    "transition_incident": "service",
    "resolve_incident": "service",
    "close_incident": "service",
    "record_regulator_report": "service",
    "assess_impact": "service",
    "write_postmortem": "postmortem",
    "PostmortemInfo": "postmortem",
    "IncidentList": "listing",
    "IncidentDetail": "listing",
    "TimelineEntry": "listing",
    "list_incidents": "listing",
    "incident_detail": "listing",
    "IncidentMetrics": "metrics",
    "incident_metrics": "metrics",
    "escalate_overdue": "sweep",
    "Escalated": "sweep",
    "PolicyVersion": "policy_store",
    "policy_in_force": "policy_store",
    "policy_history": "policy_store",
    "update_policy": "policy_store",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
