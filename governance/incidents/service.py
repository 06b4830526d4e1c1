"""Reporting incidents and running their response: acknowledge, investigate, resolve, close,
the regulator's report; and reading one incident with its whole history.

Every function takes the caller's unit of work first; changes are authorised, validated,
written and audited in it, and the edge commits. The list and the metrics are in
:mod:`governance.incidents.listing` and :mod:`governance.incidents.metrics`, the post-mortem
in :mod:`governance.incidents.postmortem`, the escalation sweep in
:mod:`governance.incidents.sweep`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select

from governance.actor import Actor
from governance.audit.events import AuditAction, Event, Resource
from governance.auth.roles import PERMISSIONS, Action
from governance.errors import Conflict, ValidationError
from governance.incidents import deadlines, escalation
from governance.incidents.fields import HarmCategory, IncidentType, Severity, parse_choice
from governance.incidents.lifecycle import ACTIVE, Status, check_transition, parse_status
from governance.incidents.models import (
    Incident,
    IncidentModel,
    IncidentPostmortem,
    IncidentTransition,
)
from governance.incidents.policy_store import in_force
from governance.incidents.records import (
    PROSE_LIMIT,
    THIS_INCIDENT,
    IncidentInfo,
    incident_info,
    load_incident,
    move,
    reason_text,
)
from governance.incidents.sweep import escalate_due, link_to
from governance.kernel import UnitOfWork, authorize, clean_text
from governance.notifications import notify, notify_role
from governance.registry.models import Model

TITLE_LIMIT = 200
MAX_AFFECTED = 10_000_000_000  # more than the world's population: a typo, not a count
REFERENCE_LIMIT = 200
NEEDS_POSTMORTEM = frozenset({Severity.CRITICAL, Severity.HIGH})


def _aware(value: datetime | None, field: str) -> datetime:
    if not isinstance(value, datetime):
        raise ValidationError(f"{field} is required (a date and time).")
    if value.tzinfo is None:
        raise ValidationError(f"{field} needs a time zone (an ISO time such as 2026-12-01T09:30Z).")
    return value


def _detected(uow: UnitOfWork, value: datetime | None, field: str = "Detected at") -> datetime:
    moment = _aware(value, field)
    if moment > uow.now():
        raise ValidationError(f"{field} cannot be in the future.")
    return moment


def _affected(value: int | str | None) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        count = int(str(value).strip())
    except ValueError:
        raise ValidationError(
            f"Affected people must be a whole number, got {str(value)[:40]!r}."
        ) from None
    if not 0 <= count <= MAX_AFFECTED:
        raise ValidationError(f"Affected people must be 0 to {MAX_AFFECTED:,}, got {count:,}.")
    return count


def _impact(serious: bool, death: bool, widespread: bool, infrastructure: bool) -> deadlines.Impact:
    impact = deadlines.Impact(bool(serious), bool(death), bool(widespread), bool(infrastructure))
    if (death or widespread or infrastructure) and not serious:
        raise ValidationError(
            "Serious incident: a death, a widespread infringement or a disruption of critical "
            "infrastructure makes it a serious incident (Art. 3(49)); mark it serious too."
        )
    return impact


def _models(uow: UnitOfWork, names: Sequence[str] | str | None) -> list[Model]:
    if isinstance(names, str):
        names = [n for n in names.split(",")]
    found: dict[int, Model] = {}
    for raw in names or ():
        name = clean_text(raw, field="Models", limit=200, required=False)
        if name is None:
            continue
        model = uow.session.scalars(select(Model).where(Model.name_key == name.casefold())).first()
        if model is None:
            raise ValidationError(f"Models: no model named {name!r} is registered.")
        found[model.id] = model
    return list(found.values())


def report_incident(
    uow: UnitOfWork,
    *,
    actor: Actor,
    incident_type: str,
    severity: str,
    title: str,
    description: str,
    detected_at: datetime,
    models: Sequence[str] | str | None = None,
    harm_category: str | None = None,
    affected_people: int | str | None = None,
    serious: bool = False,
    involves_death: bool = False,
    widespread_infringement: bool = False,
    critical_infrastructure: bool = False,
) -> IncidentInfo:
    """Report an incident (compliance officers, data scientists, administrators).

    It opens; a critical or high one escalates to level 1 at once (by the policy in force),
    the others wait their acknowledgement window. A serious incident's report clock starts
    at ``detected_at`` (see :mod:`governance.incidents.deadlines`).
    """
    authorize(uow, actor, Action.INCIDENT_REPORT, Resource.INCIDENT)
    kind = parse_choice(IncidentType, incident_type, "Type")
    level = parse_choice(Severity, severity, "Severity")
    title = clean_text(title, field="Title", limit=TITLE_LIMIT)
    description = clean_text(description, field="Description", limit=PROSE_LIMIT, multiline=True)
    detected = _detected(uow, detected_at)
    harm = None if not harm_category else parse_choice(HarmCategory, harm_category, "Harm category")
    affected = _affected(affected_people)
    impact = _impact(serious, involves_death, widespread_infringement, critical_infrastructure)
    concerned = _models(uow, models)
    policy = in_force(uow).policy
    now = uow.now()
    incident = Incident(
        incident_type=kind.value,
        severity=level.value,
        title=title,
        description=description,
        status=Status.OPEN.value,
        detected_at=detected,
        reported_at=now,
        reported_by=actor.username,
        reported_by_id=actor.user_id,
        harm_category=harm.value if harm else None,
        affected_people=affected,
        serious=impact.serious,
        involves_death=impact.involves_death,
        widespread_infringement=impact.widespread_infringement,
        critical_infrastructure=impact.critical_infrastructure,
        report_due_at=deadlines.report_due(policy, detected, impact),
        escalation_level=0,
        next_escalation_at=escalation.due_at(policy, level, now, 1),
    )
    uow.session.add(incident)
    uow.flush("this incident")
    uow.session.add_all(IncidentModel(incident_id=incident.id, model_id=m.id) for m in concerned)
    uow.session.add(
        IncidentTransition(
            incident_id=incident.id, from_status=None, to_status=Status.OPEN.value,
            actor=actor.username, actor_id=actor.user_id, reason="reported", at=now,
        )
    )  # fmt: skip
    uow.flush("the incident's history")
    after = {
        "type": kind.value, "severity": level.value, "title": title, "description": description,
        "detected_at": detected.isoformat(), "models": [m.name for m in concerned],
        "harm_category": incident.harm_category, "affected_people": affected,
        "serious": impact.serious, "involves_death": impact.involves_death,
        "widespread_infringement": impact.widespread_infringement,
        "critical_infrastructure": impact.critical_infrastructure,
        "report_due_at": incident.report_due_at.isoformat() if incident.report_due_at else None,
    }  # fmt: skip
    uow.record(
        actor,
        Event(AuditAction.INCIDENT_REPORTED, Resource.INCIDENT, incident.id, {"after": after}),
    )
    escalated = escalate_due(uow, trigger=f"report by {actor.username}", incident_id=incident.id)
    if not escalated:
        # Not escalated on creation: the people who respond hear of it all the same.
        notify_role(
            uow,
            roles=PERMISSIONS[Action.INCIDENT_MANAGE],
            exclude={actor.user_id} if actor.user_id else set(),
            kind="incident.reported",
            title=f"Incident #{incident.id} reported ({level.value}): {title[:120]}",
            body=f"{actor.username} reported a {level.value} {kind.value} incident.",
            link=link_to(incident.id),
            subject=("incident", incident.id),
        )
    uow.session.expire(incident)
    return incident_info(uow, load_incident(uow, incident.id))


def _stop_escalating(incident: Incident, actor: Actor, now: datetime) -> bool:
    """Acknowledge ``incident`` if nobody has; True if this did."""
    if incident.acknowledged_at is not None:
        return False
    incident.acknowledged_at = now
    incident.acknowledged_by = actor.username
    incident.next_escalation_at = None
    return True


def acknowledge_incident(
    uow: UnitOfWork,
    *,
    actor: Actor,
    incident_id: int,
    note: str | None = None,
    expected_version: int | None = None,
) -> IncidentInfo:
    """Take ownership of an incident: it stops escalating. Acknowledged once."""
    authorize(uow, actor, Action.INCIDENT_MANAGE, Resource.INCIDENT, incident_id)
    why = reason_text(note, "Note", required=False)
    incident = load_incident(uow, incident_id, expected_version)
    if incident.acknowledged_at is not None:
        raise Conflict(
            f"Incident #{incident_id} was already acknowledged by {incident.acknowledged_by}."
        )
    if Status(incident.status) not in ACTIVE:
        raise ValidationError(f"Status: a {incident.status} incident needs no acknowledgement.")
    _stop_escalating(incident, actor, uow.now())
    uow.flush(THIS_INCIDENT)
    waited = int((uow.now() - incident.reported_at).total_seconds())
    details = {"level": incident.escalation_level, "note": why, "waited_seconds": waited}
    uow.record(
        actor, Event(AuditAction.INCIDENT_ACKNOWLEDGED, Resource.INCIDENT, incident.id, details)
    )
    return incident_info(uow, incident)


def transition_incident(
    uow: UnitOfWork,
    *,
    actor: Actor,
    incident_id: int,
    to: str,
    reason: str | None = None,
    root_cause: str | None = None,
    expected_version: int | None = None,
) -> IncidentInfo:
    """Move an incident to status ``to`` by the step that makes it (see the lifecycle)."""
    target = parse_status(to)
    common = {"actor": actor, "incident_id": incident_id, "expected_version": expected_version}
    if target is Status.RESOLVED:
        return resolve_incident(uow, root_cause=root_cause, resolution=reason, **common)
    if target is Status.CLOSED:
        return close_incident(uow, reason=reason, **common)
    authorize(uow, actor, Action.INCIDENT_MANAGE, Resource.INCIDENT, incident_id)
    why = reason_text(reason)
    incident = load_incident(uow, incident_id, expected_version)
    source = Status(incident.status)
    check_transition(source, target)
    now = uow.now()
    acknowledged = (
        _stop_escalating(incident, actor, now) if target is Status.INVESTIGATING else False
    )
    if source is Status.RESOLVED:
        incident.resolved_at = incident.resolved_by = None
    move(uow, actor, incident, target, why or "")
    details = {"from": source.value, "to": target.value, "reason": why,
               "acknowledged": acknowledged}  # fmt: skip
    uow.record(
        actor, Event(AuditAction.INCIDENT_STATUS_CHANGED, Resource.INCIDENT, incident.id, details)
    )
    return incident_info(uow, incident)


def resolve_incident(
    uow: UnitOfWork,
    *,
    actor: Actor,
    incident_id: int,
    root_cause: str | None,
    resolution: str | None = None,
    expected_version: int | None = None,
) -> IncidentInfo:
    """Resolve an incident under investigation, with its root cause (required)."""
    authorize(uow, actor, Action.INCIDENT_MANAGE, Resource.INCIDENT, incident_id)
    cause = clean_text(root_cause, field="Root cause", limit=PROSE_LIMIT, multiline=True)
    what = clean_text(resolution, field="Resolution", limit=PROSE_LIMIT, multiline=True,
                      required=False)  # fmt: skip
    incident = load_incident(uow, incident_id, expected_version)
    check_transition(incident.status, Status.RESOLVED)
    now = uow.now()
    incident.root_cause, incident.resolution = cause, what
    incident.resolved_at, incident.resolved_by = now, actor.username
    move(uow, actor, incident, Status.RESOLVED, what or cause)
    details = {"root_cause": cause, "resolution": what,
               "seconds_to_resolve": int((now - incident.reported_at).total_seconds())}  # fmt: skip
    uow.record(actor, Event(AuditAction.INCIDENT_RESOLVED, Resource.INCIDENT, incident.id, details))
    if incident.reported_by_id is not None and incident.reported_by_id != actor.user_id:
        notify(
            uow,
            recipients={incident.reported_by_id},
            kind="incident.resolved",
            title=f"Incident #{incident.id} resolved: {incident.title[:120]}",
            body=f"{actor.username} resolved it. Root cause: {cause[:500]}",
            link=link_to(incident.id),
            subject=("incident", incident.id),
        )
    return incident_info(uow, incident)


def close_incident(
    uow: UnitOfWork,
    *,
    actor: Actor,
    incident_id: int,
    reason: str | None = None,
    expected_version: int | None = None,
) -> IncidentInfo:
    """Close a resolved incident; a critical or high one only once its post-mortem is written."""
    authorize(uow, actor, Action.INCIDENT_MANAGE, Resource.INCIDENT, incident_id)
    why = reason_text(reason, required=False)
    incident = load_incident(uow, incident_id, expected_version)
    check_transition(incident.status, Status.CLOSED)
    if Severity(incident.severity) in NEEDS_POSTMORTEM:
        written = uow.session.scalars(
            select(IncidentPostmortem.id).where(IncidentPostmortem.incident_id == incident.id)
        ).first()
        if written is None:
            raise ValidationError(
                f"Post-mortem: a {incident.severity} incident is closed only once its "
                "post-mortem is written; write it first."
            )
    incident.closed_at, incident.closed_by = uow.now(), actor.username
    move(uow, actor, incident, Status.CLOSED, why or "")
    uow.record(
        actor, Event(AuditAction.INCIDENT_CLOSED, Resource.INCIDENT, incident.id, {"reason": why})
    )
    return incident_info(uow, incident)


def record_regulator_report(
    uow: UnitOfWork,
    *,
    actor: Actor,
    incident_id: int,
    submitted_at: datetime,
    reference: str,
    expected_version: int | None = None,
) -> IncidentInfo:
    """Record that the serious incident was reported to the authority: its clock stops."""
    authorize(uow, actor, Action.INCIDENT_MANAGE, Resource.INCIDENT, incident_id)
    when = _detected(uow, submitted_at, "Report submitted at")
    ref = clean_text(reference, field="Report reference", limit=REFERENCE_LIMIT)
    incident = load_incident(uow, incident_id, expected_version)
    if not incident.serious:
        raise ValidationError("Report: only a serious incident is reported to the authority.")
    if incident.regulator_reported_at is not None:
        raise Conflict(f"Incident #{incident_id}'s report was already recorded.")
    if when < incident.detected_at:
        raise ValidationError("Report submitted at cannot be before the incident was detected.")
    incident.regulator_reported_at, incident.regulator_reference = when, ref
    uow.flush(THIS_INCIDENT)
    due = incident.report_due_at
    details = {
        "submitted_at": when.isoformat(),
        "reference": ref,
        "due_at": due.isoformat() if due else None,
        "on_time": bool(due and when <= due),
    }
    uow.record(
        actor,
        Event(AuditAction.INCIDENT_REGULATOR_REPORTED, Resource.INCIDENT, incident.id, details),
    )
    return incident_info(uow, incident)


def assess_impact(
    uow: UnitOfWork,
    *,
    actor: Actor,
    incident_id: int,
    reason: str,
    serious: bool,
    involves_death: bool = False,
    widespread_infringement: bool = False,
    critical_infrastructure: bool = False,
    harm_category: str | None = None,
    affected_people: int | str | None = None,
    expected_version: int | None = None,
) -> IncidentInfo:
    """Change what is known of the harm and the regulatory impact; the report deadline is
    set anew from ``detected_at`` (awareness), whenever the incident is found serious."""
    authorize(uow, actor, Action.INCIDENT_MANAGE, Resource.INCIDENT, incident_id)
    why = reason_text(reason)
    harm = None if not harm_category else parse_choice(HarmCategory, harm_category, "Harm category")
    affected = _affected(affected_people)
    impact = _impact(serious, involves_death, widespread_infringement, critical_infrastructure)
    incident = load_incident(uow, incident_id, expected_version)
    if incident.regulator_reported_at is not None and not impact.serious:
        raise ValidationError(
            "Serious incident: its report to the authority is recorded; it stays serious."
        )
    before = _impact_fields(incident)
    incident.serious = impact.serious
    incident.involves_death = impact.involves_death
    incident.widespread_infringement = impact.widespread_infringement
    incident.critical_infrastructure = impact.critical_infrastructure
    incident.harm_category = harm.value if harm else None
    incident.affected_people = affected
    incident.report_due_at = deadlines.report_due(
        in_force(uow).policy, incident.detected_at, impact
    )
    uow.flush(THIS_INCIDENT)
    after = _impact_fields(incident)
    uow.record(
        actor,
        Event(AuditAction.INCIDENT_IMPACT_ASSESSED, Resource.INCIDENT, incident.id,
              {"before": before, "after": after, "reason": why}),
    )  # fmt: skip
    return incident_info(uow, incident)


def _impact_fields(incident: Incident) -> dict[str, object]:
    due = incident.report_due_at
    return {
        "serious": incident.serious,
        "involves_death": incident.involves_death,
        "widespread_infringement": incident.widespread_infringement,
        "critical_infrastructure": incident.critical_infrastructure,
        "harm_category": incident.harm_category,
        "affected_people": incident.affected_people,
        "report_due_at": due.isoformat() if due else None,
    }
