"""Incident management: incidents, the models they concern, their status history,
escalations (one per incident and level), post-mortems with preventive measures as rows, and
the versions of the escalation and response policy.

The CHECK constraints write the values of this revision out: a later change of the enums
needs a migration of its own.

Revision ID: 0013_incidents
Revises: 0012_watchers
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from governance.db.base import UTCDateTime

revision = "0013_incidents"
down_revision = "0012_watchers"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "incident_policies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("reason", sa.String(length=1000), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_policies")),
        sa.UniqueConstraint("version", name=op.f("uq_incident_policies_version")),
    )
    op.create_table(
        "incidents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_type", sa.String(length=20), nullable=False),
        sa.Column("severity", sa.String(length=10), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("detected_at", UTCDateTime(), nullable=False),
        sa.Column("reported_at", UTCDateTime(), nullable=False),
        sa.Column("reported_by", sa.String(length=100), nullable=False),
        sa.Column("reported_by_id", sa.Integer(), nullable=True),
        sa.Column("harm_category", sa.String(length=32), nullable=True),
        sa.Column("affected_people", sa.Integer(), nullable=True),
        sa.Column("serious", sa.Boolean(), nullable=False),
        sa.Column("involves_death", sa.Boolean(), nullable=False),
        sa.Column("widespread_infringement", sa.Boolean(), nullable=False),
        sa.Column("critical_infrastructure", sa.Boolean(), nullable=False),
        sa.Column("report_due_at", UTCDateTime(), nullable=True),
        sa.Column("regulator_reported_at", UTCDateTime(), nullable=True),
        sa.Column("regulator_reference", sa.String(length=200), nullable=True),
        sa.Column("acknowledged_at", UTCDateTime(), nullable=True),
        sa.Column("acknowledged_by", sa.String(length=100), nullable=True),
        sa.Column("escalation_level", sa.Integer(), nullable=False),
        sa.Column("next_escalation_at", UTCDateTime(), nullable=True),
        sa.Column("resolved_at", UTCDateTime(), nullable=True),
        sa.Column("resolved_by", sa.String(length=100), nullable=True),
        sa.Column("root_cause", sa.Text(), nullable=True),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.Column("closed_by", sa.String(length=100), nullable=True),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "harm_category IS NULL OR harm_category IN ('health_safety', 'fundamental_rights', 'discrimination', 'privacy', 'financial', 'property_environment', 'critical_infrastructure', 'reputational', 'other')",
            name=op.f("ck_incidents_harm_category_known"),
        ),
        sa.CheckConstraint(
            "incident_type IN ('security', 'performance', 'data', 'compliance', 'operational', 'fairness')",
            name=op.f("ck_incidents_type_known"),
        ),
        sa.CheckConstraint(
            "severity IN ('critical', 'high', 'medium', 'low')",
            name=op.f("ck_incidents_severity_known"),
        ),
        sa.CheckConstraint(
            "status IN ('open', 'investigating', 'resolved', 'closed')",
            name=op.f("ck_incidents_status_known"),
        ),
        sa.CheckConstraint(
            "affected_people IS NULL OR affected_people >= 0",
            name=op.f("ck_incidents_affected_people"),
        ),
        sa.CheckConstraint(
            "escalation_level BETWEEN 0 AND 3", name=op.f("ck_incidents_escalation_level_range")
        ),
        sa.ForeignKeyConstraint(
            ["reported_by_id"], ["users.id"], name=op.f("fk_incidents_reported_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incidents")),
    )
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.create_index(
            "ix_incidents_next_escalation_at", ["next_escalation_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_incidents_reported_at"), ["reported_at"], unique=False)
        batch_op.create_index("ix_incidents_status_severity", ["status", "severity"], unique=False)

    op.create_table(
        "incident_escalations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("due_at", UTCDateTime(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("notified_roles", sa.JSON(), nullable=False),
        sa.Column("notified", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "level BETWEEN 1 AND 3", name=op.f("ck_incident_escalations_level_range")
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_incident_escalations_incident_id_incidents"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_escalations")),
        sa.UniqueConstraint("incident_id", "level", name="uq_incident_escalations_incident_level"),
    )
    op.create_table(
        "incident_models",
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("model_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_incident_models_incident_id_incidents")
        ),
        sa.ForeignKeyConstraint(
            ["model_id"], ["models.id"], name=op.f("fk_incident_models_model_id_models")
        ),
        sa.PrimaryKeyConstraint("incident_id", "model_id", name=op.f("pk_incident_models")),
    )
    with op.batch_alter_table("incident_models", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_incident_models_model_id"), ["model_id"], unique=False)

    op.create_table(
        "incident_postmortems",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("timeline", sa.Text(), nullable=False),
        sa.Column("lessons_learned", sa.Text(), nullable=False),
        sa.Column("written_at", UTCDateTime(), nullable=False),
        sa.Column("written_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_incident_postmortems_incident_id_incidents"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_postmortems")),
        sa.UniqueConstraint("incident_id", name=op.f("uq_incident_postmortems_incident_id")),
    )
    op.create_table(
        "incident_transitions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("from_status", sa.String(length=20), nullable=True),
        sa.Column("to_status", sa.String(length=20), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "to_status IN ('open', 'investigating', 'resolved', 'closed')",
            name=op.f("ck_incident_transitions_to_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_incident_transitions_actor_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_incident_transitions_incident_id_incidents"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_transitions")),
    )
    with op.batch_alter_table("incident_transitions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_incident_transitions_incident_id"), ["incident_id"], unique=False
        )

    op.create_table(
        "incident_measures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("postmortem_id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("description", sa.String(length=1000), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_incident_measures_incident_id_incidents"),
        ),
        sa.ForeignKeyConstraint(
            ["postmortem_id"],
            ["incident_postmortems.id"],
            name=op.f("fk_incident_measures_postmortem_id_incident_postmortems"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_measures")),
    )
    with op.batch_alter_table("incident_measures", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_incident_measures_incident_id"), ["incident_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_incident_measures_postmortem_id"), ["postmortem_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("incident_measures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incident_measures_postmortem_id"))
        batch_op.drop_index(batch_op.f("ix_incident_measures_incident_id"))

    op.drop_table("incident_measures")
    with op.batch_alter_table("incident_transitions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incident_transitions_incident_id"))

    op.drop_table("incident_transitions")
    op.drop_table("incident_postmortems")
    with op.batch_alter_table("incident_models", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incident_models_model_id"))

    op.drop_table("incident_models")
    op.drop_table("incident_escalations")
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_index("ix_incidents_status_severity")
        batch_op.drop_index(batch_op.f("ix_incidents_reported_at"))
        batch_op.drop_index("ix_incidents_next_escalation_at")

    op.drop_table("incidents")
    op.drop_table("incident_policies")
