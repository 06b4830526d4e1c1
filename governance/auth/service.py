"""Accounts: the first administrator, users and roles, sign-in with lockout, passwords.

Every change checks the actor's permission, validates, writes and appends its audit event in
the caller's unit of work; the edge that opened the unit commits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import NoReturn

from sqlalchemy import func, select

from governance.actor import Actor
from governance.audit.events import AuditAction, Event, Resource
from governance.auth import attempts
from governance.auth.models import User
from governance.auth.passwords import check_password_policy, hash_password, verify_password
from governance.auth.roles import Action, Role, parse_role
from governance.auth.session_ends import EndReason, revoke_user_sessions
from governance.clock import utcnow
from governance.config import Settings
from governance.errors import (
    AuthenticationFailed,
    Conflict,
    GovernanceError,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from governance.kernel import (
    LockKey,
    UnitOfWork,
    authorize,
    clean_text,
    plain,
    stale_message,
)

_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,255}\.[^@\s]{2,63}$")
WRONG_CREDENTIALS = "Wrong username or password."


@dataclass(frozen=True, slots=True)
class UserInfo:
    """An account as services hand it out (no password hash)."""

    id: int
    username: str
    display_name: str
    email: str | None
    role: Role
    is_active: bool
    created_at: datetime
    created_by: str
    last_login_at: datetime | None
    locked_until: datetime | None
    must_change_password: bool
    row_version: int

    def actor(self) -> Actor:
        return Actor(username=self.username, role=self.role, user_id=self.id)

    def is_locked(self, now: datetime | None = None) -> bool:
        return self.locked_until is not None and self.locked_until > (now or utcnow())


def user_info(user: User) -> UserInfo:
    """The plain reading of an account record (for the session store's joined lookup)."""
    return plain(UserInfo, user, role=Role(user.role))


def normalise_username(username: str) -> str:
    """Lower-case, trimmed username, or a :class:`ValidationError` naming the rule."""
    value = (username or "").strip().lower()
    if not _USERNAME.match(value):
        raise ValidationError(
            "Username must be 3 to 64 characters: letters, digits, dot, dash or underscore, "
            "starting with a letter or digit."
        )
    return value


def _normalise_email(email: str | None) -> str | None:
    value = (email or "").strip().lower()
    if not value:
        return None
    if not _EMAIL.match(value):
        raise ValidationError(f"E-mail address {value!r} is not valid.")
    return value


def _display_name(display_name: str | None, username: str) -> str:
    value = clean_text(display_name, field="Display name", limit=200, required=False)
    return value or username


def user_count(uow: UnitOfWork) -> int:
    """How many accounts exist (zero means the workbench awaits its first administrator)."""
    return uow.session.scalar(select(func.count()).select_from(User)) or 0


def _by_username(uow: UnitOfWork, username: str) -> User | None:
    return uow.session.scalars(select(User).where(User.username == username)).first()


def _check_unique(uow: UnitOfWork, username: str, email: str | None) -> None:
    if _by_username(uow, username) is not None:
        raise Conflict(f"Username {username!r} is already taken.")
    if email and uow.session.scalars(select(User).where(User.email == email)).first() is not None:
        raise Conflict(f"E-mail address {email!r} already belongs to another account.")


def _insert_user(
    uow: UnitOfWork,
    *,
    username: str,
    display_name: str | None,
    role: Role,
    password: str | None,
    email: str | None,
    created_by: str,
    must_change_password: bool = False,
) -> User:
    username = normalise_username(username)
    email = _normalise_email(email)
    if password is not None:
        check_password_policy(password)
    _check_unique(uow, username, email)
    user = User(
        username=username,
        display_name=_display_name(display_name, username),
        email=email,
        role=role.value,
        password_hash=hash_password(password) if password is not None else None,
        is_active=True,
        failed_attempts=0,
        created_at=uow.now(),
        created_by=created_by,
        must_change_password=must_change_password,
    )
    uow.session.add(user)
    # A concurrent creation of the same name or e-mail loses here, as a conflict.
    uow.flush(f"an account named {username!r} or with its e-mail")
    return user


def create_first_admin(
    uow: UnitOfWork,
    *,
    username: str,
    password: str,
    display_name: str | None = None,
    email: str | None = None,
    sign_in: bool = False,
) -> UserInfo:
    """Create the first administrator; refused once any account exists.

    ``sign_in``: the person at the first-start form is signed in at once (they just chose the
    password), which is recorded as their sign-in (``auth.login``, method ``first start``).
    """
    # Two browsers racing to be first: only one may see an empty table.
    uow.serialise(LockKey.FIRST_ADMIN)
    if user_count(uow) > 0:
        raise Conflict("An administrator already exists: sign in instead.")
    user = _insert_user(
        uow,
        username=username,
        display_name=display_name,
        role=Role.ADMIN,
        password=password,
        email=email,
        created_by="(first start)",
    )
    uow.record(
        Actor(user.username, Role.ADMIN, user.id),
        Event(
            AuditAction.USER_CREATED,
            Resource.USER,
            user.id,
            {"after": {"username": user.username, "role": user.role}, "first_admin": True},
        ),
    )
    if sign_in:
        attempts.stamp(uow, user.id)
        return _signed_in(uow, user, {"method": "first start"})
    return user_info(user)


def create_user(
    uow: UnitOfWork,
    *,
    actor: Actor,
    username: str,
    role: Role | str,
    password: str | None,
    display_name: str | None = None,
    email: str | None = None,
    must_change_password: bool | None = None,
) -> UserInfo:
    """Create an account (administrators only).

    ``password`` may be ``None`` only for an account that signs in through the configured
    identity provider, in which case an e-mail address is required. An account given a
    password must change it at its first sign-in (the administrator knows it), unless
    ``must_change_password`` says otherwise (an operator making their own account).
    """
    authorize(uow, actor, Action.USER_CREATE, Resource.USER)
    role = parse_role(role) if isinstance(role, str) else role
    if password is None and not (email or "").strip():
        raise ValidationError("Give a password, or an e-mail address for single sign-on.")
    if role is not Role.ADMIN and user_count(uow) == 0:
        # Otherwise nobody could ever manage accounts, and the first-start form is gone.
        raise ValidationError(
            "The first account must be an administrator: create one with --role admin first."
        )
    user = _insert_user(
        uow,
        username=username,
        display_name=display_name,
        role=role,
        password=password,
        email=email,
        created_by=actor.username,
        must_change_password=(
            password is not None if must_change_password is None else must_change_password
        ),
    )
    after = {
        "username": user.username,
        "display_name": user.display_name,
        "email": user.email,
        "role": user.role,
        "must_change_password": user.must_change_password,
    }
    uow.record(actor, Event(AuditAction.USER_CREATED, Resource.USER, user.id, {"after": after}))
    return user_info(user)


def list_users(uow: UnitOfWork, *, actor: Actor) -> list[UserInfo]:
    authorize(uow, actor, Action.USER_READ, Resource.USER)
    return [user_info(u) for u in uow.session.scalars(select(User).order_by(User.username))]


def get_user(uow: UnitOfWork, user_id: int) -> UserInfo | None:
    """The account behind a browser session, re-read on every page run (no permission)."""
    user = uow.session.get(User, user_id, populate_existing=True)
    return user_info(user) if user else None


def actor_for_username(uow: UnitOfWork, username: str) -> Actor:
    """The active account ``username`` as an actor, for command-line work done in its name."""
    user = _by_username(uow, (username or "").strip().lower())
    if user is None:
        raise NotFound(f"No account named {username!r}.")
    if not user.is_active:
        raise PermissionDenied(f"Account {user.username!r} is deactivated.")
    return Actor(user.username, Role(user.role), user.id)


def _load(uow: UnitOfWork, user_id: int, expected_version: int | None = None) -> User:
    """The account, fresh from the records; a stale ``expected_version`` is a conflict.

    A page passes the version it showed, so an edit based on what another administrator has
    since changed is refused instead of silently overwriting it.
    """
    user = uow.session.get(User, user_id, populate_existing=True)
    if user is None:
        raise NotFound(f"No user with id {user_id}.")
    if expected_version is not None and user.row_version != expected_version:
        raise Conflict(stale_message(_THIS_ACCOUNT))
    return user


_THIS_ACCOUNT = "this account"


_LAST_ADMIN = "This is the last active administrator: appoint another one first."


def _refuse_last_admin(uow: UnitOfWork) -> None:
    """Before removing an administrator: refuse when they are the last active one.

    Two administrators may remove each other at once; each alone leaves one. They queue on
    the lock (advisory on PostgreSQL, the write lock on SQLite), so the second counts after the
    first committed; :func:`_still_an_admin` counts again once the change is written.
    """
    uow.serialise(LockKey.LAST_ADMIN)
    if _active_admins(uow) <= 1:
        uow.rollback()  # a conflict ends the unit, and with it the lock it holds
        raise Conflict(_LAST_ADMIN)


def _still_an_admin(uow: UnitOfWork) -> None:
    """After the change is written (holding the write lock): someone must still administer."""
    uow.flush(_THIS_ACCOUNT)
    if _active_admins(uow) < 1:
        uow.rollback()
        raise Conflict(_LAST_ADMIN)


def _active_admins(uow: UnitOfWork) -> int:
    stmt = select(func.count()).select_from(User).where(User.role == Role.ADMIN.value)
    return uow.session.scalar(stmt.where(User.is_active.is_(True))) or 0


def _changed(
    uow: UnitOfWork, actor: Actor, user: User, action: AuditAction, **details: object
) -> UserInfo:
    """Flush an edit of ``user`` (a lost race is a conflict) and audit it.

    Only such edits move the account's version: sign-in bookkeeping (failed attempts, last
    sign-in) does not, so a stranger's wrong password cannot make an administrator's edit stale.
    """
    user.row_version += 1
    uow.flush(_THIS_ACCOUNT)
    uow.record(actor, Event(action, Resource.USER, user.id, {"username": user.username, **details}))
    return user_info(user)


def change_role(
    uow: UnitOfWork,
    *,
    actor: Actor,
    user_id: int,
    role: Role | str,
    expected_version: int | None = None,
) -> UserInfo:
    """Give a user another role; the last active administrator keeps theirs."""
    authorize(uow, actor, Action.USER_CHANGE_ROLE, Resource.USER, user_id)
    new_role = parse_role(role) if isinstance(role, str) else role
    user = _load(uow, user_id, expected_version)
    old_role = Role(user.role)
    if old_role == new_role:
        raise ValidationError(f"{user.username} already has the role {new_role.label}.")
    removes_admin = old_role == Role.ADMIN and user.is_active
    if removes_admin:
        _refuse_last_admin(uow)
    user.role = new_role.value
    if removes_admin:
        _still_an_admin(uow)
    return _changed(
        uow,
        actor,
        user,
        AuditAction.USER_ROLE_CHANGED,
        before={"role": old_role.value},
        after={"role": new_role.value},
    )


def set_active(
    uow: UnitOfWork,
    *,
    actor: Actor,
    user_id: int,
    active: bool,
    expected_version: int | None = None,
) -> UserInfo:
    """Deactivate or reactivate an account (accounts are never deleted)."""
    action = Action.USER_REACTIVATE if active else Action.USER_DEACTIVATE
    authorize(uow, actor, action, Resource.USER, user_id)
    user = _load(uow, user_id, expected_version)
    if user.is_active == active:
        state = "active" if active else "deactivated"
        raise ValidationError(f"{user.username} is already {state}.")
    if not active:
        if actor.user_id == user.id:
            raise Conflict("You cannot deactivate your own account.")
        if user.role == Role.ADMIN.value:
            _refuse_last_admin(uow)
    user.is_active = active
    if not active and user.role == Role.ADMIN.value:
        _still_an_admin(uow)
    ended: dict[str, int] = {}
    if active:
        user.failed_attempts = 0
        user.locked_until = None
    else:
        ended["sessions_revoked"] = revoke_user_sessions(
            uow, user_id=user.id, reason=EndReason.DEACTIVATED
        )
    return _changed(
        uow,
        actor,
        user,
        AuditAction.USER_REACTIVATED if active else AuditAction.USER_DEACTIVATED,
        before={"is_active": not active},
        after={"is_active": active},
        **ended,
    )


def reset_password(uow: UnitOfWork, *, actor: Actor, user_id: int, new_password: str) -> UserInfo:
    """Set another user's password and lift any lockout (administrators only).

    The account's sessions end, and it must choose a password of its own at its next sign-in.
    """
    authorize(uow, actor, Action.USER_RESET_PASSWORD, Resource.USER, user_id)
    check_password_policy(new_password)
    user = _load(uow, user_id)
    user.password_hash = hash_password(new_password)
    user.failed_attempts = 0
    user.locked_until = None
    user.must_change_password = True
    ended = revoke_user_sessions(uow, user_id=user.id, reason=EndReason.PASSWORD_RESET)
    return _changed(uow, actor, user, AuditAction.USER_PASSWORD_RESET, sessions_revoked=ended)


def change_own_password(
    uow: UnitOfWork, *, actor: Actor, current_password: str, new_password: str
) -> None:
    """Let a signed-in person change their own password, proving the current one.

    Every session of the account ends, the current one too (whoever else held one of its
    cookies is out); the page that asked opens a fresh session for the person at it.
    """
    if actor.is_system or actor.user_id is None:
        raise PermissionDenied("Only a signed-in person has a password to change.")
    user = _load(uow, actor.user_id)
    if not user.is_active:
        raise PermissionDenied("Your account is not active.")
    if not verify_password(user.password_hash, current_password):
        # A guess like any other: counted towards the lock and audited, so a borrowed
        # session cannot try passwords here without limit or trace.
        wrong = ValidationError("The current password is wrong.")
        _fail_guess(uow, user.username, user.id, uow.settings, wrong)
    check_password_policy(new_password)
    if current_password == new_password:
        raise ValidationError("The new password must differ from the current one.")
    user.password_hash = hash_password(new_password)
    user.must_change_password = False
    ended = revoke_user_sessions(uow, user_id=user.id, reason=EndReason.PASSWORD_CHANGED)
    _changed(uow, actor, user, AuditAction.USER_PASSWORD_CHANGED, sessions_revoked=ended)


def authenticate(
    uow: UnitOfWork, *, username: str, password: str, settings: Settings | None = None
) -> UserInfo:
    """Check a sign-in; failures are audited and repeated ones lock the account.

    A failure ends the unit: only the failed attempt (its count and its events) is kept.
    ``settings`` overrides the unit's lockout rules (tests use a lower threshold).
    """
    name = (username or "").strip().lower()
    user = _by_username(uow, name) if name else None
    if user is None:
        verify_password(None, password)  # equal timing whether or not the name exists
        _fail(uow, name or "(blank)", None, "unknown user", WRONG_CREDENTIALS)
    password_ok = verify_password(user.password_hash, password)  # the same work in every case
    if user.locked_until is not None and user.locked_until > uow.now():
        # The same answer as a wrong password: a guesser must not learn that the name exists.
        _fail(uow, user.username, user.id, "account locked", WRONG_CREDENTIALS)
    if not password_ok:
        _fail_guess(uow, user.username, user.id, settings or uow.settings)
    if not user.is_active:
        # Said only after the password proved right, so the state of an account is not
        # revealed to someone guessing.
        _fail(
            uow,
            user.username,
            user.id,
            "account deactivated",
            "This account has been deactivated. Ask an administrator to reactivate it.",
        )
    if not attempts.admit(uow, user.id):
        # Locked between the check above and now, by a flood of guesses.
        _fail(uow, user.username, user.id, "account locked", WRONG_CREDENTIALS)
    return _signed_in(uow, user, {"method": "password"})


def _fail(
    uow: UnitOfWork, username: str, user_id: int | None, reason: str, message: str
) -> NoReturn:
    """End the unit with a refused sign-in, keeping only its audit record."""

    def keep(unit: UnitOfWork) -> None:
        _record_failure(unit, username, user_id, reason)

    uow.refuse(AuthenticationFailed(message), keep)


def _fail_guess(
    uow: UnitOfWork,
    username: str,
    user_id: int,
    rules: Settings,
    error: GovernanceError | None = None,
) -> NoReturn:
    """End the unit with a wrong password: counted (unless locked meanwhile) and audited.

    ``error`` is what the caller is told (a wrong sign-in by default).
    """

    def keep(unit: UnitOfWork) -> None:
        counted = attempts.count_failure(unit, user_id, rules)
        reason = "account locked" if counted.locked_before else "wrong password"
        _record_failure(unit, username, user_id, reason)
        if counted.locked_now_until is not None:
            lock = {"username": username, "until": counted.locked_now_until}
            unit.record("system", Event(AuditAction.ACCOUNT_LOCKED, Resource.USER, user_id, lock))
        # Said as a wrong password either way: the lock is the audit trail's to tell.

    uow.refuse(error or AuthenticationFailed(WRONG_CREDENTIALS), keep)


def _record_failure(uow: UnitOfWork, username: str, user_id: int | None, reason: str) -> None:
    uow.record(
        username[:100], Event(AuditAction.LOGIN_FAILED, Resource.USER, user_id, {"reason": reason})
    )


def authenticate_oidc(uow: UnitOfWork, *, email: str, subject: str | None = None) -> UserInfo:
    """Map an identity provider's verified e-mail to an active account and its role."""
    address = _normalise_email(email)
    if address is None:
        raise AuthenticationFailed("The identity provider sent no e-mail address.")
    user = uow.session.scalars(select(User).where(User.email == address)).first()
    if user is None or not user.is_active:
        reason = "no account for this e-mail" if user is None else "account deactivated"
        _fail(
            uow,
            address,
            user.id if user else None,
            f"single sign-on: {reason}",
            f"{address} has no active account in the workbench. "
            "Ask an administrator to create one with this e-mail address.",
        )
    attempts.stamp(uow, user.id)
    return _signed_in(uow, user, {"method": "oidc", "subject": subject})


def _signed_in(uow: UnitOfWork, user: User, details: dict[str, object]) -> UserInfo:
    """Record a successful sign-in, stamped already by :mod:`attempts`."""
    uow.session.refresh(user)
    uow.record(
        Actor(user.username, Role(user.role), user.id),
        Event(AuditAction.LOGIN, Resource.USER, user.id, details),
    )
    return user_info(user)


def record_logout(uow: UnitOfWork, *, actor: Actor, reason: str = "signed out") -> None:
    uow.record(actor, Event(AuditAction.LOGOUT, Resource.USER, actor.user_id, {"reason": reason}))
