"""What the incident tests share: a settable clock, people, and a report in one call."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

from governance import incidents
from governance.kernel import Workbench
from tests.factories import make_incident

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def clocked(workbench: Workbench, clock: Clock) -> Workbench:
    return dataclasses.replace(workbench, clock=clock)


def report(workbench: Workbench, by, **kw) -> incidents.IncidentInfo:  # type: ignore[no-untyped-def]
    """An incident reported by ``by`` (see :func:`tests.factories.make_incident`)."""
    return make_incident(workbench, by=by, **kw)
