"""Incident records: incidents, the models they concern, their status history, escalations,
post-mortems with their preventive measures, and the response policy's versions.

Types, severities, statuses and harm categories are also CHECK constraints, so a record the
services would refuse cannot be written by any other path either.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from governance.db.base import Base, UTCDateTime
from governance.incidents.fields import HarmCategory, IncidentType, Severity
from governance.incidents.lifecycle import Status


def _values(enum: Any) -> str:
    return ", ".join(f"'{m.value}'" for m in enum)


class Incident(Base):
    """Something that went wrong with an AI system, from its report to its closing."""

    __tablename__ = "incidents"
    __table_args__ = (
        CheckConstraint(f"incident_type IN ({_values(IncidentType)})", name="type_known"),
        CheckConstraint(f"severity IN ({_values(Severity)})", name="severity_known"),
        CheckConstraint(f"status IN ({_values(Status)})", name="status_known"),
        CheckConstraint(
            f"harm_category IS NULL OR harm_category IN ({_values(HarmCategory)})",
            name="harm_category_known",
        ),
        CheckConstraint("escalation_level BETWEEN 0 AND 3", name="escalation_level_range"),
        CheckConstraint("affected_people IS NULL OR affected_people >= 0", name="affected_people"),
        # The sweep reads only what is due: an index range, whatever the number of incidents.
        Index("ix_incidents_next_escalation_at", "next_escalation_at"),
        Index("ix_incidents_status_severity", "status", "severity"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_type: Mapped[str] = mapped_column(String(20))
    severity: Mapped[str] = mapped_column(String(10))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))
    detected_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    reported_by: Mapped[str] = mapped_column(String(100))
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    harm_category: Mapped[str | None] = mapped_column(String(32))
    affected_people: Mapped[int | None] = mapped_column(Integer)
    # Art. 3(49) and the facts that choose the Art. 73 deadline.
    serious: Mapped[bool] = mapped_column(Boolean)
    involves_death: Mapped[bool] = mapped_column(Boolean)
    widespread_infringement: Mapped[bool] = mapped_column(Boolean)
    critical_infrastructure: Mapped[bool] = mapped_column(Boolean)
    report_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    regulator_reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    regulator_reference: Mapped[str | None] = mapped_column(String(200))
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    acknowledged_by: Mapped[str | None] = mapped_column(String(100))
    # Moved by the escalation sweep in place (bookkeeping: it never makes an edit stale).
    escalation_level: Mapped[int] = mapped_column(Integer)
    next_escalation_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_by: Mapped[str | None] = mapped_column(String(100))
    root_cause: Mapped[str | None] = mapped_column(Text)
    resolution: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_by: Mapped[str | None] = mapped_column(String(100))
    row_version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": row_version}  # noqa: RUF012


class IncidentModel(Base):
    """A registered model the incident concerns."""

    __tablename__ = "incident_models"

    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), primary_key=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("models.id"), primary_key=True, index=True)


class IncidentTransition(Base):
    """One status change of an incident: from, to, who, why, when. Never edited."""

    __tablename__ = "incident_transitions"
    __table_args__ = (CheckConstraint(f"to_status IN ({_values(Status)})", name="to_status_known"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(20))  # None: the report
    to_status: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(100))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class IncidentEscalation(Base):
    """An incident reaching an escalation level: once per level, whoever races to write it."""

    __tablename__ = "incident_escalations"
    __table_args__ = (
        UniqueConstraint("incident_id", "level", name="uq_incident_escalations_incident_level"),
        CheckConstraint("level BETWEEN 1 AND 3", name="level_range"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"))
    level: Mapped[int] = mapped_column(Integer)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    reason: Mapped[str] = mapped_column(String(500))
    # The roles told and how many accounts held them then.
    notified_roles: Mapped[list[str]] = mapped_column(JSON)
    notified: Mapped[int] = mapped_column(Integer)


class IncidentPostmortem(Base):
    """What was learned: the timeline, the lessons. Written once per incident."""

    __tablename__ = "incident_postmortems"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), unique=True)
    timeline: Mapped[str] = mapped_column(Text)
    lessons_learned: Mapped[str] = mapped_column(Text)
    written_at: Mapped[datetime] = mapped_column(UTCDateTime())
    written_by: Mapped[str] = mapped_column(String(100))


class PreventiveMeasure(Base):
    """One preventive measure of a post-mortem: its own row, so that a later step (a risk, a
    mitigation plan) can refer to it."""

    __tablename__ = "incident_measures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    postmortem_id: Mapped[int] = mapped_column(ForeignKey("incident_postmortems.id"), index=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(String(1000))


class IncidentPolicyVersion(Base):
    """One version of the escalation and response policy; the newest is in force."""

    __tablename__ = "incident_policies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Unique: of two officers who both edited version N only one puts N + 1 in force.
    version: Mapped[int] = mapped_column(Integer, unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(String(1000))
    settings: Mapped[dict[str, Any]] = mapped_column(JSON)
