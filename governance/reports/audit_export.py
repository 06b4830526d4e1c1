"""The audit trail as a file: the audited export, written in an export format."""

from __future__ import annotations

from governance.actor import Actor
from governance.audit.service import EventFilter, export_events
from governance.kernel import UnitOfWork
from governance.reports.tables import frame_to_csv


def export_events_csv(uow: UnitOfWork, *, actor: Actor, flt: EventFilter | None = None) -> bytes:
    """CSV of the filtered events (needs ``audit.export``; the export is itself audited)."""
    return frame_to_csv(export_events(uow, actor=actor, flt=flt, file_format="csv"))
