"""Fairness policy versions get a sequence number: two officers cannot both supersede one.

Revision ID: 0003_policy_versions
Revises: 0002_fairness
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_policy_versions"
down_revision = "0002_fairness"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Added nullable, filled from the insertion order, then made required and unique; batch
    # mode lets SQLite (which cannot alter a column) rebuild the table.
    with op.batch_alter_table("fairness_policies") as batch:
        batch.add_column(sa.Column("version", sa.Integer(), nullable=True))
    op.execute("UPDATE fairness_policies SET version = id")
    with op.batch_alter_table("fairness_policies") as batch:
        batch.alter_column("version", existing_type=sa.Integer(), nullable=False)
        batch.create_unique_constraint(op.f("uq_fairness_policies_version"), ["version"])


def downgrade() -> None:
    with op.batch_alter_table("fairness_policies") as batch:
        batch.drop_constraint(op.f("uq_fairness_policies_version"), type_="unique")
        batch.drop_column("version")
