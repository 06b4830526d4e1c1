"""The audit panel of the overview: how many events, the last one, whether the chain holds."""

from __future__ import annotations

from governance.actor import Actor
from governance.audit.service import event_count, last_event_at
from governance.audit.verification import verify_recent
from governance.kernel import UnitOfWork
from governance.overview import Panel, Tile, contributes


@contributes(order=20)
def audit_panel(uow: UnitOfWork, actor: Actor) -> Panel:
    # Whether the trail is intact is not a secret: every role sees it. Incremental: the
    # events since the last verified position (the audit page says what that leaves out).
    chain = verify_recent(uow)
    return Panel(
        title="Audit trail",
        tiles=(
            Tile("Audit events", event_count(uow)),
            Tile("Last activity", last_event_at(uow)),
            Tile("Audit chain", "Intact" if chain.intact else "BROKEN", chain.summary()),
        ),
        alert=None if chain.intact else chain.summary(),
    )
