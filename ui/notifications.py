"""The sidebar's bell and the parts of the notifications page."""

from __future__ import annotations

import streamlit as st

from governance.auth.roles import Role
from governance.auth.service import UserInfo
from governance.notifications import NotificationInfo, mark_read, unread_count
from governance.notifications.rules import link_parts
from ui.formatting import local_time, time_ago
from ui.navigation import page_named
from ui.text import markdown_text
from ui.work import run, submit

NOTIFICATIONS_PAGE = "views/notifications.py"
_UNREAD = "_notifications_unread"  # this run's count, read by the page


def render_bell(user: UserInfo) -> None:
    """A link to the notifications page with the unread count: one indexed count per run."""
    count = run(unread_count, actor=user.actor())
    st.session_state[_UNREAD] = count or 0
    if count:
        st.page_link(
            NOTIFICATIONS_PAGE,
            label=f"Notifications · **{count:d}** unread",
            icon=":material/notifications_active:",
        )
    else:
        st.page_link(NOTIFICATIONS_PAGE, label="Notifications", icon=":material/notifications:")


def unread_this_run() -> int:
    """The unread count the bell showed in this run (the page asks no second time)."""
    return int(st.session_state.get(_UNREAD, 0))


def _target(link: str | None, role: Role) -> tuple[str, dict[str, str]] | None:
    """The page file and query of ``link``, if the role has that page."""
    if link is None:
        return None
    name, query = link_parts(link)
    spec = page_named(role, name)
    return None if spec is None else (spec.path, query)


def render_notification(item: NotificationInfo, user: UserInfo) -> None:
    """One notification: title (bold and marked new while unread), body, when, its link."""
    with st.container(border=True, key=f"notification_{item.id}"):
        if item.unread:
            st.markdown(f"**{markdown_text(item.title)}** :blue-badge[New]")
        else:
            st.markdown(markdown_text(item.title))
        if item.body:
            st.markdown(markdown_text(item.body))
        if item.unread:
            st.caption(f"{time_ago(item.created_at)} · {local_time(item.created_at)}")
        else:
            st.caption(
                f"{time_ago(item.created_at)} · {local_time(item.created_at)} · "
                f"read {local_time(item.read_at)}"
            )
        target = _target(item.link, user.role)
        if item.link is not None and target is None:
            st.caption("The page it refers to is not open to your role.")
        if target is None and not item.unread:
            return
        actions = st.container(horizontal=True, vertical_alignment="center")
        if target is not None:
            page, query = target
            actions.page_link(page, label="Open", icon=":material/open_in_new:", query_params=query)
        if item.unread and actions.button(
            "Mark as read", key=f"mark_read_{item.id}", icon=":material/done:"
        ):
            submit(mark_read, "Marked as read.", actor=user.actor(), ids=[item.id])
