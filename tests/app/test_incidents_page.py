"""The incidents page per role: the list (overdue clocks, escalation), a deep-linked
incident with its forms, the report form and its refusals, metrics and the policy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from governance import incidents
from governance.auth.roles import Role
from tests.app.support import messages, ok, open_page, signed_in, titles

pytestmark = pytest.mark.app
PAGE = "views/incidents.py"


@pytest.fixture
def carla(make_user):
    return make_user(Role.COMPLIANCE_OFFICER, "carla")


@pytest.fixture
def erin(make_user):
    return make_user(Role.EXECUTIVE, "erin")


def _report(workbench, by, **kw):
    values = {
        "incident_type": "security", "severity": "critical", "title": "Key leaked <b>bold</b>",
        "description": "**not bold**\nsecond line", "detected_at": datetime.now(UTC),
    }  # fmt: skip
    values.update(kw)
    return workbench.run(incidents.report_incident, actor=by.actor(), **values)


def _page(username: str, incident: int | None = None, tab: str | None = None):
    at = signed_in(username)
    if incident is not None:
        at.query_params["incident"] = str(incident)
    if tab is not None:
        at.session_state["inc_tabs"] = tab
    open_page(at, PAGE)
    assert titles(at) == ["Incidents"], messages(at, "error")
    return at


def _table(at, column: str):
    [table] = [df.value for df in at.dataframe if column in getattr(df.value, "columns", [])]
    return table


def _data(table):
    return getattr(table, "data", table)


def test_empty_list_says_what_to_do(carla, erin):
    at = _page("carla")
    assert any("Report the first one" in m for m in messages(at, "info"))
    at = _page("erin")
    assert any("ask one of them" in m for m in messages(at, "info"))


def test_list_shows_level_and_the_overdue_clock_in_red(workbench, carla, erin):
    _report(workbench, carla)
    _report(workbench, carla, severity="low", title="Drift", serious=True,
            detected_at=datetime.now(UTC) - timedelta(days=20))  # fmt: skip
    at = _page("erin")
    assert any("1 regulatory report clock has run out" in m for m in messages(at, "error"))
    table = _data(_table(at, "Report clock"))
    rows = {r["Title"]: r for r in table.to_dict("records")}
    assert rows["Key leaked <b>bold</b>"]["Escalation"] == "level 1"
    assert rows["Drift"]["Overdue"] and rows["Drift"]["Report clock"].startswith("overdue by")


def test_deep_link_opens_the_incident_and_an_officer_acknowledges(workbench, carla):
    i = _report(workbench, carla)
    at = _page("carla", incident=i.id)
    assert any("Key leaked" in s.value for s in at.subheader)
    assert "**not bold**\nsecond line" in [t.value for t in at.text]
    [ack] = [b for b in at.button if b.label == "Acknowledge"]
    ok(ack.click().run())
    assert any("acknowledged" in m for m in messages(at, "success")), messages(at, "error")
    detail = workbench.run(incidents.incident_detail, actor=carla.actor(), incident_id=i.id)
    assert detail.info.acknowledged_by == "carla"


def test_an_executive_reads_an_incident_and_gets_no_form(workbench, carla, erin):
    i = _report(workbench, carla)
    at = _page("erin", incident=i.id)
    assert not [b for b in at.button if b.label in ("Acknowledge", "Start investigating")]
    assert any("Compliance officers and administrators respond" in c.value for c in at.caption)
    at = _page("erin", tab="Report")
    assert any("Your role reads them" in m for m in messages(at, "info"))


def test_report_form_refuses_a_missing_title_and_reports_a_good_one(workbench, carla):
    at = _page("carla", tab="Report")
    [go] = [b for b in at.button if b.label == "Report incident"]
    ok(go.click().run())
    assert any("Title is required" in m for m in messages(at, "error"))
    [title] = [t for t in at.text_input if t.label == "Title"]
    title.input("Model refuses loans")
    [desc] = [t for t in at.text_area if t.label == "What happened"]
    desc.input("All applications refused since 9:00")
    [go] = [b for b in at.button if b.label == "Report incident"]
    ok(go.click().run())
    assert any("Incident #1 reported" in m for m in messages(at, "success")), messages(at, "error")


def test_metrics_and_policy_tabs(workbench, carla, erin):
    _report(workbench, carla)
    at = _page("erin", tab="Metrics")
    assert len(at.get("plotly_chart")) == 3
    at = _page("erin", tab="Policy")
    assert any("Compliance officers change the policy" in c.value for c in at.caption)
    at = _page("carla", tab="Policy")
    assert [b for b in at.button if b.label == "Put in force"]
