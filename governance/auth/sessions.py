"""When a browser session must end (pure)."""

from __future__ import annotations

from datetime import datetime, timedelta

from governance.config import Settings


def session_expiry_reason(
    *, signed_in_at: datetime, last_seen_at: datetime, now: datetime, settings: Settings
) -> str | None:
    """Why the session has expired, or ``None`` while it is still valid."""
    if now - last_seen_at > timedelta(minutes=settings.session_idle_minutes):
        return f"Signed out after {settings.session_idle_minutes} minutes without activity."
    if now - signed_in_at > timedelta(hours=settings.session_max_hours):
        return f"Signed out: sessions last at most {settings.session_max_hours} hours."
    return None
