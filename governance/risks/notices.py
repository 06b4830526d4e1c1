"""Whom the risk register tells, and what it says. Called inside the unit of the cause, after
its records and audit event, so a notice exists exactly when its cause does. Not public."""

from __future__ import annotations

from governance.kernel import UnitOfWork
from governance.notifications import close_condition, notify, notify_on_opening

# The risk page reads ``?risk=`` to open the risk named.
PAGE = "/risks"
TITLE_ROOM = 120  # a risk's title in a notice's title (200 characters), with the words around


def link_to(risk_id: int) -> str:
    return f"{PAGE}?risk={risk_id}"


def _short(title: str) -> str:
    return title if len(title) <= TITLE_ROOM else title[: TITLE_ROOM - 1] + "…"


def overdue_key(plan_id: int) -> str:
    return f"{OVERDUE_PREFIX}{plan_id}"


OVERDUE_PREFIX = "risks:plan-overdue:"


def plan_overdue(
    uow: UnitOfWork, *, plan_id: int, owner_id: int, risk_id: int, title: str, deadline: str
) -> list[int]:
    """The plan's owner, once per plan, when its deadline is first seen passed."""
    return notify_on_opening(
        uow,
        condition=overdue_key(plan_id),
        recipients=[owner_id],
        kind="risks.plan_overdue",
        title=f"Mitigation plan overdue: {_short(title)}",
        body=f"Your mitigation plan {plan_id} for risk {risk_id} was due on {deadline}.",
        link=link_to(risk_id),
        subject=("mitigation_plan", plan_id),
    )


def plan_finished(uow: UnitOfWork, plan_id: int) -> None:
    close_condition(uow, overdue_key(plan_id))


def acceptance_expired(
    uow: UnitOfWork, *, risk_id: int, title: str, recipients: set[int], expired_on: str
) -> list[int]:
    """The owner and the officer who accepted it: the risk is open again."""
    return notify(
        uow,
        recipients=recipients,
        kind="risks.acceptance_expired",
        title=f"Risk acceptance expired: {_short(title)}",
        body=(
            f"The acceptance of risk {risk_id} held until {expired_on}; the risk is identified "
            "again and needs a decision (mitigate it, or accept it anew)."
        ),
        link=link_to(risk_id),
        subject=("risk", risk_id),
    )


def accepted(
    uow: UnitOfWork, *, risk_id: int, title: str, owner_id: int, by: str, until: str
) -> list[int]:
    return notify(
        uow,
        recipients=[owner_id],
        kind="risks.accepted",
        title=f"Risk accepted: {_short(title)}",
        body=f"{by} accepted risk {risk_id} until {until}.",
        link=link_to(risk_id),
        subject=("risk", risk_id),
    )
