"""The life of an incident as one table: which status may follow which, by which call.

Pure: no records. The service asks :func:`check_transition` before every status change; the
tests walk :data:`TRANSITIONS` for every allowed and every forbidden pair.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from governance.errors import ValidationError
from governance.kernel.lifecycle import refused_step


class Status(StrEnum):
    OPEN = "open"
    INVESTIGATING = "investigating"
    RESOLVED = "resolved"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class Transition:
    source: Status
    target: Status
    call: str
    meaning: str


S = Status
TRANSITIONS: tuple[Transition, ...] = (
    Transition(S.OPEN, S.INVESTIGATING, "start_investigation", "someone works on it"),
    Transition(S.INVESTIGATING, S.RESOLVED, "resolve_incident", "fixed, with its root cause"),
    # The fix did not hold, or the root cause was wrong: back to work, the resolution kept in
    # the history.
    Transition(S.RESOLVED, S.INVESTIGATING, "reopen_incident", "the resolution did not hold"),
    Transition(S.RESOLVED, S.CLOSED, "close_incident", "done (a post-mortem if critical/high)"),
)

ALLOWED: dict[Status, frozenset[Status]] = {
    status: frozenset(t.target for t in TRANSITIONS if t.source is status) for status in Status
}
TERMINAL = frozenset(s for s, targets in ALLOWED.items() if not targets)
# Still needing someone: what the overview counts and the escalation watches.
ACTIVE = frozenset({Status.OPEN, Status.INVESTIGATING})


def allowed_from(status: Status | str) -> list[Status]:
    source = Status(status)
    return [s for s in Status if s in ALLOWED[source]]


def check_transition(source: Status | str, target: Status | str) -> None:
    """Return when ``source → target`` is a step of the lifecycle; otherwise a
    :class:`ValidationError` naming the steps allowed from ``source``."""
    source, target = Status(source), Status(target)
    if target in ALLOWED[source]:
        return
    raise refused_step("an incident", source, target, allowed_from(source))


def parse_status(value: str) -> Status:
    try:
        return Status((value or "").strip().lower())
    except ValueError:
        valid = ", ".join(s.value for s in Status)
        raise ValidationError(f"Status: unknown status {value!r}; choose one of {valid}.") from None
