"""Which pages each role sees. Services enforce permissions regardless of what is shown."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from governance.auth.roles import Action, Role, is_allowed


@dataclass(frozen=True, slots=True)
class PageSpec:
    path: str
    title: str
    icon: str
    section: str
    needs: Action | None = None  # None: every signed-in role


PAGES: tuple[PageSpec, ...] = (
    PageSpec("pages/overview.py", "Overview", ":material/dashboard:", "Workbench"),
    PageSpec(
        "pages/audit_trail.py",
        "Audit trail",
        ":material/receipt_long:",
        "Assurance",
        Action.AUDIT_READ,
    ),
    PageSpec(
        "pages/users.py", "Users and roles", ":material/group:", "Administration", Action.USER_READ
    ),
    PageSpec("pages/account.py", "My account", ":material/person:", "Administration"),
)


def visible_pages(role: Role) -> list[PageSpec]:
    return [p for p in PAGES if p.needs is None or is_allowed(role, p.needs)]


def build_navigation(role: Role) -> dict[str, list[st.Page]]:
    sections: dict[str, list[st.Page]] = {}
    for spec in visible_pages(role):
        page = st.Page(
            spec.path, title=spec.title, icon=spec.icon, default=spec.path == "pages/overview.py"
        )
        sections.setdefault(spec.section, []).append(page)
    return sections
