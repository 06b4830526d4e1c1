"""The life of a risk as one table: which status may follow which, by which call.

Pure: no records. The services ask :func:`check_transition` before every status change, and
the tests walk :data:`TRANSITIONS` for every allowed and every forbidden pair.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from governance.errors import ValidationError
from governance.kernel.lifecycle import refused_step


class RiskStatus(StrEnum):
    IDENTIFIED = "identified"
    MITIGATING = "mitigating"
    MITIGATED = "mitigated"
    ACCEPTED = "accepted"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class Transition:
    """One allowed step: the service call that makes it and what it means."""

    source: RiskStatus
    target: RiskStatus
    call: str
    meaning: str


S = RiskStatus
TRANSITIONS: tuple[Transition, ...] = (
    Transition(S.IDENTIFIED, S.MITIGATING, "transition_risk", "work on a mitigation began"),
    Transition(S.MITIGATING, S.MITIGATED, "transition_risk", "mitigated; residual rating set"),
    # The residual rating is still too high: back to work.
    Transition(S.MITIGATED, S.MITIGATING, "transition_risk", "the mitigation was not enough"),
    # Acceptance is a decision of a compliance officer other than the owner, until a date.
    Transition(S.IDENTIFIED, S.ACCEPTED, "accept_risk", "accepted as it is, until a date"),
    Transition(S.MITIGATING, S.ACCEPTED, "accept_risk", "accepted part way, until a date"),
    Transition(S.MITIGATED, S.ACCEPTED, "accept_risk", "the residual risk accepted, until a date"),
    # Only the clock takes this step: the acceptance's expiry date passed.
    Transition(S.ACCEPTED, S.IDENTIFIED, "expire_acceptances", "the acceptance expired"),
    Transition(S.MITIGATED, S.CLOSED, "transition_risk", "no longer a risk"),
    Transition(S.ACCEPTED, S.CLOSED, "transition_risk", "no longer a risk"),
)

ALLOWED: dict[RiskStatus, frozenset[RiskStatus]] = {
    status: frozenset(t.target for t in TRANSITIONS if t.source is status) for status in RiskStatus
}
TERMINAL = frozenset(s for s, targets in ALLOWED.items() if not targets)
OPEN = frozenset(RiskStatus) - TERMINAL


def step(source: RiskStatus | str, target: RiskStatus | str) -> Transition | None:
    source, target = RiskStatus(source), RiskStatus(target)
    return next((t for t in TRANSITIONS if t.source is source and t.target is target), None)


def allowed_from(status: RiskStatus | str) -> list[RiskStatus]:
    """The statuses that may follow ``status``, in lifecycle order."""
    return [s for s in RiskStatus if s in ALLOWED[RiskStatus(status)]]


def check_transition(source: RiskStatus | str, target: RiskStatus | str) -> Transition:
    """The step ``source → target``; a :class:`ValidationError` naming the steps allowed
    from ``source`` when it is not one."""
    source, target = RiskStatus(source), RiskStatus(target)
    found = step(source, target)
    if found is not None:
        return found
    raise refused_step("a risk", source, target, allowed_from(source))


def parse_status(value: object) -> RiskStatus:
    try:
        return RiskStatus(str(value or "").strip().lower())
    except ValueError:
        valid = ", ".join(s.value for s in RiskStatus)
        raise ValidationError(
            f"Status: {str(value)[:50]!r} is not a status; choose one of {valid}."
        ) from None
