"""The doctor's findings on both backends: what it removes, audited, and what it never does."""

from __future__ import annotations

import hashlib
import os
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from governance.actor import Actor
from governance.audit import service as audit
from governance.audit.models import AuditEvent
from governance.auth.roles import Role
from governance.cli import main
from governance.errors import PermissionDenied, ValidationError
from governance.fairness import service as fairness
from governance.fairness.engine import assess_file
from governance.fairness.models import FairnessAssessment
from governance.fairness.spec import AssessmentSpec
from governance.maintenance import doctor
from governance.maintenance.doctor import Kind
from tests import factories

SPEC = AssessmentSpec(y_true="label", y_pred="prediction", sensitive=("race",))
OPERATOR = Actor.command_line()
LONG_AGO = time.time() - 3 * 3600


def backdate(path: Path) -> None:
    os.utime(path, (LONG_AGO, LONG_AGO))


def save(workbench, by, path: Path) -> int:
    with workbench.unit() as uow:
        result = assess_file(path, SPEC)
        return fairness.save_assessment(
            uow, actor=by.actor(), result=result, source=path, model_name="credit"
        )


@pytest.fixture
def scientist(workbench, make_user):
    sci = make_user(Role.DATA_SCIENTIST, "sci")
    factories.make_evidence_model(workbench, "credit", by=sci)  # evidence names a registered model
    return sci


@pytest.fixture
def two_saved(workbench, scientist, tmp_path) -> list[tuple[int, Path]]:
    """Two assessments, each with its own stored file: (id, stored path)."""
    saved = []
    for seed in (1, 2):
        source = factories.write_predictions(
            factories.prediction_frame(300, seed), tmp_path / f"p{seed}.csv"
        )
        digest = hashlib.sha256(source.read_bytes()).hexdigest()
        saved.append((save(workbench, scientist, source), workbench.artifacts.path_for(digest)))
    return saved


def events(workbench, action: str) -> list[AuditEvent]:
    with workbench.database.session() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_missing_and_damaged_evidence_is_reported_and_never_removed(
    workbench, two_saved, monkeypatch, capsys
):
    (missing_id, missing), (damaged_id, damaged) = two_saved
    missing.unlink()
    data = bytearray(damaged.read_bytes())
    data[len(data) // 2] ^= 0x01
    damaged.write_bytes(bytes(data))
    backdate(damaged)

    report = workbench.run(doctor.repair, actor=OPERATOR)
    kinds = {(f.kind, f.subject) for f in report.problems}
    assert kinds == {
        (Kind.MISSING, f"fairness assessment #{missing_id}"),
        (Kind.DAMAGED, f"fairness assessment #{damaged_id}"),
    }
    assert report.removed == ()
    assert damaged.read_bytes() == bytes(data)  # kept exactly as found
    with workbench.database.session() as s:
        assert len(s.scalars(select(FairnessAssessment)).all()) == 2
    assert events(workbench, "maintenance.file_removed") == []

    monkeypatch.setenv("GOVERNANCE_DATABASE_URL", workbench.settings.database_url)
    monkeypatch.setenv("GOVERNANCE_ARTIFACT_DIR", str(workbench.settings.artifact_dir))
    assert main(["doctor", "--fix"]) == 1  # problems remain: --fix does not make them go away
    out = capsys.readouterr().out
    assert "is missing" in out and "recorded when it was saved" in out


def test_old_temporaries_beside_stored_files_go_strangers_stay(workbench, two_saved):
    (_, stored), _ = two_saved
    legacy = stored.parent / "tmpa1b2c3d4.tmp"  # where earlier versions wrote temporaries
    legacy.write_bytes(b"PAR1 half a file")
    stranger = workbench.artifacts.root / "notes.txt"
    stranger.write_text("someone's notes")
    for path in (legacy, stranger):
        backdate(path)

    report = workbench.run(doctor.repair, actor=OPERATOR)
    assert [(r.kind, r.subject) for r in report.removed] == [
        (Kind.TEMPORARY, legacy.relative_to(workbench.artifacts.root).as_posix())
    ]
    assert not legacy.exists()
    assert stranger.read_text() == "someone's notes"
    assert [(f.kind, f.subject) for f in report.problems] == [(Kind.STRANGER, "notes.txt")]
    assert workbench.run(audit.verify_chain).intact


def test_a_repair_rolled_back_puts_every_file_back_and_records_nothing(workbench, two_saved):
    temporary = workbench.artifacts.temporary_path("x")
    temporary.write_bytes(b"partial")
    orphan = workbench.artifacts.path_for("ab" * 32)
    orphan.parent.mkdir(parents=True, exist_ok=True)
    orphan.write_bytes(b"PAR1 orphan")
    for path in (temporary, orphan):
        backdate(path)
    with pytest.raises(ValidationError), workbench.unit() as uow:
        report = doctor.repair(uow, actor=OPERATOR)
        assert len(report.removed) == 2 and not temporary.exists() and not orphan.exists()
        raise ValidationError("a later step of the same unit fails")
    assert temporary.read_bytes() == b"partial"
    assert orphan.read_bytes() == b"PAR1 orphan"
    assert events(workbench, "maintenance.file_removed") == []


def test_a_stored_file_reused_by_a_save_starts_its_grace_again(workbench, scientist, tmp_path):
    source = factories.write_predictions(factories.prediction_frame(300), tmp_path / "p.csv")
    first = save(workbench, scientist, source)
    stored = workbench.artifacts.path_for(hashlib.sha256(source.read_bytes()).hexdigest())
    backdate(stored)
    second = save(workbench, scientist, source)  # the same file again: the stored one is reused
    assert first != second
    assert stored.stat().st_mtime > LONG_AGO + 3600


def test_records_saved_before_hashes_were_kept_are_noted_not_problems(workbench, two_saved):
    with workbench.unit() as uow:
        uow.session.execute(update(FairnessAssessment).values(artifact_sha256=None))
    report = workbench.run(doctor.examine, actor=OPERATOR)
    assert report.problems == []
    assert {f.kind for f in report.findings} == {Kind.UNCHECKED}


def test_only_administrators_may_run_it_and_the_grace_is_never_negative(
    workbench, make_user, capsys, monkeypatch
):
    auditor = make_user(Role.AUDITOR)
    with pytest.raises(PermissionDenied, match="maintain the system"):
        workbench.run(doctor.examine, actor=auditor.actor())
    with pytest.raises(ValidationError, match="negative"):
        workbench.run(doctor.examine, actor=OPERATOR, grace=timedelta(minutes=-1))
    monkeypatch.setenv("GOVERNANCE_DATABASE_URL", workbench.settings.database_url)
    assert main(["doctor", "--grace-minutes", "-5"]) == 2
    assert "negative" in capsys.readouterr().err
