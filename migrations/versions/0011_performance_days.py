"""Daily sums of performance points, so a trend reads one row per day, not every point.

Filled here from the points already stored (one ``GROUP BY`` UTC day); from then on every
append grows the day's row in the same unit of work.

Revision ID: 0011_performance_days
Revises: 0010_performance
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_performance_days"
down_revision = "0010_performance"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "performance_days",
        sa.Column("model_id", sa.Integer(), nullable=False),
        sa.Column("metric", sa.String(64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("total", sa.Float(), nullable=False),
        sa.Column("minimum", sa.Float(), nullable=False),
        sa.Column("maximum", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["model_id"], ["models.id"], name=op.f("fk_performance_days_model_id_models")
        ),
        sa.PrimaryKeyConstraint("model_id", "metric", "day", name=op.f("pk_performance_days")),
    )
    # The UTC day as each backend stores a Date: SQLite keeps times as UTC text
    # ('YYYY-MM-DD HH:MM:SS.ffffff', see UTCDateTime) and dates as 'YYYY-MM-DD'.
    if op.get_bind().dialect.name == "postgresql":
        day = "(observed_at AT TIME ZONE 'UTC')::date"
    else:
        day = "substr(observed_at, 1, 10)"
    op.execute(
        "INSERT INTO performance_days (model_id, metric, day, points, total, minimum, maximum) "  # noqa: S608 (the day expression is ours)
        f"SELECT model_id, metric, {day}, count(*), sum(value), min(value), max(value) "
        f"FROM performance_points GROUP BY model_id, metric, {day}"
    )


def downgrade() -> None:
    op.drop_table("performance_days")
