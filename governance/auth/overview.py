"""The accounts panel of the overview: active accounts by role (counts only)."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import func, select

from governance.actor import Actor
from governance.auth.models import User
from governance.auth.roles import Role
from governance.kernel import UnitOfWork
from governance.overview import Panel, Tile, contributes


@contributes(order=10)
def accounts_panel(uow: UnitOfWork, actor: Actor) -> Panel:
    rows = uow.session.execute(
        select(User.role, User.is_active, func.count()).group_by(User.role, User.is_active)
    ).all()
    active = {role: 0 for role in Role}
    inactive = 0
    for role, is_active, count in rows:
        if is_active:
            active[Role(role)] += count
        else:
            inactive += count
    table = pd.DataFrame(
        {"Role": [r.label for r in Role], "Active accounts": [active[r] for r in Role]}
    )
    alone = actor.role is Role.ADMIN and sum(active.values()) == 1
    return Panel(
        title="Accounts by role",
        tiles=(Tile("Active accounts", sum(active.values())),),
        table=table,
        note=f"{inactive} deactivated account(s) are kept for the record." if inactive else None,
        next_step=(
            "You are the only account. Next: open **Users and roles** to create accounts for "
            "your compliance officers, data scientists, executives and auditors."
            if alone
            else None
        ),
    )
