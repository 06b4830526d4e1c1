"""The demo's people: one account per role (two compliance officers, for the two approvals a
high-risk model needs; two data scientists, so that models have different owners).

Each load draws fresh random passwords (``secrets``), printed once by the command; the demo
accounts keep them, without the change at first sign-in that accounts created by an
administrator normally get, so that a newcomer signs in straight away. Demo only: a real
workbench starts from the first-start form and the Users page.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from governance.auth import service as auth
from governance.auth.roles import Role
from governance.auth.service import UserInfo
from governance.kernel import UnitOfWork

ADMIN = "admin"
OLIVIA = "officer.olivia"
MARCO = "officer.marco"
SAM = "scientist.sam"
LENA = "scientist.lena"
EXECUTIVE = "exec.erin"
AUDITOR = "auditor.arjun"


@dataclass(frozen=True, slots=True)
class DemoAccount:
    username: str
    role: Role
    display_name: str


ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount(ADMIN, Role.ADMIN, "Ada Adeyemi"),
    DemoAccount(OLIVIA, Role.COMPLIANCE_OFFICER, "Olivia Okafor"),
    DemoAccount(MARCO, Role.COMPLIANCE_OFFICER, "Marco Rossi"),
    DemoAccount(SAM, Role.DATA_SCIENTIST, "Sam Patel"),
    DemoAccount(LENA, Role.DATA_SCIENTIST, "Lena Fischer"),
    DemoAccount(EXECUTIVE, Role.EXECUTIVE, "Erin Cho"),
    DemoAccount(AUDITOR, Role.AUDITOR, "Arjun Rao"),
)


@dataclass(frozen=True, slots=True)
class Credential:
    """An account made by the load and the password it was given (shown once)."""

    username: str
    role: Role
    display_name: str
    password: str


def new_password() -> str:
    """A random password well above the 12-character policy, easy to copy (URL-safe)."""
    return secrets.token_urlsafe(12)  # 16 characters, 96 bits


def create_accounts(uow: UnitOfWork) -> tuple[dict[str, UserInfo], list[Credential]]:
    """The first administrator, then everyone else created by that administrator."""
    users: dict[str, UserInfo] = {}
    credentials: list[Credential] = []
    first, *others = ACCOUNTS
    password = new_password()
    admin = auth.create_first_admin(
        uow, username=first.username, password=password, display_name=first.display_name
    )
    users[admin.username] = admin
    credentials.append(Credential(first.username, first.role, first.display_name, password))
    for account in others:
        password = new_password()
        users[account.username] = auth.create_user(
            uow,
            actor=admin.actor(),
            username=account.username,
            role=account.role,
            password=password,
            display_name=account.display_name,
            email=f"{account.username}@demo.example",
            # The supported switch (the CLI's --keep-password): the password was just shown
            # to the person who will use it, so there is nothing to change.
            must_change_password=False,
        )
        credentials.append(Credential(account.username, account.role, account.display_name,
                                      password))  # fmt: skip
    return users, credentials
