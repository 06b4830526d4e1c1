"""Revision 0009 on both backends: assessments saved before it are linked to registry models
(matched without regard to case, or registered as drafts), a version that is not semantic
stays unlinked, and downgrading drops the links but keeps the assessments and the models."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from governance.artifacts import ArtifactStore
from governance.auth.roles import Role
from governance.config import Settings
from governance.db.migrate import downgrade, upgrade
from governance.kernel import Workbench
from tests import factories

BEFORE = "0008_registry"


def _assessment(conn, model_name: str, version: str | None, by: str) -> None:
    conn.execute(
        sa.text(
            "INSERT INTO fairness_assessments (created_at, created_by, model_name, "
            "model_version, file_name, file_sha256, file_format, artifact_path, row_count, "
            "policy, spec, results, verdict) VALUES (:at, :by, :name, :version, 'p.csv', "
            ":sha, 'csv', 'ab/cd.parquet', 10, '{}', '{}', '{}', 'pass')"
        ),
        {
            "at": datetime.now(UTC),
            "by": by,
            "name": model_name,
            "version": version,
            "sha": "cd" * 32,
        },
    )


@pytest.fixture
def before(empty_db, db_url, tmp_path):
    """A database at 0008 with an account, a registered model and six saved assessments."""
    upgrade(empty_db.engine, BEFORE)
    bench = Workbench(empty_db, Settings(database_url=db_url, artifact_dir=tmp_path),
                      ArtifactStore(tmp_path))  # fmt: skip
    admin = factories.first_admin(bench)
    sci = factories.make_user(bench, Role.DATA_SCIENTIST, "sci", by=admin)
    factories.make_model(bench, by=sci, name="Credit-Scorer")
    factories.make_version(bench, "Credit-Scorer", maker=sci, version="1.2.0")
    with empty_db.engine.begin() as conn:
        _assessment(conn, "credit-scorer", "1.2.0", "sci")  # the registered version
        _assessment(conn, "CREDIT-SCORER", "1.3.0+b7", "sci")  # a new version of it
        _assessment(conn, "Churn", "v2", "sci")  # a new model; not a semantic version
        _assessment(conn, "churn", "2.0.0", "sci")
        _assessment(conn, "churn", "2.0.0", "sci")  # the same version twice: one draft
        _assessment(conn, "fraud", None, "cli:root")  # saved by no account
    return empty_db, admin, sci


def _links(engine) -> list[tuple]:
    with engine.connect() as conn:
        return conn.execute(
            sa.text(
                "SELECT a.model_name, m.name, v.version, v.status, m.owner_id FROM "
                "fairness_assessments a LEFT JOIN models m ON m.id = a.model_id "
                "LEFT JOIN model_versions v ON v.id = a.model_version_id ORDER BY a.id"
            )
        ).all()


def test_upgrade_links_every_assessment_it_can(before):
    db, admin, sci = before
    upgrade(db.engine)
    assert [tuple(r) for r in _links(db.engine)] == [
        ("credit-scorer", "Credit-Scorer", "1.2.0", "draft", sci.id),
        ("CREDIT-SCORER", "Credit-Scorer", "1.3.0+b7", "draft", sci.id),
        ("Churn", "Churn", None, None, sci.id),
        ("churn", "Churn", "2.0.0", "draft", sci.id),
        ("churn", "Churn", "2.0.0", "draft", sci.id),
        ("fraud", "fraud", None, None, admin.id),  # the operator is no account
    ]
    with db.engine.connect() as conn:
        made = conn.execute(
            sa.text(
                "SELECT name, provider, risk_tier, created_by, intended_use FROM models ORDER BY id"
            )
        ).all()
        drafts = conn.execute(
            sa.text("SELECT count(*) FROM model_versions WHERE created_by = 'migration:0009'")
        ).scalar_one()
        steps = conn.execute(
            sa.text("SELECT count(*) FROM version_transitions WHERE actor = 'migration:0009'")
        ).scalar_one()
        events = conn.execute(
            sa.text("SELECT count(*) FROM audit_events WHERE action = 'registry.model_registered'")
        ).scalar_one()
    assert [m.name for m in made] == ["Credit-Scorer", "Churn", "fraud"]
    assert all(
        (m.provider, m.risk_tier, m.created_by) == ("other", "limited", "migration:0009")
        and "migration 0009" in m.intended_use
        for m in made[1:]
    )
    assert drafts == steps == 2  # 1.3.0 of Credit-Scorer, 2.0.0 of Churn
    assert events == 1  # only the model registered through the service is audited


def test_downgrade_drops_the_links_and_keeps_the_records(before):
    db, _, _ = before
    upgrade(db.engine)
    downgrade(db.engine, BEFORE)
    columns = {c["name"] for c in sa.inspect(db.engine).get_columns("fairness_assessments")}
    assert "model_id" not in columns and "model_version_id" not in columns
    with db.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM fairness_assessments")).scalar() == 6
        assert conn.execute(sa.text("SELECT count(*) FROM models")).scalar() == 3
    upgrade(db.engine)  # and up again: the models it made are matched, not made twice
    assert len({r[1] for r in _links(db.engine)}) == 3
    with db.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM models")).scalar() == 3
