"""The demo's incidents: three months of them, played through the incident services at their
moment of the demo's clock, so the metrics have months to compare and the clocks mean
something: one serious incident whose Art. 73 report is overdue, one critical incident nobody
has acknowledged (escalated to level 3 by the load's last sweep), and others acknowledged,
escalated on the way, resolved, post-mortemed and closed.

Times are days before the load; a step's ``hours`` count from the incident's report. Before
an acknowledgement the cron job's sweep runs, as it would have, so an incident acknowledged
late carries the escalations it earned.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from governance.demo.accounts import LENA, MARCO, OLIVIA, SAM
from governance.demo.models import CREDIT, FRAUD, SUPPORT

CV = "CV Screening Assistant"
DEMAND = "Demand Forecasting"


@dataclass(frozen=True, slots=True)
class IncidentStep:
    hours: float
    verb: str  # acknowledge, investigate, resolve, postmortem, regulator, close
    who: str
    args: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class DemoIncident:
    key: str
    days_ago: float  # reported
    detected_hours_before: float
    who: str
    report: dict[str, Any]
    steps: tuple[IncidentStep, ...] = ()


def _pm(timeline: str, lessons: str, *measures: str) -> dict[str, Any]:
    return {"timeline": timeline, "lessons_learned": lessons, "measures": list(measures)}


S = IncidentStep
INCIDENTS: tuple[DemoIncident, ...] = (
    DemoIncident(
        "injection", 70, 2, SAM,
        {"incident_type": "security", "severity": "medium", "models": [SUPPORT],
         "title": "Prompt injection through pasted order notes",
         "description": "A customer pasted instructions into an order note; the assistant "
         "followed them and offered a refund outside policy.", "harm_category": "financial",
         "affected_people": 1},
        (S(1.2, "acknowledge", OLIVIA), S(1.5, "investigate", OLIVIA, {"reason": "reproduced"}),
         S(26, "resolve", OLIVIA, {"root_cause": "Order notes reached the prompt unmarked as "
                                   "untrusted input.", "resolution": "Notes are now quoted and "
                                   "labelled as customer text; refunds need a human."}),
         S(50, "postmortem", OLIVIA, _pm("Day 1 09:10 refund offered; 10:20 acknowledged; "
                                         "day 2 fix deployed.",
                                         "Any customer text is untrusted input.",
                                         "Red-team prompts from customer fields before release",
                                         "Refunds above 50 EUR need an agent")),
         S(52, "close", OLIVIA)),
    ),
    DemoIncident(
        "payments", 62, 3, LENA,
        {"incident_type": "operational", "severity": "critical", "models": [FRAUD],
         "title": "Every card payment in one region declined for three hours",
         "description": "A threshold pushed with 3.2 scored all card-present payments in the "
         "Nordics as fraud; payments there stopped until the rollback.",
         "harm_category": "critical_infrastructure", "affected_people": 48000, "serious": True,
         "critical_infrastructure": True},
        (S(0.15, "acknowledge", MARCO), S(0.3, "investigate", MARCO, {"reason": "rolling back"}),
         S(4, "resolve", MARCO, {"root_cause": "A per-region threshold was read in the wrong "
                                 "unit (percent as a fraction).",
                                 "resolution": "Rolled back; thresholds are now validated."}),
         S(40, "regulator", MARCO, {"reference": "FSA-2026-0412"}),
         S(170, "postmortem", MARCO, _pm("08:00 threshold pushed; 08:05 declines spike; 08:09 "
                                         "acknowledged; 11:02 rollback complete.",
                                         "A configuration value is code: test it as code.",
                                         "Unit-checked thresholds in the deployment pipeline",
                                         "Canary one region for an hour before all")),
         S(172, "close", MARCO)),
    ),
    DemoIncident(
        "pipeline", 44, 5, SAM,
        {"incident_type": "data", "severity": "high", "models": [CREDIT],
         "title": "Duplicated rows in the credit training extract",
         "description": "The nightly extract doubled 8% of applications; 2.1 was trained on it.",
         "harm_category": "discrimination"},
        (S(2.2, "acknowledge", OLIVIA), S(2.4, "investigate", OLIVIA, {"reason": "checking"}),
         S(70, "resolve", OLIVIA, {"root_cause": "A retried job appended instead of replacing."}),
         S(90, "postmortem", OLIVIA, _pm("Extract 02:00; duplicates seen 09:00.",
                                         "Idempotent jobs or none.",
                                         "Row-count and key-uniqueness checks on every extract")),
         S(91, "close", OLIVIA)),
    ),
    DemoIncident(
        "lineage", 31, 24, MARCO,
        {"incident_type": "compliance", "severity": "low", "models": [DEMAND],
         "title": "Model card lacks the data lineage", "description": "Audit found no lineage "
         "for the two external sources of the demand model."},
        (S(20, "acknowledge", OLIVIA), S(21, "investigate", OLIVIA, {"reason": "asking owners"}),
         S(120, "resolve", OLIVIA, {"root_cause": "Sources were added after the card."}),
         S(121, "close", OLIVIA)),
    ),
    DemoIncident(
        "precision", 21, 12, SAM,
        {"incident_type": "performance", "severity": "medium", "models": [FRAUD],
         "title": "Fraud precision below its baseline",
         "description": "Precision fell under 0.80 for six days; analysts see more false alerts."},
        (S(3, "acknowledge", MARCO), S(4, "investigate", MARCO, {"reason": "drift analysis"}),
         S(52, "resolve", MARCO, {"root_cause": "Seasonal shift in card-present spending."}),
         S(53, "close", MARCO)),
    ),
    DemoIncident(
        "cv", 17.5, 12, MARCO,
        {"incident_type": "fairness", "severity": "high", "models": [CV],
         "title": "CV screening ranks career breaks lower",
         "description": "Candidates with a career break are ranked 30% lower at equal "
         "experience, which affects women disproportionately.",
         "harm_category": "discrimination", "affected_people": 212, "serious": True},
        (S(0.7, "acknowledge", OLIVIA),
         S(1, "investigate", OLIVIA, {"reason": "screening paused; reviewing rankings"})),
    ),
    DemoIncident(
        "age", 9, 30, LENA,
        {"incident_type": "fairness", "severity": "medium", "models": [CREDIT],
         "title": "Approval gap for applicants over 60",
         "description": "The monthly fairness run shows a disparate impact of 0.76 for age."},
        (S(6, "acknowledge", OLIVIA), S(7, "investigate", OLIVIA, {"reason": "retraining "
                                                                    "without age"})),
    ),
    DemoIncident(
        "leak", 0.125, 0.5, LENA,
        {"incident_type": "security", "severity": "critical", "models": [SUPPORT],
         "title": "Assistant shows other customers' order details",
         "description": "Two customers report seeing another customer's address in a reply.",
         "harm_category": "privacy", "affected_people": 2},
    ),
)  # fmt: skip

# A policy version set by an officer early on, so the history shows one.
POLICY_DAYS_AGO = 85
POLICY_CHANGE = {"ack_high": 45}
POLICY_REASON = "High incidents waited too long for an owner: 45 minutes, not an hour."
