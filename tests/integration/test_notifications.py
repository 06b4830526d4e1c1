"""Notifications on both backends: delivery in the caller's transaction, recipients, own-only
reading and marking, races, and conditions that notify once per crossing."""

from __future__ import annotations

import pytest
from sqlalchemy import event, func, select

from governance.audit import service as audit
from governance.audit.models import AuditEvent
from governance.auth import service as auth
from governance.auth.roles import PERMISSIONS, Action, Role
from governance.errors import Conflict, PermissionDenied, ValidationError
from governance.notifications import (
    close_condition,
    list_for,
    mark_all_read,
    mark_read,
    notify,
    notify_on_opening,
    notify_role,
    role_members,
    unread_count,
)
from governance.notifications.models import Notification, NotificationCondition
from tests.factories import make_notification
from tests.integration.test_kernel import _race

APPROVERS = PERMISSIONS[Action.FAIRNESS_POLICY_EDIT] | {Role.ADMIN}  # officers and admins


def _rows(workbench) -> list[tuple[int, str]]:
    with workbench.unit() as uow:
        stmt = select(Notification.recipient_id, Notification.title).order_by(Notification.id)
        return [tuple(r) for r in uow.session.execute(stmt)]


def _events(workbench) -> list[str]:
    with workbench.unit() as uow:
        return list(uow.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def _tell(uow, *recipients: int, title: str = "Your role changed", **extra) -> list[int]:
    return notify(
        uow, recipients=recipients, kind="user.role_changed", title=title,
        body="An administrator changed your role.", **extra,
    )  # fmt: skip


# --- delivery in the caller's unit ------------------------------------------------------------


def test_a_notification_is_committed_with_its_cause(workbench, admin, make_user):
    ann = make_user(Role.AUDITOR, "ann")
    with workbench.unit() as uow:
        auth.change_role(uow, actor=admin.actor(), user_id=ann.id, role=Role.EXECUTIVE)
        assert _tell(uow, ann.id, link="/account", subject=("user", ann.id)) == [ann.id]
    assert _rows(workbench) == [(ann.id, "Your role changed")]
    [seen] = workbench.run(list_for, actor=ann.actor())
    assert (seen.link, seen.subject_type, seen.subject_id, seen.unread) == (
        "/account", "user", str(ann.id), True,
    )  # fmt: skip


def test_a_failure_later_in_the_unit_rolls_the_notification_back_with_its_cause(
    workbench, admin, make_user
):
    ann = make_user(Role.AUDITOR, "ann")
    before = _events(workbench)
    with pytest.raises(ValidationError, match="already has the role"), workbench.unit() as uow:
        auth.change_role(uow, actor=admin.actor(), user_id=ann.id, role=Role.EXECUTIVE)
        _tell(uow, ann.id)
        auth.change_role(uow, actor=admin.actor(), user_id=ann.id, role=Role.EXECUTIVE)
    assert _rows(workbench) == []
    assert _events(workbench) == before


def test_a_refusal_later_in_the_unit_keeps_only_the_denial(workbench, admin, make_user):
    ann = make_user(Role.AUDITOR, "ann")
    officer = make_user(Role.COMPLIANCE_OFFICER, "officer")
    before = _events(workbench)
    with pytest.raises(PermissionDenied), workbench.unit() as uow:
        auth.change_role(uow, actor=admin.actor(), user_id=ann.id, role=Role.EXECUTIVE)
        _tell(uow, ann.id)
        auth.list_users(uow, actor=officer.actor())
    assert _rows(workbench) == []
    assert _events(workbench) == [*before, "permission.denied"]


def test_bad_content_ends_the_callers_unit_and_writes_nothing(workbench, admin, make_user):
    ann = make_user(Role.AUDITOR, "ann")
    before = _events(workbench)
    with pytest.raises(ValidationError, match="page of the workbench"), workbench.unit() as uow:
        auth.change_role(uow, actor=admin.actor(), user_id=ann.id, role=Role.EXECUTIVE)
        _tell(uow, ann.id, link="https://evil.example/login")
    assert _rows(workbench) == []
    assert _events(workbench) == before
    assert _role(workbench, ann.id) == "auditor"


def _role(workbench, user_id: int) -> str:
    with workbench.unit() as uow:
        return auth.get_user(uow, user_id).role.value


def test_delivery_itself_is_not_audited(workbench, make_user):
    ann = make_user(Role.AUDITOR, "ann")
    before = _events(workbench)
    make_notification(workbench, ann)
    assert _events(workbench) == before


# --- recipients -------------------------------------------------------------------------------


def test_recipients_are_delivered_to_once_and_inactive_accounts_skipped(
    workbench, admin, make_user
):
    ann = make_user(Role.AUDITOR, "ann")
    gone = make_user(Role.AUDITOR, "gone")
    workbench.run(auth.set_active, actor=admin.actor(), user_id=gone.id, active=False)
    with workbench.unit() as uow:
        assert _tell(uow, ann.id, gone.id, ann.id, admin.id) == sorted([ann.id, admin.id])
    assert sorted(r for r, _ in _rows(workbench)) == sorted([ann.id, admin.id])


def test_nobody_to_tell_writes_nothing(workbench):
    with workbench.unit() as uow:
        assert _tell(uow) == []
    assert _rows(workbench) == []


def test_an_unknown_account_is_the_callers_mistake(workbench, admin):
    with pytest.raises(ValueError, match="no account"), workbench.unit() as uow:
        _tell(uow, admin.id, 999_999)
    assert _rows(workbench) == []


def test_approvers_are_officers_and_admins_but_the_requester(workbench, admin, make_user):
    officer = make_user(Role.COMPLIANCE_OFFICER, "officer")
    requester = make_user(Role.COMPLIANCE_OFFICER, "requester")
    retired = make_user(Role.COMPLIANCE_OFFICER, "retired")
    make_user(Role.DATA_SCIENTIST, "dana")
    make_user(Role.AUDITOR, "audrey")
    workbench.run(auth.set_active, actor=admin.actor(), user_id=retired.id, active=False)
    with workbench.unit() as uow:
        assert role_members(uow, roles=APPROVERS, exclude=[requester.id]) == [admin.id, officer.id]
        delivered = notify_role(
            uow, roles=APPROVERS, exclude=[requester.id], kind="approval.requested",
            title="Approval requested", body="credit-model 1.2", subject=("model_version", 42),
        )  # fmt: skip
    assert delivered == [admin.id, officer.id]
    assert sorted(r for r, _ in _rows(workbench)) == [admin.id, officer.id]


# --- reading: one's own only -------------------------------------------------------------------


def test_each_person_reads_only_their_own_newest_first(workbench, admin, make_user):
    ann = make_user(Role.EXECUTIVE, "ann")
    first = make_notification(workbench, ann, "First")
    make_notification(workbench, admin, "For the administrator")
    second = make_notification(workbench, ann, "Second")
    shown = workbench.run(list_for, actor=ann.actor())
    assert [(n.id, n.title) for n in shown] == [(second, "Second"), (first, "First")]
    assert [n.title for n in workbench.run(list_for, actor=admin.actor())] == [
        "For the administrator"
    ]
    assert [n.title for n in workbench.run(list_for, actor=ann.actor(), limit=1)] == ["Second"]


def test_unread_count_and_unread_only_follow_marking(workbench, make_user):
    ann = make_user(Role.AUDITOR, "ann")
    ids = [make_notification(workbench, ann, f"N{i}") for i in range(3)]
    assert workbench.run(unread_count, actor=ann.actor()) == 3
    assert workbench.run(mark_read, actor=ann.actor(), ids=[ids[0], ids[0]]) == 1
    assert workbench.run(unread_count, actor=ann.actor()) == 2
    unread = workbench.run(list_for, actor=ann.actor(), unread_only=True)
    assert [n.title for n in unread] == ["N2", "N1"]
    assert workbench.run(mark_all_read, actor=ann.actor()) == 2
    assert workbench.run(unread_count, actor=ann.actor()) == 0
    assert workbench.run(mark_all_read, actor=ann.actor()) == 0


def test_the_unread_count_is_one_statement(workbench, db, make_user):
    ann = make_user(Role.AUDITOR, "ann")
    make_notification(workbench, ann)
    statements: list[str] = []

    def seen(conn, cursor, statement, *args) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        assert workbench.run(unread_count, actor=ann.actor()) == 1
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    assert [s for s in statements if s.lstrip().upper().startswith("SELECT")] == statements
    assert len(statements) == 1, statements


def test_an_inactive_account_counts_none_and_cannot_list(workbench, admin, make_user):
    ann = make_user(Role.AUDITOR, "ann")
    make_notification(workbench, ann)
    stale = ann.actor()
    workbench.run(auth.set_active, actor=admin.actor(), user_id=ann.id, active=False)
    assert workbench.run(unread_count, actor=stale) == 0
    with pytest.raises(PermissionDenied, match="not active"):
        workbench.run(list_for, actor=stale)


def test_marking_someone_elses_is_refused_audited_and_changes_nothing(workbench, admin, make_user):
    ann = make_user(Role.AUDITOR, "ann")
    mine = make_notification(workbench, admin, "Mine")
    hers = make_notification(workbench, ann, "Hers")
    before = _events(workbench)
    with pytest.raises(PermissionDenied, match="only your own"):
        workbench.run(mark_read, actor=admin.actor(), ids=[mine, hers])
    assert workbench.run(unread_count, actor=admin.actor()) == 1  # not even their own one
    assert workbench.run(unread_count, actor=ann.actor()) == 1
    assert _events(workbench) == [*before, "permission.denied"]
    with workbench.unit() as uow:
        denial = uow.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert (denial.actor, denial.resource_type, denial.resource_id) == (
            "admin", "notification", str(hers),
        )  # fmt: skip
        assert denial.details == {
            "attempted": "notification.mark_read",
            "reason": "not the recipient",
        }
        assert audit.verify_chain(uow).intact


def test_marking_a_notification_that_does_not_exist_is_refused(workbench, admin):
    with pytest.raises(PermissionDenied, match="only your own"):
        workbench.run(mark_read, actor=admin.actor(), ids=[424242])
    with workbench.unit() as uow:
        denial = uow.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert denial.details["reason"] == "no such notification"


def test_a_read_notification_keeps_the_time_it_was_first_read(workbench, make_user):
    ann = make_user(Role.AUDITOR, "ann")
    one = make_notification(workbench, ann)
    workbench.run(mark_read, actor=ann.actor(), ids=[one])
    [first] = workbench.run(list_for, actor=ann.actor())
    assert workbench.run(mark_read, actor=ann.actor(), ids=[one]) == 0
    [again] = workbench.run(list_for, actor=ann.actor())
    assert first.read_at is not None and again.read_at == first.read_at


def test_marking_read_is_not_audited(workbench, make_user):
    ann = make_user(Role.AUDITOR, "ann")
    one = make_notification(workbench, ann)
    before = _events(workbench)
    workbench.run(mark_read, actor=ann.actor(), ids=[one])
    workbench.run(mark_all_read, actor=ann.actor())
    assert _events(workbench) == before


def test_two_tabs_marking_all_read_at_once_both_succeed_and_mark_each_once(workbench, make_user):
    ann = make_user(Role.AUDITOR, "ann")
    for i in range(20):
        make_notification(workbench, ann, f"N{i}")
    outcomes = _race(lambda i: workbench.run(mark_all_read, actor=ann.actor()))
    assert not [o for o in outcomes if isinstance(o, (Conflict, PermissionDenied))], outcomes
    assert sorted(outcomes) in ([0, 20], *([[n, 20 - n] for n in range(1, 20)]))
    assert sum(outcomes) == 20
    assert workbench.run(unread_count, actor=ann.actor()) == 0


def test_a_tab_marking_one_while_another_marks_all(workbench, make_user):
    ann = make_user(Role.AUDITOR, "ann")
    ids = [make_notification(workbench, ann, f"N{i}") for i in range(5)]
    outcomes = _race(
        lambda i: (
            workbench.run(mark_read, actor=ann.actor(), ids=[ids[2]])
            if i == 0
            else workbench.run(mark_all_read, actor=ann.actor())
        )
    )
    assert sum(outcomes) == 5  # the one marked by exactly one of them
    assert workbench.run(unread_count, actor=ann.actor()) == 0


# --- conditions: once per crossing --------------------------------------------------------------


def _degraded(uow, owner: int) -> list[int]:
    return notify_on_opening(
        uow, condition="performance:model_version:42:auc", recipients=[owner],
        kind="performance.degraded", title="AUC below its threshold", body="0.61 < 0.70",
        link="/overview", subject=("model_version", 42),
    )  # fmt: skip


def test_an_open_condition_notifies_once_until_it_closes(workbench, admin):
    with workbench.unit() as uow:
        assert _degraded(uow, admin.id) == [admin.id]
    for _ in range(3):  # points below the threshold keep coming
        with workbench.unit() as uow:
            assert _degraded(uow, admin.id) == []
    with workbench.unit() as uow:
        assert close_condition(uow, "performance:model_version:42:auc") is True
        assert close_condition(uow, "performance:model_version:42:auc") is False
    with workbench.unit() as uow:
        assert _degraded(uow, admin.id) == [admin.id]  # crossed again
    assert len(_rows(workbench)) == 2


def test_an_opening_rolled_back_leaves_the_condition_closed(workbench, admin):
    with pytest.raises(RuntimeError), workbench.unit() as uow:
        _degraded(uow, admin.id)
        raise RuntimeError("the point's own write failed")
    with workbench.unit() as uow:
        assert uow.session.scalar(select(func.count()).select_from(NotificationCondition)) == 0
        assert _degraded(uow, admin.id) == [admin.id]


def test_two_points_crossing_at_once_notify_once(workbench, admin):
    outcomes = _race(lambda i: workbench.run(_degraded, admin.id))
    assert sorted(outcomes, key=len) == [[], [admin.id]], outcomes
    assert len(_rows(workbench)) == 1
