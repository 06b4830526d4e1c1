"""The command line, run as a separate process against each backend."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from governance.db import Database
from governance.db.migrate import head_revision
from tests.integration import tamper

ROOT = Path(__file__).resolve().parents[2]


def cli(db_url: str, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GOVERNANCE_DATABASE_URL": db_url}
    return subprocess.run(
        [sys.executable, "-m", "governance", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )


def create(db_url: str, username: str, role: str, password: str = "a long password 1"):
    return cli(
        db_url,
        "users",
        "create",
        "--username",
        username,
        "--role",
        role,
        "--password-stdin",
        stdin=password + "\n",
    )


def test_db_upgrade_then_current(db_url):
    out = cli(db_url, "db", "upgrade")
    assert out.returncode == 0, out.stderr
    assert cli(db_url, "db", "current").stdout.strip() == head_revision()


def test_users_create_list_and_bad_input(db_url):
    first = create(db_url, "analyst", "data_scientist")
    assert first.returncode == 2 and "first account must be an administrator" in first.stderr
    ok = create(db_url, "root-admin", "admin")
    assert ok.returncode == 0, ok.stderr
    assert "Created root-admin (Administrator)" in ok.stdout

    for args, message in (
        (("dup", "admin"), None),
        (("root-admin", "auditor"), "already taken"),
        (("newbie", "wizard"), "Unknown role 'wizard'"),
    ):
        result = create(db_url, *args)
        if message is None:
            assert result.returncode == 0
            continue
        assert result.returncode == 2
        assert message in result.stderr
        assert "Traceback" not in result.stderr

    short = create(db_url, "shorty", "auditor", password="short")
    assert short.returncode == 2 and "too short" in short.stderr

    listed = cli(db_url, "users", "list").stdout.splitlines()
    assert [line.split("\t")[1] for line in listed] == ["dup", "root-admin"]


def test_audit_verify_intact_then_each_tampering(db_url):
    for i, role in enumerate(("admin", "auditor", "executive", "data_scientist", "auditor")):
        assert create(db_url, f"user-{i}", role).returncode == 0
    ok = cli(db_url, "audit", "verify")
    assert ok.returncode == 0 and "intact: 5 events" in ok.stdout

    db = Database.from_url(db_url)
    try:
        tamper.edit_details(db.engine, 4, {"after": {"role": "admin"}})
        broken = cli(db_url, "audit", "verify")
        assert broken.returncode == 1
        assert "BROKEN at event 4" in broken.stderr and "edited" in broken.stderr
    finally:
        db.dispose()


@pytest.mark.parametrize("kind", ["deleted", "swapped"])
def test_audit_verify_names_deleted_and_swapped_events(db_url, kind):
    for i in range(5):
        assert create(db_url, f"user-{i}", "auditor" if i else "admin").returncode == 0
    db = Database.from_url(db_url)
    try:
        if kind == "deleted":
            tamper.delete_event(db.engine, 3)
            expected = "BROKEN at event 4"
        else:
            tamper.swap_events(db.engine, 2, 3)
            expected = "BROKEN at event 2"
    finally:
        db.dispose()
    result = cli(db_url, "audit", "verify")
    assert result.returncode == 1
    assert expected in result.stderr


def test_audit_export_writes_csv(db_url, tmp_path):
    assert create(db_url, "root-admin", "admin").returncode == 0
    target = tmp_path / "trail.csv"
    result = cli(db_url, "audit", "export", "--output", str(target))
    assert result.returncode == 0, result.stderr
    lines = target.read_text().splitlines()
    assert lines[0].startswith("id,occurred_at,actor")
    assert ",user.created," in lines[1]
