"""The session store on both databases: open, redeem, look up, expire, end and revoke."""

from __future__ import annotations

import dataclasses
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from governance.audit.models import AuditEvent
from governance.auth import browser_sessions as store
from governance.auth import service as auth
from governance.auth.models import BrowserSession
from governance.auth.roles import Role
from governance.kernel import Workbench
from tests import factories

T0 = datetime(2026, 12, 9, 9, 0, tzinfo=UTC)


class Clock:
    """A settable clock for the workbench (the one place it reads the time)."""

    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def clocked(workbench: Workbench, clock: Clock) -> Workbench:
    return dataclasses.replace(workbench, clock=clock)


def _events(workbench: Workbench, action: str) -> list[AuditEvent]:
    with workbench.database.session() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def _record(workbench: Workbench, session_id: int) -> BrowserSession:
    with workbench.database.session() as s:
        record = s.get(BrowserSession, session_id)
        assert record is not None
        s.expunge(record)
        return record


def _signed_in(clocked: Workbench, user_id: int) -> tuple[store.Handoff, store.IssuedToken]:
    handoff = clocked.run(store.open_session, user_id=user_id, method="password")
    issued = clocked.run(store.redeem_ticket, ticket=handoff.ticket)
    assert issued is not None
    return handoff, issued


def test_only_hashes_are_stored_and_the_token_finds_the_session(clocked, admin):
    handoff, issued = _signed_in(clocked, admin.id)
    record = _record(clocked, handoff.session_id)
    assert record.token_hash == store.digest(issued.token)
    assert record.ticket_hash is None  # spent
    assert issued.token not in {record.token_hash, handoff.ticket}
    assert issued.max_age == 8 * 3600  # the absolute limit, from sign-in

    found = clocked.run(store.check_session, token=issued.token)
    assert found.user is not None and found.user.id == admin.id
    assert found.session_id == handoff.session_id
    assert found.signed_in_at == T0


def test_a_ticket_is_single_use_and_short_lived(clocked, clock, admin):
    handoff = clocked.run(store.open_session, user_id=admin.id, method="password")
    assert clocked.run(store.redeem_ticket, ticket=handoff.ticket) is not None
    assert clocked.run(store.redeem_ticket, ticket=handoff.ticket) is None  # used

    late = clocked.run(store.open_session, user_id=admin.id, method="password")
    clock.now = T0 + timedelta(seconds=store.TICKET_SECONDS + 1)
    assert clocked.run(store.redeem_ticket, ticket=late.ticket) is None  # expired
    assert clocked.run(store.redeem_ticket, ticket="forged") is None
    assert clocked.run(store.redeem_ticket, ticket="") is None


def test_two_exchanges_of_one_ticket_make_exactly_one_session(clocked, admin):
    handoff = clocked.run(store.open_session, user_id=admin.id, method="password")
    start = threading.Barrier(2)
    outcomes: list[object] = [None, None]

    def exchange(i: int) -> None:
        start.wait()
        try:
            outcomes[i] = clocked.run(store.redeem_ticket, ticket=handoff.ticket)
        except Exception as exc:  # a lost race must not be an error either
            outcomes[i] = exc

    threads = [threading.Thread(target=exchange, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    won = [o for o in outcomes if isinstance(o, store.IssuedToken)]
    assert len(won) == 1, outcomes
    assert outcomes.count(None) == 1, outcomes
    assert _record(clocked, handoff.session_id).token_hash == store.digest(won[0].token)


def test_idle_sessions_expire_and_the_expiry_is_audited_once(clocked, clock, admin):
    _, issued = _signed_in(clocked, admin.id)
    clock.now = T0 + timedelta(minutes=29)
    assert clocked.run(store.check_session, token=issued.token).user is not None
    clock.now += timedelta(minutes=30, seconds=1)  # 30 min after the last activity seen
    check = clocked.run(store.check_session, token=issued.token)
    assert check.user is None
    assert check.notice == "Signed out after 30 minutes without activity."
    again = clocked.run(store.check_session, token=issued.token)
    assert again.user is None and again.notice == "Your session has expired. Sign in again."
    [logout] = _events(clocked, "auth.logout")
    assert logout.details == {"reason": "session expired"}


def test_sessions_end_at_the_absolute_limit_however_active(clocked, clock, admin):
    _, issued = _signed_in(clocked, admin.id)
    for _ in range(8 * 4 + 1):  # active every quarter hour for over eight hours
        clock.now += timedelta(minutes=15)
        check = clocked.run(store.check_session, token=issued.token)
    assert check.user is None
    assert check.notice == "Signed out: sessions last at most 8 hours."


def test_last_seen_is_written_at_most_once_a_minute(clocked, clock, admin):
    handoff, issued = _signed_in(clocked, admin.id)
    clock.now = T0 + timedelta(seconds=30)
    clocked.run(store.check_session, token=issued.token)
    assert _record(clocked, handoff.session_id).last_seen_at == T0  # not written
    clock.now = T0 + timedelta(seconds=61)
    clocked.run(store.check_session, token=issued.token)
    assert _record(clocked, handoff.session_id).last_seen_at == clock.now


def test_sign_out_revokes_the_session_and_is_audited_once(clocked, admin):
    handoff, issued = _signed_in(clocked, admin.id)
    assert clocked.run(store.end_session, actor=admin.actor(), session_id=handoff.session_id)
    assert not clocked.run(store.end_session, actor=admin.actor(), session_id=handoff.session_id)
    check = clocked.run(store.check_session, token=issued.token)
    assert check.user is None and check.notice == "You have signed out."
    assert [e.details for e in _events(clocked, "auth.logout")] == [{"reason": "signed out"}]


def test_nobody_ends_another_persons_session(clocked, admin, make_user):
    other = make_user(Role.AUDITOR, "otto")
    handoff, issued = _signed_in(clocked, admin.id)
    assert not clocked.run(store.end_session, actor=other.actor(), session_id=handoff.session_id)
    assert clocked.run(store.check_session, token=issued.token).user is not None


def test_unknown_tokens_find_nothing(clocked, admin):
    _signed_in(clocked, admin.id)
    check = clocked.run(store.check_session, token="not-a-token")
    assert check.user is None and check.notice
    assert clocked.run(store.check_session).notice is None  # nothing to look for


@pytest.mark.parametrize(
    ("change", "notice", "detail"),
    [
        ("deactivate", "Your account is no longer active. Ask an administrator.", "deactivated"),
        ("reset", "An administrator reset your password. Sign in with the new one.", "reset"),
        ("own change", "Your password was changed. Sign in with the new one.", "changed"),
    ],
)
def test_account_changes_revoke_every_session_of_the_account(
    clocked, admin, make_user, change, notice, detail
):
    dana = make_user(Role.DATA_SCIENTIST, "dana")
    sessions = [_signed_in(clocked, dana.id) for _ in range(2)]
    pending = clocked.run(store.open_session, user_id=dana.id, method="password")
    _, admins = _signed_in(clocked, admin.id)
    if change == "deactivate":
        clocked.run(auth.set_active, actor=admin.actor(), user_id=dana.id, active=False)
        action = "user.deactivated"
    elif change == "reset":
        clocked.run(
            auth.reset_password, actor=admin.actor(), user_id=dana.id, new_password="x" * 16
        )
        action = "user.password_reset"
    else:
        clocked.run(
            auth.change_own_password,
            actor=dana.actor(),
            current_password=factories.PASSWORD,
            new_password="y" * 16,
        )
        action = "user.password_changed"
    for _, issued in sessions:
        check = clocked.run(store.check_session, token=issued.token)
        assert (check.user, check.notice) == (None, notice), detail
    assert clocked.run(store.redeem_ticket, ticket=pending.ticket) is None
    assert clocked.run(store.check_session, token=admins.token).user is not None  # others stay
    [event] = _events(clocked, action)
    assert event.details["sessions_revoked"] == 3


def test_a_reset_asks_for_a_new_password_and_the_own_change_clears_it(clocked, admin, make_user):
    dana = make_user(Role.DATA_SCIENTIST, "dana")
    assert not dana.must_change_password
    clocked.run(auth.reset_password, actor=admin.actor(), user_id=dana.id, new_password="x" * 16)
    assert clocked.run(auth.get_user, dana.id).must_change_password
    clocked.run(
        auth.change_own_password,
        actor=dana.actor(),
        current_password="x" * 16,
        new_password="y" * 16,
    )
    assert not clocked.run(auth.get_user, dana.id).must_change_password


def test_accounts_made_by_an_administrator_must_change_their_password(clocked, admin):
    made = clocked.run(
        auth.create_user, actor=admin.actor(), username="newbie", role="auditor",
        password="z" * 16,
    )  # fmt: skip
    assert made.must_change_password
    sso = clocked.run(
        auth.create_user, actor=admin.actor(), username="sso", role="auditor", password=None,
        email="sso@example.org",
    )  # fmt: skip
    assert not sso.must_change_password  # no password of ours to change
    assert not admin.must_change_password  # the first administrator chose theirs


def test_the_first_administrator_can_be_signed_in_at_creation(db, db_url, tmp_path):
    from governance.artifacts import ArtifactStore
    from governance.config import Settings

    workbench = Workbench(
        db, Settings(database_url=db_url, artifact_dir=tmp_path), ArtifactStore(tmp_path)
    )
    admin = workbench.run(auth.create_first_admin, username="root", password="p" * 16, sign_in=True)
    assert admin.last_login_at is not None
    [login] = _events(workbench, "auth.login")
    assert login.details == {"method": "first start"}
