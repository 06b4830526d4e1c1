"""The demo's catalogue as data: the models, their versions and each version's story.

A story is a list of :class:`Step`, each a lifecycle call made ``days_ago`` before the load by
one of the demo accounts (:mod:`governance.demo.accounts`). :mod:`governance.demo.load` plays
every step of every story in time order through the real services, with the workbench's
clock set to the step's moment, so the history reads as three months of work.

Across the catalogue every status of the lifecycle is some version's current one: draft (new,
and reopened after a rejection), validated, pending approval (one of the two approvals a
high-risk model needs), approved (superseded, kept for a rollback), deployed, deprecated,
retired and rejected. Approvers are never the model's owner nor the requester.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from governance.demo.accounts import ADMIN, AUDITOR, EXECUTIVE, LENA, MARCO, OLIVIA, SAM

Verb = Literal[
    "add",
    "validate",
    "submit",
    "approve",
    "reject",
    "reopen",
    "deploy",
    "deprecate",
    "retire",
    "assess",
]

# An observed value measured on the real model at load time (see governance.demo.fairness).
MEASURED = "measured"


@dataclass(frozen=True, slots=True)
class Step:
    """One lifecycle call: ``verb`` by ``who``, ``days_ago`` before the load."""

    days_ago: float
    verb: Verb
    who: str
    reason: str = ""
    environment: str | None = None  # deploy
    observed: dict[str, Any] = field(default_factory=dict)  # validate
    # assess, or validate with a MEASURED value: which trained credit model (fairness.py)
    variant: str | None = None


@dataclass(frozen=True, slots=True)
class DemoVersion:
    version: str
    changelog: str
    steps: tuple[Step, ...]
    artifact_uri: str = ""


@dataclass(frozen=True, slots=True)
class Metric:
    """A performance metric's everyday behaviour: mean and spread of its points."""

    mean: float
    spread: float
    decimals: int = 4


@dataclass(frozen=True, slots=True)
class Degradation:
    """``metric`` slides from its mean to ``to`` over the last ``days`` (accelerating)."""

    metric: str
    days: float
    to: float


@dataclass(frozen=True, slots=True)
class DemoModel:
    name: str
    provider: str
    risk_tier: str
    owner: str
    intended_use: str
    baseline: str
    versions: tuple[DemoVersion, ...]
    out_of_scope_uses: str | None = None
    capabilities: tuple[str, ...] = ()
    known_limitations: tuple[str, ...] = ()
    training_data: str | None = None
    # Points recorded while a version runs in production (none: the model is not monitored).
    metrics: dict[str, Metric] = field(default_factory=dict)
    degradation: Degradation | None = None


def _released(
    days: float,
    maker: str,
    checkers: tuple[str, ...],
    observed: dict[str, Any],
    environments: tuple[str, ...] = ("production",),
    variant: str | None = None,
) -> tuple[Step, ...]:
    """The usual path of a release starting ``days`` ago: validated, submitted, approved by
    each of ``checkers`` in turn, deployed to each environment a day apart."""
    steps = [
        Step(days, "add", maker),
        Step(
            days - 0.8,
            "validate",
            maker,
            "nightly evaluation on the hold-out set",
            observed=observed,
            variant=variant,
        ),
        Step(days - 1.0, "submit", maker, "ready for review: evaluation attached"),
    ]
    for i, checker in enumerate(checkers):
        steps.append(
            Step(days - 1.5 - i * 0.7, "approve", checker, "meets the baseline and policy")
        )
    start = days - 2.5 - len(checkers) * 0.7
    for i, environment in enumerate(environments):
        steps.append(Step(start - i, "deploy", maker, "scheduled release", environment=environment))
    return tuple(steps)


CREDIT = "Credit Scoring"
FRAUD = "Fraud Detection"
SUPPORT = "Customer Support Assistant"

CATALOGUE: tuple[DemoModel, ...] = (
    DemoModel(
        name=CREDIT,
        provider="in-house",
        risk_tier="high",
        owner=SAM,
        intended_use="Scores consumer loan applications (up to €50,000) for an underwriter, who "
        "makes the decision.",
        out_of_scope_uses="Automated refusal without human review; business or mortgage lending.",
        capabilities=("probability of repayment", "reason codes for the underwriter"),
        known_limitations=("thin-file applicants (under a year of history) score unreliably",),
        training_data="Generated applicants (demo): income, debt ratio, employment, missed "
        "payments; repayment outcomes over 24 months.",
        baseline="accuracy >= 0.75; latency_ms <= 250",
        metrics={"accuracy": Metric(0.785, 0.01), "latency_ms": Metric(95, 12, 1)},
        versions=(
            DemoVersion(
                "1.0.0",
                "First production model: gradient-boosted trees on 2023-2025 repayment outcomes.",
                (
                    *_released(92, SAM, (OLIVIA, MARCO), {"accuracy": 0.781, "latency_ms": 140}),
                    Step(
                        24, "deprecate", SAM, "superseded by 2.1.0, which meets the fairness policy"
                    ),
                    Step(12, "retire", SAM, "served nowhere since 2.1.0; artefact archived"),
                ),
            ),
            DemoVersion(
                "2.0.0",
                "Logistic regression learning from past approval decisions, with age as a feature.",
                (
                    Step(45, "add", SAM),
                    Step(
                        44.5,
                        "validate",
                        SAM,
                        "hold-out evaluation",
                        observed={"accuracy": MEASURED, "latency_ms": 85},
                        variant="with_age",
                    ),
                    Step(44, "submit", SAM, "simpler model, same accuracy, cheaper to serve"),
                    Step(43.5, "assess", OLIVIA, variant="with_age"),
                    Step(
                        43,
                        "reject",
                        OLIVIA,
                        "The fairness assessment of the hold-out predictions fails: applicants "
                        "under 30 are approved at 0.70 of the rate of those over 50 (below "
                        "0.80). The model learns from past decisions and uses age; retrain on "
                        "repayment outcomes without age.",
                    ),
                ),
            ),
            DemoVersion(
                "2.1.0",
                "Retrained on repayment outcomes; age removed from the features.",
                (
                    Step(35, "add", SAM),
                    Step(34.5, "assess", SAM, variant="without_age"),
                    *_released(
                        34,
                        SAM,
                        (OLIVIA, MARCO),
                        {"accuracy": MEASURED, "latency_ms": 85},
                        ("staging", "production"),
                        "without_age",
                    )[1:],
                ),
            ),
        ),
    ),
    DemoModel(
        name="CV Screening Assistant",
        provider="hugging-face",
        risk_tier="high",
        owner=LENA,
        intended_use="Ranks applications for engineering roles so that recruiters read the "
        "most relevant first; every application is still read by a person.",
        out_of_scope_uses="Rejecting candidates automatically; roles outside engineering.",
        capabilities=("skill extraction from CVs", "ranking against a job description"),
        known_limitations=("CVs in languages other than English and German",),
        training_data="Fine-tuned on 12,000 anonymised, recruiter-labelled applications.",
        baseline="agreement >= 0.8; latency_ms <= 1500",
        versions=(
            DemoVersion(
                "0.9.0",
                "Pilot: anonymises names, photos and dates of birth before ranking.",
                (
                    Step(20, "add", LENA),
                    Step(
                        19,
                        "validate",
                        LENA,
                        "agreement with a recruiter panel on 800 CVs",
                        observed={"agreement": 0.84, "latency_ms": 900},
                    ),
                    Step(18, "submit", LENA, "pilot with the Berlin hiring team"),
                    # High risk: the second approver has not decided yet.
                    Step(16, "approve", MARCO, "anonymisation verified; awaiting a second review"),
                ),
            ),
        ),
    ),
    DemoModel(
        name=FRAUD,
        provider="in-house",
        risk_tier="limited",
        owner=SAM,
        intended_use="Flags card transactions for the fraud team to review within the hour.",
        capabilities=("real-time scoring", "merchant and device features"),
        known_limitations=("new merchant categories are under-represented",),
        training_data="18 months of card transactions with confirmed fraud labels.",
        baseline="precision >= 0.8; latency_ms <= 60",
        metrics={"precision": Metric(0.87, 0.012), "latency_ms": Metric(34, 4, 1)},
        # Card-not-present fraud changed in the last fortnight: precision falls through 0.8.
        degradation=Degradation("precision", 14, 0.71),
        versions=(
            DemoVersion(
                "3.1.0",
                "Gradient-boosted trees with device fingerprint features.",
                (
                    *_released(95, SAM, (MARCO,), {"precision": 0.86, "latency_ms": 38}),
                    Step(49, "deprecate", SAM, "3.2.0 replaces it everywhere"),
                ),
            ),
            DemoVersion(
                "3.2.0",
                "Adds merchant-category embeddings; retrained on the last 18 months.",
                _released(55, SAM, (MARCO,), {"precision": 0.88, "latency_ms": 33}),
            ),
            DemoVersion(
                "3.3.0",
                "Retraining on the last month's confirmed card-not-present fraud.",
                (Step(2, "add", SAM),),
            ),
        ),
    ),
    DemoModel(
        name=SUPPORT,
        provider="anthropic",
        risk_tier="limited",
        owner=LENA,
        intended_use="Drafts answers to customer e-mails about accounts and cards; an agent "
        "reviews every draft before it is sent. Customers are told they talk to an AI system.",
        out_of_scope_uses="Financial advice; complaints; anything sent without an agent's review.",
        capabilities=("drafting replies", "retrieving help-centre articles"),
        known_limitations=("may cite outdated fees when the help centre lags a price change",),
        training_data="A hosted LLM with retrieval over the help centre; no fine-tuning.",
        baseline="resolution_rate >= 0.65; latency_ms <= 3000",
        metrics={"resolution_rate": Metric(0.74, 0.03), "latency_ms": Metric(1750, 220, 0)},
        versions=(
            DemoVersion(
                "1.0.0",
                "First release: retrieval over the help centre, prompt v7.",
                _released(80, LENA, (OLIVIA,), {"resolution_rate": 0.71, "latency_ms": 1900}),
            ),
            DemoVersion(
                "1.1.0",
                "Prompt v9; cites the article each answer comes from.",
                _released(
                    26,
                    LENA,
                    (MARCO,),
                    {"resolution_rate": 0.75, "latency_ms": 1700},
                    ("staging", "production"),
                ),
            ),
            DemoVersion(
                "1.2.0",
                "Switches to a newer model snapshot; same prompt.",
                (
                    Step(3, "add", LENA),
                    Step(
                        2,
                        "validate",
                        LENA,
                        "offline evaluation on 500 past e-mails",
                        observed={"resolution_rate": 0.77, "latency_ms": 1500},
                    ),
                ),
            ),
        ),
    ),
    DemoModel(
        name="Medical Triage Assistant",
        provider="in-house",
        risk_tier="high",
        owner=LENA,
        intended_use="Suggests an urgency level for calls to the out-of-hours nurse line; the "
        "nurse decides.",
        out_of_scope_uses="Diagnosis; emergency (112) calls; use without a nurse.",
        capabilities=("urgency in five levels", "red-flag symptom detection"),
        known_limitations=("not validated for children under 12",),
        training_data="40,000 transcribed nurse-line calls with the nurse's final urgency.",
        baseline="sensitivity >= 0.95; latency_ms <= 500",
        versions=(
            DemoVersion(
                "0.4.0",
                "Red-flag detector retrained with the cardiology cohort.",
                (
                    Step(16, "add", LENA),
                    Step(
                        15,
                        "validate",
                        LENA,
                        "clinical validation set",
                        observed={"sensitivity": 0.96, "latency_ms": 310},
                    ),
                    Step(14, "submit", LENA, "for the pilot in two regions"),
                    Step(
                        12,
                        "reject",
                        MARCO,
                        "The clinical validation set has no calls about children, yet the "
                        "nurse line takes them: add a paediatric cohort or exclude children "
                        "in the intended use.",
                    ),
                    Step(10, "reopen", LENA, "adding the partner hospital's paediatric cohort"),
                ),
            ),
        ),
    ),
    DemoModel(
        name="Workplace Emotion Monitor",
        provider="other",
        risk_tier="unacceptable",
        owner=SAM,
        intended_use="Proposed by a vendor: infers call-centre employees' emotions from their "
        "voice to score their engagement.",
        out_of_scope_uses="Everything: emotion recognition at work is a prohibited practice.",
        known_limitations=("prohibited under Article 5(1)(f) of the EU AI Act",),
        baseline="accuracy >= 0.7",
        versions=(
            DemoVersion(
                "0.1.0",
                "Vendor trial build.",
                (
                    Step(8, "add", SAM),
                    Step(
                        7.5, "validate", SAM, "vendor's own benchmark", observed={"accuracy": 0.74}
                    ),
                    Step(7, "submit", SAM, "the vendor asks for a pilot decision"),
                    Step(
                        6,
                        "reject",
                        OLIVIA,
                        "Emotion recognition in the workplace is prohibited by Article 5(1)(f) "
                        "of the EU AI Act: this system cannot be approved or deployed.",
                    ),
                ),
            ),
        ),
    ),
    DemoModel(
        name="Demand Forecasting",
        provider="google",
        risk_tier="minimal",
        owner=LENA,
        intended_use="Forecasts daily call-centre volume two weeks ahead for staff planning.",
        capabilities=("daily forecasts", "holiday effects"),
        training_data="Three years of daily call volumes.",
        baseline="mape <= 0.12",
        metrics={"mape": Metric(0.082, 0.012)},
        versions=(
            DemoVersion(
                "2.0.0",
                "Adds public holidays and marketing campaigns as regressors.",
                _released(70, LENA, (OLIVIA,), {"mape": 0.079}),
            ),
        ),
    ),
)

# Who else the demo has, beside the makers and checkers above (see accounts.py).
READERS = (ADMIN, EXECUTIVE, AUDITOR)
