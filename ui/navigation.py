"""Which pages each role sees.

Services enforce permissions regardless of what is shown. The screens live in ``views/``, not
in Streamlit's magic ``pages/`` folder: with a ``pages/`` folder Streamlit runs a requested page
file directly, without ``app.py``'s sign-in gate, and lists every page name to visitors.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePath

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from governance.auth.roles import Action, Role, is_allowed


@dataclass(frozen=True, slots=True)
class PageSpec:
    path: str
    title: str
    icon: str
    section: str
    needs: Action | None = None  # None: every signed-in role
    # False: reachable by its address and links (the sidebar's bell), not listed in the menu.
    in_menu: bool = True

    @property
    def url_path(self) -> str:
        return PurePath(self.path).stem


PAGES: tuple[PageSpec, ...] = (
    PageSpec("views/overview.py", "Overview", ":material/dashboard:", "Workbench"),
    PageSpec(
        "views/fairness.py", "Fairness", ":material/balance:", "Assessments", Action.FAIRNESS_READ
    ),
    PageSpec(
        "views/registry.py",
        "Model registry",
        ":material/inventory_2:",
        "Assessments",
        Action.REGISTRY_READ,
    ),
    PageSpec(
        "views/risks.py", "Risk register", ":material/warning:", "Assurance", Action.RISK_READ
    ),
    PageSpec(
        "views/incidents.py",
        "Incidents",
        ":material/crisis_alert:",
        "Assurance",
        Action.INCIDENT_READ,
    ),
    PageSpec(
        "views/audit_trail.py",
        "Audit trail",
        ":material/receipt_long:",
        "Assurance",
        Action.AUDIT_READ,
    ),
    PageSpec(
        "views/users.py", "Users and roles", ":material/group:", "Administration", Action.USER_READ
    ),
    PageSpec("views/account.py", "My account", ":material/person:", "Administration"),
    PageSpec(
        "views/notifications.py",
        "Notifications",
        ":material/notifications:",
        "Workbench",
        Action.NOTIFICATION_READ,
        in_menu=False,
    ),
)
DEFAULT_PAGE = "views/overview.py"


def visible_pages(role: Role) -> list[PageSpec]:
    return [p for p in PAGES if p.needs is None or is_allowed(role, p.needs)]


def page_named(role: Role, url_path: str) -> PageSpec | None:
    """The page of ``role`` at address ``url_path`` ("" for the default page), if it has one."""
    for spec in visible_pages(role):
        if spec.url_path == url_path or (not url_path and spec.path == DEFAULT_PAGE):
            return spec
    return None


def signed_in_navigation(role: Role) -> StreamlitPage:
    """The page to run among those the role may use (sidebar menu by section).

    The caller runs it (``.run()``) after drawing the sidebar: links to pages
    (``st.page_link``) resolve only once the navigation has registered them.
    """
    sections: dict[str, list[StreamlitPage]] = {}
    for spec in visible_pages(role):
        page = st.Page(
            spec.path,
            title=spec.title,
            icon=spec.icon,
            url_path=spec.url_path,
            default=spec.path == DEFAULT_PAGE,
            visibility="visible" if spec.in_menu else "hidden",
        )
        sections.setdefault(spec.section, []).append(page)
    return st.navigation(sections)


def run_signed_out(gate: Callable[[], None]) -> None:
    """Every page address shows the sign-in gate, so a deep link survives signing in."""
    pages = [
        st.Page(gate, title="Sign in", url_path=spec.url_path, default=spec.path == DEFAULT_PAGE)
        for spec in PAGES
    ]
    st.navigation(pages, position="hidden").run()
