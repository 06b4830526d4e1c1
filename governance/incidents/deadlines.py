"""The regulatory-report clock of a serious incident (pure): EU AI Act Art. 73.

A serious incident (Art. 3(49)) must be reported to the market surveillance authority at the
latest 15 days after the provider becomes aware of it (Art. 73(2)); 10 days where a death is
involved (73(4)); 2 days for a widespread infringement or a serious and irreversible
disruption of critical infrastructure (73(3)). The clock runs from ``detected_at``, the moment
of awareness, even when the incident is flagged serious later: the law counts from awareness,
so a late flag shows a clock that is already short (or overdue) rather than a fresh one.
Recording the report (a date and the authority's reference) stops it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from governance.incidents.policy import ResponsePolicy


@dataclass(frozen=True, slots=True)
class Impact:
    """The regulatory-impact facts that choose the deadline."""

    serious: bool = False
    involves_death: bool = False
    widespread_infringement: bool = False
    critical_infrastructure: bool = False


def report_days(policy: ResponsePolicy, impact: Impact) -> int | None:
    """Days allowed for the report; None for an incident that is not serious."""
    if not impact.serious:
        return None
    days = [policy.report_days]
    if impact.involves_death:
        days.append(policy.report_days_death)
    if impact.widespread_infringement or impact.critical_infrastructure:
        days.append(policy.report_days_widespread)
    return min(days)


def report_due(policy: ResponsePolicy, detected_at: datetime, impact: Impact) -> datetime | None:
    days = report_days(policy, impact)
    return None if days is None else detected_at + timedelta(days=days)


def basis(impact: Impact) -> str:
    """The article the deadline follows."""
    if not impact.serious:
        return "not a serious incident: no report is due"
    if impact.widespread_infringement or impact.critical_infrastructure:
        return "Art. 73(3): widespread infringement or critical infrastructure"
    if impact.involves_death:
        return "Art. 73(4): a death is involved"
    return "Art. 73(2): serious incident"


class ClockState(StrEnum):
    NONE = "none"  # not serious: no clock
    RUNNING = "running"
    OVERDUE = "overdue"
    SUBMITTED = "submitted"
    SUBMITTED_LATE = "submitted_late"


@dataclass(frozen=True, slots=True)
class ReportClock:
    state: ClockState
    due_at: datetime | None
    remaining: timedelta | None  # negative once overdue; None without a running clock

    @property
    def overdue(self) -> bool:
        return self.state is ClockState.OVERDUE

    def text(self) -> str:
        """The clock in words: "3 days 4 h left", "overdue by 2 h", "reported on time"."""
        if self.state is ClockState.NONE:
            return "no report due"
        if self.state is ClockState.SUBMITTED:
            return "reported on time"
        if self.state is ClockState.SUBMITTED_LATE:
            return "reported late"
        assert self.remaining is not None
        if self.state is ClockState.OVERDUE:
            return f"overdue by {duration(-self.remaining)}"
        return f"{duration(self.remaining)} left"


def clock(due_at: datetime | None, submitted_at: datetime | None, now: datetime) -> ReportClock:
    if due_at is None:
        return ReportClock(ClockState.NONE, None, None)
    if submitted_at is not None:
        state = ClockState.SUBMITTED if submitted_at <= due_at else ClockState.SUBMITTED_LATE
        return ReportClock(state, due_at, None)
    remaining = due_at - now
    state = ClockState.OVERDUE if remaining < timedelta(0) else ClockState.RUNNING
    return ReportClock(state, due_at, remaining)


def duration(span: timedelta) -> str:
    """A span in the largest two units that matter: "2 days 3 h", "5 h 10 min", "4 min"."""
    seconds = max(0, int(span.total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return f"{days} day{'s' if days > 1 else ''}" + (f" {hours} h" if hours else "")
    if hours:
        return f"{hours} h" + (f" {minutes} min" if minutes else "")
    return f"{minutes} min" if minutes else "under a minute"
