"""The bell and the notifications page under AppTest: counts, listing, marking, empty state,
links, and notification text shown as written, for two roles."""

from __future__ import annotations

import pytest

from governance.auth.roles import Role
from tests.app.support import (
    OVERVIEW,
    events,
    markdown_literal,
    messages,
    ok,
    open_page,
    shown,
    signed_in,
    titles,
)
from tests.factories import make_notification

pytestmark = pytest.mark.app

NOTIFICATIONS = "views/notifications.py"


def bell(at) -> str:
    """The bell's label as a reader sees it."""
    [link] = [e for e in at.sidebar.get("page_link") if "Notifications" in e.proto.label]
    return shown(link.proto.label).replace("**", "")


def bodies(at) -> list[str]:
    return [m.value for m in at.main.markdown]


def mark_buttons(at) -> list[str]:
    return sorted(b.key for b in at.button if (b.key or "").startswith("mark_read_"))


@pytest.fixture(params=[Role.COMPLIANCE_OFFICER, Role.EXECUTIVE], ids=lambda r: r.value)
def person(request, make_user):
    return make_user(request.param, display_name=f"Test {request.param.label}")


def test_the_bell_counts_unread_and_the_page_lists_them_newest_first(workbench, person):
    make_notification(workbench, person, "First", "The first one.")
    make_notification(workbench, person, "Second", "The second one.")
    at = signed_in(person.username)
    assert bell(at) == "Notifications · 2 unread"

    open_page(at, NOTIFICATIONS)
    assert titles(at) == ["Notifications"]
    text = "\n".join(bodies(at))
    assert text.index("Second") < text.index("First")
    assert "**Second** :blue-badge[New]" in bodies(at)
    assert len(mark_buttons(at)) == 2


def test_mark_as_read_lowers_the_count(workbench, person):
    first = make_notification(workbench, person, "First")
    make_notification(workbench, person, "Second")
    at = open_page(signed_in(person.username), NOTIFICATIONS)

    ok(at.button(key=f"mark_read_{first}").click().run())

    assert messages(at, "success") == ["Marked as read."]
    assert bell(at) == "Notifications · 1 unread"
    assert f"mark_read_{first}" not in mark_buttons(at)
    assert "First" in bodies(at)  # still listed, no longer bold
    assert not any(b.startswith("**First**") for b in bodies(at))


def test_mark_all_as_read_empties_the_bell_and_unread_only_then_shows_nothing(workbench, person):
    for i in range(3):
        make_notification(workbench, person, f"N{i}")
    at = open_page(signed_in(person.username), NOTIFICATIONS)

    ok(at.button(key="notifications_mark_all").click().run())

    assert messages(at, "success") == ["Marked 3 notifications as read."]
    assert bell(at) == "Notifications"
    assert mark_buttons(at) == []
    assert at.button(key="notifications_mark_all").disabled
    ok(at.toggle(key="notifications_unread_only").set_value(True).run())
    assert messages(at, "info") == ["Nothing unread."]


def test_an_empty_inbox_says_what_will_appear(person):
    at = signed_in(person.username)
    assert bell(at) == "Notifications"
    open_page(at, NOTIFICATIONS)
    [empty] = messages(at, "info")
    assert empty.startswith("No notifications yet.") and "approvals" in empty
    assert at.button(key="notifications_mark_all").disabled


def test_each_person_sees_only_their_own(workbench, admin, person):
    make_notification(workbench, admin, "For the administrator only")
    at = open_page(signed_in(person.username), NOTIFICATIONS)
    assert bell(at) == "Notifications"
    assert not any("administrator only" in b for b in bodies(at))


def test_the_bell_shows_on_other_pages_too(workbench, person):
    make_notification(workbench, person)
    at = signed_in(person.username)
    assert titles(at) == ["Overview"]
    assert bell(at) == "Notifications · 1 unread"
    open_page(at, "views/account.py")
    assert bell(at) == "Notifications · 1 unread"


def test_a_link_opens_the_subject_page_only_when_the_role_has_it(workbench, person):
    make_notification(workbench, person, "Policy changed", link="/fairness?assessment=3")
    make_notification(workbench, person, "Trail checked", link="/audit_trail")
    at = open_page(signed_in(person.username), NOTIFICATIONS)
    links = {e.proto.page: e.proto for e in at.main.get("page_link")}
    fairness = next(p for page, p in links.items() if "fairness" in page)
    assert fairness.label == "Open"
    if person.role is Role.COMPLIANCE_OFFICER:  # officers read the audit trail
        assert any("audit_trail" in page for page in links)
    else:
        assert not any("audit_trail" in page for page in links)
        assert "The page it refers to is not open to your role." in [c.value for c in at.caption]


@pytest.mark.parametrize(
    "title",
    [
        "<b>bold</b> <script>alert(1)</script>",
        "**Approve** [now](https://evil.example) :material/warning: $x^2$",
        "# Heading\u200b and `code` and ~~gone~~ www.evil.example admin@evil.example",
    ],
)
def test_markup_in_a_title_or_body_shows_as_written(workbench, person, title):
    make_notification(workbench, person, title, f"Body: {title}")
    at = open_page(signed_in(person.username), NOTIFICATIONS)
    [head] = [b for b in bodies(at) if b.startswith("**")]
    assert markdown_literal(head.removeprefix("**").removesuffix("** :blue-badge[New]")) == title
    [body] = [b for b in bodies(at) if b.startswith("Body")]
    assert markdown_literal(body) == f"Body: {title}"


def test_the_page_writes_no_audit_event_when_read_or_marked(workbench, store, person):
    make_notification(workbench, person)
    at = open_page(signed_in(person.username), NOTIFICATIONS)
    before = [e.action for e in events(store)]
    ok(at.button(key="notifications_mark_all").click().run())
    open_page(at, OVERVIEW)
    assert [e.action for e in events(store)] == before
