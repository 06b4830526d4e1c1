"""Settings read from the environment.

Nothing here connects to anything: reading settings is free, so importing the package never
touches a database or the file system.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_STATE_DIR = PROJECT_ROOT / "data" / "local"


@dataclass(frozen=True, slots=True)
class Settings:
    """The workbench's configuration.

    Attributes
    ----------
    database_url:
        SQLAlchemy URL of the system of record (``GOVERNANCE_DATABASE_URL``).
    artifact_dir:
        Directory of the content-addressed artifact store (``GOVERNANCE_ARTIFACT_DIR``).
    session_idle_minutes:
        A signed-in browser session ends after this much inactivity.
    session_max_hours:
        A signed-in browser session ends this long after sign-in, active or not.
    lockout_threshold:
        Consecutive failed sign-ins that lock an account.
    lockout_minutes:
        How long a locked account stays locked.
    upload_max_mb:
        Largest file the browser may upload for assessment (the CLI takes any size).
    max_columns:
        Most columns a prediction file may have, on the page and the CLI alike (counted from
        the CSV header, the Parquet footer or the sheet's size record, before DuckDB reads it).
    upload_max_rows:
        Most rows an uploaded Parquet file may declare in its footer (the CLI takes any number).
    upload_read_seconds:
        Longest one reading of an upload on the page may run (its overview, the values of a
        column, the assessment) before its worker process is stopped.
    upload_read_memory_mb:
        Address space a worker process reading an upload may use.
    migrate_on_start:
        Whether the app and the CLI migrate the schema to head when they open the database
        (``GOVERNANCE_MIGRATE_ON_START``). False where a separate migration role owns the
        schema: they then refuse to start on a schema that is not at head.
    cookie_secure:
        Mark the session cookie ``Secure`` (``GOVERNANCE_COOKIE_SECURE``): set it when browsers
        reach the workbench over HTTPS through a reverse proxy. A request that arrives as
        HTTPS (Streamlit's own TLS, or a proxy on this host sending ``X-Forwarded-Proto``)
        gets ``Secure`` without it.
    """

    database_url: str
    artifact_dir: Path
    session_idle_minutes: int = 30
    session_max_hours: int = 8
    lockout_threshold: int = 5
    lockout_minutes: int = 15
    upload_max_mb: int = 200
    max_columns: int = 2_000
    upload_max_rows: int = 50_000_000
    upload_read_seconds: int = 120
    upload_read_memory_mb: int = 3_072
    migrate_on_start: bool = True
    cookie_secure: bool = False


def _int_env(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be a whole number, got {raw!r}") from exc
    if value <= 0:
        raise ValueError(f"{name} must be positive, got {value}")
    return value


_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off"})


def _bool_env(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    word = raw.strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise ValueError(f"{name} must be true or false (or 1/0, yes/no, on/off), got {raw!r}")


def load_settings() -> Settings:
    """Read the settings from the environment, with defaults for a local workbench."""
    state_dir = Path(os.environ.get("GOVERNANCE_STATE_DIR", DEFAULT_STATE_DIR))
    url = os.environ.get("GOVERNANCE_DATABASE_URL") or f"sqlite:///{state_dir / 'governance.db'}"
    artifacts = Path(os.environ.get("GOVERNANCE_ARTIFACT_DIR") or state_dir / "artifacts")
    return Settings(
        database_url=url,
        artifact_dir=artifacts,
        session_idle_minutes=_int_env("GOVERNANCE_SESSION_IDLE_MINUTES", 30),
        session_max_hours=_int_env("GOVERNANCE_SESSION_MAX_HOURS", 8),
        lockout_threshold=_int_env("GOVERNANCE_LOCKOUT_THRESHOLD", 5),
        lockout_minutes=_int_env("GOVERNANCE_LOCKOUT_MINUTES", 15),
        upload_max_mb=_int_env("GOVERNANCE_UPLOAD_MAX_MB", 200),
        max_columns=_int_env("GOVERNANCE_MAX_COLUMNS", 2_000),
        upload_max_rows=_int_env("GOVERNANCE_UPLOAD_MAX_ROWS", 50_000_000),
        upload_read_seconds=_int_env("GOVERNANCE_UPLOAD_READ_SECONDS", 120),
        upload_read_memory_mb=_int_env("GOVERNANCE_UPLOAD_READ_MEMORY_MB", 3_072),
        migrate_on_start=_bool_env("GOVERNANCE_MIGRATE_ON_START", True),
        cookie_secure=_bool_env("GOVERNANCE_COOKIE_SECURE", False),
    )
