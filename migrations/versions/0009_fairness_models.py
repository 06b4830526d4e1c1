"""Saved fairness assessments name the registry's model and version they are evidence about.

Adds ``fairness_assessments.model_id`` (→ ``models``) and ``model_version_id`` (→
``model_versions``), both nullable, and links the assessments saved before:

- an assessment's free-text model name is matched to a registered model without regard to
  case (as the registry compares names); a name no model has is registered as a new model,
  spelled as in its earliest assessment, owned by the account that saved that assessment (the
  first administrator when that account does not exist, the command line's operator say),
  provider ``other``, risk tier ``limited``, with an intended use saying that it was
  registered by this migration and that its tier and documentation await review;
- a model version that is a semantic version is matched to the model's version of equal
  precedence, or added as a draft (artifact unknown: a SHA-256 of zeros and a changelog that
  says so; its history's first step names this migration);
- a version that is not a semantic version ("v2", "latest"), or none, leaves
  ``model_version_id`` NULL: the assessment is linked to its model only. With no account at
  all to own a new model, the assessment stays unlinked.

The free-text columns are kept as they were, so history reads as it was saved. A migration
cannot write audit events: the chain is appended by the services under the audit lock and
each event names a person, so the models and versions registered here have no
``model.registered`` event; ``created_by`` says ``migration:0009`` instead.

Downgrade drops the two columns only. Models and versions registered here stay: by then they
may have versions, approvals or deployments of their own.

Revision ID: 0009_fairness_models
Revises: 0008_registry
Create Date: 2026-12-03
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.engine import Connection

from governance.db.base import UTCDateTime
from governance.errors import ValidationError
from governance.registry.semver import parse_semver

revision = "0009_fairness_models"
down_revision = "0008_registry"
branch_labels = None
depends_on = None

BY = "migration:0009"
INTENDED_USE = (
    "Registered by migration 0009 from saved fairness assessments that named it. Its risk "
    "tier (limited), provider and documentation are placeholders awaiting its owner's review."
)
CHANGELOG = (
    "Registered by migration 0009 from saved fairness assessments; the artifact is unknown "
    "(its SHA-256 is recorded as zeros)."
)
UNKNOWN_SHA = "0" * 64

# The tables as of this revision, written out: later changes to the models must not change
# what this migration does.
_meta = sa.MetaData()
users = sa.Table(
    "users",
    _meta,
    sa.Column("id", sa.Integer),
    sa.Column("username", sa.String),
    sa.Column("role", sa.String),
)
models = sa.Table(
    "models",
    _meta,
    sa.Column("id", sa.Integer),
    sa.Column("name", sa.String),
    sa.Column("name_key", sa.String),
    sa.Column("provider", sa.String),
    sa.Column("owner_id", sa.Integer),
    sa.Column("risk_tier", sa.String),
    sa.Column("intended_use", sa.Text),
    sa.Column("capabilities", sa.JSON),
    sa.Column("known_limitations", sa.JSON),
    sa.Column("performance_baseline", sa.JSON),
    sa.Column("created_at", UTCDateTime()),
    sa.Column("created_by", sa.String),
    sa.Column("row_version", sa.Integer),
)
versions = sa.Table(
    "model_versions",
    _meta,
    sa.Column("id", sa.Integer),
    sa.Column("model_id", sa.Integer),
    sa.Column("version", sa.String),
    sa.Column("version_key", sa.String),
    sa.Column("changelog", sa.Text),
    sa.Column("artifact_uri", sa.String),
    sa.Column("artifact_sha256", sa.String),
    sa.Column("status", sa.String),
    sa.Column("approval_round", sa.Integer),
    sa.Column("created_at", UTCDateTime()),
    sa.Column("created_by", sa.String),
    sa.Column("created_by_id", sa.Integer),
    sa.Column("row_version", sa.Integer),
)
transitions = sa.Table(
    "version_transitions",
    _meta,
    sa.Column("id", sa.Integer),
    sa.Column("version_id", sa.Integer),
    sa.Column("from_status", sa.String),
    sa.Column("to_status", sa.String),
    sa.Column("actor", sa.String),
    sa.Column("actor_id", sa.Integer),
    sa.Column("reason", sa.Text),
    sa.Column("at", UTCDateTime()),
)
assessments = sa.Table(
    "fairness_assessments",
    _meta,
    sa.Column("id", sa.Integer),
    sa.Column("created_at", UTCDateTime()),
    sa.Column("created_by", sa.String),
    sa.Column("model_name", sa.String),
    sa.Column("model_version", sa.String),
    sa.Column("model_id", sa.Integer),
    sa.Column("model_version_id", sa.Integer),
)


def upgrade() -> None:
    with op.batch_alter_table("fairness_assessments") as batch:
        batch.add_column(sa.Column("model_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("model_version_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_fairness_assessments_model_id_models"), "models", ["model_id"], ["id"]
        )
        batch.create_foreign_key(
            op.f("fk_fairness_assessments_model_version_id_model_versions"),
            "model_versions",
            ["model_version_id"],
            ["id"],
        )
        batch.create_index("ix_fairness_assessments_model_id", ["model_id"])
        batch.create_index("ix_fairness_assessments_model_version_id", ["model_version_id"])
    _link(op.get_bind())


def downgrade() -> None:
    with op.batch_alter_table("fairness_assessments") as batch:
        batch.drop_index("ix_fairness_assessments_model_version_id")
        batch.drop_index("ix_fairness_assessments_model_id")
        batch.drop_constraint(
            op.f("fk_fairness_assessments_model_version_id_model_versions"), type_="foreignkey"
        )
        batch.drop_constraint(op.f("fk_fairness_assessments_model_id_models"), type_="foreignkey")
        batch.drop_column("model_version_id")
        batch.drop_column("model_id")


def _link(conn: Connection) -> None:
    rows = conn.execute(
        sa.select(
            assessments.c.id,
            assessments.c.created_by,
            assessments.c.model_name,
            assessments.c.model_version,
        ).order_by(assessments.c.created_at, assessments.c.id)
    ).all()
    now = datetime.now(UTC)
    owners = _accounts(conn)
    model_ids: dict[str, int | None] = {}
    version_ids: dict[tuple[int, str], int] = {}
    for row in rows:  # oldest first: a new model is spelled as it was first saved
        key = row.model_name.strip().casefold()
        if key not in model_ids:
            model_ids[key] = _model(conn, key, row.model_name.strip(), owners, row.created_by, now)
        model_id = model_ids[key]
        if model_id is None:
            continue
        version_id = _version(conn, model_id, row.model_version, owners, row.created_by, now,
                              version_ids)  # fmt: skip
        conn.execute(
            assessments.update()
            .where(assessments.c.id == row.id)
            .values(model_id=model_id, model_version_id=version_id)
        )


def _accounts(conn: Connection) -> dict[str | None, int]:
    """Each username's account id; ``None`` maps to the first administrator (if any)."""
    found: dict[str | None, int] = {}
    for user in conn.execute(sa.select(users.c.id, users.c.username, users.c.role)):
        found[user.username] = user.id
        if user.role == "admin" and (None not in found or user.id < found[None]):
            found[None] = user.id
    return found


def _model(
    conn: Connection,
    key: str,
    name: str,
    owners: dict[str | None, int],
    saved_by: str,
    now: datetime,
) -> int | None:
    existing = conn.scalar(sa.select(models.c.id).where(models.c.name_key == key))
    if existing is not None:
        return int(existing)
    owner = owners.get(saved_by, owners.get(None))
    if owner is None:
        return None  # nobody to own it: the assessment stays unlinked
    values: dict[str, Any] = {
        "name": name,
        "name_key": key,
        "provider": "other",
        "owner_id": owner,
        "risk_tier": "limited",
        "intended_use": INTENDED_USE,
        "capabilities": [],
        "known_limitations": [],
        "performance_baseline": {},
        "created_at": now,
        "created_by": BY,
        "row_version": 1,
    }
    return int(conn.execute(models.insert().values(**values).returning(models.c.id)).scalar_one())


def _version(
    conn: Connection,
    model_id: int,
    text: str | None,
    owners: dict[str | None, int],
    saved_by: str,
    now: datetime,
    seen: dict[tuple[int, str], int],
) -> int | None:
    try:
        semver = parse_semver(text)
    except ValidationError:
        return None  # no version, or not a semantic one: linked to the model only
    key = semver.precedence_key
    if (model_id, key) in seen:
        return seen[model_id, key]
    existing = conn.scalar(
        sa.select(versions.c.id).where(
            versions.c.model_id == model_id, versions.c.version_key == key
        )
    )
    if existing is None:
        existing = _add_draft(conn, model_id, str(semver), key, owners.get(saved_by), now)
    seen[model_id, key] = int(existing)
    return int(existing)


def _add_draft(
    conn: Connection, model_id: int, version: str, key: str, creator: int | None, now: datetime
) -> int:
    values: dict[str, Any] = {
        "model_id": model_id,
        "version": version,
        "version_key": key,
        "changelog": CHANGELOG,
        "artifact_uri": "unknown",
        "artifact_sha256": UNKNOWN_SHA,
        "status": "draft",
        "approval_round": 0,
        "created_at": now,
        "created_by": BY,
        "created_by_id": creator,
        "row_version": 1,
    }
    new_id = conn.execute(versions.insert().values(**values).returning(versions.c.id))
    version_id = int(new_id.scalar_one())
    conn.execute(
        transitions.insert().values(
            version_id=version_id,
            from_status=None,
            to_status="draft",
            actor=BY,
            actor_id=None,
            reason="registered by migration 0009 from saved fairness assessments",
            at=now,
        )
    )
    return version_id
