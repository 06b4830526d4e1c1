"""The unit of work: one transaction, and what a service needs beside it.

Services never commit. The edge that opens a unit (``Workbench.unit()``) commits once when its
block ends without an error and rolls back otherwise, so a later service (say, "deploy" that
also closes an incident) composes two governed changes into one transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Concatenate, NoReturn, ParamSpec, TypeVar

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from governance.artifacts import ArtifactStore
from governance.audit.events import Event
from governance.audit.log import record_event
from governance.clock import utcnow
from governance.config import Settings, load_settings
from governance.db import Database
from governance.db.locks import LockKey, serialise
from governance.errors import Conflict, GovernanceError

if TYPE_CHECKING:
    from governance.actor import Actor

P = ParamSpec("P")
T = TypeVar("T")


def stale_message(what: str) -> str:
    """The one wording of a lost race on an edit, whatever the record."""
    return f"Someone else changed {what} meanwhile: reload and retry."


def duplicate_message(what: str) -> str:
    return f"Someone else saved {what} at the same moment: reload and retry."


BUSY_MESSAGE = "The records are busy with other changes: try again in a moment."


def _busy(exc: BaseException) -> bool:
    """SQLite's write lock stayed taken longer than the busy timeout."""
    return isinstance(exc, OperationalError) and "database is locked" in str(exc.orig)


class UnitOfWork:
    """A session, the artifact store, the settings and the clock of one governed transaction.

    An error that ends the unit (a conflict, a refusal) rolls it back at once and undoes the
    files it wrote, so nothing half-written stays behind whoever catches the error.
    """

    def __init__(self, workbench: Workbench, session: Session) -> None:
        self.session = session
        self.settings = workbench.settings
        self.artifacts = workbench.artifacts
        self._clock = workbench.clock
        self._undo: list[Callable[[], None]] = []
        self._after: list[Callable[[], None]] = []

    @property
    def dialect(self) -> str:
        return self.session.get_bind().dialect.name

    def now(self) -> datetime:
        """The time of this unit's changes (aware UTC)."""
        return self._clock()

    def record(self, actor: Actor | str, event: Event) -> int:
        """Append ``event`` to the audit chain in this transaction; its position is returned."""
        return record_event(self.session, actor=actor, event=event, at=self.now()).id

    def serialise(self, key: LockKey) -> None:
        """Queue behind other units holding ``key`` until this one ends (read-then-write rules
        such as "the first administrator" or "the last administrator")."""
        serialise(self.session, key)

    def on_rollback(self, undo: Callable[[], None]) -> None:
        """Run ``undo`` if this unit rolls back (for files written outside the database)."""
        self._undo.append(undo)

    def after_commit(self, step: Callable[[], None]) -> None:
        """Run ``step`` once this unit has committed (to finish with files what the records
        now say, such as deleting files whose removal is audited); never on a rollback."""
        self._after.append(step)

    def flush(self, what: str = "this record") -> None:
        """Send pending changes now; a lost race becomes a :class:`Conflict` about ``what``.

        ``what`` names the record as its reader would ("this account", "the fairness policy").
        """
        try:
            self.session.flush()
        except StaleDataError as exc:
            self.rollback()
            raise Conflict(stale_message(what)) from exc
        except IntegrityError as exc:
            self.rollback()
            raise Conflict(duplicate_message(what)) from exc

    def refuse(
        self,
        error: GovernanceError,
        record: Callable[[UnitOfWork], GovernanceError | None],
    ) -> NoReturn:
        """End the unit with ``error``, keeping only what ``record`` writes.

        The unit is rolled back (the refused change leaves nothing), then ``record`` writes the
        refusal (a denial event, a failed sign-in) in a short transaction of its own, committed
        before the error is raised. ``record`` may return a more precise error to raise
        instead (the attempt that locks an account says so).
        """
        self.rollback()
        try:
            replacement = record(self)
            self.session.commit()
        except BaseException:
            self.session.rollback()
            raise
        raise replacement or error

    def commit(self) -> None:
        """Commit (edges only). Changes flushed by services are already checked; a race found
        only now is still reported as a conflict rather than a crash."""
        try:
            self.session.commit()
        except (StaleDataError, IntegrityError) as exc:
            self.rollback()
            raise Conflict(stale_message("these records")) from exc
        self._undo.clear()
        after, self._after = self._after, []
        for step in after:
            step()

    def rollback(self) -> None:
        self.session.rollback()
        self._after.clear()
        undo, self._undo = self._undo, []
        for step in reversed(undo):
            step()


def _prepare_schema(database: Database, on_start: bool, migrate: bool | None) -> None:
    from governance.db import migrate as migrations

    if migrate or (migrate is None and on_start):
        migrations.upgrade(database.engine)
    elif migrate is None:
        migrations.require_current(database.engine)


@dataclass(frozen=True)
class Workbench:
    """What the edges hold: the database, the artifact store, the settings and the clock."""

    database: Database
    settings: Settings
    artifacts: ArtifactStore
    clock: Callable[[], datetime] = field(default=utcnow)

    @classmethod
    def open(cls, settings: Settings | None = None, *, migrate: bool | None = None) -> Workbench:
        """The configured workbench, its schema at head.

        ``migrate`` None follows ``settings.migrate_on_start``: migrate to head, or (false, where
        a migration role owns the schema) refuse a schema that is not at head with
        :class:`SchemaNotCurrent`. True always migrates; False does neither, for the commands
        that work on any revision (``db current``, a restore that records itself).
        """
        settings = settings or load_settings()
        database = Database.from_url(settings.database_url)
        try:
            _prepare_schema(database, settings.migrate_on_start, migrate)
        except BaseException:
            database.dispose()
            raise
        return cls(database, settings, ArtifactStore(settings.artifact_dir))

    @contextmanager
    def unit(self) -> Iterator[UnitOfWork]:
        """One unit of work: committed when the block ends, rolled back on any error."""
        with self.database.sessions() as session:
            uow = UnitOfWork(self, session)
            try:
                yield uow
                uow.commit()
            except BaseException as exc:
                uow.rollback()
                if _busy(exc):
                    raise Conflict(BUSY_MESSAGE) from exc
                raise

    def run(
        self,
        service: Callable[Concatenate[UnitOfWork, P], T],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """Call one service in a unit of its own (the CLI's and tests' shorthand)."""
        with self.unit() as uow:
            return service(uow, *args, **kwargs)

    def close(self) -> None:
        self.database.dispose()
