"""Watchers of registered models (who hears of a deployment or a deprecation).

Revision ID: 0012_watchers
Revises: 0011_performance_days
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from governance.db.base import UTCDateTime

revision = "0012_watchers"
down_revision = "0011_performance_days"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "model_watchers",
        sa.Column("model_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("since", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["model_id"], ["models.id"], name=op.f("fk_model_watchers_model_id_models")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_model_watchers_user_id_users")
        ),
        sa.PrimaryKeyConstraint("model_id", "user_id", name=op.f("pk_model_watchers")),
    )
    op.create_index(op.f("ix_model_watchers_user_id"), "model_watchers", ["user_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_model_watchers_user_id"), table_name="model_watchers")
    op.drop_table("model_watchers")
