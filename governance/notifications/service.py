"""Notifications: delivered by other services inside their unit, read and marked by their
recipient.

Delivery (:func:`notify`, :func:`notify_role`) is not an action of a person: the service that
calls it has authorized and audited its own change (an approval requested, a version
deprecated), and the notification is written in that same transaction, so it exists exactly
when its cause does. Delivery is therefore not audited again: the cause's event says what
happened, and the records say whom it was shown to.

Marking read is not audited either: it stamps ``read_at`` on the person's own records and
changes nothing governed, and one event per click would bury the trail's evidence under
bookkeeping. ``read_at`` itself keeps when it happened. Trying to read or mark someone else's
notifications is refused and that refusal is audited, as every denial is.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, insert, select, update

from governance.actor import Actor
from governance.audit.events import Resource
from governance.auth.models import User
from governance.auth.roles import Action, Role
from governance.kernel import UnitOfWork, authorize, deny, plain
from governance.notifications import rules
from governance.notifications.models import Notification

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


@dataclass(frozen=True, slots=True)
class NotificationInfo:
    """A notification as its recipient sees it."""

    id: int
    kind: str
    title: str
    body: str
    link: str | None
    subject_type: str | None
    subject_id: str | None
    created_at: datetime
    read_at: datetime | None

    @property
    def unread(self) -> bool:
        return self.read_at is None


def notify(
    uow: UnitOfWork,
    *,
    recipients: Iterable[int],
    kind: str,
    title: str,
    body: str,
    link: str | None = None,
    subject: tuple[str, str | int] | None = None,
) -> list[int]:
    """Deliver one notification to each active account among ``recipients`` (user ids, each
    once however often named) in the caller's unit; the ids delivered to are returned.

    Call it after the cause is written and before returning: a later refusal or error in the
    unit rolls the notification back with its cause. Bad content (an external link, an
    over-long title) is a :class:`ValidationError` that ends the caller's unit too: a cause
    whose notice cannot be written is not half-done.
    """
    kind = rules.clean_kind(kind)
    title = rules.clean_title(title)
    body = rules.clean_body(body)
    link = rules.clean_link(link)
    subject_type, subject_id = rules.clean_subject(subject)
    wanted = sorted(set(recipients))
    if not wanted:
        return []
    rows = uow.session.execute(select(User.id, User.is_active).where(User.id.in_(wanted))).all()
    unknown = set(wanted) - {row.id for row in rows}
    if unknown:
        # Accounts are never deleted, so an id that names none is the caller's mistake.
        raise ValueError(f"no account with id {sorted(unknown)}")
    active = sorted(row.id for row in rows if row.is_active)
    now = uow.now()
    uow.session.add_all(
        Notification(
            recipient_id=user_id,
            kind=kind,
            title=title,
            body=body,
            link=link,
            subject_type=subject_type,
            subject_id=subject_id,
            created_at=now,
        )
        for user_id in active
    )
    uow.flush("these notifications")
    return active


def role_members(
    uow: UnitOfWork, *, roles: Collection[Role], exclude: Iterable[int] = ()
) -> list[int]:
    """The ids of the active accounts holding one of ``roles``, except ``exclude`` (the
    person who may not act on their own request, say)."""
    stmt = select(User.id).where(User.role.in_([Role(r).value for r in roles]), User.is_active)
    skip = set(exclude)
    members = uow.session.scalars(stmt.order_by(User.id))
    return [user_id for user_id in members if user_id not in skip]


def notify_role(
    uow: UnitOfWork,
    *,
    roles: Collection[Role],
    exclude: Iterable[int] = (),
    kind: str,
    title: str,
    body: str,
    link: str | None = None,
    subject: tuple[str, str | int] | None = None,
) -> list[int]:
    """:func:`notify` everyone active in ``roles`` but ``exclude``.

    Pass the roles the matrix lets act (``PERMISSIONS[Action.X]``), so that "all approvers"
    follows the matrix when it changes.
    """
    recipients = role_members(uow, roles=roles, exclude=exclude)
    return notify(
        uow, recipients=recipients, kind=kind, title=title, body=body, link=link, subject=subject
    )


def list_for(
    uow: UnitOfWork, *, actor: Actor, unread_only: bool = False, limit: int = DEFAULT_LIMIT
) -> list[NotificationInfo]:
    """The actor's own notifications, newest first (at most ``limit``, up to 200)."""
    authorize(uow, actor, Action.NOTIFICATION_READ, Resource.NOTIFICATION)
    stmt = select(Notification).where(Notification.recipient_id == actor.user_id)
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    stmt = stmt.order_by(Notification.id.desc()).limit(max(1, min(limit, MAX_LIMIT)))
    return [plain(NotificationInfo, n) for n in uow.session.scalars(stmt)]


def unread_count(uow: UnitOfWork, *, actor: Actor) -> int:
    """How many of the actor's notifications are unread: one indexed count, for the bell that
    every page run shows.

    No separate :func:`authorize`: every role may read its own notifications, so all it would
    establish is that the account is active, which the join below does in the same statement
    (an inactive account counts none). A bell is not an attempt to read, so nothing is denied.
    """
    stmt = (
        select(func.count())
        .select_from(Notification)
        .join(User, User.id == Notification.recipient_id)
        .where(
            Notification.recipient_id == actor.user_id,
            Notification.read_at.is_(None),
            User.is_active,
        )
    )
    return uow.session.scalar(stmt) or 0


def mark_read(uow: UnitOfWork, *, actor: Actor, ids: Iterable[int]) -> int:
    """Mark the actor's notifications ``ids`` read; how many were unread is returned.

    Any id that is not the actor's own (someone else's, or none at all) refuses the whole
    call, audited as a denial. Already read ones keep their first ``read_at``.
    """
    authorize(uow, actor, Action.NOTIFICATION_MARK_READ, Resource.NOTIFICATION)
    wanted = sorted(set(ids))
    if not wanted:
        return 0
    rows = uow.session.execute(
        select(Notification.id, Notification.recipient_id).where(Notification.id.in_(wanted))
    )
    owners = {row.id: row.recipient_id for row in rows}
    foreign = [i for i in wanted if owners.get(i) != actor.user_id]
    if foreign:
        deny(
            uow,
            actor,
            Action.NOTIFICATION_MARK_READ,
            Resource.NOTIFICATION,
            foreign[0],
            reason="not the recipient" if foreign[0] in owners else "no such notification",
            message="You can mark only your own notifications as read.",
        )
    return _stamp_read(uow, Notification.id.in_(wanted), actor)


def mark_all_read(uow: UnitOfWork, *, actor: Actor) -> int:
    """Mark every unread notification of the actor read; how many that was is returned."""
    authorize(uow, actor, Action.NOTIFICATION_MARK_READ, Resource.NOTIFICATION)
    return _stamp_read(uow, Notification.recipient_id == actor.user_id, actor)


def _stamp_read(uow: UnitOfWork, which: ColumnElement[bool], actor: Actor) -> int:
    # One conditional UPDATE: two tabs marking at once both succeed, each stamping only what
    # was still unread when its statement ran (the later one finds nothing left).
    stmt = (
        update(Notification)
        .where(
            which,
            Notification.recipient_id == actor.user_id,
            Notification.read_at.is_(None),
        )
        .values(read_at=uow.now())
        .execution_options(synchronize_session=False)
    )
    return uow.session.execute(stmt).rowcount or 0


@dataclass(frozen=True, slots=True)
class Notice:
    """One notification to several people, for :func:`deliver_many`."""

    recipients: tuple[int, ...]
    kind: str
    title: str
    body: str
    link: str | None = None
    subject: tuple[str, str | int] | None = None


def deliver_many(uow: UnitOfWork, notices: Iterable[Notice]) -> int:
    """Deliver many notices at once (a sweep escalating thousands of incidents): each checked
    as :func:`notify` checks one, then written in batches of one INSERT each, to the active
    accounts among their recipients. How many notifications were written is returned."""
    items = list(notices)
    wanted = sorted({r for n in items for r in n.recipients})
    if not wanted:
        return 0
    active = set(uow.session.scalars(select(User.id).where(User.id.in_(wanted), User.is_active)))
    now = uow.now()
    rows = []
    for notice in items:
        kind = rules.clean_kind(notice.kind)
        title = rules.clean_title(notice.title)
        body = rules.clean_body(notice.body)
        link = rules.clean_link(notice.link)
        subject_type, subject_id = rules.clean_subject(notice.subject)
        rows.extend(
            {
                "recipient_id": user_id,
                "kind": kind,
                "title": title,
                "body": body,
                "link": link,
                "subject_type": subject_type,
                "subject_id": subject_id,
                "created_at": now,
                "read_at": None,
            }
            for user_id in sorted(set(notice.recipients) & active)
        )
    table = Notification.__table__
    for start in range(0, len(rows), _BATCH):
        uow.session.execute(insert(table), rows[start : start + _BATCH])
    return len(rows)


_BATCH = 5000
