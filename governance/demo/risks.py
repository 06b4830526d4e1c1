"""The demo's risk register: risks in most cells of the heatmap, treated in every way the
lifecycle allows, so that the heatmap, the residual view and the trend mean something.

Among them, as the issue asks: an acceptance about to expire (two days after the load), a
mitigation plan overdue (its deadline five days before the load), and an acceptance that
expired a month ago and was reopened by the clock. The level matrix is changed once, with its
reason, so its history is not empty. Times are days before the load (``days_ago``); deadlines
and expiries are days from the load's day (``in_days``, negative: in the past).
"""

from __future__ import annotations

from dataclasses import dataclass

from governance.demo.accounts import LENA, MARCO, OLIVIA, SAM
from governance.demo.models import CREDIT, FRAUD, SUPPORT

CV = "CV Screening Assistant"
TRIAGE = "Medical Triage Assistant"
EMOTION = "Workplace Emotion Monitor"
FORECAST = "Demand Forecasting"


@dataclass(frozen=True, slots=True)
class RiskStep:
    days_ago: float
    verb: str  # mitigating | mitigated | closed | accept | plan | progress
    who: str
    text: str
    in_days: int = 0  # a plan's deadline or an acceptance's expiry, from the load's day
    residual: tuple[int, int] | None = None
    status: str | None = None  # a plan's new status (progress)


@dataclass(frozen=True, slots=True)
class DemoRisk:
    title: str
    category: str
    description: str
    likelihood: int
    impact: int
    owner: str
    models: tuple[str, ...]
    days_ago: float
    by: str
    steps: tuple[RiskStep, ...] = ()


S = RiskStep
RISKS: tuple[DemoRisk, ...] = (
    DemoRisk(
        "Prompt injection exposes customer records",
        "security",
        "Crafted messages make the support assistant quote other customers' tickets.",
        4,
        5,
        SAM,
        (SUPPORT,),
        79,
        OLIVIA,
        (
            S(
                78,
                "plan",
                OLIVIA,
                "Retrieval filtered by the caller's account; red-team suite in CI.",
                in_days=-5,
            ),  # the overdue plan
            S(60, "mitigating", SAM, "filtering under way"),
            S(40, "progress", SAM, "Account filter deployed to staging.", status="in_progress"),
        ),
    ),
    DemoRisk(
        "Age proxies in credit decisions",
        "fairness",
        "Years at address and account age stand in for age, which the law protects.",
        4,
        4,
        SAM,
        (CREDIT,),
        85,
        OLIVIA,
        (
            S(
                84,
                "plan",
                SAM,
                "Retrain without age proxies; compare disparate impact.",
                in_days=-30,
            ),
            S(70, "mitigating", SAM, "retraining"),
            S(45, "progress", SAM, "Version without age trained; DI ratio 0.86.", status="done"),
            S(44, "mitigated", OLIVIA, "assessed on the hold-out set", residual=(2, 4)),
        ),
    ),
    DemoRisk(
        "CV screening rejects career breaks",
        "fairness",
        "Gaps in employment lower scores; they fall mostly on carers.",
        3,
        5,
        LENA,
        (CV,),
        18,
        MARCO,
        (
            S(17, "plan", LENA, "Remove gap features; human review of rejections.", in_days=20),
            S(10, "mitigating", LENA, "features under review"),
        ),
    ),
    DemoRisk(
        "Triage under-prioritises rare conditions",
        "safety",
        "Too few training cases of rare presentations: urgent cases ranked routine.",
        3,
        5,
        LENA,
        (TRIAGE,),
        15,
        OLIVIA,
        (
            S(14, "plan", LENA, "Clinician override and rare-case escalation rules.", in_days=-6),
            S(13, "mitigating", LENA, "override being built"),
            S(4, "progress", LENA, "Override live; escalation rules reviewed.", status="done"),
            S(3, "mitigated", MARCO, "override and escalation in place", residual=(2, 5)),
        ),
    ),
    DemoRisk(
        "Emotion monitoring of staff",
        "legal",
        "Inferring emotions at work is prohibited (EU AI Act, Article 5).",
        5,
        5,
        SAM,
        (EMOTION,),
        7,
        MARCO,
    ),
    DemoRisk(
        "Fraud model precision drifts",
        "performance",
        "New merchant categories lower precision; analysts drown in false alarms.",
        4,
        3,
        SAM,
        (FRAUD,),
        30,
        MARCO,
        (S(29, "plan", SAM, "Monthly retraining with new merchant categories.", in_days=25),),
    ),
    DemoRisk(
        "Support assistant invents refund policy",
        "transparency",
        "Answers state refund terms that do not exist.",
        3,
        3,
        SAM,
        (SUPPORT,),
        65,
        OLIVIA,
        (
            S(
                64,
                "accept",
                MARCO,
                "Answers carry a notice and link to the policy page; "
                "within appetite for a quarter.",
                in_days=2,
            ),  # about to expire
        ),
    ),
    DemoRisk(
        "Training data holds personal data",
        "privacy",
        "Free-text fields of the credit applications include names and addresses.",
        3,
        4,
        LENA,
        (CREDIT, FRAUD),
        82,
        OLIVIA,
        (
            S(
                81,
                "accept",
                MARCO,
                "Access limited to the model team while the pseudonymisation job is built.",
                in_days=-30,
            ),  # lapsed: reopened
            S(25, "plan", LENA, "Pseudonymise free text before training.", in_days=30),
        ),
    ),
    DemoRisk(
        "Forecast vendor outage",
        "third_party",
        "The demand forecast depends on one vendor's weather feed.",
        2,
        3,
        LENA,
        (FORECAST,),
        60,
        MARCO,
        (S(58, "accept", OLIVIA, "A stale forecast for a day is tolerable.", in_days=200),),
    ),
    DemoRisk(
        "Model cards out of date",
        "transparency",
        "Cards describe versions no longer deployed.",
        3,
        2,
        LENA,
        (),
        50,
        OLIVIA,
        (
            S(49, "mitigating", LENA, "cards regenerated at each release"),
            S(30, "mitigated", OLIVIA, "generated from the registry", residual=(1, 2)),
            S(10, "closed", OLIVIA, "the registry makes the cards now"),
        ),
    ),
    DemoRisk(
        "Unlogged manual overrides",
        "operational",
        "Analysts override fraud scores without a record.",
        2,
        2,
        SAM,
        (FRAUD,),
        40,
        MARCO,
    ),
    DemoRisk(
        "Excessive energy use of retraining",
        "operational",
        "Weekly full retraining of every model.",
        1,
        2,
        LENA,
        (),
        20,
        OLIVIA,
    ),
)

# The matrix change: the board asked that a near-certain moderate harm count as critical.
MATRIX_DAYS_AGO = 55
MATRIX_CELLS = {(5, 3): "critical"}
MATRIX_BY = OLIVIA
MATRIX_REASON = "Board risk appetite review: near-certain moderate harm is critical."
