"""Accounts: the first administrator, users and roles, sign-in with lockout, passwords.

Every change checks the actor's permission, validates, writes, appends its audit event in the
same transaction and commits once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from governance.actor import Actor
from governance.audit.log import record_event
from governance.auth.models import User
from governance.auth.passwords import check_password_policy, hash_password, verify_password
from governance.auth.permissions import authorize
from governance.auth.roles import Action, Role, parse_role
from governance.clock import utcnow
from governance.config import Settings
from governance.errors import (
    AuthenticationFailed,
    Conflict,
    NotFound,
    PermissionDenied,
    ValidationError,
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

    def actor(self) -> Actor:
        return Actor(username=self.username, role=self.role, user_id=self.id)

    def is_locked(self, now: datetime | None = None) -> bool:
        return self.locked_until is not None and self.locked_until > (now or utcnow())


def _info(user: User) -> UserInfo:
    return UserInfo(
        id=user.id,
        username=user.username,
        display_name=user.display_name,
        email=user.email,
        role=Role(user.role),
        is_active=user.is_active,
        created_at=user.created_at,
        created_by=user.created_by,
        last_login_at=user.last_login_at,
        locked_until=user.locked_until,
    )


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
    value = (display_name or "").strip() or username
    if len(value) > 200:
        raise ValidationError("Display name too long: at most 200 characters.")
    return value


def user_count(session: Session) -> int:
    """How many accounts exist (zero means the workbench awaits its first administrator)."""
    return session.scalar(select(func.count()).select_from(User)) or 0


def _by_username(session: Session, username: str) -> User | None:
    return session.scalars(select(User).where(User.username == username)).first()


def _check_unique(session: Session, username: str, email: str | None) -> None:
    if _by_username(session, username) is not None:
        raise Conflict(f"Username {username!r} is already taken.")
    if email and session.scalars(select(User).where(User.email == email)).first() is not None:
        raise Conflict(f"E-mail address {email!r} already belongs to another account.")


def _insert_user(
    session: Session,
    *,
    username: str,
    display_name: str | None,
    role: Role,
    password: str | None,
    email: str | None,
    created_by: str,
) -> User:
    username = normalise_username(username)
    email = _normalise_email(email)
    if password is not None:
        check_password_policy(password)
    _check_unique(session, username, email)
    user = User(
        username=username,
        display_name=_display_name(display_name, username),
        email=email,
        role=role.value,
        password_hash=hash_password(password) if password is not None else None,
        is_active=True,
        failed_attempts=0,
        created_at=utcnow(),
        created_by=created_by,
    )
    session.add(user)
    try:
        session.flush()
    except IntegrityError as exc:  # a concurrent creation won the race
        session.rollback()
        raise Conflict(f"Username {username!r} or its e-mail is already taken.") from exc
    return user


def create_first_admin(
    session: Session,
    *,
    username: str,
    password: str,
    display_name: str | None = None,
    email: str | None = None,
) -> UserInfo:
    """Create the first administrator; refused once any account exists."""
    if session.get_bind().dialect.name == "postgresql":
        # Two browsers racing to be first: only one may see an empty table.
        session.execute(text("SELECT pg_advisory_xact_lock(4242002)"))
    if user_count(session) > 0:
        session.rollback()
        raise Conflict("An administrator already exists: sign in instead.")
    user = _insert_user(
        session,
        username=username,
        display_name=display_name,
        role=Role.ADMIN,
        password=password,
        email=email,
        created_by="(first start)",
    )
    record_event(
        session,
        actor=Actor(user.username, Role.ADMIN, user.id),
        action="user.created",
        resource_type="user",
        resource_id=user.id,
        details={"after": {"username": user.username, "role": user.role}, "first_admin": True},
    )
    session.commit()
    return _info(user)


def create_user(
    session: Session,
    *,
    actor: Actor,
    username: str,
    role: Role | str,
    password: str | None,
    display_name: str | None = None,
    email: str | None = None,
) -> UserInfo:
    """Create an account (administrators only).

    ``password`` may be ``None`` only for an account that signs in through the configured
    identity provider, in which case an e-mail address is required.
    """
    authorize(session, actor, Action.USER_CREATE, resource_type="user")
    role = parse_role(role) if isinstance(role, str) else role
    if password is None and not (email or "").strip():
        raise ValidationError("Give a password, or an e-mail address for single sign-on.")
    if role is not Role.ADMIN and user_count(session) == 0:
        # Otherwise nobody could ever manage accounts, and the first-start form is gone.
        raise ValidationError(
            "The first account must be an administrator: create one with --role admin first."
        )
    user = _insert_user(
        session,
        username=username,
        display_name=display_name,
        role=role,
        password=password,
        email=email,
        created_by=actor.username,
    )
    record_event(
        session,
        actor=actor,
        action="user.created",
        resource_type="user",
        resource_id=user.id,
        details={
            "after": {
                "username": user.username,
                "display_name": user.display_name,
                "email": user.email,
                "role": user.role,
            }
        },
    )
    session.commit()
    return _info(user)


def list_users(session: Session, *, actor: Actor) -> list[UserInfo]:
    authorize(session, actor, Action.USER_READ, resource_type="user")
    return [_info(u) for u in session.scalars(select(User).order_by(User.username))]


def get_user(session: Session, user_id: int) -> UserInfo | None:
    """The account behind a browser session, re-read on every page run (no permission)."""
    user = session.get(User, user_id, populate_existing=True)
    return _info(user) if user else None


def actor_for_username(session: Session, username: str) -> Actor:
    """The active account ``username`` as an actor, for command-line work done in its name."""
    user = _by_username(session, (username or "").strip().lower())
    if user is None:
        raise NotFound(f"No account named {username!r}.")
    if not user.is_active:
        raise PermissionDenied(f"Account {user.username!r} is deactivated.")
    return Actor(user.username, Role(user.role), user.id)


def _load(session: Session, user_id: int) -> User:
    user = session.get(User, user_id, populate_existing=True)
    if user is None:
        raise NotFound(f"No user with id {user_id}.")
    return user


def _active_admins(session: Session) -> int:
    stmt = select(func.count()).select_from(User).where(User.role == Role.ADMIN.value)
    return session.scalar(stmt.where(User.is_active.is_(True))) or 0


def _commit_edit(session: Session) -> None:
    try:
        session.commit()
    except StaleDataError as exc:
        session.rollback()
        raise Conflict("Someone else changed this account meanwhile: reload and retry.") from exc


def change_role(session: Session, *, actor: Actor, user_id: int, role: Role | str) -> UserInfo:
    """Give a user another role; the last active administrator keeps theirs."""
    authorize(session, actor, Action.USER_CHANGE_ROLE, resource_type="user", resource_id=user_id)
    new_role = parse_role(role) if isinstance(role, str) else role
    user = _load(session, user_id)
    old_role = Role(user.role)
    if old_role == new_role:
        raise ValidationError(f"{user.username} already has the role {new_role.label}.")
    if old_role == Role.ADMIN and user.is_active and _active_admins(session) <= 1:
        raise Conflict("This is the last active administrator: appoint another one first.")
    user.role = new_role.value
    record_event(
        session,
        actor=actor,
        action="user.role_changed",
        resource_type="user",
        resource_id=user.id,
        details={
            "username": user.username,
            "before": {"role": old_role.value},
            "after": {"role": new_role.value},
        },
    )
    _commit_edit(session)
    return _info(user)


def set_active(session: Session, *, actor: Actor, user_id: int, active: bool) -> UserInfo:
    """Deactivate or reactivate an account (accounts are never deleted)."""
    action = Action.USER_REACTIVATE if active else Action.USER_DEACTIVATE
    authorize(session, actor, action, resource_type="user", resource_id=user_id)
    user = _load(session, user_id)
    if user.is_active == active:
        state = "active" if active else "deactivated"
        raise ValidationError(f"{user.username} is already {state}.")
    if not active:
        if actor.user_id == user.id:
            raise Conflict("You cannot deactivate your own account.")
        if user.role == Role.ADMIN.value and _active_admins(session) <= 1:
            raise Conflict("This is the last active administrator: appoint another one first.")
    user.is_active = active
    if active:
        user.failed_attempts = 0
        user.locked_until = None
    record_event(
        session,
        actor=actor,
        action="user.reactivated" if active else "user.deactivated",
        resource_type="user",
        resource_id=user.id,
        details={
            "username": user.username,
            "before": {"is_active": not active},
            "after": {"is_active": active},
        },
    )
    _commit_edit(session)
    return _info(user)


def reset_password(session: Session, *, actor: Actor, user_id: int, new_password: str) -> UserInfo:
    """Set another user's password and lift any lockout (administrators only)."""
    authorize(session, actor, Action.USER_RESET_PASSWORD, resource_type="user", resource_id=user_id)
    check_password_policy(new_password)
    user = _load(session, user_id)
    user.password_hash = hash_password(new_password)
    user.failed_attempts = 0
    user.locked_until = None
    record_event(
        session,
        actor=actor,
        action="user.password_reset",
        resource_type="user",
        resource_id=user.id,
        details={"username": user.username},
    )
    _commit_edit(session)
    return _info(user)


def change_own_password(
    session: Session, *, actor: Actor, current_password: str, new_password: str
) -> None:
    """Let a signed-in person change their own password, proving the current one."""
    if actor.is_system or actor.user_id is None:
        raise PermissionDenied("Only a signed-in person has a password to change.")
    user = _load(session, actor.user_id)
    if not user.is_active:
        raise PermissionDenied("Your account is not active.")
    if not verify_password(user.password_hash, current_password):
        raise ValidationError("The current password is wrong.")
    check_password_policy(new_password)
    if current_password == new_password:
        raise ValidationError("The new password must differ from the current one.")
    user.password_hash = hash_password(new_password)
    record_event(
        session,
        actor=actor,
        action="user.password_changed",
        resource_type="user",
        resource_id=user.id,
        details={"username": user.username},
    )
    _commit_edit(session)


def authenticate(session: Session, *, username: str, password: str, settings: Settings) -> UserInfo:
    """Check a sign-in; failures are audited and repeated ones lock the account."""
    name = (username or "").strip().lower()
    now = utcnow()
    user = _by_username(session, name) if name else None
    if user is None:
        verify_password(None, password)  # equal timing whether or not the name exists
        _fail(session, name or "(blank)", None, "unknown user")
        raise AuthenticationFailed(WRONG_CREDENTIALS)
    if user.locked_until is not None and user.locked_until > now:
        _fail(session, user.username, user, "account locked")
        until = user.locked_until.strftime("%H:%M UTC")
        raise AuthenticationFailed(
            f"Too many failed attempts: this account is locked until {until}. "
            "Wait, or ask an administrator to reset the password."
        )
    if not verify_password(user.password_hash, password):
        user.failed_attempts = (user.failed_attempts or 0) + 1
        locked = user.failed_attempts >= settings.lockout_threshold
        if locked:
            user.locked_until = now + timedelta(minutes=settings.lockout_minutes)
            user.failed_attempts = 0
        _fail(session, user.username, user, "wrong password", locked=locked)
        if locked:
            raise AuthenticationFailed(
                f"Too many failed attempts: this account is locked for "
                f"{settings.lockout_minutes} minutes."
            )
        raise AuthenticationFailed(WRONG_CREDENTIALS)
    if not user.is_active:
        # Said only after the password proved right, so the state of an account is not
        # revealed to someone guessing.
        _fail(session, user.username, user, "account deactivated")
        raise AuthenticationFailed(
            "This account has been deactivated. Ask an administrator to reactivate it."
        )
    user.failed_attempts = 0
    user.locked_until = None
    return _signed_in(session, user, {"method": "password"})


def _fail(
    session: Session, username: str, user: User | None, reason: str, *, locked: bool = False
) -> None:
    record_event(
        session,
        actor=username[:100],
        action="auth.login_failed",
        resource_type="user",
        resource_id=user.id if user else None,
        details={"reason": reason},
    )
    if locked and user is not None:
        record_event(
            session,
            actor="system",
            action="auth.account_locked",
            resource_type="user",
            resource_id=user.id,
            details={"username": user.username, "until": user.locked_until},
        )
    session.commit()


def authenticate_oidc(session: Session, *, email: str, subject: str | None = None) -> UserInfo:
    """Map an identity provider's verified e-mail to an active account and its role."""
    address = _normalise_email(email)
    if address is None:
        raise AuthenticationFailed("The identity provider sent no e-mail address.")
    user = session.scalars(select(User).where(User.email == address)).first()
    if user is None or not user.is_active:
        reason = "no account for this e-mail" if user is None else "account deactivated"
        _fail(session, address, user, f"single sign-on: {reason}")
        raise AuthenticationFailed(
            f"{address} has no active account in the workbench. "
            "Ask an administrator to create one with this e-mail address."
        )
    return _signed_in(session, user, {"method": "oidc", "subject": subject})


def _signed_in(session: Session, user: User, details: dict[str, object]) -> UserInfo:
    """Record a successful sign-in (time and audit event) and commit."""
    user.last_login_at = utcnow()
    record_event(
        session,
        actor=Actor(user.username, Role(user.role), user.id),
        action="auth.login",
        resource_type="user",
        resource_id=user.id,
        details=details,
    )
    session.commit()
    return _info(user)


def record_logout(session: Session, *, actor: Actor, reason: str = "signed out") -> None:
    record_event(
        session,
        actor=actor,
        action="auth.logout",
        resource_type="user",
        resource_id=actor.user_id,
        details={"reason": reason},
    )
    session.commit()
