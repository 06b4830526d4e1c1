"""Password policy, session expiry, CSV neutralisation, settings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

from governance.auth.passwords import (
    MIN_PASSWORD_LENGTH,
    check_password_policy,
    hash_password,
    verify_password,
)
from governance.auth.sessions import session_expiry_reason
from governance.config import load_settings
from governance.errors import ValidationError
from governance.reports.tables import frame_to_csv, neutralise_cell

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("bad", ["", "short", "x" * (MIN_PASSWORD_LENGTH - 1), " " * 20])
def test_password_policy_refuses(bad):
    with pytest.raises(ValidationError):
        check_password_policy(bad)


def test_password_policy_accepts_twelve_characters():
    check_password_policy("x" * MIN_PASSWORD_LENGTH)


def test_hash_is_argon2id_and_verifies_only_the_right_password():
    h = hash_password("correct horse battery")
    assert h.startswith("$argon2id$")
    assert verify_password(h, "correct horse battery")
    assert not verify_password(h, "correct horse batterY")
    assert not verify_password(None, "anything at all")
    assert not verify_password("not-a-hash", "anything at all")


def test_session_expiry(monkeypatch):
    monkeypatch.setenv("GOVERNANCE_SESSION_IDLE_MINUTES", "30")
    monkeypatch.setenv("GOVERNANCE_SESSION_MAX_HOURS", "8")
    s = load_settings()
    t0 = datetime(2026, 1, 1, 9, tzinfo=UTC)
    ok = session_expiry_reason(
        signed_in_at=t0,
        last_seen_at=t0 + timedelta(hours=7),
        now=t0 + timedelta(hours=7, minutes=29),
        settings=s,
    )
    assert ok is None
    idle = session_expiry_reason(
        signed_in_at=t0, last_seen_at=t0, now=t0 + timedelta(minutes=31), settings=s
    )
    assert idle and "30 minutes" in idle
    too_long = session_expiry_reason(
        signed_in_at=t0,
        last_seen_at=t0 + timedelta(hours=8),
        now=t0 + timedelta(hours=8, minutes=1),
        settings=s,
    )
    assert too_long and "8 hours" in too_long


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_formula_cells_are_neutralised(cell):
    assert neutralise_cell(cell) == "'" + cell


def test_csv_export_neutralises_values_and_headers_and_writes_utc_iso_times():
    frame = pd.DataFrame(
        {
            "=HYPERLINK()": ["=cmd|' /C calc'!A0", "plain"],
            "when": pd.to_datetime(["2026-01-01T10:00:00Z", "2026-01-02T11:30:00Z"], utc=True),
            "n": [-1, 2],
        }
    )
    text = frame_to_csv(frame).decode()
    header, first, second = text.splitlines()
    assert header.startswith("'=HYPERLINK()")
    assert first.startswith("'=cmd|")
    assert "2026-01-01T10:00:00.000000Z" in first
    assert first.endswith(",-1")  # numbers are numbers, not text to neutralise
    assert second.startswith("plain,")


def test_settings_defaults_and_overrides(monkeypatch, tmp_path):
    monkeypatch.delenv("GOVERNANCE_DATABASE_URL", raising=False)
    monkeypatch.setenv("GOVERNANCE_STATE_DIR", str(tmp_path))
    s = load_settings()
    assert s.database_url == f"sqlite:///{tmp_path / 'governance.db'}"
    assert s.artifact_dir == tmp_path / "artifacts"
    monkeypatch.setenv("GOVERNANCE_DATABASE_URL", "postgresql+psycopg://x@h/db")
    monkeypatch.setenv("GOVERNANCE_LOCKOUT_THRESHOLD", "abc")
    with pytest.raises(ValueError, match="GOVERNANCE_LOCKOUT_THRESHOLD"):
        load_settings()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("true", True), ("TRUE", True), ("1", True), ("yes", True), ("on", True), (" False ", False),
     ("0", False), ("no", False), ("off", False), ("", True)],
)  # fmt: skip
def test_migrate_on_start_reads_true_and_false_words(monkeypatch, raw, expected):
    monkeypatch.setenv("GOVERNANCE_MIGRATE_ON_START", raw)
    assert load_settings().migrate_on_start is expected


@pytest.mark.parametrize("raw", ["maybe", "ture", "2", "-1", "y e s"])
def test_migrate_on_start_refuses_other_words_naming_the_variable(monkeypatch, raw):
    monkeypatch.setenv("GOVERNANCE_MIGRATE_ON_START", raw)
    with pytest.raises(
        ValueError, match=f"GOVERNANCE_MIGRATE_ON_START must be true or false.*{raw!r}"
    ):
        load_settings()


def test_migrate_on_start_defaults_to_true(monkeypatch):
    monkeypatch.delenv("GOVERNANCE_MIGRATE_ON_START", raising=False)
    assert load_settings().migrate_on_start is True


def test_production_hasher_uses_argon2id_with_rfc9106_memory_cost():
    # In a fresh interpreter: the test suite itself runs with a cheaper profile.
    import subprocess
    import sys

    code = "from governance.auth.passwords import hash_password; print(hash_password('x' * 12))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout
    assert out.startswith("$argon2id$v=19$m=65536,t=3,")


UPLOAD_SETTINGS = {
    "GOVERNANCE_MAX_COLUMNS": "max_columns",
    "GOVERNANCE_UPLOAD_MAX_ROWS": "upload_max_rows",
    "GOVERNANCE_UPLOAD_READ_SECONDS": "upload_read_seconds",
    "GOVERNANCE_UPLOAD_READ_MEMORY_MB": "upload_read_memory_mb",
}


def test_upload_caps_and_read_limits_are_settings(monkeypatch):
    from governance.fairness.caps import FileCaps

    for name in UPLOAD_SETTINGS:
        monkeypatch.delenv(name, raising=False)
    defaults = load_settings()
    assert FileCaps.pipeline(defaults) == FileCaps()  # the engine's defaults are the settings'
    assert FileCaps.upload(defaults) == FileCaps(max_rows=defaults.upload_max_rows)
    for number, name in enumerate(UPLOAD_SETTINGS, start=7):
        monkeypatch.setenv(name, str(number))
    s = load_settings()
    assert [getattr(s, field) for field in UPLOAD_SETTINGS.values()] == [7, 8, 9, 10]
    assert FileCaps.pipeline(s) == FileCaps(max_columns=7, max_rows=None)
    assert FileCaps.upload(s) == FileCaps(max_columns=7, max_rows=8)
    monkeypatch.setenv("GOVERNANCE_MAX_COLUMNS", "0")
    with pytest.raises(ValueError, match="GOVERNANCE_MAX_COLUMNS must be positive"):
        load_settings()


def test_every_setting_is_in_the_readme_configuration_table():
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    names = set(re.findall(r'"(GOVERNANCE_[A-Z_]+)"', (root / "governance/config.py").read_text()))
    readme = (root / "README.md").read_text()
    assert names >= set(UPLOAD_SETTINGS)
    assert [n for n in sorted(names) if f"| `{n}` |" not in readme] == []
