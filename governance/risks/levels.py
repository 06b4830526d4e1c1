"""The level matrix in force, its versions, and putting a new one in force (audited).

Versioned like the fairness policy: each change appends version N + 1 with who, when and why;
version 0 is the built-in default (score bands 1–4 low, 5–9 medium, 10–16 high, 20–25
critical) until a compliance officer sets one. Levels are read from the version in force
whenever a risk is shown, so a change re-levels every risk at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import pandas as pd
from sqlalchemy import select

from governance.actor import Actor
from governance.audit.events import AuditAction, Event, Resource
from governance.auth.roles import Action
from governance.errors import Conflict, ValidationError
from governance.kernel import UnitOfWork, authorize, clean_text, frame_of, stale_message
from governance.risks.matrix import DEFAULT_MATRIX, Matrix
from governance.risks.models import RiskMatrixVersion

THE_MATRIX = "the risk level matrix"


@dataclass(frozen=True, slots=True)
class MatrixVersion:
    """A version of the matrix: its number (0 for the built-in default), who set it, why."""

    version: int
    matrix: Matrix
    created_at: datetime | None
    created_by: str | None
    reason: str


DEFAULT_VERSION = MatrixVersion(0, DEFAULT_MATRIX, None, None, "built-in default (score bands)")


def _version_of(row: RiskMatrixVersion) -> MatrixVersion:
    return MatrixVersion(
        row.version, Matrix.from_json(row.cells), row.created_at, row.created_by, row.reason
    )


def in_force(uow: UnitOfWork) -> MatrixVersion:
    """The version in force, unauthorised (for the services that level what they read)."""
    stmt = select(RiskMatrixVersion).order_by(RiskMatrixVersion.version.desc()).limit(1)
    row = uow.session.scalars(stmt).first()
    return DEFAULT_VERSION if row is None else _version_of(row)


def matrix_in_force(uow: UnitOfWork, *, actor: Actor) -> MatrixVersion:
    """The matrix every risk is levelled by now."""
    authorize(uow, actor, Action.RISK_READ, Resource.RISK_MATRIX)
    return in_force(uow)


def update_matrix(
    uow: UnitOfWork,
    *,
    actor: Actor,
    matrix: Matrix | Sequence[Sequence[str]],
    reason: str | None,
    expected_version: int | None = None,
) -> MatrixVersion:
    """Put a new matrix in force (compliance officers). ``reason`` is required;
    ``expected_version`` is the version the editor saw (a newer one in force is a
    :class:`Conflict`, as is losing the race to the unique version number)."""
    authorize(uow, actor, Action.RISK_MATRIX_EDIT, Resource.RISK_MATRIX)
    why = clean_text(reason, field="Reason for the change", limit=1000, multiline=True)
    if not isinstance(matrix, Matrix):
        matrix = Matrix.from_grid(matrix)  # rows by likelihood 1..5, columns by impact 1..5
    current = in_force(uow)
    if expected_version is not None and expected_version != current.version:
        raise Conflict(stale_message(THE_MATRIX))
    changes = matrix.changes_from(current.matrix)
    if not changes:
        raise ValidationError("Matrix: the matrix is unchanged.")
    row = RiskMatrixVersion(
        version=current.version + 1,
        cells=matrix.to_json(),
        created_at=uow.now(),
        created_by=actor.username,
        reason=why,
    )
    uow.session.add(row)
    uow.flush(THE_MATRIX)
    details = {
        "version": row.version,
        "changes": changes,
        "before": current.matrix.to_json(),
        "after": matrix.to_json(),
        "reason": why,
    }
    uow.record(actor, Event(AuditAction.RISK_MATRIX_CHANGED, Resource.RISK_MATRIX, row.id, details))
    return _version_of(row)


@dataclass(frozen=True, slots=True)
class MatrixHistoryRow:
    version: int
    in_force_since: datetime
    set_by: str
    reason: str
    changes: str


def matrix_history(uow: UnitOfWork, *, actor: Actor) -> pd.DataFrame:
    """Every version of the matrix, newest first: since when, by whom, why, what changed."""
    authorize(uow, actor, Action.RISK_READ, Resource.RISK_MATRIX)
    rows = uow.session.scalars(select(RiskMatrixVersion).order_by(RiskMatrixVersion.version))
    history: list[MatrixHistoryRow] = []
    previous = DEFAULT_MATRIX
    for row in rows:
        version = _version_of(row)
        changes = "; ".join(version.matrix.changes_from(previous)) or "(no change)"
        history.append(
            MatrixHistoryRow(row.version, row.created_at, row.created_by, row.reason, changes)
        )
        previous = version.matrix
    return frame_of(MatrixHistoryRow, reversed(history))
