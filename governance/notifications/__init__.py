"""In-app notifications: delivered by services in their own transaction, read by their
recipient (the bell and the notifications page)."""

from governance.notifications.conditions import close_condition, notify_on_opening, open_condition
from governance.notifications.service import (
    Notice,
    NotificationInfo,
    deliver_many,
    list_for,
    mark_all_read,
    mark_read,
    notify,
    notify_role,
    role_members,
    unread_count,
)

__all__ = [
    "Notice",
    "NotificationInfo",
    "close_condition",
    "deliver_many",
    "list_for",
    "mark_all_read",
    "mark_read",
    "notify",
    "notify_on_opening",
    "notify_role",
    "open_condition",
    "role_members",
    "unread_count",
]
