"""Dates and times in the user's own terms."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd
import streamlit as st


def user_timezone() -> ZoneInfo:
    """The browser's time zone when known, else UTC."""
    name = None
    try:
        name = st.context.timezone
    except Exception:  # no browser context (tests, bare script run)
        name = None
    try:
        return ZoneInfo(name) if name else ZoneInfo("UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_time(moment: datetime | None, fmt: str = "%d %b %Y, %H:%M") -> str:
    if moment is None:
        return "—"
    tz = user_timezone()
    return moment.astimezone(tz).strftime(fmt) + f" {moment.astimezone(tz).tzname()}"


def localise_column(series: pd.Series) -> pd.Series:
    """A UTC datetime column shown in the user's zone (the value keeps its instant)."""
    if series.empty:
        return series
    return pd.to_datetime(series, utc=True).dt.tz_convert(str(user_timezone()))


def now_utc() -> datetime:
    return datetime.now(UTC)


def role_label(value: object) -> str:
    """A stored role code as people read it ("compliance_officer" → "Compliance officer")."""
    from governance.auth.roles import Role

    try:
        return Role(str(value)).label
    except ValueError:
        return "" if value is None or value != value else str(value)  # NaN for system events


def time_ago(moment: datetime | None, now: datetime | None = None) -> str:
    """A short relative time ("3 min ago") for headline figures; the exact time goes in help."""
    if moment is None:
        return "never"
    seconds = int(((now or now_utc()) - moment).total_seconds())
    if seconds < 60:
        return "just now"
    for size, unit in ((86400, "day"), (3600, "h"), (60, "min")):
        if seconds >= size:
            count = seconds // size
            plural = "s" if unit == "day" and count > 1 else ""
            return f"{count} {unit}{plural} ago"
    return "just now"
