"""What a backup states about the database it holds, read the same way from both ends.

The live snapshot's facts go into the manifest; a restored copy's facts are read again and
compared, so a restore proves it holds what was backed up: the same schema revision, the same
rows per table, an intact audit chain ending at the same head, and the same references.
"""

from __future__ import annotations

from dataclasses import dataclass

from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, inspect, select, table
from sqlalchemy.orm import Session

from governance.audit.chain import ChainReport
from governance.audit.service import verify_session_chain
from governance.maintenance.head import AuditHead, head_of
from governance.maintenance.references import ArtifactReference, artifact_references


@dataclass(frozen=True, slots=True)
class DatabaseFacts:
    revision: str | None
    head: AuditHead
    chain: ChainReport
    tables: dict[str, int]
    references: list[ArtifactReference]


def table_counts(session: Session, schema: str | None = None) -> dict[str, int]:
    """Rows per table of ``schema`` (the default one if ``None``), Alembic's own included."""
    names = sorted(inspect(session.connection()).get_table_names(schema=schema))
    return {
        name: session.scalar(select(func.count()).select_from(table(name, schema=schema))) or 0
        for name in names
    }


def facts_of(
    session: Session, *, schema: str | None = None, references: bool = True
) -> DatabaseFacts:
    """Everything :class:`DatabaseFacts` holds, in ``session``'s one view of the database.

    ``schema`` is where the tables are (PostgreSQL); the session's ``search_path`` must lead
    there too, for the records' own queries. ``references=False`` skips the references (left
    empty): their query names today's columns, which a copy at an older revision may lack.
    """
    revision = MigrationContext.configure(session.connection()).get_current_revision()
    return DatabaseFacts(
        revision=revision,
        head=head_of(session),
        chain=verify_session_chain(session),
        tables=table_counts(session, schema),
        references=artifact_references(session) if references else [],
    )
