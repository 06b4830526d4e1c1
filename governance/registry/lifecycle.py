"""The life of a model version as one table: which status may follow which, by which call.

Pure: no records. The services ask :func:`check_transition` before every status change, and
the tests walk :data:`TRANSITIONS` for every allowed and every forbidden pair.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from governance.errors import ValidationError
from governance.kernel.lifecycle import refused_step


class Status(StrEnum):
    DRAFT = "draft"
    VALIDATED = "validated"
    PENDING_APPROVAL = "pending_approval"
    APPROVED = "approved"
    REJECTED = "rejected"
    DEPLOYED = "deployed"
    DEPRECATED = "deprecated"
    RETIRED = "retired"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


@dataclass(frozen=True, slots=True)
class Transition:
    """One allowed step: the service call that makes it and what it means."""

    source: Status
    target: Status
    call: str
    meaning: str


S = Status
TRANSITIONS: tuple[Transition, ...] = (
    Transition(S.DRAFT, S.VALIDATED, "validate", "a passing validation report is recorded"),
    Transition(S.VALIDATED, S.PENDING_APPROVAL, "request_approval", "submitted for approval"),
    Transition(S.PENDING_APPROVAL, S.APPROVED, "approve", "enough distinct approvers approved"),
    Transition(S.PENDING_APPROVAL, S.REJECTED, "reject", "a reviewer rejected it, with notes"),
    Transition(S.REJECTED, S.DRAFT, "reopen", "back to draft to address the reviewer's notes"),
    Transition(S.APPROVED, S.DEPLOYED, "deploy", "deployed to an environment"),
    # A second environment (staging, then production) is another deployment of the same version.
    Transition(S.DEPLOYED, S.DEPLOYED, "deploy", "deployed to one more environment"),
    # Superseded everywhere it ran: still approved, so it can be deployed again (a rollback).
    Transition(S.DEPLOYED, S.APPROVED, "deploy", "superseded by another version's deployment"),
    Transition(S.APPROVED, S.DEPRECATED, "deprecate", "no longer to be used"),
    Transition(S.DEPLOYED, S.DEPRECATED, "deprecate", "no longer to be used; still running"),
    Transition(S.DEPRECATED, S.RETIRED, "retire", "taken out of every environment for good"),
)

ALLOWED: dict[Status, frozenset[Status]] = {
    status: frozenset(t.target for t in TRANSITIONS if t.source is status) for status in Status
}
TERMINAL = frozenset(s for s, targets in ALLOWED.items() if not targets)


def allowed_from(status: Status) -> list[Status]:
    """The statuses that may follow ``status``, in lifecycle order."""
    return [s for s in Status if s in ALLOWED[status]]


def check_transition(source: Status | str, target: Status | str) -> None:
    """Return when ``source → target`` is a step of the lifecycle; otherwise a
    :class:`ValidationError` naming the steps allowed from ``source``."""
    source, target = Status(source), Status(target)
    if target in ALLOWED[source]:
        return
    raise refused_step("a version", source, target, allowed_from(source))


def parse_status(value: str) -> Status:
    try:
        return Status(value.strip().lower().replace(" ", "_"))
    except ValueError:
        valid = ", ".join(s.value for s in Status)
        raise ValidationError(f"Unknown status {value!r}: choose one of {valid}.") from None
