"""Which records reference files in the artifact store: the one list the doctor and backups use.

A domain that keeps files in the store adds its query to :func:`artifact_references`; until
then the doctor would call its files orphans and ``--fix`` would delete them.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from governance.audit.events import Resource
from governance.fairness.models import FairnessAssessment


@dataclass(frozen=True, slots=True)
class ArtifactReference:
    """A record that points at a stored file.

    ``sha256`` is the store's name for the file; ``stored_sha256`` the hash of the file itself
    as recorded when it was stored (``None`` for records older than that column).
    """

    sha256: str
    stored_sha256: str | None
    resource: Resource
    resource_id: int

    @property
    def label(self) -> str:
        return f"{self.resource.value.replace('_', ' ')} #{self.resource_id}"


def artifact_references(session: Session) -> list[ArtifactReference]:
    """Every record that references a stored file, in a stable order."""
    rows = session.execute(
        select(
            FairnessAssessment.id,
            FairnessAssessment.file_sha256,
            FairnessAssessment.artifact_sha256,
        ).order_by(FairnessAssessment.id)
    )
    return [
        ArtifactReference(sha, stored, Resource.FAIRNESS_ASSESSMENT, row_id)
        for row_id, sha, stored in rows
    ]
