"""Report clocks on both backends: the EU AI Act Art. 73 defaults (15 days; 10 with a death;
2 for a widespread infringement or critical infrastructure) from detection, as the incident's
regulatory-impact fields say; stopped by the recorded report; overdue in the list and the
overview; set anew when the impact changes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from governance import incidents
from governance.auth.roles import Role
from governance.errors import Conflict, ValidationError
from governance.overview import workspace_overview
from tests.integration.incidents_support import Clock, clocked, report


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def wb(workbench, clock):
    return clocked(workbench, clock)


@pytest.fixture
def officer(make_user):
    return make_user(Role.COMPLIANCE_OFFICER, "olivia")


@pytest.mark.parametrize(
    ("impact", "days"),
    [
        ({}, 15),
        ({"involves_death": True}, 10),
        ({"widespread_infringement": True}, 2),
        ({"critical_infrastructure": True}, 2),
        ({"involves_death": True, "critical_infrastructure": True}, 2),
    ],
    ids=["serious", "death", "widespread", "infrastructure", "death-and-infrastructure"],
)
def test_the_deadline_follows_article_73_from_detection(wb, clock, officer, impact, days):
    detected = clock.now - timedelta(hours=6)
    info = report(wb, officer, serious=True, detected_at=detected, **impact)
    assert info.report_due_at == detected + timedelta(days=days)
    assert info.report_clock(clock.now).state.value == "running"
    clock.now = detected + timedelta(days=days, seconds=1)
    shown = info.report_clock(clock.now)
    assert shown.overdue and shown.text() == "overdue by under a minute"


def test_no_clock_for_an_incident_that_is_not_serious(wb, clock, officer):
    info = report(wb, officer)
    assert info.report_due_at is None
    assert info.report_clock(clock.now).text() == "no report due"


def test_an_impact_flag_without_serious_is_refused(wb, officer):
    with pytest.raises(ValidationError, match=r"^Serious incident: a death"):
        report(wb, officer, involves_death=True)


def test_the_recorded_report_stops_the_clock(wb, clock, officer):
    info = report(wb, officer, serious=True)
    clock.advance(days=3)
    done = wb.run(incidents.record_regulator_report, actor=officer.actor(), incident_id=info.id,
                  submitted_at=clock.now, reference="MSA-2026-17")  # fmt: skip
    clock.advance(days=30)
    assert done.report_clock(clock.now).text() == "reported on time"
    with pytest.raises(Conflict, match=r"already recorded"):
        wb.run(incidents.record_regulator_report, actor=officer.actor(), incident_id=info.id,
               submitted_at=clock.now, reference="again")  # fmt: skip


def test_a_report_of_an_incident_that_is_not_serious_is_refused(wb, officer):
    info = report(wb, officer)
    with pytest.raises(ValidationError, match=r"^Report: only a serious incident"):
        wb.run(incidents.record_regulator_report, actor=officer.actor(), incident_id=info.id,
               submitted_at=wb.clock(), reference="x")  # fmt: skip


def test_found_serious_later_counts_from_detection(wb, clock, officer):
    detected = clock.now - timedelta(days=1)
    info = report(wb, officer, detected_at=detected)
    clock.advance(days=5)
    after = wb.run(incidents.assess_impact, actor=officer.actor(), incident_id=info.id,
                   serious=True, widespread_infringement=True, reason="many affected",
                   expected_version=info.row_version)  # fmt: skip
    assert after.report_due_at == detected + timedelta(days=2)
    assert after.report_clock(clock.now).overdue


def test_overdue_clocks_show_in_the_list_and_the_overview(wb, clock, officer, make_user):
    report(wb, officer, serious=True, title="Overdue one")
    report(wb, officer, serious=True, title="Running one", detected_at=clock.now)
    clock.advance(days=15)
    reader = make_user(Role.EXECUTIVE, "erin").actor()
    found = wb.run(incidents.list_incidents, actor=reader)
    flags = dict(zip(found.frame["title"], found.frame["overdue"], strict=True))
    assert flags == {"Overdue one": True, "Running one": False}
    [panel] = [p for p in wb.run(workspace_overview, actor=reader) if p.title == "Incidents"]
    assert panel.alert and "1 regulatory report is overdue" in panel.alert
    assert list(panel.table["Clock"]) == ["overdue by 1 h", "under a minute left"]
