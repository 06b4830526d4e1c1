"""Fairness: policy versions and saved assessments.

Revision ID: 0002_fairness
Revises: 0001_foundation
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from governance.db.base import UTCDateTime

revision = "0002_fairness"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "fairness_policies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("max_demographic_parity_difference", sa.Float(), nullable=False),
        sa.Column("min_disparate_impact_ratio", sa.Float(), nullable=False),
        sa.Column("max_equalized_odds_difference", sa.Float(), nullable=False),
        sa.Column("min_group_size", sa.Integer(), nullable=False),
        sa.Column("confidence_level", sa.Float(), nullable=False),
        sa.Column("bootstrap_replicates", sa.Integer(), nullable=False),
        sa.Column("random_seed", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(1000), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fairness_policies")),
    )
    op.create_table(
        "fairness_assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("model_name", sa.String(200), nullable=False),
        sa.Column("model_version", sa.String(100), nullable=True),
        sa.Column("file_name", sa.String(500), nullable=False),
        sa.Column("file_sha256", sa.String(64), nullable=False),
        sa.Column("file_format", sa.String(20), nullable=False),
        sa.Column("artifact_path", sa.String(200), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("policy_id", sa.Integer(), nullable=True),
        sa.Column("policy", sa.JSON(), nullable=False),
        sa.Column("spec", sa.JSON(), nullable=False),
        sa.Column("results", sa.JSON(), nullable=False),
        sa.Column("verdict", sa.String(20), nullable=False),
        sa.Column("min_disparate_impact", sa.Float(), nullable=True),
        sa.Column("demographic_parity_difference", sa.Float(), nullable=True),
        sa.Column("equalized_odds_difference", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fairness_assessments")),
    )
    for column in ("created_at", "model_name", "file_sha256"):
        op.create_index(op.f(f"ix_fairness_assessments_{column}"), "fairness_assessments", [column])


def downgrade() -> None:
    for column in ("created_at", "model_name", "file_sha256"):
        op.drop_index(op.f(f"ix_fairness_assessments_{column}"), table_name="fairness_assessments")
    op.drop_table("fairness_assessments")
    op.drop_table("fairness_policies")
