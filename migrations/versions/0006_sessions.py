"""Browser sessions that survive a reload, and the password an account must change first.

Revision ID: 0006_sessions
Revises: 0005_audit_marks
Create Date: 2026-12-09
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from governance.db.base import UTCDateTime

revision = "0006_sessions"
down_revision = "0005_audit_marks"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing accounts chose their own passwords (or were given them before this rule): false.
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column(
                "must_change_password", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
    op.create_table(
        "browser_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=True),
        sa.Column("ticket_hash", sa.String(64), nullable=True),
        sa.Column("ticket_expires_at", UTCDateTime(), nullable=True),
        sa.Column("method", sa.String(16), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("last_seen_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.Column("revoked_reason", sa.String(32), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_browser_sessions_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_browser_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_browser_sessions_token_hash")),
        sa.UniqueConstraint("ticket_hash", name=op.f("uq_browser_sessions_ticket_hash")),
    )
    op.create_index("ix_browser_sessions_user_id", "browser_sessions", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_browser_sessions_user_id", table_name="browser_sessions")
    op.drop_table("browser_sessions")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("must_change_password")
