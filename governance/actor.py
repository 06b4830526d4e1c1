"""Who is acting: every service call names its actor, and every audit event records it."""

from __future__ import annotations

import getpass
from dataclasses import dataclass

from governance.auth.roles import Role


@dataclass(frozen=True, slots=True)
class Actor:
    """A signed-in person (``user_id`` set) or the command line run by an operator.

    Services re-read a person's role and active flag from the records on every call, so an
    actor held in a browser session cannot outlive a role change or a deactivation.
    """

    username: str
    role: Role
    user_id: int | None = None

    @property
    def is_system(self) -> bool:
        return self.user_id is None

    @classmethod
    def command_line(cls) -> Actor:
        """The operator of the CLI: whoever can reach the database already holds every power."""
        try:
            who = getpass.getuser()
        except Exception:  # getuser raises several types when no user name is known
            who = "unknown"
        return cls(username=f"cli:{who}", role=Role.ADMIN, user_id=None)
