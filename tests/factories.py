"""One way to make what tests need: accounts of each role, prediction files, saved evidence,
registered models and versions.

Every factory writes through the services in a unit of work of its own, committed, so what it
makes is visible to any other connection (a page under AppTest, a CLI subprocess, a server).
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from governance.auth import service as auth
from governance.auth.roles import Role
from governance.auth.service import UserInfo
from governance.kernel import Workbench

if TYPE_CHECKING:
    from governance.incidents.records import IncidentInfo
    from governance.registry.records import VersionInfo
    from governance.registry.service import ModelInfo
    from governance.risks.records import RiskInfo

PASSWORD = "correct horse battery staple"
FileFormat = Literal["csv", "parquet", "xlsx"]


def first_admin(workbench: Workbench, username: str = "admin") -> UserInfo:
    """The first administrator (the account every other one is created by)."""
    return workbench.run(
        auth.create_first_admin, username=username, password=PASSWORD, display_name="Ada Admin"
    )


def make_user(
    workbench: Workbench,
    role: Role,
    username: str | None = None,
    display_name: str | None = None,
    *,
    by: UserInfo,
) -> UserInfo:
    """An active account of ``role``, created by the administrator ``by``.

    It keeps its password (no change asked at first sign-in): tests sign in with
    :data:`PASSWORD`; those of the forced change make their own accounts.
    """
    return workbench.run(
        auth.create_user,
        actor=by.actor(),
        username=username or f"{role.value.replace('_', '-')}-{uuid.uuid4().hex[:6]}",
        role=role,
        password=PASSWORD,
        display_name=display_name,
        must_change_password=False,
    )


def prediction_frame(
    n: int = 600,
    seed: int = 3,
    *,
    groups: tuple[str, ...] = ("A", "B"),
    score: bool = False,
    text_labels: bool = False,
) -> pd.DataFrame:
    """Predictions with a disparity: group ``groups[0]`` is selected about twice as often.

    ``score`` adds a ``probability`` column consistent with ``prediction`` (≥ 0.5 ⇔ 1);
    ``text_labels`` writes the outcome as UCI Adult's ``>50K``/``<=50K`` instead of 1/0 (text
    that no reader takes for booleans or numbers).
    """
    rng = np.random.default_rng(seed)
    race = rng.choice(list(groups), n)
    y = rng.random(n) < 0.4
    p = rng.random(n) < np.where(race == groups[0], 0.6, 0.3)
    frame = pd.DataFrame(
        {
            "label": np.where(y, ">50K", "<=50K") if text_labels else y.astype(int),
            "prediction": p.astype(int),
            "race": race,
        }
    )
    if score:
        # Rounded to three decimals, so that AUC from the histogram scan is exact.
        frame["probability"] = np.where(
            p, rng.uniform(0.5, 1.0, n), rng.uniform(0.0, 0.4999, n)
        ).round(3)
        frame.loc[frame["probability"] >= 1.0, "probability"] = 0.999
    return frame


def write_predictions(frame: pd.DataFrame, path: Path, file_format: FileFormat = "csv") -> Path:
    """``frame`` written at ``path`` as CSV, Parquet or Excel; the path is returned."""
    if file_format == "csv":
        frame.to_csv(path, index=False)
    elif file_format == "parquet":
        frame.to_parquet(path, index=False)
    else:
        frame.to_excel(path, index=False)
    return path


def prediction_bytes(frame: pd.DataFrame) -> bytes:
    """``frame`` as the CSV bytes a browser would upload."""
    return frame.to_csv(index=False).encode()


def make_notification(
    workbench: Workbench,
    recipient: UserInfo,
    title: str = "Approval requested: credit-model 1.2",
    body: str = "Dana asks for approval of version 1.2.",
    *,
    kind: str = "approval.requested",
    link: str | None = None,
) -> int:
    """A notification delivered to ``recipient`` through the service; its id is returned."""
    from sqlalchemy import func, select

    from governance.notifications import notify
    from governance.notifications.models import Notification

    with workbench.unit() as uow:
        notify(uow, recipients=[recipient.id], kind=kind, title=title, body=body, link=link)
        return int(uow.session.scalar(select(func.max(Notification.id))) or 0)


# --- the model registry ---------------------------------------------------------------------

SHA = "ab" * 32
BASELINE = "accuracy >= 0.85; latency_ms <= 300"
PASSING = {"accuracy": 0.9, "latency_ms": 120}


def make_model(
    workbench: Workbench,
    *,
    by: UserInfo,
    name: str | None = None,
    risk_tier: str = "limited",
    owner: UserInfo | None = None,
) -> ModelInfo:
    """A registered model with a two-metric baseline, owned by ``owner`` (default ``by``)."""
    from governance.registry import service as registry

    return workbench.run(
        registry.register_model,
        actor=by.actor(),
        name=name or f"model-{uuid.uuid4().hex[:6]}",
        provider="in-house",
        risk_tier=risk_tier,
        intended_use="Scores loan applications for manual review.",
        owner_id=(owner or by).id,
        performance_baseline=BASELINE,
    )


def make_version(
    workbench: Workbench,
    model: str,
    *,
    maker: UserInfo,
    checkers: tuple[UserInfo, ...] = (),
    to: str = "draft",
    version: str | None = None,
    environment: str = "production",
) -> VersionInfo:
    """A version of ``model`` brought through the services to status ``to``.

    ``maker`` adds, validates, submits and deploys; ``checkers`` approve or reject (as many
    as the risk tier needs). Each step runs in a unit of its own, as the pages would.
    """
    from governance.registry import approvals, deployments
    from governance.registry import service as registry

    actor = maker.actor()
    v = workbench.run(
        registry.add_version,
        actor=actor,
        model=model,
        version=version or f"1.0.{uuid.uuid4().int % 100_000}",
        changelog="Retrained on the 2026 applications.",
        artifact_uri="s3://models/credit/model.onnx",
        artifact_sha256=SHA,
    )
    path = {
        "draft": [],
        "validated": ["validate"],
        "pending_approval": ["validate", "submit"],
        "approved": ["validate", "submit", "approve"],
        "rejected": ["validate", "submit", "reject"],
        "deployed": ["validate", "submit", "approve", "deploy"],
        "deprecated": ["validate", "submit", "approve", "deprecate"],
        "retired": ["validate", "submit", "approve", "deprecate", "retire"],
    }[to]
    for step in path:
        if step == "validate":
            workbench.run(
                registry.validate_version, actor=actor, version_id=v.id, observed=PASSING,
                reason="nightly evaluation",
            )  # fmt: skip
        elif step == "submit":
            v = workbench.run(
                approvals.request_approval, actor=actor, version_id=v.id, reason="ready"
            )
        elif step == "approve":
            for checker in checkers:
                v = workbench.run(
                    approvals.approve_version, actor=checker.actor(), version_id=v.id,
                    expected_version=v.row_version, reason="meets the policy",
                )  # fmt: skip
                if v.status == "approved":
                    break
        elif step == "reject":
            v = workbench.run(
                approvals.reject_version, actor=checkers[0].actor(), version_id=v.id,
                expected_version=v.row_version, reason="the changelog is too thin",
            )  # fmt: skip
        elif step == "deploy":
            workbench.run(
                deployments.deploy_version, actor=actor, version_id=v.id,
                environment=environment, reason="release",
            )  # fmt: skip
        elif step == "deprecate":
            v = workbench.run(
                deployments.deprecate_version, actor=actor, version_id=v.id, reason="superseded"
            )
        elif step == "retire":
            v = workbench.run(
                deployments.retire_version, actor=actor, version_id=v.id, reason="end of life"
            )
    with workbench.unit() as uow:
        return registry.get_version(uow, actor=actor, model=model, version=v.version)


def write_performance_points(path: Path, days: int = 7, metric: str = "accuracy") -> Path:
    """A small performance file: one point a day up to now (values above a 0.8 baseline)."""
    from datetime import UTC, datetime, timedelta

    now = datetime.now(UTC)
    rows = [
        {"metric": metric, "value": 0.9, "timestamp": (now - timedelta(days=d)).isoformat()}
        for d in range(days)
    ]
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def make_evidence_model(
    workbench: Workbench, name: str, *, by: UserInfo, versions: tuple[str, ...] = ()
) -> ModelInfo:
    """A registered model named ``name`` with draft ``versions``, which saved fairness
    evidence can name (saving refuses a model the registry does not know)."""
    model = make_model(workbench, by=by, name=name)
    for version in versions:
        make_version(workbench, model.name, maker=by, version=version)
    return model


def make_incident(workbench: Workbench, *, by: UserInfo, **fields: object) -> IncidentInfo:
    """A reported incident (medium performance, detected an hour before the workbench's now);
    ``fields`` override any argument of ``report_incident``."""
    from datetime import timedelta

    from governance.incidents import service as incidents

    values: dict[str, object] = {
        "incident_type": "performance", "severity": "medium", "title": "Accuracy dropped",
        "description": "Accuracy fell below the baseline.",
        "detected_at": workbench.clock() - timedelta(hours=1),
    }  # fmt: skip
    values.update(fields)
    return workbench.run(incidents.report_incident, actor=by.actor(), **values)  # type: ignore[arg-type]


def make_risk(
    workbench: Workbench,
    *,
    by: UserInfo,
    owner: UserInfo,
    title: str | None = None,
    category: str = "security",
    likelihood: int = 4,
    impact: int = 3,
    models: tuple[str, ...] = (),
) -> RiskInfo:
    """A risk (identified) recorded by ``by`` and owned by ``owner``."""
    from governance.risks import service as risks

    return workbench.run(
        risks.register_risk,
        actor=by.actor(),
        category=category,
        title=title or f"risk-{uuid.uuid4().hex[:6]}",
        description="Prompts can steer the model to reveal its instructions.",
        likelihood=likelihood,
        impact=impact,
        owner_id=owner.id,
        models=list(models),
    )


def move_risk(
    workbench: Workbench, risk: RiskInfo, to: str, *, recorder: UserInfo, acceptor: UserInfo
) -> RiskInfo:
    """``risk`` walked along the lifecycle's shortest path to status ``to``."""
    from datetime import timedelta

    from governance.risks import acceptance
    from governance.risks import service as risks

    def step(target: str) -> RiskInfo:
        if target == "accepted":
            until = (workbench.clock() + timedelta(days=30)).date()
            return workbench.run(acceptance.accept_risk, actor=acceptor.actor(), risk_id=risk.id,
                                 justification="within appetite", expires_on=until)  # fmt: skip
        residual = {"residual_likelihood": 1, "residual_impact": 1} if target == "mitigated" else {}
        return workbench.run(risks.transition_risk, actor=recorder.actor(), risk_id=risk.id,
                             to=target, reason=f"to {target}", **residual)  # fmt: skip

    path = {"identified": [], "mitigating": ["mitigating"],
            "mitigated": ["mitigating", "mitigated"], "accepted": ["accepted"],
            "closed": ["mitigating", "mitigated", "closed"]}[to]  # fmt: skip
    for target in path:
        risk = step(target)
    return risk
