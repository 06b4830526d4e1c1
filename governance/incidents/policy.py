"""The escalation and response policy (pure): acknowledgement windows, who hears of each
escalation level and why, and the regulatory-report deadlines.

A compliance officer owns it; its versions are kept (``incident_policies``), the newest in
force. The defaults follow the EU AI Act's Art. 73 for the deadlines; a policy may be stricter
than the law (fewer days), never laxer.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from governance.auth.roles import Role
from governance.errors import ValidationError
from governance.incidents.fields import Severity

MAX_LEVEL = 3
MAX_WINDOW_MINUTES = 7 * 24 * 60  # a week: a window longer than that is no window
WHY_LIMIT = 300
# Art. 73(2): at most 15 days after awareness; (4) a death: 10 days; (3) a widespread
# infringement or a serious disruption of critical infrastructure: 2 days.
LEGAL_MAX_DAYS = {"standard": 15, "death": 10, "widespread": 2}


@dataclass(frozen=True, slots=True)
class LevelRule:
    """Who is notified when an incident reaches ``level``, and why."""

    level: int
    roles: tuple[Role, ...]
    why: str


def _default_windows() -> dict[Severity, int]:
    return {
        Severity.CRITICAL: 15,
        Severity.HIGH: 60,
        Severity.MEDIUM: 8 * 60,
        Severity.LOW: 24 * 60,
    }


def _default_levels() -> tuple[LevelRule, ...]:
    co, admin, execs = Role.COMPLIANCE_OFFICER, Role.ADMIN, Role.EXECUTIVE
    return (
        LevelRule(1, (co,), "the incident needs an owner: a compliance officer acknowledges it"),
        LevelRule(2, (co, admin), "still not acknowledged: administrators step in"),
        LevelRule(3, (co, admin, execs), "still not acknowledged: leadership must know"),
    )


@dataclass(frozen=True, slots=True)
class ResponsePolicy:
    """``ack_minutes``: per severity, how long an incident may wait for an acknowledgement
    before it escalates one level; ``on_creation``: severities that escalate to level 1 as soon
    as they are reported; ``levels``: levels 1 to 3; the report deadlines in days."""

    ack_minutes: dict[Severity, int] = field(default_factory=_default_windows)
    on_creation: frozenset[Severity] = frozenset({Severity.CRITICAL, Severity.HIGH})
    levels: tuple[LevelRule, ...] = field(default_factory=_default_levels)
    report_days: int = 15
    report_days_death: int = 10
    report_days_widespread: int = 2

    def __post_init__(self) -> None:
        problems = []
        for severity in Severity:
            minutes = self.ack_minutes.get(severity)
            if not isinstance(minutes, int) or not 1 <= minutes <= MAX_WINDOW_MINUTES:
                problems.append(
                    f"the acknowledgement window of {severity.value} incidents must be 1 to "
                    f"{MAX_WINDOW_MINUTES:,} minutes (got {minutes!r})"
                )
        if [rule.level for rule in self.levels] != list(range(1, MAX_LEVEL + 1)):
            problems.append("there must be exactly the levels 1, 2 and 3")
        for rule in self.levels:
            if not rule.roles:
                problems.append(f"level {rule.level} must notify at least one role")
            if not rule.why.strip() or len(rule.why) > WHY_LIMIT:
                problems.append(f"level {rule.level} needs a reason of 1 to {WHY_LIMIT} characters")
        for name, days, most in (
            ("standard report deadline", self.report_days, LEGAL_MAX_DAYS["standard"]),
            ("report deadline where a death is involved", self.report_days_death,
             LEGAL_MAX_DAYS["death"]),
            ("report deadline of a widespread infringement or critical infrastructure",
             self.report_days_widespread, LEGAL_MAX_DAYS["widespread"]),
        ):  # fmt: skip
            if not isinstance(days, int) or not 1 <= days <= most:
                problems.append(f"the {name} must be 1 to {most} days (Art. 73), got {days!r}")
        if problems:
            raise ValidationError("Policy refused: " + "; ".join(problems) + ".")

    def window(self, severity: Severity | str) -> int:
        return self.ack_minutes[Severity(severity)]

    def level(self, level: int) -> LevelRule:
        return self.levels[level - 1]

    def amended(self, **changes: Any) -> ResponsePolicy:
        """This policy with some settings changed (validated anew): ``ack_<severity>`` in
        minutes, ``on_creation`` (severities), ``level<N>_roles``, ``level<N>_why`` and the
        three ``report_days*``."""
        windows = dict(self.ack_minutes)
        levels = {rule.level: rule for rule in self.levels}
        values: dict[str, Any] = {}
        for key, value in changes.items():
            if key.startswith("ack_") and key[4:] in Severity.__members__.values():
                windows[Severity(key[4:])] = _int(value, key)
            elif key == "on_creation":
                values["on_creation"] = frozenset(Severity(s) for s in value)
            elif key[:5] == "level" and key[5:6].isdigit() and key[6:] in ("_roles", "_why"):
                n = int(key[5])
                if n not in levels:
                    raise ValidationError(f"Policy refused: there is no level {n}.")
                if key.endswith("_roles"):
                    levels[n] = replace(levels[n], roles=tuple(Role(r) for r in value))
                else:
                    levels[n] = replace(levels[n], why=str(value).strip())
            elif key in ("report_days", "report_days_death", "report_days_widespread"):
                values[key] = _int(value, key)
            else:
                raise ValidationError(f"Policy refused: {key!r} is not a setting of the policy.")
        return replace(
            self, ack_minutes=windows, levels=tuple(levels[n] for n in sorted(levels)), **values
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "ack_minutes": {s.value: self.ack_minutes[s] for s in Severity},
            "on_creation": sorted(s.value for s in self.on_creation),
            "levels": [
                {"level": r.level, "roles": [role.value for role in r.roles], "why": r.why}
                for r in self.levels
            ],
            "report_days": self.report_days,
            "report_days_death": self.report_days_death,
            "report_days_widespread": self.report_days_widespread,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ResponsePolicy:
        return cls(
            ack_minutes={Severity(k): int(v) for k, v in data["ack_minutes"].items()},
            on_creation=frozenset(Severity(s) for s in data["on_creation"]),
            levels=tuple(
                LevelRule(int(r["level"]), tuple(Role(x) for x in r["roles"]), str(r["why"]))
                for r in data["levels"]
            ),
            report_days=int(data["report_days"]),
            report_days_death=int(data["report_days_death"]),
            report_days_widespread=int(data["report_days_widespread"]),
        )


def _int(value: Any, key: str) -> int:
    try:
        return int(str(value).strip())
    except ValueError:
        raise ValidationError(
            f"Policy refused: {key} must be a whole number, got {value!r}."
        ) from None


def policy_changes(before: ResponsePolicy, after: ResponsePolicy) -> list[str]:
    """What differs between two policies, in words ("ack_minutes.high: 60 → 30")."""
    old, new = _flat(before.to_dict()), _flat(after.to_dict())
    return [f"{k}: {old.get(k)} → {new.get(k)}" for k in new if old.get(k) != new.get(k)]


def _flat(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flat(value, f"{name}."))
        elif key == "levels":
            for rule in value:
                flat[f"level {rule['level']} roles"] = ", ".join(rule["roles"])
                flat[f"level {rule['level']} why"] = rule["why"]
        elif isinstance(value, list):
            flat[name] = ", ".join(value) or "none"
        else:
            flat[name] = value
    return flat
