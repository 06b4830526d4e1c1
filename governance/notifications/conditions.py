"""Notify once per crossing, not once per point: conditions that open and close.

Performance tracking records a point after a point; a model that stays below its threshold
for a week must tell its owner once, when it crosses, and again only after it has recovered
and crossed anew. A condition is a key the caller names ("performance:model_version:42:auc");
opening it notifies only if it was not already open, deciding in one statement under the
row's lock, so two points recorded at the same moment still notify once.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite

from governance.kernel import UnitOfWork, clean_text
from governance.notifications.models import NotificationCondition
from governance.notifications.service import notify

KEY_LIMIT = 200


def open_condition(uow: UnitOfWork, key: str) -> bool:
    """Open condition ``key``; ``True`` only if this call opened it (it was new or closed)."""
    key = clean_text(key, field="Condition key", limit=KEY_LIMIT)
    insert = postgresql.insert if uow.dialect == "postgresql" else sqlite.insert
    table = NotificationCondition.__table__
    stmt = insert(table).values(key=key, opened_at=uow.now(), closed_at=None)
    # A closed condition reopens; an open one is left alone and returns no row.
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.key],
        set_={"opened_at": stmt.excluded.opened_at, "closed_at": None},
        where=table.c.closed_at.is_not(None),
    ).returning(table.c.key)
    return uow.session.execute(stmt).first() is not None


def close_condition(uow: UnitOfWork, key: str) -> bool:
    """Close condition ``key``; ``True`` if it was open."""
    stmt = (
        update(NotificationCondition)
        .where(NotificationCondition.key == key, NotificationCondition.closed_at.is_(None))
        .values(closed_at=uow.now())
        .execution_options(synchronize_session=False)
    )
    return (uow.session.execute(stmt).rowcount or 0) == 1


def notify_on_opening(
    uow: UnitOfWork,
    *,
    condition: str,
    recipients: Iterable[int],
    kind: str,
    title: str,
    body: str,
    link: str | None = None,
    subject: tuple[str, str | int] | None = None,
) -> list[int]:
    """:func:`notify` ``recipients`` if this call opens ``condition``; nobody while it stays
    open. The ids notified are returned (none when it was open already)."""
    if not open_condition(uow, condition):
        return []
    return notify(
        uow, recipients=recipients, kind=kind, title=title, body=body, link=link, subject=subject
    )
