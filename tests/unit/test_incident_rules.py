"""The incident rules that need no records: the lifecycle table, escalation levels in time,
the Art. 73 deadlines and the clock's words, the response policy's checks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from governance.auth.roles import Role
from governance.errors import ValidationError
from governance.incidents import deadlines, escalation
from governance.incidents.fields import Severity
from governance.incidents.lifecycle import ALLOWED, TRANSITIONS, Status, check_transition
from governance.incidents.policy import MAX_LEVEL, ResponsePolicy, policy_changes

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
POLICY = ResponsePolicy()
severities = st.sampled_from(list(Severity))
minutes = st.integers(min_value=0, max_value=60 * 24 * 30)


def test_the_lifecycle_is_the_issue_s_open_investigating_resolved_closed():
    assert [(t.source.value, t.target.value) for t in TRANSITIONS] == [
        ("open", "investigating"), ("investigating", "resolved"),
        ("resolved", "investigating"), ("resolved", "closed"),
    ]  # fmt: skip


@pytest.mark.parametrize("source", list(Status))
@pytest.mark.parametrize("target", list(Status))
def test_check_transition_follows_the_table(source, target):
    if target in ALLOWED[source]:
        check_transition(source, target)
    else:
        with pytest.raises(ValidationError, match=r"^Status: "):
            check_transition(source, target)


@given(severities, minutes, minutes)
def test_the_level_never_falls_and_never_passes_three(severity, a, b):
    early, late = sorted((a, b))
    one = escalation.target_level(POLICY, severity, T0, T0 + timedelta(minutes=early))
    two = escalation.target_level(POLICY, severity, T0, T0 + timedelta(minutes=late))
    assert escalation.base_level(POLICY, severity) <= one <= two <= MAX_LEVEL


@given(severities, st.integers(1, 3))
def test_a_level_is_reached_exactly_at_its_due_time(severity, level):
    due = escalation.due_at(POLICY, severity, T0, level)
    if level > escalation.base_level(POLICY, severity):
        before = escalation.target_level(POLICY, severity, T0, due - timedelta(microseconds=1))
        assert before == level - 1
    assert escalation.target_level(POLICY, severity, T0, due) >= level


def test_default_windows_and_creation_levels():
    assert [POLICY.window(s) for s in Severity] == [15, 60, 480, 1440]
    assert [escalation.base_level(POLICY, s) for s in Severity] == [1, 1, 0, 0]
    assert escalation.next_due(POLICY, "critical", T0, 3) is None


@pytest.mark.parametrize(
    ("impact", "days"),
    [
        (deadlines.Impact(serious=True), 15),
        (deadlines.Impact(serious=True, involves_death=True), 10),
        (deadlines.Impact(serious=True, widespread_infringement=True), 2),
        (deadlines.Impact(serious=True, critical_infrastructure=True), 2),
        (deadlines.Impact(), None),
    ],
)
def test_article_73_days(impact, days):
    assert deadlines.report_days(POLICY, impact) == days


@given(st.integers(-10 * 86400, 30 * 86400))
def test_the_clock_is_overdue_exactly_after_its_deadline(seconds):
    now = T0 + timedelta(seconds=seconds)
    clock = deadlines.clock(T0, None, now)
    assert clock.overdue == (seconds > 0)
    assert clock.text().startswith("overdue by" if seconds > 0 else "")


@pytest.mark.parametrize(
    ("span", "words"),
    [(timedelta(seconds=30), "under a minute"), (timedelta(minutes=5), "5 min"),
     (timedelta(hours=2, minutes=3), "2 h 3 min"), (timedelta(days=1), "1 day"),
     (timedelta(days=3, hours=4, minutes=9), "3 days 4 h")],
)  # fmt: skip
def test_durations_in_words(span, words):
    assert deadlines.duration(span) == words


@pytest.mark.parametrize(
    ("change", "message"),
    [({"ack_critical": 0}, "acknowledgement window of critical"),
     ({"report_days": 16}, "standard report deadline must be 1 to 15"),
     ({"report_days_death": 11}, "where a death is involved must be 1 to 10"),
     ({"report_days_widespread": 3}, "must be 1 to 2 days"),
     ({"level2_roles": []}, "level 2 must notify at least one role"),
     ({"level1_why": " "}, "level 1 needs a reason"),
     ({"colour": "red"}, "'colour' is not a setting"),
     ({"ack_low": "soon"}, "ack_low must be a whole number")],
)  # fmt: skip
def test_a_policy_laxer_than_the_law_or_malformed_is_refused(change, message):
    with pytest.raises(ValidationError, match=message):
        POLICY.amended(**change)


def test_a_policy_round_trips_and_names_its_changes():
    changed = POLICY.amended(ack_high=30, level3_roles=[Role.EXECUTIVE.value], on_creation=[])
    assert ResponsePolicy.from_dict(changed.to_dict()) == changed
    assert "ack_minutes.high: 60 → 30" in policy_changes(POLICY, changed)
    assert "level 3 roles: compliance_officer, admin, executive → executive" in policy_changes(
        POLICY, changed
    )


@given(severities, minutes, st.integers(0, 3))
def test_the_sweep_plans_what_the_rule_says(severity, waited, current):
    from types import SimpleNamespace

    from governance.incidents.sweep import _plan

    now = T0 + timedelta(minutes=waited)
    row = SimpleNamespace(id=1, severity=severity.value, reported_at=T0, escalation_level=current)
    planned, schedule = _plan(POLICY, [row], now)
    target = escalation.target_level(POLICY, severity, T0, now)
    assert [e.level for e in planned] == list(range(current + 1, target + 1))
    assert [e.due_at for e in planned] == [
        escalation.due_at(POLICY, severity, T0, lvl) for lvl in range(current + 1, target + 1)
    ]
    assert schedule[1][1] == max(target, current)
