"""When an unacknowledged incident escalates (pure).

Level 1 is reached at once for the severities the policy escalates on creation; every
acknowledgement window that passes unacknowledged adds one level, never past level 3. The
windows are counted from when the incident was reported (when the workbench, and so the
response team, learned of it), so the level is a function of time alone: a sweep that runs
late or twice reaches the same level as one that ran on time, and one level is one row
(``incident_escalations`` is unique per incident and level).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from governance.incidents.fields import Severity
from governance.incidents.policy import MAX_LEVEL, ResponsePolicy


def base_level(policy: ResponsePolicy, severity: Severity | str) -> int:
    """The level an incident has as it is reported (1 for those escalating on creation)."""
    return 1 if Severity(severity) in policy.on_creation else 0


def due_at(
    policy: ResponsePolicy, severity: Severity | str, reported_at: datetime, level: int
) -> datetime:
    """When an incident still unacknowledged reaches ``level`` (1 to 3)."""
    if not 1 <= level <= MAX_LEVEL:
        raise ValueError(f"no escalation level {level}")
    steps = max(0, level - base_level(policy, severity))
    return reported_at + steps * timedelta(minutes=policy.window(severity))


def target_level(
    policy: ResponsePolicy, severity: Severity | str, reported_at: datetime, now: datetime
) -> int:
    """The level an incident unacknowledged since ``reported_at`` has reached at ``now``."""
    if now < reported_at:
        return base_level(policy, severity)
    windows = int((now - reported_at) / timedelta(minutes=policy.window(severity)))
    return min(MAX_LEVEL, base_level(policy, severity) + windows)


def next_due(
    policy: ResponsePolicy, severity: Severity | str, reported_at: datetime, level: int
) -> datetime | None:
    """When the level after ``level`` falls due; None at level 3."""
    if level >= MAX_LEVEL:
        return None
    return due_at(policy, severity, reported_at, level + 1)


def reason(policy: ResponsePolicy, severity: Severity | str, level: int) -> str:
    """Why an incident is at ``level``: in words, for the escalation row and its notice."""
    severity = Severity(severity)
    rule = policy.level(level)
    if level <= base_level(policy, severity):
        cause = f"a {severity.value} incident escalates as it is reported"
    else:
        waited = format_minutes(policy.window(severity) * (level - base_level(policy, severity)))
        cause = f"not acknowledged within {waited}"
    return f"Level {level}: {cause}; {rule.why}."


def format_minutes(minutes: int) -> str:
    """15 min, 1 h, 1 h 30 min, 2 days."""
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = []
    if days:
        parts.append(f"{days} day" + ("s" if days > 1 else ""))
    if hours:
        parts.append(f"{hours} h")
    if mins:
        parts.append(f"{mins} min")
    return " ".join(parts) or "0 min"
