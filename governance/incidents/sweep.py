"""The escalation sweep: every incident past its acknowledgement window goes up a level.

Run whenever incident records are read (the list, a detail, the overview), by ``python -m
governance incidents escalate`` from a cron job, and by a report that escalates on creation.

Set-based: one indexed read of what is due (``next_escalation_at <= now``), the levels
computed by the pure rule (:mod:`governance.incidents.escalation`), the escalation rows
written in batches with ``ON CONFLICT DO NOTHING`` on their unique (incident, level), so of
two sweeps racing over one incident one writes the level and the other finds it written and
does nothing more for it; then one batched UPDATE of the incidents, the notifications in
batches, and ONE audit event per sweep listing every (incident, level) it wrote. One event per
escalation was the alternative: each append takes the audit chain's lock and hashes in
series, so 20,000 escalations would hold every other writer for many seconds and bury the
trail under bookkeeping; the rows themselves (when due, when written, why, whom) are the
detail, and the event's list makes each of them evidence.

The level moves in place without touching ``row_version``: an escalation is bookkeeping, and
must not make an officer's acknowledgement, written at the same moment, a conflict.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import bindparam, select, text, update
from sqlalchemy.dialects import sqlite

from governance.actor import Actor
from governance.audit.events import AuditAction, Event, Resource
from governance.auth.roles import Action, Role
from governance.incidents import escalation
from governance.incidents.fields import Severity
from governance.incidents.lifecycle import ACTIVE
from governance.incidents.models import Incident, IncidentEscalation
from governance.incidents.policy import MAX_LEVEL, ResponsePolicy
from governance.incidents.policy_store import in_force
from governance.kernel import UnitOfWork, authorize
from governance.notifications import Notice, deliver_many, role_members

SWEEPER = "system:escalation"
PAGE = "/incidents"
_BATCH = 10_000
TITLE_ROOM = 120
ZERO = timedelta(0)
DIGEST_OVER = 20  # incidents reaching one level in one sweep


@dataclass(frozen=True, slots=True)
class Escalated:
    """One level reached by one incident in a sweep."""

    incident_id: int
    level: int
    due_at: datetime
    reason: str


def link_to(incident_id: int) -> str:
    return f"{PAGE}?{urlencode({'incident': incident_id})}"


def escalate_overdue(uow: UnitOfWork, *, actor: Actor) -> list[Escalated]:
    """The sweep on request (the CLI's ``escalate``, a cron job): incident managers."""
    authorize(uow, actor, Action.INCIDENT_MANAGE, Resource.INCIDENT)
    return escalate_due(uow, trigger=actor.username)


def escalate_due(
    uow: UnitOfWork, *, trigger: str = "read", incident_id: int | None = None
) -> list[Escalated]:
    """Escalate every incident whose next level is due at ``uow.now()`` (or only
    ``incident_id``); what this sweep wrote is returned (nothing when it was all done)."""
    now = uow.now()
    table = Incident.__table__
    stmt = select(
        table.c.id, table.c.severity, table.c.reported_at, table.c.escalation_level,
        table.c.title,
    ).where(
        table.c.next_escalation_at <= now,
        table.c.acknowledged_at.is_(None),
        table.c.status.in_([s.value for s in ACTIVE]),
    )  # fmt: skip
    if incident_id is not None:
        stmt = stmt.where(table.c.id == incident_id)
    due = uow.session.execute(stmt).all()
    if not due:
        return []
    policy = in_force(uow).policy
    planned, schedule = _plan(policy, due, now)
    members = {rule.level: role_members(uow, roles=rule.roles) for rule in policy.levels}
    won = _insert(uow, planned, members, policy, now)
    _update(uow, won, schedule, policy)
    titles = {row.id: row.title for row in due}
    _notify(uow, won, members, titles)
    if won:
        details = {
            "trigger": trigger,
            "escalations": [[e.incident_id, e.level] for e in won],
            "policy": in_force(uow).version,
        }
        only = won[0].incident_id if len({e.incident_id for e in won}) == 1 else None
        uow.record(SWEEPER, Event(AuditAction.INCIDENT_ESCALATED, Resource.INCIDENT, only, details))
    return won


def _plan(
    policy: ResponsePolicy, due: Sequence[Any], now: datetime
) -> tuple[list[Escalated], dict[int, tuple[int, int, str, datetime]]]:
    """The levels each due incident reaches now, and (its current level, its target, its
    severity, when it was reported). The rule is :mod:`governance.incidents.escalation`'s,
    its per-severity constants taken once rather than per row."""
    rules = {
        s.value: (timedelta(minutes=policy.window(s)), escalation.base_level(policy, s))
        for s in Severity
    }
    reasons = {
        (s.value, level): escalation.reason(policy, s, level)
        for s in Severity
        for level in range(1, MAX_LEVEL + 1)
    }
    planned: list[Escalated] = []
    schedule: dict[int, tuple[int, int, str, datetime]] = {}
    for row in due:
        window, base = rules[row.severity]
        waited = now - row.reported_at
        target = min(MAX_LEVEL, base + (int(waited / window) if waited >= ZERO else 0))
        current = row.escalation_level
        schedule[row.id] = (current, max(target, current), row.severity, row.reported_at)
        for level in range(current + 1, target + 1):
            due_at = row.reported_at + max(0, level - base) * window
            planned.append(Escalated(row.id, level, due_at, reasons[(row.severity, level)]))
    return planned, schedule


def _insert(
    uow: UnitOfWork,
    planned: list[Escalated],
    members: dict[int, list[int]],
    policy: ResponsePolicy,
    now: datetime,
) -> list[Escalated]:
    """Write the escalation rows; those another sweep wrote first are left out."""
    if not planned:
        return []
    insert = sqlite.insert
    table = IncidentEscalation.__table__
    by_key = {(e.incident_id, e.level): e for e in planned}
    roles = {rule.level: [Role(r).value for r in rule.roles] for rule in policy.levels}
    rows = [
        {
            "incident_id": e.incident_id, "level": e.level, "due_at": e.due_at, "at": now,
            "reason": e.reason[:500], "notified_roles": roles[e.level],
            "notified": len(members[e.level]),
        }
        for e in planned
    ]  # fmt: skip
    if uow.dialect == "postgresql":
        written = _insert_postgresql(uow, rows, now)
    else:
        # One statement executed for many rows: SQLAlchemy sends them in batches of many
        # VALUES each ("insertmanyvalues"), RETURNING only the rows this sweep wrote.
        stmt = (
            insert(table)
            .on_conflict_do_nothing(index_elements=["incident_id", "level"])
            .returning(table.c.incident_id, table.c.level)
        )
        written = []
        for start in range(0, len(rows), _BATCH):
            written.extend(uow.session.execute(stmt, rows[start : start + _BATCH]).all())
    won = [by_key[(i, lvl)] for i, lvl in written]
    won.sort(key=lambda e: (e.incident_id, e.level))
    return won


def _insert_postgresql(
    uow: UnitOfWork, rows: list[dict[str, Any]], now: datetime
) -> list[tuple[int, int]]:
    """The rows in one INSERT … SELECT FROM unnest: one statement and eight parameters, not
    one VALUES tuple per row (on PostgreSQL several times faster at tens of thousands)."""
    stmt = text(
        "INSERT INTO incident_escalations "
        "(incident_id, level, due_at, at, reason, notified_roles, notified) "
        "SELECT u.i, u.l, u.d, :at, u.r, CAST(u.n AS json), u.c FROM unnest("
        "CAST(:ids AS integer[]), CAST(:levels AS integer[]), CAST(:due AS timestamptz[]), "
        "CAST(:reasons AS text[]), CAST(:roles AS text[]), CAST(:counts AS integer[])"
        ") AS u(i, l, d, r, n, c) "
        "ON CONFLICT (incident_id, level) DO NOTHING RETURNING incident_id, level"
    )
    params = {
        "at": now,
        "ids": [r["incident_id"] for r in rows], "levels": [r["level"] for r in rows],
        "due": [r["due_at"] for r in rows], "reasons": [r["reason"] for r in rows],
        "roles": [json.dumps(r["notified_roles"]) for r in rows],
        "counts": [r["notified"] for r in rows],
    }  # fmt: skip
    return [(i, lvl) for i, lvl in uow.session.execute(stmt, params)]


def _update(
    uow: UnitOfWork,
    won: list[Escalated],
    schedule: dict[int, tuple[int, int, str, datetime]],
    policy: ResponsePolicy,
) -> None:
    """Each incident's level (the highest this sweep wrote) and when it escalates next."""
    reached = {e.incident_id: e.level for e in won}  # sorted: the last is the highest
    params = []
    for incident_id, (current, target, severity, reported_at) in schedule.items():
        if incident_id not in reached and target > current:
            continue  # another sweep wrote these levels: it moves the incident too
        level = reached.get(incident_id, current)
        nxt = escalation.next_due(policy, severity, reported_at, level)
        params.append({"b_id": incident_id, "b_level": level, "b_next": nxt})
    if not params:
        return
    if uow.dialect == "postgresql":
        # One statement for every row (an UPDATE … FROM unnest of the values).
        uow.session.execute(
            text(
                "UPDATE incidents SET escalation_level = u.level, next_escalation_at = u.next "
                "FROM unnest(CAST(:ids AS integer[]), CAST(:levels AS integer[]), "
                "CAST(:nexts AS timestamptz[])) AS u(id, level, next) "
                "WHERE incidents.id = u.id AND incidents.escalation_level <= u.level"
            ),
            {"ids": [p["b_id"] for p in params], "levels": [p["b_level"] for p in params],
             "nexts": [p["b_next"] for p in params]},
        )  # fmt: skip
        return
    table = Incident.__table__
    stmt = (
        update(table)
        .where(table.c.id == bindparam("b_id"), table.c.escalation_level <= bindparam("b_level"))
        .values(escalation_level=bindparam("b_level"), next_escalation_at=bindparam("b_next"))
    )
    uow.session.execute(stmt, params, execution_options={"synchronize_session": False})


def _notify(
    uow: UnitOfWork, won: list[Escalated], members: dict[int, list[int]], titles: dict[int, str]
) -> None:
    """One notice per incident, at the highest level it reached, to that level's roles; when
    one sweep takes more than :data:`DIGEST_OVER` incidents to a level (a backlog after an
    outage), one digest per level instead: a thousand notices in a row tell nobody which to
    open first, the list sorted by urgency does."""
    top: dict[int, Escalated] = {}
    for e in won:
        top[e.incident_id] = e
    by_level: dict[int, list[Escalated]] = {}
    for e in top.values():
        by_level.setdefault(e.level, []).append(e)
    notices = []
    for level, reached in sorted(by_level.items()):
        if len(reached) > DIGEST_OVER:
            notices.append(
                Notice(
                    recipients=tuple(members[level]),
                    kind="incident.escalated",
                    title=f"{len(reached):,} incidents escalated to level {level}",
                    body=f"None of them was acknowledged in time. {reached[0].reason}",
                    link=PAGE,
                    subject=("incident_escalation", f"level-{level}"),
                )
            )
            continue
        for e in reached:
            notices.append(_notice(e, members, titles))
    deliver_many(uow, notices)


def _notice(e: Escalated, members: dict[int, list[int]], titles: dict[int, str]) -> Notice:
    title = titles[e.incident_id]
    if len(title) > TITLE_ROOM:
        title = title[: TITLE_ROOM - 1] + "…"
    return Notice(
        recipients=tuple(members[e.level]),
        kind="incident.escalated",
        title=f"Incident #{e.incident_id} escalated to level {e.level}: {title}",
        body=e.reason,
        link=link_to(e.incident_id),
        subject=("incident", e.incident_id),
    )
