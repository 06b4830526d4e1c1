"""The registry tells the right people, in the unit of the cause, on both backends: approvers of
a request, the requester and the owner of a decision, the owner and the version's creator of a
deprecation, the owner of a deployment; never an inactive account, never for a refused cause."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from governance.auth import service as auth
from governance.auth.roles import Role
from governance.errors import Conflict, PermissionDenied
from governance.notifications.models import Notification
from governance.registry import approvals, deployments
from governance.registry import service as registry
from tests.factories import make_model, make_version


def _told(workbench, kind: str) -> list[int]:
    """The recipients of every notification of ``kind``, in order (repeats kept)."""
    with workbench.unit() as uow:
        stmt = select(Notification.recipient_id).where(Notification.kind == kind)
        return sorted(uow.session.scalars(stmt))


def _one(workbench, kind: str) -> Notification:
    """The first notification of ``kind`` (all its recipients read the same text)."""
    with workbench.unit() as uow:
        stmt = select(Notification).where(Notification.kind == kind).order_by(Notification.id)
        row = uow.session.scalars(stmt).first()
        assert row is not None, f"nobody was told {kind}"
        uow.session.expunge(row)
        return row


@pytest.fixture
def people(admin, make_user):
    """The first administrator, a maker, three officers (one owner, one inactive) and readers
    who may never approve."""
    sci = make_user(Role.DATA_SCIENTIST, "sci")
    owner = make_user(Role.COMPLIANCE_OFFICER, "owner")
    checker = make_user(Role.COMPLIANCE_OFFICER, "checker")
    gone = make_user(Role.COMPLIANCE_OFFICER, "gone")
    make_user(Role.AUDITOR, "audrey")
    make_user(Role.EXECUTIVE, "eve")
    return {"admin": admin, "sci": sci, "owner": owner, "checker": checker, "gone": gone}


def _deactivate(workbench, admin, who) -> None:
    workbench.run(auth.set_active, actor=admin.actor(), user_id=who.id, active=False)


def test_a_request_tells_every_active_approver_but_the_owner_and_the_requester(workbench, people):
    p = people
    _deactivate(workbench, p["admin"], p["gone"])
    model = make_model(workbench, by=p["sci"], owner=p["owner"], name="Credit Scorer")
    make_version(workbench, model.name, maker=p["sci"], to="pending_approval", version="1.2.0")
    assert _told(workbench, "registry.approval_requested") == sorted(
        [p["admin"].id, p["checker"].id]
    )
    note = _one(workbench, "registry.approval_requested")
    assert note.title == "Approval requested: Credit Scorer 1.2.0"
    assert "Version 1.2.0 of Credit Scorer" in note.body and "Reason: ready" in note.body
    assert note.link == "/registry?model=Credit+Scorer"
    assert (note.subject_type, note.subject_id) != (None, None)


def test_an_approval_tells_the_requester_and_the_owner(workbench, people):
    p = people
    model = make_model(workbench, by=p["sci"], owner=p["owner"])
    make_version(workbench, model.name, maker=p["sci"], checkers=(p["checker"],), to="approved")
    assert _told(workbench, "registry.version_approved") == sorted([p["sci"].id, p["owner"].id])
    note = _one(workbench, "registry.version_approved")
    assert note.body.startswith("checker approved version") and "meets the policy" in note.body


def test_an_owner_who_asked_is_told_once(workbench, people):
    p = people
    model = make_model(workbench, by=p["sci"])  # sci owns it and asks
    make_version(workbench, model.name, maker=p["sci"], checkers=(p["checker"],), to="rejected")
    assert _told(workbench, "registry.version_rejected") == [p["sci"].id]
    assert "the changelog is too thin" in _one(workbench, "registry.version_rejected").body


def test_the_first_of_two_approvals_tells_nobody_yet(workbench, people):
    p = people
    model = make_model(workbench, by=p["sci"], owner=p["owner"], risk_tier="high")
    v = make_version(workbench, model.name, maker=p["sci"], to="pending_approval")
    workbench.run(approvals.approve_version, actor=p["checker"].actor(), version_id=v.id,
                  expected_version=v.row_version, reason="fine")  # fmt: skip
    assert _told(workbench, "registry.version_approved") == []
    v = workbench.run(registry.get_version, actor=p["sci"].actor(), model=model.name,
                      version=v.version)  # fmt: skip
    workbench.run(approvals.approve_version, actor=p["admin"].actor(), version_id=v.id,
                  expected_version=v.row_version, reason="fine too")  # fmt: skip
    assert _told(workbench, "registry.version_approved") == sorted([p["sci"].id, p["owner"].id])


def test_a_deprecation_tells_the_owner_and_the_versions_creator(workbench, people):
    p = people
    model = make_model(workbench, by=p["sci"], owner=p["owner"])
    make_version(workbench, model.name, maker=p["sci"], checkers=(p["checker"],), to="deprecated")
    assert _told(workbench, "registry.version_deprecated") == sorted([p["sci"].id, p["owner"].id])
    assert "Reason: superseded" in _one(workbench, "registry.version_deprecated").body


def test_a_deployment_tells_the_owner(workbench, people):
    p = people
    model = make_model(workbench, by=p["sci"], owner=p["owner"], name="scorer")
    make_version(workbench, model.name, maker=p["sci"], checkers=(p["checker"],), to="deployed")
    assert _told(workbench, "registry.version_deployed") == [p["owner"].id]
    note = _one(workbench, "registry.version_deployed")
    assert "in production" in note.title and note.link == "/registry?model=scorer"


def test_an_inactive_owner_is_not_told(workbench, people):
    p = people
    model = make_model(workbench, by=p["sci"], owner=p["owner"])
    v = make_version(workbench, model.name, maker=p["sci"], checkers=(p["checker"],),
                     to="approved")  # fmt: skip
    _deactivate(workbench, p["admin"], p["owner"])
    workbench.run(deployments.deploy_version, actor=p["sci"].actor(), version_id=v.id,
                  environment="staging", reason="release")  # fmt: skip
    assert _told(workbench, "registry.version_deployed") == []


def test_a_refusal_later_in_the_unit_rolls_the_request_and_its_notices_back(workbench, people):
    p = people
    model = make_model(workbench, by=p["sci"], owner=p["owner"])
    v = make_version(workbench, model.name, maker=p["sci"], to="validated")
    with pytest.raises(PermissionDenied), workbench.unit() as uow:
        approvals.request_approval(uow, actor=p["sci"].actor(), version_id=v.id, reason="ready")
        assert len(uow.session.scalars(select(Notification.id)).all()) == 3  # written, then…
        # A data scientist may not approve: the refusal ends the unit.
        approvals.approve_version(uow, actor=p["sci"].actor(), version_id=v.id,
                                  expected_version=v.row_version, reason="mine")  # fmt: skip
    assert _told(workbench, "registry.approval_requested") == []
    still = workbench.run(registry.get_version, actor=p["sci"].actor(), model=model.name,
                          version=v.version)  # fmt: skip
    assert still.status == "validated"


def test_a_refused_or_stale_decision_tells_nobody(workbench, people):
    p = people
    model = make_model(workbench, by=p["sci"], owner=p["owner"])
    v = make_version(workbench, model.name, maker=p["sci"], to="pending_approval")
    with pytest.raises(PermissionDenied):
        workbench.run(approvals.reject_version, actor=p["owner"].actor(), version_id=v.id,
                      expected_version=v.row_version, reason="no")  # fmt: skip
    with pytest.raises(Conflict):
        workbench.run(approvals.reject_version, actor=p["checker"].actor(), version_id=v.id,
                      expected_version=v.row_version - 1, reason="no")  # fmt: skip
    assert _told(workbench, "registry.version_rejected") == []


def test_a_name_too_long_for_a_link_links_the_bare_page(workbench, people):
    p = people
    name = "ü" * 200  # 1,200 characters once percent-encoded
    model = make_model(workbench, by=p["sci"], owner=p["owner"], name=name)
    make_version(workbench, model.name, maker=p["sci"], to="pending_approval")
    with workbench.unit() as uow:
        links = set(uow.session.scalars(select(Notification.link)))
        titles = list(uow.session.scalars(select(Notification.title)))
    assert links == {"/registry"}
    assert all(len(t) <= 200 and "…" in t for t in titles)
