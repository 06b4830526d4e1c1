"""Crash debris of ``fairness assess --save`` (#7 item 11), found and removed by ``doctor``.

Each crash is deterministic: a subprocess dies with ``os._exit`` at a named point (see
``tests/integration/crash.py``), as a kill -9 would, on each backend.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from governance.audit import service as audit
from governance.audit.models import AuditEvent
from governance.auth.roles import Role
from governance.cli import main
from governance.fairness.models import FairnessAssessment
from tests import factories
from tests.integration.crash import CRASH_EXIT

ROOT = Path(__file__).resolve().parents[2]
STORED = re.compile(r"[0-9a-f]{2}/[0-9a-f]{64}\.parquet")
TWO_HOURS_AGO = time.time() - 2 * 3600


@pytest.fixture
def env(workbench, db_url, monkeypatch) -> dict[str, str]:
    """The CLI's environment for this test's database and artifact store (also set here, for
    the doctor run in-process)."""
    values = {
        "GOVERNANCE_DATABASE_URL": db_url,
        "GOVERNANCE_ARTIFACT_DIR": str(workbench.settings.artifact_dir),
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return {**os.environ, **values}


@pytest.fixture
def scientist(workbench, admin):
    pipeline = factories.make_user(workbench, Role.DATA_SCIENTIST, "pipeline", by=admin)
    factories.make_evidence_model(workbench, "credit", by=pipeline)  # evidence names a model
    return pipeline


@pytest.fixture
def predictions(tmp_path) -> Path:
    return factories.write_predictions(factories.prediction_frame(400), tmp_path / "p.csv")


def save_crashing_at(point: str | None, predictions: Path, env: dict[str, str]) -> int:
    """``fairness assess --save`` in a subprocess that dies at ``point`` (None: runs through)."""
    runner = ["governance"] if point is None else ["tests.integration.crash", point]
    done = subprocess.run(
        [sys.executable, "-m", *runner,
         "fairness", "assess", str(predictions), "--y-true", "label", "--y-pred", "prediction",
         "--sensitive", "race", "--save", "--model", "credit", "--actor", "pipeline"],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=120,
    )  # fmt: skip
    return done.returncode


def files_in(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def doctor(capsys, *args: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["doctor", *args])
    out = capsys.readouterr()
    return code, out.out + out.err


def removals(workbench) -> list[AuditEvent]:
    with workbench.database.session() as s:
        stmt = select(AuditEvent).where(AuditEvent.action == "maintenance.file_removed")
        return list(s.scalars(stmt.order_by(AuditEvent.id)))


def chain_intact(workbench) -> bool:
    return workbench.run(audit.verify_chain).intact


def test_a_crash_before_the_file_lands_leaves_a_temporary_where_the_doctor_removes_it(
    workbench, env, scientist, predictions, capsys
):
    root = workbench.settings.artifact_dir
    assert save_crashing_at("before:land", predictions, env) == CRASH_EXIT
    debris = files_in(root)
    assert len(debris) == 1
    assert debris[0].startswith(".incoming/") and debris[0].endswith(".tmp"), debris
    temporary = root / debris[0]
    data = temporary.read_bytes()

    # Fresh: perhaps still being written by a running process, so left alone.
    code, text = doctor(capsys, "--fix")
    assert code == 0, text
    assert temporary.exists() and "younger than" in text

    os.utime(temporary, (TWO_HOURS_AGO, TWO_HOURS_AGO))
    code, text = doctor(capsys)
    assert code == 1 and debris[0] in text, text
    assert temporary.exists()  # a report changes nothing

    code, text = doctor(capsys, "--fix")
    assert code == 0, text
    assert files_in(root) == []
    (event,) = removals(workbench)
    assert event.details["path"] == debris[0]
    assert event.details["kind"] == "temporary"
    assert event.details["size"] == len(data)
    assert event.details["sha256"] == hashlib.sha256(data).hexdigest()
    assert event.actor.startswith("cli:")
    assert chain_intact(workbench)
    assert doctor(capsys)[0] == 0


def test_a_crash_after_the_file_lands_leaves_an_orphan_the_doctor_removes(
    workbench, env, scientist, predictions, capsys
):
    root = workbench.settings.artifact_dir
    assert save_crashing_at("after:land", predictions, env) == CRASH_EXIT
    with workbench.database.session() as s:
        assert s.scalars(select(FairnessAssessment)).all() == []
    (landed,) = files_in(root)
    assert STORED.fullmatch(landed), landed
    orphan = root / landed
    data = orphan.read_bytes()

    code, text = doctor(capsys, "--fix")  # it may be a save about to commit
    assert code == 0 and orphan.exists(), text

    os.utime(orphan, (TWO_HOURS_AGO, TWO_HOURS_AGO))
    code, text = doctor(capsys)
    assert code == 1 and landed in text and "no record" in text, text
    code, text = doctor(capsys, "--fix")
    assert code == 0, text
    assert files_in(root) == []
    (event,) = removals(workbench)
    assert (event.details["path"], event.details["kind"]) == (landed, "orphan")
    assert event.details["sha256"] == hashlib.sha256(data).hexdigest()
    assert event.details["size"] == len(data)
    assert chain_intact(workbench)

    # The pipeline simply runs again.
    assert save_crashing_at(None, predictions, env) == 0
    assert doctor(capsys)[0] == 0
