"""Walk the whole role × action matrix against the services on both backends.

A forbidden call raises PermissionDenied and changes nothing but one denial event; an allowed
call goes through.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from governance.actor import Actor
from governance.artifacts import ArtifactStore
from governance.audit import service as audit
from governance.audit.anchor import issue_checkpoint
from governance.audit.keys import signing_key
from governance.audit.models import AuditEvent
from governance.auth import service as auth
from governance.auth.models import User
from governance.auth.roles import PERMISSIONS, Action, Role, is_allowed
from governance.errors import PermissionDenied
from governance.fairness import service as fairness_store
from governance.fairness.engine import assess_file
from governance.fairness.models import FairnessAssessment, FairnessPolicyVersion
from governance.fairness.policy import Policy
from governance.fairness.spec import AssessmentSpec
from governance.incidents import listing as incident_listing
from governance.incidents import policy_store as incident_policy
from governance.incidents import service as incident_service
from governance.incidents.models import Incident, IncidentPolicyVersion
from governance.incidents.policy import ResponsePolicy
from governance.maintenance import doctor
from governance.notifications import list_for, mark_all_read, mark_read, notify
from governance.notifications.models import Notification
from governance.registry import approvals as registry_approvals
from governance.registry import deployments as registry_deployments
from governance.registry import service as registry
from governance.registry.models import Approval, Deployment, Model, ModelVersion, Validation
from governance.reports.audit_export import export_events_csv
from governance.risks import acceptance as risk_acceptance
from governance.risks import levels as risk_levels
from governance.risks import register as risk_register
from governance.risks import service as risks
from governance.risks.matrix import DEFAULT_MATRIX
from governance.risks.models import Risk, RiskAcceptance, RiskMatrixVersion
from tests.conftest import PASSWORD
from tests.factories import (
    PASSING,
    SHA,
    make_evidence_model,
    make_model,
    make_risk,
    make_version,
)

Call = Callable[[Session, Actor, dict[str, Any]], Any]

CALLS: dict[Action, Call] = {
    Action.USER_READ: lambda s, a, ids: auth.list_users(s, actor=a),
    Action.USER_CREATE: lambda s, a, ids: auth.create_user(
        s, actor=a, username="newcomer", role=Role.AUDITOR, password=PASSWORD
    ),
    Action.USER_CHANGE_ROLE: lambda s, a, ids: auth.change_role(
        s, actor=a, user_id=ids["target"], role=Role.AUDITOR
    ),
    Action.USER_DEACTIVATE: lambda s, a, ids: auth.set_active(
        s, actor=a, user_id=ids["target"], active=False
    ),
    Action.USER_REACTIVATE: lambda s, a, ids: auth.set_active(
        s, actor=a, user_id=ids["inactive"], active=True
    ),
    Action.USER_RESET_PASSWORD: lambda s, a, ids: auth.reset_password(
        s, actor=a, user_id=ids["target"], new_password="another long password"
    ),
    Action.AUDIT_READ: lambda s, a, ids: audit.list_events(s, actor=a),
    Action.AUDIT_EXPORT: lambda s, a, ids: export_events_csv(s, actor=a),
    Action.AUDIT_CHECKPOINT: lambda s, a, ids: issue_checkpoint(
        s, actor=a, key=signing_key({"GOVERNANCE_CHECKPOINT_KEY": "5a" * 32})
    ),
    Action.FAIRNESS_READ: lambda s, a, ids: fairness_store.list_assessments(s, actor=a),
    Action.FAIRNESS_SAVE: lambda s, a, ids: fairness_store.save_assessment(
        s,
        actor=a,
        result=ids["result"],
        source=ids["csv"],
        model_name="credit-model",
    ),
    Action.FAIRNESS_POLICY_EDIT: lambda s, a, ids: fairness_store.update_policy(
        s, actor=a, policy=Policy(min_group_size=50), reason="larger groups"
    ),
    Action.FAIRNESS_EXPORT: lambda s, a, ids: fairness_store.export_stored_file(
        s, actor=a, assessment_id=ids["assessment"]
    ),
    Action.MAINTENANCE: lambda s, a, ids: doctor.repair(s, actor=a),
    Action.NOTIFICATION_READ: lambda s, a, ids: list_for(s, actor=a),
    Action.NOTIFICATION_MARK_READ: lambda s, a, ids: (
        mark_read(s, actor=a, ids=ids["notifications"][a.user_id]),
        mark_all_read(s, actor=a),
    ),
    Action.REGISTRY_READ: lambda s, a, ids: registry.list_models(s, actor=a),
    Action.REGISTRY_REGISTER: lambda s, a, ids: registry.add_version(
        s,
        actor=a,
        model=ids["model"],
        version="9.0.0",
        changelog="c",
        artifact_uri="s3://m",
        artifact_sha256=SHA,
    ),
    Action.REGISTRY_VALIDATE: lambda s, a, ids: registry.validate_version(
        s, actor=a, version_id=ids["draft"].id, observed=PASSING, reason="run"
    ),
    Action.REGISTRY_SUBMIT: lambda s, a, ids: registry_approvals.request_approval(
        s, actor=a, version_id=ids["validated"].id, reason="ready"
    ),
    Action.REGISTRY_APPROVE: lambda s, a, ids: registry_approvals.approve_version(
        s,
        actor=a,
        version_id=ids["pending"].id,
        expected_version=ids["pending"].row_version,
        reason="fine",
    ),
    Action.REGISTRY_DEPLOY: lambda s, a, ids: registry_deployments.deploy_version(
        s, actor=a, version_id=ids["approved"].id, environment="production", reason="release"
    ),
    Action.REGISTRY_DEPRECATE: lambda s, a, ids: registry_deployments.deprecate_version(
        s, actor=a, version_id=ids["approved"].id, reason="old"
    ),
    Action.RISK_READ: lambda s, a, ids: risk_register.list_risks(s, actor=a),
    Action.RISK_RECORD: lambda s, a, ids: risks.register_risk(
        s,
        actor=a,
        category="safety",
        title="Unsafe advice",
        description="d",
        likelihood=2,
        impact=5,
        owner_id=ids["target"],
    ),
    # The risk is the target's: no walked actor owns it, so the owner rule refuses none.
    Action.RISK_ACCEPT: lambda s, a, ids: risk_acceptance.accept_risk(
        s,
        actor=a,
        risk_id=ids["risk"].id,
        justification="within appetite",
        expires_on=ids["expiry"],
    ),
    Action.RISK_MATRIX_EDIT: lambda s, a, ids: risk_levels.update_matrix(
        s, actor=a, matrix=DEFAULT_MATRIX.with_cells({(5, 3): "critical"}), reason="appetite"
    ),
    Action.INCIDENT_READ: lambda s, a, ids: incident_listing.list_incidents(s, actor=a),
    Action.INCIDENT_REPORT: lambda s, a, ids: incident_service.report_incident(
        s,
        actor=a,
        incident_type="data",
        severity="low",
        title="Labels shifted",
        description="d",
        detected_at=s.now(),
    ),
    Action.INCIDENT_MANAGE: lambda s, a, ids: incident_service.acknowledge_incident(
        s, actor=a, incident_id=ids["incident"]
    ),
    Action.INCIDENT_POLICY_EDIT: lambda s, a, ids: incident_policy.update_policy(
        s, actor=a, policy=ResponsePolicy().amended(ack_high=30), reason="faster"
    ),
}

CASES = [(role, action) for action in Action for role in Role]


def test_every_action_is_walked():
    assert set(CALLS) == set(PERMISSIONS)


def _snapshot(session: Session) -> tuple[list[Any], list[int]]:
    """Every record a walked action could change (users, fairness), and the event ids."""
    session.expire_all()
    records: list[Any] = [
        {c.name: getattr(u, c.key) for c in User.__table__.columns}
        for u in session.scalars(select(User).order_by(User.id))
    ]
    records.append(len(session.scalars(select(FairnessAssessment.id)).all()))
    records.append(len(session.scalars(select(FairnessPolicyVersion.id)).all()))
    for record in (Model, Validation, Approval, Deployment):
        records.append(len(session.scalars(select(record.id)).all()))
    records.append([(v.status, v.row_version) for v in session.scalars(select(ModelVersion))])
    for record in (Risk, RiskAcceptance, RiskMatrixVersion):
        records.append(len(session.scalars(select(record.id)).all()))
    records.append([(r.status, r.row_version) for r in session.scalars(select(Risk))])
    records.append([(i.acknowledged_at, i.row_version) for i in session.scalars(select(Incident))])
    records.append(len(session.scalars(select(IncidentPolicyVersion.id)).all()))
    events = list(session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)))
    return records, events


@pytest.fixture
def world(uow, session, admin, make_user, tmp_path, workbench):
    """One account per role, a target to act on, and a deactivated account."""
    actors = {Role.ADMIN: admin.actor()}
    for role in Role:
        if role is not Role.ADMIN:
            actors[role] = make_user(role).actor()
    target = make_user(Role.DATA_SCIENTIST, "target-user")
    inactive = make_user(Role.EXECUTIVE, "inactive-user")
    auth.set_active(uow, actor=admin.actor(), user_id=inactive.id, active=False)
    uow.commit()
    csv = tmp_path / "predictions.csv"
    csv.write_text("label,prediction,group\n" + "1,1,a\n0,0,a\n1,0,b\n0,1,b\n" * 20)
    result = assess_file(csv, AssessmentSpec(y_true="label", y_pred="prediction",
                                             sensitive=("group",)))  # fmt: skip
    other = tmp_path / "earlier.csv"
    other.write_text("label,prediction,group\n" + "1,1,a\n0,0,b\n" * 20)
    earlier = assess_file(other, AssessmentSpec(y_true="label", y_pred="prediction",
                                                sensitive=("group",)))  # fmt: skip
    # Evidence names registered models; one saved earlier, for the export call (the store
    # holds its file).
    for name in ("m", "credit-model"):
        make_evidence_model(workbench, name, by=target)
    assessment = fairness_store.save_assessment(
        uow, actor=actors[Role.DATA_SCIENTIST], result=earlier, source=other, model_name="m"
    )
    uow.commit()
    # One notification per person, so that marking one's own is walked for every role.
    notifications = {}
    for actor in actors.values():
        notify(uow, recipients=[actor.user_id], kind="test.walk", title="For you", body="")
        notifications[actor.user_id] = [uow.session.scalar(select(func.max(Notification.id)))]
    uow.commit()
    store = uow.artifacts
    ids = {"target": target.id, "inactive": inactive.id, "csv": csv, "result": result,
           "store": store, "assessment": assessment,
           "notifications": notifications}  # fmt: skip
    # A model owned, and its versions submitted, by the target: no walked actor is either, so
    # maker-checker refuses none of them.
    checker = make_user(Role.COMPLIANCE_OFFICER, "checker")
    ids["model"] = make_model(workbench, by=target).name
    for status in ("draft", "validated", "pending", "approved"):
        ids[status] = make_version(
            workbench, ids["model"], maker=target, checkers=(checker,),
            to="pending_approval" if status == "pending" else status,
        )  # fmt: skip
    ids["risk"] = make_risk(workbench, by=checker, owner=target)
    ids["expiry"] = (workbench.clock() + timedelta(days=30)).date()
    ids["incident"] = workbench.run(
        incident_service.report_incident, actor=target.actor(), incident_type="security",
        severity="medium", title="Prompt injection", description="d",
        detected_at=workbench.clock(),
    ).id  # fmt: skip
    return actors, ids


def _files(store: ArtifactStore) -> list[str]:
    return sorted(str(p) for p in store.root.rglob("*"))


@pytest.mark.parametrize(
    ("role", "action"),
    [c for c in CASES if not is_allowed(*c)],
    ids=lambda v: v.value,
)
def test_forbidden_call_is_refused_and_changes_nothing_but_a_denial_event(
    uow, session, world, role, action
):
    actors, ids = world
    users_before, events_before = _snapshot(session)
    files_before = _files(ids["store"])
    with pytest.raises(PermissionDenied, match="cannot"):
        CALLS[action](uow, actors[role], ids)
    users_after, events_after = _snapshot(session)
    assert users_after == users_before
    assert _files(ids["store"]) == files_before  # no artifact written either
    assert events_after[: len(events_before)] == events_before
    assert len(events_after) == len(events_before) + 1
    denial = session.get(AuditEvent, events_after[-1])
    assert denial.action == "permission.denied"
    assert denial.actor == actors[role].username
    assert denial.details["attempted"] == action.value
    assert audit.verify_chain(uow).intact


@pytest.mark.parametrize(
    ("role", "action"),
    [c for c in CASES if is_allowed(*c)],
    ids=lambda v: v.value,
)
def test_allowed_call_goes_through(uow, session, world, role, action):
    actors, ids = world
    CALLS[action](uow, actors[role], ids)
    denials = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "permission.denied")
    ).all()
    assert denials == []


def test_deactivated_person_is_refused_even_with_an_allowed_role(uow, session, admin, make_user):
    other_admin = make_user(Role.ADMIN, "second-admin")
    auth.set_active(uow, actor=admin.actor(), user_id=other_admin.id, active=False)
    with pytest.raises(PermissionDenied, match="not active"):
        auth.list_users(uow, actor=other_admin.actor())


def test_a_stale_actor_cannot_keep_a_role_it_lost(uow, session, admin, make_user):
    officer = make_user(Role.COMPLIANCE_OFFICER, "officer")
    stale = officer.actor()  # held by a browser session
    auth.change_role(uow, actor=admin.actor(), user_id=officer.id, role=Role.EXECUTIVE)
    with pytest.raises(PermissionDenied, match="Executive"):
        audit.list_events(uow, actor=stale)


def test_a_refusal_records_the_role_the_records_hold_now(uow, session, admin, make_user):
    second = make_user(Role.ADMIN, "second-admin")
    stale = second.actor()  # a browser session opened while an administrator
    auth.change_role(uow, actor=admin.actor(), user_id=second.id, role=Role.EXECUTIVE)
    uow.commit()
    with pytest.raises(PermissionDenied, match="Executive"):
        auth.list_users(uow, actor=stale)
    denial = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "permission.denied")
    ).one()
    assert (denial.actor, denial.actor_role) == ("second-admin", "executive")
    assert denial.details["reason"] == "role executive"


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_no_role_reads_or_marks_anyone_elses_notifications(uow, session, world, role):
    actors, ids = world
    others = [n for user, own in ids["notifications"].items() if user != actors[role].user_id
              for n in own]  # fmt: skip
    # The registry's own notices (the world's approvals) are theirs too; the walk's are these.
    listed = {n.id for n in list_for(uow, actor=actors[role]) if n.kind == "test.walk"}
    assert listed == set(ids["notifications"][actors[role].user_id])
    with pytest.raises(PermissionDenied, match="only your own"):
        mark_read(uow, actor=actors[role], ids=others[:1])
    denial = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert (denial.action, denial.actor, denial.details["reason"]) == (
        "permission.denied", actors[role].username, "not the recipient",
    )  # fmt: skip
    unread = session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.read_at.is_(None), Notification.kind == "test.walk")
    )
    assert unread == len(ids["notifications"])
