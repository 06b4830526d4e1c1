"""A busy office on both backends: many audit-writing calls at once, and a flood of sign-ins.

Every call ends in its expected outcome or a domain error, never an internal error; every
attempt is audited; the chain stays gapless and verifies; the lock lands at the threshold.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import pandas as pd
import pytest
from sqlalchemy import select

from governance.audit import service as audit
from governance.audit.models import AuditEvent
from governance.auth import service as auth
from governance.auth.models import User
from governance.auth.roles import Role
from governance.errors import AuthenticationFailed, Conflict, PermissionDenied
from tests.concurrency import hammer
from tests.factories import PASSWORD

THREADS, CALLS = 8, 50


def _actions(workbench) -> Counter[str]:
    with workbench.unit() as uow:
        return Counter(uow.session.scalars(select(AuditEvent.action)))


def _reasons(workbench, user_id: int) -> Counter[str]:
    with workbench.unit() as uow:
        rows = uow.session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "auth.login_failed", AuditEvent.resource_id == str(user_id)
            )
        )
        return Counter(row.details["reason"] for row in rows)


def _gapless_and_intact(workbench) -> None:
    with workbench.unit() as uow:
        ids = list(uow.session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)))
        report = audit.verify_chain(uow)
    assert ids == list(range(1, len(ids) + 1))
    assert report.intact, report.summary()


def test_eight_threads_of_fifty_audit_writing_calls_all_succeed(workbench, admin, make_user):
    exec_ = make_user(Role.EXECUTIVE, "exec")
    auditor = make_user(Role.AUDITOR, "auditor")
    before = _actions(workbench)

    def act(i: int, j: int) -> object:
        kind = j % 4
        if kind == 0:
            return workbench.run(
                auth.create_user,
                actor=admin.actor(),
                username=f"user-{i}-{j}",
                role=Role.DATA_SCIENTIST,
                password=PASSWORD,
            )
        if kind == 1:
            return workbench.run(auth.authenticate, username=f"nobody-{i}-{j}", password="x" * 12)
        if kind == 2:
            return workbench.run(audit.export_events, actor=auditor.actor())
        return workbench.run(
            auth.create_user,
            actor=exec_.actor(),
            username=f"refused-{i}-{j}",
            role=Role.AUDITOR,
            password=PASSWORD,
        )

    outcomes = hammer(act, threads=THREADS, calls=CALLS)

    assert outcomes.internal == [], outcomes.internal[0]
    per_kind = Counter(j % 4 for j in range(CALLS) for _ in range(THREADS))
    assert outcomes.of_type(auth.UserInfo) == per_kind[0]
    assert outcomes.of_type(AuthenticationFailed) == per_kind[1]
    assert outcomes.of_type(pd.DataFrame) == per_kind[2]
    assert outcomes.of_type(PermissionDenied) == per_kind[3]
    added = _actions(workbench) - before
    assert added["user.created"] == per_kind[0]
    assert added["auth.login_failed"] == per_kind[1]
    assert added["audit.exported"] == per_kind[2]
    assert added["permission.denied"] == per_kind[3]
    assert sum(added.values()) == THREADS * CALLS
    _gapless_and_intact(workbench)


def _lockout(workbench, threshold: int = 5):  # type: ignore[no-untyped-def]
    return replace(workbench.settings, lockout_threshold=threshold, lockout_minutes=15)


def test_sixteen_parallel_wrong_passwords_lock_the_account_at_the_threshold(workbench, make_user):
    target = make_user(Role.DATA_SCIENTIST, "target")
    rules = _lockout(workbench)

    def act(i: int, j: int) -> object:
        return workbench.run(
            auth.authenticate, username="target", password=f"wrong guess {i}", settings=rules
        )

    outcomes = hammer(act, threads=16, calls=1)

    assert outcomes.internal == [], outcomes.internal[0]
    assert outcomes.of_type(AuthenticationFailed) == 16
    reasons = _reasons(workbench, target.id)
    # Every attempt is audited; exactly the threshold counted as guesses, the rest met the lock.
    assert sum(reasons.values()) == 16
    assert reasons["wrong password"] == rules.lockout_threshold
    assert reasons["account locked"] == 16 - rules.lockout_threshold
    assert _actions(workbench)["auth.account_locked"] == 1
    with workbench.unit() as uow:
        user = uow.session.get(User, target.id)
        assert user.locked_until is not None and user.locked_until > uow.now()
    _gapless_and_intact(workbench)


def test_the_right_password_during_a_flood_never_fails_with_an_internal_error(workbench, make_user):
    target = make_user(Role.DATA_SCIENTIST, "target")
    rules = _lockout(workbench, threshold=50)  # the flood alone cannot lock it

    def act(i: int, j: int) -> object:
        password = PASSWORD if i == 0 else f"wrong guess {i}"
        return workbench.run(
            auth.authenticate, username="target", password=password, settings=rules
        )

    for _ in range(3):
        outcomes = hammer(act, threads=16, calls=1)
        assert outcomes.internal == [], outcomes.internal[0]
        assert isinstance(outcomes.results[0, 0], auth.UserInfo), outcomes.results[0, 0]
        assert outcomes.of_type(AuthenticationFailed) == 15
    # A success clears the count: three rounds of 15 guesses never reach 50.
    with workbench.unit() as uow:
        assert uow.session.get(User, target.id).locked_until is None
    assert _reasons(workbench, target.id)["wrong password"] == 45
    _gapless_and_intact(workbench)


def test_a_correct_password_on_an_account_locked_meanwhile_is_refused_not_crashed(
    workbench, make_user
):
    make_user(Role.DATA_SCIENTIST, "target")
    rules = _lockout(workbench, threshold=3)

    def act(i: int, j: int) -> object:
        password = PASSWORD if i == 0 and j == 4 else f"wrong guess {i}"
        return workbench.run(
            auth.authenticate, username="target", password=password, settings=rules
        )

    outcomes = hammer(act, threads=4, calls=5)
    assert outcomes.internal == [], outcomes.internal[0]
    # By its fifth call, thread 0 has seen at least three guesses fail: the account is locked.
    assert isinstance(outcomes.results[0, 4], AuthenticationFailed)
    assert _actions(workbench)["auth.account_locked"] >= 1


def test_two_admins_changing_one_role_end_in_one_change_and_a_conflict(workbench, admin, make_user):
    other = make_user(Role.ADMIN, "second-admin")
    ivy = make_user(Role.AUDITOR, "ivy")
    actors = [admin.actor(), other.actor()]
    choices = [Role.EXECUTIVE, Role.COMPLIANCE_OFFICER, Role.AUDITOR, Role.DATA_SCIENTIST]

    for _ in range(5):
        with workbench.unit() as uow:
            now = uow.session.get(User, ivy.id)
            seen = now.row_version
            roles = [r for r in choices if r.value != now.role][:2]

        def act(i: int, j: int, seen: int = seen, roles: list[Role] = roles) -> object:
            return workbench.run(
                auth.change_role,
                actor=actors[i],
                user_id=ivy.id,
                role=roles[i],
                expected_version=seen,
            )

        outcomes = hammer(act, threads=2, calls=1)
        assert outcomes.internal == [], outcomes.internal[0]
        assert outcomes.of_type(auth.UserInfo) == 1
        assert outcomes.of_type(Conflict) == 1
        conflict = next(r for r in outcomes.results.values() if isinstance(r, Conflict))
        assert str(conflict) == "Someone else changed this account meanwhile: reload and retry."
    _gapless_and_intact(workbench)


def test_a_write_lock_held_past_the_busy_timeout_is_a_busy_message(sqlite_url, tmp_path):
    import sqlite3

    from governance.artifacts import ArtifactStore
    from governance.config import Settings
    from governance.db import Database
    from governance.db.migrate import upgrade
    from governance.kernel import Workbench
    from governance.kernel.unit import BUSY_MESSAGE
    from tests.factories import first_admin

    database = Database.from_url(sqlite_url, sqlite_busy_ms=200)
    upgrade(database.engine)
    bench = Workbench(
        database,
        Settings(database_url=sqlite_url, artifact_dir=tmp_path / "artifacts"),
        ArtifactStore(tmp_path / "artifacts"),
    )
    admin = first_admin(bench)
    holder = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(Conflict) as refused:
            bench.run(
                auth.create_user,
                actor=admin.actor(),
                username="waits",
                role=Role.AUDITOR,
                password=PASSWORD,
            )
        assert str(refused.value) == BUSY_MESSAGE
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    with bench.unit() as uow:
        assert uow.session.scalar(select(User).where(User.username == "waits")) is None
    _gapless_and_intact(bench)
    database.dispose()
