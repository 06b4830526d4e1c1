"""The head of the audit chain: what a backup promises its restored chain will end with.

``head_of`` reads it and ``check_head`` is the one comparison. Today the expected head comes
from the backup's manifest, which anyone who can rewrite the backup can rewrite too; a signed
checkpoint (another branch) slots in at the caller of ``check_head`` (see
``restore.expected_head``), with no change here.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from governance.audit.chain import GENESIS_HASH
from governance.audit.models import AuditEvent
from governance.errors import IntegrityFailure


@dataclass(frozen=True, slots=True)
class AuditHead:
    """The newest event of a chain: its position and hash, and how many events there are.

    An empty chain has ``last_id`` 0 and the genesis hash. Positions are consecutive from 1, so
    ``events`` equals ``last_id`` in an intact chain; both are kept because a deletion in the
    middle changes one and not the other.
    """

    last_id: int
    last_hash: str
    events: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Any) -> AuditHead:
        """The head as a manifest states it; a ``ValueError`` names what is malformed."""
        if not isinstance(data, dict):
            raise ValueError("the audit head is not an object")
        last_id, last_hash, events = data.get("last_id"), data.get("last_hash"), data.get("events")
        if not (isinstance(last_id, int) and isinstance(events, int)):
            raise ValueError("the audit head's last_id and events must be whole numbers")
        if not (isinstance(last_hash, str) and len(last_hash) == 64):
            raise ValueError("the audit head's last_hash must be a SHA-256 in hex")
        return cls(last_id, last_hash, events)

    def describe(self) -> str:
        if self.events == 0:
            return "an empty audit trail"
        return f"event {self.last_id} (hash {self.last_hash[:12]}…), {self.events} events"


def head_of(session: Session) -> AuditHead:
    """The head of the chain that ``session`` sees (one consistent read)."""
    newest = session.execute(
        select(AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)
    ).first()
    count = session.scalar(select(func.count()).select_from(AuditEvent)) or 0
    if newest is None:
        return AuditHead(0, GENESIS_HASH, count)
    return AuditHead(newest[0], newest[1], count)


def check_head(expected: AuditHead, actual: AuditHead, *, expected_from: str) -> None:
    """Raise :class:`IntegrityFailure` unless ``actual`` is the head ``expected_from`` promised.

    A chain that verifies but ends elsewhere has lost (or gained) events at its end: that is
    the one change a hash chain cannot show by itself.
    """
    if actual == expected:
        return
    raise IntegrityFailure(
        f"The restored audit trail ends at {actual.describe()}, but {expected_from} records "
        f"{expected.describe()}: events were removed or added, or the backup was altered."
    )
