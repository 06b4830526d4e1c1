"""The audit trail page: chain verification, tampering, filters and the lazy export."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from governance.auth.roles import Role
from governance.clock import utcnow
from tests.app.support import (
    AUDIT_TRAIL,
    events,
    messages,
    new_app,
    ok,
    open_page,
    sign_in,
    signed_in,
)

pytestmark = pytest.mark.app


def _event_table(at):
    [table] = [df.value for df in at.dataframe if "action" in df.value.columns]
    return table


def _match_line(at) -> str:
    [line] = [m.value for m in at.markdown if m.value.endswith("event(s) match.")]
    return line


def _tamper(store, event_id: int) -> None:
    """Edit one stored event the way someone with database access could (SQLite)."""
    with store.engine.begin() as conn:
        conn.execute(text("DROP TRIGGER audit_events_no_update"))
        conn.execute(
            text("UPDATE audit_events SET details = :details WHERE id = :id"),
            {"details": '{"reason": "nothing to see here"}', "id": event_id},
        )


@pytest.fixture
def audit_page(admin, make_user):
    make_user(Role.DATA_SCIENTIST, "dana")
    sign_in(new_app(), "dana", "wrong password, twice over")  # a failed sign-in to look at
    at = signed_in(admin.username)
    return open_page(at, AUDIT_TRAIL)


def _facts(at) -> str:
    [facts] = [m.value for m in at.markdown if m.value.startswith("**Head:**")]
    return facts


def _verify_everything(at):
    return ok(at.button(key="audit_verify_full").click().run())


def test_intact_chain_is_reported_incrementally_with_the_head(store, audit_page):
    trail = events(store)
    count = len(trail)
    assert count >= 4  # first admin, dana created, failed sign-in, admin's sign-in

    # The overview verified the whole trail at sign-in; the page checks what came since.
    assert messages(audit_page, "success") == [
        f"Audit chain intact up to event {count}: 0 new events verified since event {count}."
    ]
    assert messages(audit_page, "error") == []
    facts = _facts(audit_page)
    assert f"**Head:** event {count}, hash `{trail[-1].hash}`" in facts
    assert f"events 1 to {count}" in facts  # the last full verification
    assert "**Last checkpoint:** none yet" in facts
    assert _match_line(audit_page) == f"{count} event(s) match."
    table = _event_table(audit_page)
    assert list(table["id"]) == sorted(range(1, count + 1), reverse=True)  # newest first
    # Roles read as people say them; a failed sign-in has no role.
    assert set(table.loc[table["action"] == "auth.login", "actor_role"]) == {"Administrator"}
    assert set(table.loc[table["action"] == "auth.login_failed", "actor_role"]) == {""}

    full = _verify_everything(audit_page)
    # One verdict: the full one replaces the incremental check in the panel.
    assert messages(full, "success") == [f"Audit chain intact: {count} events verified."]
    assert "Checked now: every event's hash and link, from the first." in " ".join(
        c.value for c in full.caption
    )


def test_new_events_are_verified_on_the_next_view(store, audit_page, make_user):
    before = len(events(store))
    make_user(Role.AUDITOR, "newcomer")
    make_user(Role.AUDITOR, "another")
    ok(audit_page.run())
    assert messages(audit_page, "success") == [
        f"Audit chain intact up to event {before + 2}: 2 new events verified since event {before}."
    ]


def test_an_edited_new_event_breaks_the_chain_and_is_named(store, audit_page, make_user):
    make_user(Role.AUDITOR, "newcomer")
    [created] = [
        e for e in events(store, "user.created") if e.details["after"]["username"] == "newcomer"
    ]
    _tamper(store, created.id)
    ok(audit_page.run())

    assert messages(audit_page, "success") == []
    assert messages(audit_page, "error") == [
        f"Audit chain BROKEN at event {created.id}: "
        "its content does not match its hash (the event was edited)"
    ]
    # The edited content is what the table now shows: the page reports, it does not repair.
    table = _event_table(audit_page)
    assert "nothing to see here" in table.loc[table["id"] == created.id, "details"].item()


def test_an_older_edit_is_left_to_the_full_verification_which_names_it(store, audit_page):
    [failed] = events(store, "auth.login_failed")
    _tamper(store, failed.id)
    ok(audit_page.run())
    # What the incremental check cannot see, the page says it does not look at ...
    assert messages(audit_page, "error") == []
    [caption] = [c.value for c in audit_page.caption if c.value.startswith("Checked now")]
    assert "Older events were not read again" in caption
    # ... and the full verification finds it.
    full = _verify_everything(audit_page)
    assert (
        f"Audit chain BROKEN at event {failed.id}: "
        "its content does not match its hash (the event was edited)"
    ) in messages(full, "error")


def test_removed_newest_events_are_named(store, audit_page):
    count = len(events(store))
    with store.engine.begin() as conn:
        conn.execute(text("DROP TRIGGER audit_events_no_delete"))
        conn.execute(text("DELETE FROM audit_events WHERE id > 2"))
    ok(audit_page.run())

    [error] = messages(audit_page, "error")
    assert error.startswith("Audit chain BROKEN at event 3: the trail ends at event 2, but ")
    assert f"events 3 to {count} were removed" in error


def test_a_deleted_older_event_is_named_as_missing_by_the_full_verification(store, audit_page):
    [created] = [
        e for e in events(store, "user.created") if e.details["after"]["username"] == "dana"
    ]
    with store.engine.begin() as conn:
        conn.execute(text("DROP TRIGGER audit_events_no_delete"))
        conn.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": created.id})
    full = _verify_everything(ok(audit_page.run()))

    [error] = [m for m in messages(full, "error") if m.startswith("Audit chain BROKEN")]
    assert error.startswith(f"Audit chain BROKEN at event {created.id + 1}: ")
    assert f"event {created.id} is missing" in error


def test_the_last_checkpoint_is_shown_and_checked_against_the_trail(store, workbench, audit_page):
    from governance.actor import Actor
    from governance.audit.anchor import issue_checkpoint
    from governance.audit.keys import signing_key

    key = signing_key({"GOVERNANCE_CHECKPOINT_KEY": "3c" * 32})
    cp = workbench.run(issue_checkpoint, actor=Actor.command_line(), key=key)
    ok(audit_page.run())
    facts = _facts(audit_page)
    assert f"**Last checkpoint:** {cp.size:,} events, issued" in facts
    assert f"`{cp.key_id}`" in facts and f"head `{cp.head_hash[:16]}…`" in facts
    assert messages(audit_page, "error") == []

    with store.engine.begin() as conn:
        conn.execute(text("DROP TRIGGER audit_events_no_delete"))
        conn.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": cp.size})
    ok(audit_page.run())
    assert (
        f"Event {cp.size:,} no longer has the head hash of the last checkpoint: the trail "
        "was truncated or rewritten since it was issued."
    ) in messages(audit_page, "error")


def test_overview_also_reports_the_broken_chain(store, admin, make_user):
    at = signed_in(admin.username)
    make_user(Role.AUDITOR, "newcomer")
    [created] = events(store, "user.created")[-1:]
    _tamper(store, created.id)
    ok(at.run())

    [chain] = [m for m in at.metric if m.label == "Audit chain"]
    assert chain.value == "BROKEN"
    assert messages(at, "error") == [
        f"Audit chain BROKEN at event {created.id}: "
        "its content does not match its hash (the event was edited)"
    ]


def test_actor_filter_shows_only_that_actors_events(store, audit_page):
    at = audit_page
    assert "dana" in at.selectbox(key="audit_actor").options
    ok(at.selectbox(key="audit_actor").set_value("dana").run())

    expected = [e.id for e in reversed(events(store)) if e.actor == "dana"]
    assert expected  # the failed sign-in is attributed to the name typed
    assert list(_event_table(at)["id"]) == expected
    assert _match_line(at) == f"{len(expected)} event(s) match."


def test_action_family_filter(store, audit_page):
    at = audit_page
    ok(at.selectbox(key="audit_action").set_value("auth.").run())

    table = _event_table(at)
    expected = {e.id for e in events(store) if e.action.startswith("auth.")}
    assert set(table["id"]) == expected
    assert {"auth.login", "auth.login_failed"} <= set(table["action"])


def test_dates_with_no_events_show_a_hint_and_disable_the_export(audit_page):
    at = audit_page
    today = utcnow().date()
    ok(
        at.date_input(key="audit_dates")
        .set_value((today - timedelta(days=9), today - timedelta(days=8)))
        .run()
    )

    assert _match_line(at) == "0 event(s) match."
    assert "No events match these filters. Widen the dates or choose (all)." in messages(at, "info")
    assert not [df for df in at.dataframe if "action" in df.value.columns]
    assert at.get("download_button")[0].disabled


def test_export_is_generated_only_on_click(store, audit_page):
    [button] = audit_page.get("download_button")
    assert button.key == "audit_export"
    assert not button.disabled
    assert button.proto.deferred_file_id  # the CSV is produced when the browser asks for it
    ok(audit_page.run())
    assert events(store, "audit.exported") == []  # so showing the page exports nothing
