"""The service kernel: how every governed change is written.

A service function takes a :class:`UnitOfWork` first and keyword-only arguments after it::

    def do_something(uow: UnitOfWork, *, actor: Actor, ...) -> PlainData:
        authorize(uow, actor, Action.X, Resource.Y, resource_id)   # 1. may the actor?
        value = clean_text(raw, field="Title", limit=200)           # 2. validate
        uow.session.add(record); uow.flush("this record")           # 3. write
        uow.record(actor, Event(AuditAction.Y_DONE, Resource.Y, record.id, details))  # 4. audit
        return to_plain(record)                                     # 5. plain data, no commit

The edge that opened the unit (a page through ``ui``, the CLI, a test, later the API) commits
once, so two services compose into one transaction. See CONTRIBUTING.md.
"""

from governance.db.locks import LockKey
from governance.kernel.guard import authorize, current_role, deny
from governance.kernel.records import frame_of, plain
from governance.kernel.text import clean_text
from governance.kernel.unit import UnitOfWork, Workbench, stale_message

__all__ = [
    "LockKey",
    "UnitOfWork",
    "Workbench",
    "authorize",
    "clean_text",
    "current_role",
    "deny",
    "frame_of",
    "plain",
    "stale_message",
]
