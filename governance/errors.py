"""One error hierarchy whose messages a compliance officer can read.

Pages and the CLI catch only :class:`GovernanceError`; anything else is a bug.
"""

from __future__ import annotations


class GovernanceError(Exception):
    """Base of every error the workbench reports to a person."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class NotFound(GovernanceError):
    """A named record does not exist."""


class ValidationError(GovernanceError):
    """Input was refused; the message names the field and the problem."""


class PermissionDenied(GovernanceError):
    """The actor's role does not allow the action."""


class Conflict(GovernanceError):
    """The change clashes with the current state (duplicate name, stale edit)."""


class AuthenticationFailed(GovernanceError):
    """A login attempt was refused."""


class IntegrityFailure(GovernanceError):
    """Stored evidence does not verify (for example a broken audit chain)."""


class SchemaNotCurrent(GovernanceError):
    """The database's schema is not the one this version works with, and migrating it is the
    migration role's job (``GOVERNANCE_MIGRATE_ON_START=false``)."""
