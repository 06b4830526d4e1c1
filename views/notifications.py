"""Notifications: what the workbench has told you, newest first; mark them read."""

import streamlit as st

from governance.notifications import list_for, mark_all_read
from ui.auth import current_user
from ui.feedback import show_flashes
from ui.notifications import render_notification, unread_this_run
from ui.work import run, submit

LIMIT = 50
EMPTY = (
    "No notifications yet. This is where the workbench tells you what needs you: approvals "
    "you are asked to give, decisions on what you submitted, deprecations of models you own "
    "or watch, and performance falling below its threshold on models you own."
)


def marked(count: int) -> str:
    if count == 0:
        return "Nothing was unread."
    return f"Marked {count:d} notification{'' if count == 1 else 's'} as read."


user = current_user()
st.title("Notifications")
show_flashes()

unread = unread_this_run()
left, right = st.columns([3, 1], vertical_alignment="center")
left.caption(f"{unread:d} unread." if unread else "Everything is read.")
only_unread = left.toggle("Unread only", key="notifications_unread_only")
mark_all = right.button(
    "Mark all as read",
    key="notifications_mark_all",
    icon=":material/done_all:",
    disabled=not unread,
)
if mark_all:
    submit(mark_all_read, marked, actor=user.actor())

items = run(list_for, actor=user.actor(), unread_only=only_unread, limit=LIMIT)
if items is None:
    st.stop()
if not items:
    st.info("Nothing unread." if only_unread else EMPTY, icon=":material/notifications_none:")
for item in items:
    render_notification(item, user)
if len(items) == LIMIT:
    st.caption(f"The {LIMIT:d} most recent are shown.")
