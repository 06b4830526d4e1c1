"""Notification records: one per recipient, and the open conditions that notify only once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from governance.db.base import Base, UTCDateTime


class Notification(Base):
    """Something a person should know, written in the same transaction as its cause.

    Never edited but for ``read_at``; no ``row_version``: marking read is one conditional
    UPDATE (``… WHERE read_at IS NULL``), which two tabs can run at once without either
    overwriting anything the other decided.
    """

    __tablename__ = "notifications"
    # The bell counts (recipient, unread) on every page run, and the page lists a recipient's
    # newest first: both are range scans of this index.
    __table_args__ = (Index("ix_notifications_recipient_id", "recipient_id", "read_at", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(String(2000))
    # A page of the workbench and its query ("/fairness?assessment=3"), never a full URL.
    link: Mapped[str | None] = mapped_column(String(500))
    subject_type: Mapped[str | None] = mapped_column(String(64))
    subject_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class NotificationCondition(Base):
    """A condition that notifies when it opens and stays quiet until it has closed again
    ("accuracy of model version 42 below its threshold"): once per crossing, not per point."""

    __tablename__ = "notification_conditions"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # NULL while open
