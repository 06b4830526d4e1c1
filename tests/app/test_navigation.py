"""Role-filtered navigation: each role reaches exactly the pages the permission matrix allows.

What AppTest does for a page that is not in the navigation: ``AppTest.switch_page`` resolves
the file against the pages the last run registered with ``st.navigation`` and raises
``ValueError`` ("Could not find a navigation page ...") for any other file. A session that is
*already* on a page which then leaves its navigation (the role changed meanwhile), or that
arrives with a page address its role does not have, is sent to the default page (Overview), as
Streamlit does for an unknown page URL.
"""

from __future__ import annotations

import pytest

from governance.auth import service as auth
from governance.auth.roles import PERMISSIONS, Role
from tests.app.support import (
    ACCOUNT,
    AUDIT_TRAIL,
    FAIRNESS,
    OVERVIEW,
    ROOT,
    USERS,
    messages,
    new_app_on,
    ok,
    open_page,
    shows_login_form,
    shows_setup_form,
    sidebar_text,
    sign_in,
    signed_in,
    titles,
)
from ui.navigation import PAGES, visible_pages

pytestmark = pytest.mark.app

TITLES = {
    OVERVIEW: "Overview",
    FAIRNESS: "Fairness assessment",
    AUDIT_TRAIL: "Audit trail",
    USERS: "Users and roles",
    ACCOUNT: "My account",
    "views/notifications.py": "Notifications",
    "views/registry.py": "Model registry",
    "views/risks.py": "Risk register",
    "views/incidents.py": "Incidents",
}


def _matrix_paths(role: Role) -> set[str]:
    """The pages the permission matrix itself grants ``role`` (read from PERMISSIONS)."""
    return {spec.path for spec in PAGES if spec.needs is None or role in PERMISSIONS[spec.needs]}


def _has_user_table(at) -> bool:
    return any("Username" in df.value.columns for df in at.dataframe)


def test_navigation_lists_every_screen_and_no_pages_folder_exists():
    assert {spec.path for spec in PAGES} == set(TITLES)
    assert all((ROOT / path).is_file() for path in TITLES)
    # A pages/ folder next to app.py would switch on Streamlit's file-based multipage mode, in
    # which a page address runs the page file without app.py's gate and the sidebar lists
    # every file to visitors (seen on Streamlit 1.67 before the screens moved to views/).
    assert not (ROOT / "pages").exists()


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_visible_pages_follow_the_permission_matrix(role):
    assert {spec.path for spec in visible_pages(role)} == _matrix_paths(role)


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_each_role_reaches_exactly_its_pages(role, admin, make_user):
    user = admin if role is Role.ADMIN else make_user(role, display_name=f"Test {role.label}")
    allowed = _matrix_paths(role)
    assert {OVERVIEW, ACCOUNT} <= allowed

    at = signed_in(user.username)
    for path, title in TITLES.items():
        if path in allowed:
            open_page(at, path)
            assert titles(at) == [title], path
            assert role.label in sidebar_text(at)  # the run went through app.py
            assert not any("cannot" in e for e in messages(at, "error")), path
        else:
            with pytest.raises(ValueError, match="Could not find a navigation page"):
                at.switch_page(path)


def test_data_scientist_cannot_switch_to_the_users_page(make_user):
    at = signed_in(make_user(Role.DATA_SCIENTIST, "dana").username)

    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(USERS)

    ok(at.run())  # the refused switch left the session where it was
    assert titles(at) == ["Overview"]
    assert not _has_user_table(at)


def test_a_demoted_user_on_the_users_page_is_sent_to_the_overview(
    workbench, store, admin, make_user
):
    audrey = make_user(Role.AUDITOR, "audrey")
    at = signed_in(audrey.username)
    open_page(at, USERS)
    assert titles(at) == ["Users and roles"]
    assert _has_user_table(at)  # auditors may read accounts

    workbench.run(auth.change_role, actor=admin.actor(), user_id=audrey.id, role="data_scientist")
    ok(at.run())  # the browser reruns on the users page it was showing

    assert titles(at) == ["Overview"]
    assert not _has_user_table(at)
    assert "Data scientist" in sidebar_text(at)


@pytest.mark.parametrize("path", list(TITLES))
def test_a_visitor_with_a_page_address_gets_the_sign_in_form(admin, path):
    at = new_app_on(path)

    assert shows_login_form(at)
    assert titles(at) == ["Sign in"]
    assert not at.sidebar.markdown
    assert not at.dataframe
    assert not at.warning  # not even the page's own "Please sign in." fallback


def test_a_page_address_on_a_fresh_database_gets_the_setup_form(store):
    at = new_app_on(USERS)

    assert shows_setup_form(at)
    assert not _has_user_table(at)


def test_the_requested_page_opens_after_signing_in(admin):
    at = sign_in(new_app_on(USERS), "admin")

    assert titles(at) == ["Users and roles"]
    assert _has_user_table(at)


def test_a_requested_page_outside_the_role_falls_back_to_the_overview(make_user):
    at = sign_in(new_app_on(USERS), make_user(Role.EXECUTIVE, "erin").username)

    assert titles(at) == ["Overview"]
    assert not _has_user_table(at)
    assert not messages(at, "error")


def test_signing_out_from_a_page_shows_the_sign_in_form(admin):
    at = open_page(signed_in(admin.username), AUDIT_TRAIL)

    ok(at.button(key="sign_out").click().run())

    assert shows_login_form(at)
    assert messages(at, "info") == ["You have signed out."]
    assert not at.sidebar.markdown
