"""The risk register: risks, their models, history, acceptances, mitigation plans and notes,
and the level matrix's versions.

Revision ID: 0014_risks
Revises: 0013_incidents
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from governance.db.base import UTCDateTime

revision = "0014_risks"
down_revision = "0013_incidents"
branch_labels = None
depends_on = None

# As of this revision (a later one that adds a value changes its own copy).
CATEGORIES = (
    "security",
    "performance",
    "fairness",
    "privacy",
    "safety",
    "transparency",
    "legal",
    "operational",
    "third_party",
)
STATUSES = ("identified", "mitigating", "mitigated", "accepted", "closed")
PLAN_STATUSES = ("planned", "in_progress", "done", "cancelled")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _rating(table: str, column: str, nullable: bool = False) -> sa.CheckConstraint:
    test = f"{column} BETWEEN 1 AND 5"
    if nullable:
        test = f"{column} IS NULL OR {test}"
    return sa.CheckConstraint(test, name=op.f(f"ck_{table}_{column}_rating"))


def _user(column: str, table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], ["users.id"], name=op.f(f"fk_{table}_{column}_users"))


def upgrade() -> None:
    op.create_table(
        "risks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(20), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("likelihood", sa.Integer(), nullable=False),
        sa.Column("impact", sa.Integer(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("residual_likelihood", sa.Integer(), nullable=True),
        sa.Column("residual_impact", sa.Integer(), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("accepted_until", sa.Date(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        _user("owner_id", "risks"),
        sa.CheckConstraint(_in("category", CATEGORIES), name=op.f("ck_risks_category_known")),
        sa.CheckConstraint(_in("status", STATUSES), name=op.f("ck_risks_status_known")),
        _rating("risks", "likelihood"),
        _rating("risks", "impact"),
        _rating("risks", "residual_likelihood", nullable=True),
        _rating("risks", "residual_impact", nullable=True),
        sa.CheckConstraint("score = likelihood * impact", name=op.f("ck_risks_score_derived")),
        sa.CheckConstraint(
            "(residual_likelihood IS NULL) = (residual_impact IS NULL)",
            name=op.f("ck_risks_residual_pair"),
        ),
        sa.CheckConstraint(
            "(status = 'accepted') = (accepted_until IS NOT NULL)",
            name=op.f("ck_risks_accepted_has_expiry"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risks")),
    )
    op.create_index("ix_risks_category", "risks", ["category"])
    op.create_index("ix_risks_owner_id", "risks", ["owner_id"])
    op.create_index("ix_risks_score", "risks", ["score", "id"])
    op.create_index("ix_risks_status_accepted_until", "risks", ["status", "accepted_until"])

    op.create_table(
        "risk_models",
        sa.Column("risk_id", sa.Integer(), nullable=False),
        sa.Column("model_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["risk_id"], ["risks.id"], name=op.f("fk_risk_models_risk_id_risks")
        ),
        sa.ForeignKeyConstraint(
            ["model_id"], ["models.id"], name=op.f("fk_risk_models_model_id_models")
        ),
        sa.PrimaryKeyConstraint("risk_id", "model_id", name=op.f("pk_risk_models")),
    )
    op.create_index("ix_risk_models_model_id", "risk_models", ["model_id"])

    op.create_table(
        "risk_transitions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("risk_id", sa.Integer(), nullable=False),
        sa.Column("from_status", sa.String(20), nullable=True),
        sa.Column("to_status", sa.String(20), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["risk_id"], ["risks.id"], name=op.f("fk_risk_transitions_risk_id_risks")
        ),
        _user("actor_id", "risk_transitions"),
        sa.CheckConstraint(
            _in("to_status", STATUSES), name=op.f("ck_risk_transitions_to_status_known")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_transitions")),
    )
    op.create_index("ix_risk_transitions_risk_id", "risk_transitions", ["risk_id"])
    op.create_index("ix_risk_transitions_at", "risk_transitions", ["at"])

    op.create_table(
        "risk_acceptances",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("risk_id", sa.Integer(), nullable=False),
        sa.Column("accepted_by_id", sa.Integer(), nullable=False),
        sa.Column("accepted_by", sa.String(100), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("justification", sa.Text(), nullable=False),
        sa.Column("accepted_on", sa.Date(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("ended_at", UTCDateTime(), nullable=True),
        sa.Column("end_reason", sa.String(40), nullable=True),
        sa.ForeignKeyConstraint(
            ["risk_id"], ["risks.id"], name=op.f("fk_risk_acceptances_risk_id_risks")
        ),
        _user("accepted_by_id", "risk_acceptances"),
        _user("owner_id", "risk_acceptances"),
        sa.CheckConstraint(
            "accepted_by_id <> owner_id", name=op.f("ck_risk_acceptances_not_own_risk")
        ),
        sa.CheckConstraint(
            "expires_on > accepted_on", name=op.f("ck_risk_acceptances_expires_after_acceptance")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_acceptances")),
    )
    op.create_index("ix_risk_acceptances_risk_id", "risk_acceptances", ["risk_id"])

    op.create_table(
        "mitigation_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("risk_id", sa.Integer(), nullable=False),
        sa.Column("strategy", sa.Text(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["risk_id"], ["risks.id"], name=op.f("fk_mitigation_plans_risk_id_risks")
        ),
        _user("owner_id", "mitigation_plans"),
        sa.CheckConstraint(
            _in("status", PLAN_STATUSES), name=op.f("ck_mitigation_plans_plan_status_known")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mitigation_plans")),
    )
    op.create_index("ix_mitigation_plans_risk_id", "mitigation_plans", ["risk_id"])
    op.create_index("ix_mitigation_plans_owner_id", "mitigation_plans", ["owner_id"])
    op.create_index("ix_mitigation_plans_open_deadline", "mitigation_plans", ["status", "deadline"])

    op.create_table(
        "mitigation_plan_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("by", sa.String(100), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["mitigation_plans.id"],
            name=op.f("fk_mitigation_plan_notes_plan_id_mitigation_plans"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mitigation_plan_notes")),
    )
    op.create_index("ix_mitigation_plan_notes_plan_id", "mitigation_plan_notes", ["plan_id"])

    op.create_table(
        "risk_matrices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("cells", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("reason", sa.String(1000), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_matrices")),
        sa.UniqueConstraint("version", name=op.f("uq_risk_matrices_version")),
    )


def downgrade() -> None:
    for table in (
        "risk_matrices",
        "mitigation_plan_notes",
        "mitigation_plans",
        "risk_acceptances",
        "risk_transitions",
        "risk_models",
        "risks",
    ):
        op.drop_table(table)
