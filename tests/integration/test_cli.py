"""The command line, run as a separate process against each backend."""

from __future__ import annotations

import json
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


# --- fairness assess: bands, references and the threshold sweep ----------------------------------


def fairness_assess(path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``fairness assess`` without --save: no database is involved."""
    return subprocess.run(
        [sys.executable, "-m", "governance", "fairness", "assess", str(path), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


@pytest.fixture
def people_csv(tmp_path: Path) -> Path:
    """400 rows: label, score (three decimals), a 0/1 prediction, age 18-97 and sex."""
    lines = ["label,score,prediction,age,sex"]
    for i in range(400):
        score = (i * 37 % 1000) / 1000
        lines.append(f"{i % 3 % 2},{score},{int(score >= 0.5)},{18 + i % 80},{'FM'[i % 2]}")
    path = tmp_path / "people.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_fairness_bands_and_one_reference_per_column(people_csv):
    out = fairness_assess(
        people_csv, "--y-true", "label", "--score", "score", "--threshold", "0.5",
        "--sensitive", "age", "--sensitive", "sex", "--intersect",
        "--band", "age=25,45,65", "--reference", "sex=M", "--reference", "age=25–45",
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    payload = json.loads(out.stdout)
    age, sex, crossed = payload["results"]
    assert [g["group"]["age"] for g in age["groups"]] == ["< 25", "25–45", "45–65", "≥ 65"]
    assert age["reference_group"] == {"age": "25–45"}
    assert sex["reference_group"] == {"sex": "M"}
    assert crossed["reference_group"] == {"age": "25–45", "sex": "M"}
    for result in payload["results"]:
        sweep = result["threshold_sweep"]
        assert len(sweep["thresholds"]) == 101 and sweep["chosen_threshold"] == 0.5
        assert sweep["statement"]
    table = fairness_assess(
        people_csv, "--y-true", "label", "--score", "score", "--threshold", "0.5",
        "--sensitive", "sex", "--format", "table",
    )  # fmt: skip
    assert table.returncode == 0, table.stderr
    assert "threshold sweep: " in table.stdout


def test_fairness_single_reference_value_still_means_every_column(people_csv):
    out = fairness_assess(
        people_csv, "--y-true", "label", "--y-pred", "prediction", "--sensitive", "sex",
        "--reference", "F",
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    payload = json.loads(out.stdout)
    assert payload["results"][0]["reference_group"] == {"sex": "F"}
    assert "threshold_sweep" not in payload["results"][0]  # no score column


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--band", "age=25,x"), "Cut points of 'age': 'x' is not a number"),
        (("--band", "age=45,25"), "Cut points of 'age' must increase: 25 comes after 45"),
        (("--band", "age"), "--band needs COL=CUTS, for example age=25,45,65"),
        (("--band", "age=30", "--band", "age=40"), "--band gives cut points for 'age' twice"),
        (("--band", "sex=1"), "Only numeric columns can be banded; 'sex'"),
        (("--band", "height=1"), "Bands given for 'height', which is not a sensitive column"),
        (("--reference", "race=A"), "--reference names 'race', which is not a --sensitive"),
        (("--reference", "sex=F", "--reference", "sex=M"), "--reference names 'sex' twice"),
        (("--reference", "sex=X"), "Reference group 'X' does not occur in sex"),
    ],
)
def test_fairness_bad_band_and_reference_options(people_csv, args, message):
    out = fairness_assess(
        people_csv, "--y-true", "label", "--y-pred", "prediction",
        "--sensitive", "age", "--sensitive", "sex", *args,
    )  # fmt: skip
    assert out.returncode == 2, out.stdout
    assert message in out.stderr
    assert "Traceback" not in out.stderr
