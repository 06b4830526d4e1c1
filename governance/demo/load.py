"""Loading the demo: every account, model, version, decision, point and assessment of the
catalogue, through the real services, in ONE unit of work.

Nothing is written behind the services' backs: the audit trail, the notifications and the
version histories are those the same calls make on the pages. What the services cannot be
told directly is *when*: the load gives the workbench a clock of its own (the injectable
``Workbench.clock``) and sets it to each step's moment before the call, oldest first, so the
history reads as three months of work, every time at or before the moment of the load.

One unit: a load that fails part way rolls back whole (and the unit removes the evidence
files it stored), so an empty database stays empty, and a second load is refused.
"""

from __future__ import annotations

import dataclasses
import hashlib
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from governance.audit.models import AuditEvent
from governance.auth.models import User
from governance.auth.service import UserInfo
from governance.clock import utcnow
from governance.demo import fairness
from governance.demo import incidents as demo_incidents
from governance.demo import performance as perf
from governance.demo.accounts import Credential, create_accounts
from governance.demo.models import CATALOGUE, MEASURED, DemoModel, DemoVersion, Step
from governance.demo.risk_play import risk_timeline
from governance.demo.risks import RISKS
from governance.errors import ValidationError
from governance.incidents import policy_store as incident_policy
from governance.incidents import postmortem as incident_postmortem
from governance.incidents import service as incident_service
from governance.incidents import sweep as incident_sweep
from governance.kernel import UnitOfWork, Workbench
from governance.registry import approvals, deployments
from governance.registry import service as registry
from governance.registry.models import Model
from governance.registry.performance import record_points
from governance.registry.records import VersionInfo

Call = Callable[[UnitOfWork], None]

# The accounts exist a little before the first model is registered.
ACCOUNTS_DAYS_AGO = 100


@dataclass(frozen=True, slots=True)
class DemoSummary:
    """What a load made, for the command's summary (and the tests)."""

    credentials: tuple[Credential, ...]
    models: int
    versions: int
    points: int
    assessments: int
    seconds: float
    risks: int = 0
    incidents: int = 0


class Clock:
    """A settable clock: the load moves it forward, step by step, never past the real now."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def existing_records(uow: UnitOfWork) -> dict[str, int]:
    """What a database already holds that the demo would mix with (zero counts left out)."""
    counts = {
        "accounts": uow.session.scalar(select(func.count()).select_from(User)) or 0,
        "audit events": uow.session.scalar(select(func.count()).select_from(AuditEvent)) or 0,
        "models": uow.session.scalar(select(func.count()).select_from(Model)) or 0,
    }
    return {what: n for what, n in counts.items() if n}


def listed(found: dict[str, int]) -> str:
    return ", ".join(f"{what}: {n:,}" for what, n in found.items())


def refusal(found: dict[str, int]) -> ValidationError:
    return ValidationError(
        f"The demo loads only into an empty database, and this one has records ({listed(found)}). "
        "Nothing was loaded. Point GOVERNANCE_STATE_DIR (or GOVERNANCE_DATABASE_URL) at a new "
        "folder or database, or use scripts/run --demo, which keeps its own in .demo-state/."
    )


@dataclass
class _Story:
    """What the steps of one load share: the accounts, the versions as last seen, the
    trained credit models and the counts."""

    users: dict[str, UserInfo]
    folder: Path
    versions: dict[tuple[str, str], VersionInfo] = dataclasses.field(default_factory=dict)
    trained: dict[str, fairness.Trained] = dataclasses.field(default_factory=dict)
    assessments: int = 0
    points: int = 0
    incidents: dict[str, int] = dataclasses.field(default_factory=dict)


def load_demo(workbench: Workbench) -> DemoSummary:
    """Load the demo into the workbench's database, which must be empty.

    Refused with a :class:`ValidationError` naming what the database holds; on any failure
    the one unit rolls back and nothing stays behind.
    """
    started = utcnow()
    now = started
    clock = Clock(now - timedelta(days=ACCOUNTS_DAYS_AGO))
    timed = dataclasses.replace(workbench, clock=clock)
    with tempfile.TemporaryDirectory(prefix="governance-demo-") as folder, timed.unit() as uow:
        found = existing_records(uow)
        if found:
            raise refusal(found)
        users, credentials = create_accounts(uow)
        story = _Story(users, Path(folder))
        for at, _order, call in _timeline(story, now):
            clock.now = at
            call(uow)
        clock.now = now
        # The cron job's sweep at the moment of the load: the unacknowledged critical
        # incident reaches the level its wait has earned.
        incident_sweep.escalate_due(uow, trigger="demo load")
        versions = sum(len(m.versions) for m in CATALOGUE)
        summary = DemoSummary(
            tuple(credentials),
            len(CATALOGUE),
            versions,
            story.points,
            story.assessments,
            0.0,
            risks=len(RISKS),
            incidents=len(story.incidents),
        )
    seconds = (utcnow() - started).total_seconds()
    return dataclasses.replace(summary, seconds=round(seconds, 2))


def _register_call(story: _Story, model: DemoModel) -> Call:
    """Register ``model`` as its owner (an hour before its first version is added)."""
    return lambda uow: _register(uow, story, model)


def _register(uow: UnitOfWork, story: _Story, model: DemoModel) -> None:
    owner = story.users[model.owner]
    registry.register_model(
        uow,
        actor=owner.actor(),
        name=model.name,
        provider=model.provider,
        risk_tier=model.risk_tier,
        intended_use=model.intended_use,
        out_of_scope_uses=model.out_of_scope_uses,
        capabilities=list(model.capabilities),
        known_limitations=list(model.known_limitations),
        training_data=model.training_data,
        performance_baseline=model.baseline,
    )


def _timeline(story: _Story, now: datetime) -> list[tuple[datetime, int, Call]]:
    """Every step of every story and every weekly batch of points, oldest first; ties keep
    the catalogue's order (a story's steps are listed in the order they happen)."""
    entries: list[tuple[datetime, int, Call]] = []
    for model in CATALOGUE:
        first = max(step.days_ago for version in model.versions for step in version.steps)
        at = now - timedelta(days=first, hours=1)
        entries.append((at, len(entries), _register_call(story, model)))
        for version in model.versions:
            for step in version.steps:
                at = now - timedelta(days=step.days_ago)
                entries.append((at, len(entries), _step_call(story, model, version, step)))
        for at, batch in perf.batches(perf.points(model, now), now):
            entries.append((at, len(entries), _points_call(story, model, batch)))
    # The risk register, about the models above (registered 80+ days ago, before any risk).
    for at, call in risk_timeline(story.users, now):
        entries.append((at, len(entries), call))
    entries.append((now - timedelta(days=demo_incidents.POLICY_DAYS_AGO), len(entries),
                    lambda uow: _incident_policy(uow, story)))  # fmt: skip
    for incident in demo_incidents.INCIDENTS:
        reported = now - timedelta(days=incident.days_ago)
        entries.append((reported, len(entries), _report_call(story, incident)))
        for step in incident.steps:
            at = reported + timedelta(hours=step.hours)
            entries.append((at, len(entries), _incident_call(story, incident, step)))
    return sorted(entries, key=lambda e: (e[0], e[1]))


def _incident_policy(uow: UnitOfWork, story: _Story) -> None:
    actor = story.users[demo_incidents.OLIVIA].actor()
    current = incident_policy.in_force(uow)
    incident_policy.update_policy(
        uow, actor=actor, policy=current.policy.amended(**demo_incidents.POLICY_CHANGE),
        reason=demo_incidents.POLICY_REASON, expected_version=current.version,
    )  # fmt: skip


def _report_call(story: _Story, incident: demo_incidents.DemoIncident) -> Call:
    def call(uow: UnitOfWork) -> None:
        detected = uow.now() - timedelta(hours=incident.detected_hours_before)
        info = incident_service.report_incident(
            uow, actor=story.users[incident.who].actor(), detected_at=detected, **incident.report
        )
        story.incidents[incident.key] = info.id

    return call


def _incident_call(
    story: _Story, incident: demo_incidents.DemoIncident, step: demo_incidents.IncidentStep
) -> Call:
    def call(uow: UnitOfWork) -> None:
        actor = story.users[step.who].actor()
        ident = story.incidents[incident.key]
        if step.verb == "acknowledge":
            incident_sweep.escalate_due(uow, trigger="cron")  # what had fallen due by now
            incident_service.acknowledge_incident(uow, actor=actor, incident_id=ident)
        elif step.verb == "investigate":
            incident_service.transition_incident(uow, actor=actor, incident_id=ident,
                                                 to="investigating", **step.args)  # fmt: skip
        elif step.verb == "resolve":
            incident_service.resolve_incident(uow, actor=actor, incident_id=ident, **step.args)
        elif step.verb == "postmortem":
            incident_postmortem.write_postmortem(uow, actor=actor, incident_id=ident, **step.args)
        elif step.verb == "regulator":
            incident_service.record_regulator_report(
                uow, actor=actor, incident_id=ident, submitted_at=uow.now(), **step.args
            )
        elif step.verb == "close":
            incident_service.close_incident(uow, actor=actor, incident_id=ident)
        else:
            raise ValueError(f"unknown demo incident step {step.verb!r}")

    return call


def _points_call(story: _Story, model: DemoModel, batch: list[dict[str, Any]]) -> Call:
    def call(uow: UnitOfWork) -> None:
        rows = [{**p, "timestamp": p["timestamp"].isoformat()} for p in batch]
        record_points(uow, actor=story.users[model.owner].actor(), model=model.name, points=rows)
        story.points += len(rows)

    return call


def _step_call(story: _Story, model: DemoModel, version: DemoVersion, step: Step) -> Call:
    def call(uow: UnitOfWork) -> None:
        actor = story.users[step.who].actor()
        key = (model.name, version.version)
        if step.verb == "add":
            story.versions[key] = registry.add_version(
                uow,
                actor=actor,
                model=model.name,
                version=version.version,
                changelog=version.changelog,
                artifact_uri=version.artifact_uri or _artifact_uri(model, version),
                artifact_sha256=_sha256(model, version),
            )
            return
        seen = story.versions[key]
        if step.verb == "assess":
            story.assessments += 1
            fairness.assess_and_save(
                uow,
                actor=actor,
                trained=_trained(story, step.variant),
                model=model.name,
                version=version.version,
            )
        elif step.verb == "validate":
            observed = {k: _measured(story, step, v) for k, v in step.observed.items()}
            registry.validate_version(
                uow, actor=actor, version_id=seen.id, observed=observed, reason=step.reason
            )
        elif step.verb in ("approve", "reject"):
            decide = (
                approvals.approve_version if step.verb == "approve" else approvals.reject_version
            )
            story.versions[key] = decide(
                uow,
                actor=actor,
                version_id=seen.id,
                expected_version=seen.row_version,
                reason=step.reason,
            )
            return
        elif step.verb == "deploy":
            deployments.deploy_version(
                uow,
                actor=actor,
                version_id=seen.id,
                environment=step.environment or "production",
                reason=step.reason,
            )
        else:
            _LIFECYCLE[step.verb](uow, actor=actor, version_id=seen.id, reason=step.reason)
        story.versions[key] = registry.get_version(
            uow, actor=actor, model=model.name, version=version.version
        )

    return call


_LIFECYCLE: dict[str, Callable[..., Any]] = {
    "submit": approvals.request_approval,
    "reopen": approvals.reopen_version,
    "deprecate": deployments.deprecate_version,
    "retire": deployments.retire_version,
}


def _trained(story: _Story, variant: str | None) -> fairness.Trained:
    """The credit model ``variant``, trained once per load (its accuracy is validated too)."""
    if variant not in ("with_age", "without_age"):
        raise ValueError(f"unknown demo model variant {variant!r}")
    if variant not in story.trained:
        story.trained[variant] = fairness.train_and_predict(variant, story.folder)
    return story.trained[variant]


def _measured(story: _Story, step: Step, value: Any) -> Any:
    """An observed value, or the hold-out accuracy of the credit model this version is."""
    if value != MEASURED:
        return value
    return _trained(story, step.variant).accuracy


def _artifact_uri(model: DemoModel, version: DemoVersion) -> str:
    slug = model.name.lower().replace(" ", "-")
    return f"s3://demo-models/{slug}/{version.version}/model.bin"


def _sha256(model: DemoModel, version: DemoVersion) -> str:
    """A stable stand-in for the artefact's digest (the demo ships no model files)."""
    return hashlib.sha256(f"{model.name} {version.version}".encode()).hexdigest()
