"""The stored audit trail: same-transaction writes, tamper detection, append-only guards."""

from __future__ import annotations

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from governance.audit import service as audit
from governance.audit.events import AuditAction, Event, Resource
from governance.audit.log import record_event
from governance.audit.models import AuditEvent
from governance.audit.service import EventFilter
from governance.auth import service as auth
from governance.auth.models import User
from governance.auth.roles import Role
from governance.db import Database
from governance.errors import ValidationError
from governance.reports.audit_export import export_events_csv
from tests.integration import tamper


@pytest.fixture
def trail(uow, session, admin, make_user):
    """Admin plus four more accounts: five chained events."""
    for role in (Role.AUDITOR, Role.EXECUTIVE, Role.DATA_SCIENTIST, Role.COMPLIANCE_OFFICER):
        make_user(role)
    assert audit.event_count(uow) == 5
    # End the read transaction: on PostgreSQL its lock would block the tampering below.
    session.rollback()
    return uow


def test_intact_trail_verifies(trail):
    report = audit.verify_chain(trail)
    assert report.intact and report.events_checked == 5


def test_edited_event_is_detected(db, trail):
    tamper.edit_details(db.engine, 3, {"after": {"role": "admin"}})
    report = audit.verify_chain(trail)
    assert not report.intact and report.first_bad_id == 3
    assert "edited" in report.problem


def test_deleted_middle_event_is_detected(db, trail):
    tamper.delete_event(db.engine, 3)
    report = audit.verify_chain(trail)
    assert not report.intact and report.first_bad_id == 4
    assert "missing" in report.problem


def test_swapped_events_are_detected(db, trail):
    tamper.swap_events(db.engine, 2, 4)
    report = audit.verify_chain(trail)
    assert not report.intact and report.first_bad_id == 2


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_events SET actor = 'mallory' WHERE id = 1",
        "DELETE FROM audit_events WHERE id = 1",
        "DELETE FROM audit_events",
    ],
)
def test_database_refuses_to_rewrite_history(db, trail, statement):
    with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as conn:
        conn.execute(text(statement))
    assert audit.verify_chain(trail).intact
    assert audit.event_count(trail) == 5


def test_postgresql_refuses_truncate(postgresql_url, tmp_path):
    from governance.config import Settings
    from governance.kernel import Workbench

    settings = Settings(database_url=postgresql_url, artifact_dir=tmp_path)
    pg = Workbench.open(settings)
    try:
        pg.run(auth.create_first_admin, username="admin", password="a long enough password")
        with pytest.raises(DBAPIError, match="append-only"), pg.database.engine.begin() as conn:
            conn.execute(text("TRUNCATE audit_events"))
        assert pg.run(audit.event_count) == 1
    finally:
        pg.close()


def test_change_and_event_roll_back_together(uow, session, admin):
    """A change that fails after its event was appended leaves neither behind."""
    session.add(
        User(
            username="half-written",
            display_name="x",
            role=Role.AUDITOR.value,
            is_active=True,
            failed_attempts=0,
            created_at=admin.created_at,
            created_by="test",
        )
    )
    record_event(session, actor=admin.actor(), event=Event(AuditAction.USER_CREATED, Resource.USER))
    session.rollback()
    assert session.scalars(select(User).where(User.username == "half-written")).first() is None
    assert audit.event_count(uow) == 1


def test_refused_input_writes_nothing(uow, session, admin):
    before = audit.event_count(uow)
    with pytest.raises(ValidationError):
        auth.create_user(
            uow, actor=admin.actor(), username="ok-name", role=Role.AUDITOR, password="short"
        )
    assert audit.event_count(uow) == before
    assert auth.user_count(uow) == 1


def test_details_round_trip_exactly(uow, session, admin):
    details = {"unicode": "zoë ✓", "nested": {"b": [1, 2.5, None], "a": True}, "big": 2**40}
    event = Event(AuditAction.USER_CREATED, Resource.USER, details=details)
    record_event(session, actor=admin.actor(), event=event)
    session.commit()
    session.expire_all()
    stored = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert stored.details == details
    assert audit.verify_chain(uow).intact


def test_filters_select_actor_action_family_and_resource(trail, admin):
    actor = admin.actor()
    everything = audit.list_events(trail, actor=actor)
    assert list(everything["id"]) == [5, 4, 3, 2, 1]
    by_family = audit.list_events(trail, actor=actor, flt=EventFilter(action="user."))
    assert len(by_family) == 5
    none = audit.list_events(trail, actor=actor, flt=EventFilter(actor="nobody"))
    assert none.empty
    today = everything["occurred_at"].max().date()
    dated = audit.list_events(trail, actor=actor, flt=EventFilter(since=today, until=today))
    assert len(dated) == 5
    assert audit.list_events(
        trail, actor=actor, flt=EventFilter(until=today.replace(year=today.year - 1))
    ).empty


def test_export_is_csv_and_is_itself_audited(trail, admin):
    data = export_events_csv(trail, actor=admin.actor())
    lines = data.decode().splitlines()
    assert lines[0].startswith("id,occurred_at,actor,actor_role,action")
    assert len(lines) == 1 + 5
    last = trail.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert last.action == "audit.exported" and last.details["rows"] == 5


def _record_elsewhere(workbench) -> object:
    """Try to append an event from another connection that gives up waiting at once."""
    other = Database.from_url(workbench.settings.database_url)
    try:
        with other.session() as s:
            if other.dialect == "sqlite":
                s.execute(text("PRAGMA busy_timeout = 50"))
            else:
                s.execute(text("SET lock_timeout = '50ms'"))
            record_event(s, actor="interloper", event=Event(AuditAction.LOGOUT, Resource.USER))
            s.commit()
            return "committed"
    except DBAPIError as exc:
        return exc
    finally:
        other.dispose()


def test_a_unit_that_only_records_an_event_holds_the_chain_from_its_head_read(workbench, admin):
    """An export (a backup, a doctor's removal) writes nothing but its event: between reading
    the head and appending, no other writer may append, or both claim the same position."""
    interloper: list[object] = []

    def before_insert(conn, cursor, statement, params, context, executemany):  # type: ignore[no-untyped-def]
        if statement.startswith("INSERT INTO audit_events") and not interloper:
            interloper.append("running")
            interloper[0] = _record_elsewhere(workbench)

    engine = workbench.database.engine
    sa_event.listen(engine, "before_cursor_execute", before_insert)
    try:
        workbench.run(export_events_csv, actor=admin.actor())
    finally:
        sa_event.remove(engine, "before_cursor_execute", before_insert)
    assert isinstance(interloper[0], DBAPIError), interloper  # it had to wait: locked out
    with workbench.unit() as uow:
        actions = list(uow.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
        assert actions == ["user.created", "audit.exported"]
        assert audit.verify_chain(uow).intact


def test_filter_choices_are_the_values_present(uow, session, admin, make_user):
    """The index-hopping scan finds what ``SELECT DISTINCT`` finds, tricky values included."""
    make_user(Role.AUDITOR)
    for name in ("zed", "Ångström", "a'b", "a b", "a", "ab\u200b"):
        record_event(session, actor=name, event=Event(AuditAction.LOGIN_FAILED, Resource.USER))
    choices = audit.distinct_values(uow, actor=admin.actor())
    for column in ("actor", "action", "resource_type"):
        present = session.scalars(select(getattr(AuditEvent, column)).distinct())
        assert choices[column] == sorted(v for v in present if v)
    assert {"zed", "Ångström", "a'b", "a b", "a", "ab\u200b"} <= set(choices["actor"])
