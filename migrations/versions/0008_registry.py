"""The model registry: models, versions, transitions, validations, approvals, deployments.

Revision ID: 0008_registry
Revises: 0007_notifications
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from governance.db.base import UTCDateTime

revision = "0008_registry"
down_revision = "0007_notifications"
branch_labels = None
depends_on = None

# The values as of this revision, written out: a later change of the enums needs a migration
# of its own, not a silent change of this one.
PROVIDERS = (
    "openai",
    "anthropic",
    "google",
    "mistral",
    "meta",
    "groq",
    "hugging-face",
    "in-house",
    "other",
)
RISK_TIERS = ("minimal", "limited", "high", "unacceptable")
STATUSES = (
    "draft",
    "validated",
    "pending_approval",
    "approved",
    "rejected",
    "deployed",
    "deprecated",
    "retired",
)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _user(column: str, table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], ["users.id"], name=op.f(f"fk_{table}_{column}_users"))


def _version(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["version_id"], ["model_versions.id"], name=op.f(f"fk_{table}_version_id_model_versions")
    )


def upgrade() -> None:
    op.create_table(
        "models",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("name_key", sa.String(200), nullable=False),
        sa.Column("provider", sa.String(32), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("risk_tier", sa.String(16), nullable=False),
        sa.Column("intended_use", sa.Text(), nullable=False),
        sa.Column("out_of_scope_uses", sa.Text(), nullable=True),
        sa.Column("capabilities", sa.JSON(), nullable=False),
        sa.Column("known_limitations", sa.JSON(), nullable=False),
        sa.Column("training_data", sa.Text(), nullable=True),
        sa.Column("performance_baseline", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        _user("owner_id", "models"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_models")),
        sa.UniqueConstraint("name_key", name=op.f("uq_models_name_key")),
        sa.CheckConstraint(_in("provider", PROVIDERS), name=op.f("ck_models_provider_known")),
        sa.CheckConstraint(_in("risk_tier", RISK_TIERS), name=op.f("ck_models_risk_tier_known")),
    )
    op.create_index("ix_models_owner_id", "models", ["owner_id"])
    op.create_table(
        "model_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("model_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.String(100), nullable=False),
        sa.Column("version_key", sa.String(100), nullable=False),
        sa.Column("changelog", sa.Text(), nullable=False),
        sa.Column("artifact_uri", sa.String(1000), nullable=False),
        sa.Column("artifact_sha256", sa.String(64), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("approval_round", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["model_id"], ["models.id"], name=op.f("fk_model_versions_model_id_models")
        ),
        _user("created_by_id", "model_versions"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_model_versions")),
        sa.UniqueConstraint("model_id", "version_key", name="uq_model_versions_model_version"),
        sa.CheckConstraint(_in("status", STATUSES), name=op.f("ck_model_versions_status_known")),
        sa.CheckConstraint(
            "length(artifact_sha256) = 64", name=op.f("ck_model_versions_artifact_sha256_length")
        ),
    )
    op.create_index("ix_model_versions_model_id", "model_versions", ["model_id"])
    op.create_table(
        "version_transitions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("from_status", sa.String(20), nullable=True),
        sa.Column("to_status", sa.String(20), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("environment", sa.String(40), nullable=True),
        _version("version_transitions"),
        _user("actor_id", "version_transitions"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_version_transitions")),
        sa.CheckConstraint(
            _in("to_status", STATUSES), name=op.f("ck_version_transitions_to_status_known")
        ),
    )
    op.create_index("ix_version_transitions_version_id", "version_transitions", ["version_id"])
    op.create_table(
        "validations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("requirements", sa.JSON(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("run_by", sa.String(100), nullable=False),
        sa.Column("run_by_id", sa.Integer(), nullable=True),
        sa.Column("at", UTCDateTime(), nullable=False),
        _version("validations"),
        _user("run_by_id", "validations"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_validations")),
    )
    op.create_index("ix_validations_version_id", "validations", ["version_id"])
    op.create_table(
        "approvals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("approver_id", sa.Integer(), nullable=False),
        sa.Column("approver", sa.String(100), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("requester_id", sa.Integer(), nullable=True),
        sa.Column("decision", sa.String(10), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("seen_row_version", sa.Integer(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        _version("approvals"),
        _user("approver_id", "approvals"),
        _user("owner_id", "approvals"),
        _user("requester_id", "approvals"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approvals")),
        sa.UniqueConstraint(
            "version_id", "round", "approver_id", name="uq_approvals_one_per_person"
        ),
        sa.CheckConstraint(
            "approver_id <> owner_id AND (requester_id IS NULL OR approver_id <> requester_id)",
            name=op.f("ck_approvals_not_own_work"),
        ),
        sa.CheckConstraint(
            "decision IN ('approved', 'rejected')", name=op.f("ck_approvals_decision_known")
        ),
    )
    op.create_index("ix_approvals_version_id", "approvals", ["version_id"])
    op.create_table(
        "deployments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("model_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("environment", sa.String(40), nullable=False),
        sa.Column("endpoint", sa.String(500), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("validation_id", sa.Integer(), nullable=False),
        sa.Column("deployed_at", UTCDateTime(), nullable=False),
        sa.Column("deployed_by", sa.String(100), nullable=False),
        sa.Column("is_current", sa.Boolean(), nullable=False),
        sa.Column("ended_at", UTCDateTime(), nullable=True),
        sa.Column("end_reason", sa.String(200), nullable=True),
        sa.Column("superseded_by_id", sa.Integer(), nullable=True),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["model_id"], ["models.id"], name=op.f("fk_deployments_model_id_models")
        ),
        _version("deployments"),
        sa.ForeignKeyConstraint(
            ["validation_id"],
            ["validations.id"],
            name=op.f("fk_deployments_validation_id_validations"),
        ),
        sa.ForeignKeyConstraint(
            ["superseded_by_id"],
            ["deployments.id"],
            name=op.f("fk_deployments_superseded_by_id_deployments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deployments")),
    )
    op.create_index("ix_deployments_version_id", "deployments", ["version_id"])
    op.create_index(
        "ix_deployments_model_environment",
        "deployments",
        ["model_id", "environment", "deployed_at"],
    )
    op.create_index(
        "uq_deployments_current",
        "deployments",
        ["model_id", "environment"],
        unique=True,
        sqlite_where=sa.text("is_current"),
        postgresql_where=sa.text("is_current"),
    )


def downgrade() -> None:
    op.drop_index("uq_deployments_current", table_name="deployments")
    op.drop_index("ix_deployments_model_environment", table_name="deployments")
    op.drop_index("ix_deployments_version_id", table_name="deployments")
    op.drop_table("deployments")
    op.drop_index("ix_approvals_version_id", table_name="approvals")
    op.drop_table("approvals")
    op.drop_index("ix_validations_version_id", table_name="validations")
    op.drop_table("validations")
    op.drop_index("ix_version_transitions_version_id", table_name="version_transitions")
    op.drop_table("version_transitions")
    op.drop_index("ix_model_versions_model_id", table_name="model_versions")
    op.drop_table("model_versions")
    op.drop_index("ix_models_owner_id", table_name="models")
    op.drop_table("models")
