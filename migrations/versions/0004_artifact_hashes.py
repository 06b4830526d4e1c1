"""Saved assessments record the SHA-256 of their stored file, so a damaged file can be named.

The stored Parquet is named by the hash of the file that was uploaded (a CSV, say), not of
itself, so without this column nothing could tell an intact stored file from a damaged one.
Rows saved before this revision keep NULL: the doctor lists them as unchecked.

Revision ID: 0004_artifact_hashes
Revises: 0003_policy_versions
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_artifact_hashes"
down_revision = "0003_policy_versions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("fairness_assessments") as batch:
        batch.add_column(sa.Column("artifact_sha256", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("fairness_assessments") as batch:
        batch.drop_column("artifact_sha256")
