"""Audit marks: the last verified positions of the chain, where incremental checks start.

Revision ID: 0005_audit_marks
Revises: 0004_artifact_hashes
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from governance.db.base import UTCDateTime

revision = "0005_audit_marks"
down_revision = "0004_artifact_hashes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Not guarded like audit_events: a mark is overwritten as verification moves on, and
    # changing one by hand proves nothing (see governance.audit.models.AuditMark).
    op.create_table(
        "audit_marks",
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("head_hash", sa.String(64), nullable=False),
        sa.Column("verified_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("kind", name=op.f("pk_audit_marks")),
    )


def downgrade() -> None:
    op.drop_table("audit_marks")
