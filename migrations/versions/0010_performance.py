"""Performance points of registered models (metric, value, time, details).

Revision ID: 0010_performance
Revises: 0009_fairness_models
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from governance.db.base import UTCDateTime

revision = "0010_performance"
down_revision = "0009_fairness_models"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "performance_points",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("model_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=True),
        sa.Column("metric", sa.String(64), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("observed_at", UTCDateTime(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["model_id"], ["models.id"], name=op.f("fk_performance_points_model_id_models")
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["model_versions.id"],
            name=op.f("fk_performance_points_version_id_model_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_performance_points")),
    )
    op.create_index(
        "ix_performance_points_series",
        "performance_points",
        ["model_id", "metric", "observed_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_performance_points_series", table_name="performance_points")
    op.drop_table("performance_points")
