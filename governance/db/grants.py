"""What the app's PostgreSQL role may do: one decision per table, applied by ``db grant``.

The schema belongs to a migration role (it runs ``db upgrade``). The app connects as a role
that owns nothing: owning a table is what lets a role disable or drop its triggers, and so
undo the append-only guard of ``audit_events``. The app role gets only the privileges the
services use, table by table, below; a table the migrations create without a decision here is
refused by :func:`apply_grants` (and by a test), so a new table cannot slip in ungranted or
over-granted.

Not covered by a grant: ``restore`` (it creates the schema's tables, so it is the migration
role's command) and ``db upgrade`` itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, Engine, text

from governance.errors import ValidationError

TABLE_PRIVILEGES = ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER")
# nextval() needs USAGE; pg_dump (backup) reads each sequence, which needs SELECT. No UPDATE:
# setval() could move an id back onto an existing record's.
SEQUENCE_PRIVILEGES = ("USAGE", "SELECT")


@dataclass(frozen=True, slots=True)
class TableGrant:
    """The privileges of the app role on one table, and why no more."""

    table: str
    privileges: tuple[str, ...]
    why: str


APP_GRANTS: tuple[TableGrant, ...] = (
    TableGrant(
        "audit_events",
        ("SELECT", "INSERT"),
        "append-only evidence: the triggers refuse UPDATE/DELETE/TRUNCATE, the grants too",
    ),
    TableGrant(
        "audit_marks",
        ("SELECT", "INSERT", "UPDATE"),
        "verified positions, moved forward by an upsert; never deleted",
    ),
    TableGrant(
        "users",
        ("SELECT", "INSERT", "UPDATE"),
        "accounts change (role, password, lockout) but are never deleted, only deactivated",
    ),
    TableGrant(
        "browser_sessions",
        ("SELECT", "INSERT", "UPDATE"),
        "sign-in opens a record, its ticket is redeemed and its end (sign-out, expiry, a "
        "revocation) is stamped on it; records are kept, never deleted",
    ),
    TableGrant(
        "fairness_policies",
        ("SELECT", "INSERT"),
        "a policy change appends a new version; old versions stay as they were",
    ),
    TableGrant(
        "fairness_assessments",
        ("SELECT", "INSERT"),
        "saved assessments are evidence: written once, never edited or removed",
    ),
    TableGrant(
        "notifications",
        ("SELECT", "INSERT", "UPDATE"),
        "delivered with their cause, then only stamped as read by their recipient; kept, "
        "never deleted",
    ),
    TableGrant(
        "notification_conditions",
        ("SELECT", "INSERT", "UPDATE"),
        "a condition opens once (an upsert) and is closed and reopened in place; never deleted",
    ),
    TableGrant(
        "models",
        ("SELECT", "INSERT", "UPDATE"),
        "registered models are edited (owner, documentation) but never deleted: versions, "
        "approvals and deployments keep naming them",
    ),
    TableGrant(
        "model_versions",
        ("SELECT", "INSERT", "UPDATE"),
        "a version's status moves through its lifecycle; a retired version is kept, not deleted",
    ),
    TableGrant(
        "version_transitions",
        ("SELECT", "INSERT"),
        "the lifecycle's history: each status change appended, never edited or removed",
    ),
    TableGrant(
        "validations",
        ("SELECT", "INSERT"),
        "validation reports are evidence for a deployment: written once, never edited",
    ),
    TableGrant(
        "approvals",
        ("SELECT", "INSERT"),
        "each reviewer's decision is evidence of maker-checker: written once, never edited",
    ),
    TableGrant(
        "deployments",
        ("SELECT", "INSERT", "UPDATE"),
        "a deployment is opened, then ended (superseded or retired) on the same record; the "
        "history of what ran where is kept, never deleted",
    ),
    TableGrant(
        "performance_points",
        ("SELECT", "INSERT"),
        "measurements of models in use: appended by imports and pipelines, never edited",
    ),
    TableGrant(
        "performance_days",
        ("SELECT", "INSERT", "UPDATE"),
        "each day's count, sum, minimum and maximum of the points, grown in place (an upsert) "
        "by the append that adds points to the day; never deleted",
    ),
    TableGrant(
        "model_watchers",
        ("SELECT", "INSERT", "DELETE"),
        "a watch is a person's preference: stopping it removes the row (the audit trail keeps "
        "when it began and ended)",
    ),
    TableGrant(
        "risks",
        ("SELECT", "INSERT", "UPDATE"),
        "a risk is re-rated and moves through its statuses on its record; closed risks are "
        "kept, never deleted",
    ),
    TableGrant(
        "risk_models",
        ("SELECT", "INSERT", "DELETE"),
        "which models a risk is about: an edit of the risk's models removes and adds links "
        "(the audit trail keeps each edit)",
    ),
    TableGrant(
        "risk_transitions",
        ("SELECT", "INSERT"),
        "a risk's history: each status change appended, never edited or removed",
    ),
    TableGrant(
        "risk_acceptances",
        ("SELECT", "INSERT", "UPDATE"),
        "an acceptance is written once and only its end (expiry, closing) is stamped on it; "
        "never deleted",
    ),
    TableGrant(
        "mitigation_plans",
        ("SELECT", "INSERT", "UPDATE"),
        "a plan's status moves as work is done; plans are kept, never deleted",
    ),
    TableGrant(
        "mitigation_plan_notes",
        ("SELECT", "INSERT"),
        "progress notes: appended, never edited or removed",
    ),
    TableGrant(
        "risk_matrices",
        ("SELECT", "INSERT"),
        "a matrix change appends a new version; old versions stay as they were",
    ),
    TableGrant(
        "incidents",
        ("SELECT", "INSERT", "UPDATE"),
        "an incident moves through its lifecycle (acknowledged, escalated, resolved, closed) "
        "on its record; never deleted",
    ),
    TableGrant(
        "incident_models",
        ("SELECT", "INSERT"),
        "the models an incident concerns, named as it is reported; never edited",
    ),
    TableGrant(
        "incident_transitions",
        ("SELECT", "INSERT"),
        "the incident's status history: each change appended, never edited or removed",
    ),
    TableGrant(
        "incident_escalations",
        ("SELECT", "INSERT"),
        "each escalation level reached, once per incident and level: evidence, never edited",
    ),
    TableGrant(
        "incident_postmortems",
        ("SELECT", "INSERT"),
        "a post-mortem is written once and kept as it was",
    ),
    TableGrant(
        "incident_measures",
        ("SELECT", "INSERT"),
        "the post-mortem's preventive measures, one row each, written with it",
    ),
    TableGrant(
        "incident_policies",
        ("SELECT", "INSERT"),
        "a policy change appends a new version; old versions stay as they were",
    ),
    TableGrant(
        "alembic_version",
        ("SELECT",),
        "read to check the schema is at head; only the migration role moves it",
    ),
)


def grants_by_table() -> dict[str, TableGrant]:
    return {grant.table: grant for grant in APP_GRANTS}


@dataclass(frozen=True, slots=True)
class GrantReport:
    """What ``db grant`` did, and what the role can still do beyond it (``problems``)."""

    role: str
    schema: str
    tables: tuple[TableGrant, ...]
    sequences: tuple[str, ...]
    problems: tuple[str, ...]


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _tables(conn: Connection, schema: str) -> list[str]:
    rows = conn.execute(
        text(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = :s AND c.relkind IN ('r', 'p', 'v', 'm', 'f') ORDER BY 1"
        ),
        {"s": schema},
    )
    return [str(r[0]) for r in rows]


def _sequences(conn: Connection, schema: str) -> list[str]:
    rows = conn.execute(
        text(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = :s AND c.relkind = 'S' ORDER BY 1"
        ),
        {"s": schema},
    )
    return [str(r[0]) for r in rows]


def undecided(tables: list[str]) -> list[str]:
    """The tables no grant decision covers."""
    decided = grants_by_table()
    return [t for t in tables if t not in decided]


def _checked_role(conn: Connection, role: str, schema: str) -> None:
    """Refuse a role that does not exist, or that would hold the owner's powers anyway."""
    superuser = conn.scalar(text("SELECT rolsuper FROM pg_roles WHERE rolname = :r"), {"r": role})
    if superuser is None:
        raise ValidationError(
            f"There is no PostgreSQL role {role!r}: create it first "
            f"(CREATE ROLE {quote(role)} LOGIN PASSWORD '…'), then run `db grant` again."
        )
    if superuser:
        raise ValidationError(
            f"Role {role!r} is a superuser: no grant can limit it. Give the app a role "
            "without SUPERUSER."
        )
    # The schema's owner and every table's: owning any of them is owning a way round a grant.
    owners = conn.scalars(
        text(
            "SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = :s UNION "
            "SELECT pg_get_userbyid(c.relowner) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = :s"
        ),
        {"s": schema},
    ).all()
    for owner in owners:
        if conn.scalar(text("SELECT pg_has_role(:r, :o, 'MEMBER')"), {"r": role, "o": owner}):
            raise ValidationError(
                f"Role {role!r} is the owner of schema {schema!r} or its tables, or a member of "
                f"their owner {owner!r}, so it could disable the audit triggers: give the app "
                "its own role, not the migration role or one of its members."
            )
    me = str(conn.scalar(text("SELECT current_user")))
    if me == role:
        raise ValidationError(
            f"`db grant` runs as the migration role that owns the schema, not as the app role "
            f"{role!r} itself: connect as the owner and name the app role with --role."
        )


def current_schema(conn: Connection) -> str:
    schema = conn.scalar(text("SELECT current_schema()"))
    if not schema:
        raise ValidationError(
            "No schema of the connection's search_path exists: run `db upgrade` first."
        )
    return str(schema)


def _grant_statements(schema: str, role: str, tables: list[str]) -> list[str]:
    s, r = quote(schema), quote(role)
    decided = grants_by_table()
    statements = [
        # Anything broader given earlier (by hand, or by an older version) goes first.
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {s} FROM {r}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {s} FROM {r}",
        f"REVOKE ALL ON SCHEMA {s} FROM {r}",
        f"GRANT USAGE ON SCHEMA {s} TO {r}",
        f"GRANT {', '.join(SEQUENCE_PRIVILEGES)} ON ALL SEQUENCES IN SCHEMA {s} TO {r}",
    ]
    for table in tables:
        privileges = ", ".join(decided[table].privileges)
        statements.append(f"GRANT {privileges} ON TABLE {s}.{quote(table)} TO {r}")
    return statements


def effective_problems(conn: Connection, schema: str, role: str, tables: list[str]) -> list[str]:
    """What ``role`` can do beyond its grants (through PUBLIC, say), each with its fix."""
    decided = grants_by_table()
    problems: list[str] = []
    for table in tables:
        qualified = f"{quote(schema)}.{quote(table)}"
        for privilege in TABLE_PRIVILEGES:
            held = conn.scalar(
                text("SELECT has_table_privilege(:r, :t, :p)"),
                {"r": role, "t": qualified, "p": privilege},
            )
            if held and privilege not in decided[table].privileges:
                problems.append(
                    f"{role} still has {privilege} on {table} (granted to PUBLIC or a role it "
                    f"inherits): REVOKE {privilege} ON {qualified} FROM PUBLIC"
                )
    if conn.scalar(text("SELECT has_schema_privilege(:r, :s, 'CREATE')"), {"r": role, "s": schema}):
        problems.append(
            f"{role} can create objects in schema {schema} (granted to PUBLIC or a role it "
            f"inherits): REVOKE CREATE ON SCHEMA {quote(schema)} FROM PUBLIC"
        )
    return problems


def require_postgresql(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        raise ValidationError(
            f"`db grant` is for PostgreSQL; this database is {engine.dialect.name}, which has "
            "no roles (protect its file with the operating system's permissions instead)."
        )


def apply_grants(engine: Engine, role: str) -> GrantReport:
    """Give ``role`` exactly the app's privileges on the connection's schema (PostgreSQL only).

    Run as the schema's owner after every ``db upgrade``: a new table has no grant until then.
    """
    require_postgresql(engine)
    with engine.begin() as conn:
        schema = current_schema(conn)
        _checked_role(conn, role, schema)
        tables = _tables(conn, schema)
        if "alembic_version" not in tables:
            raise ValidationError(
                f"Schema {schema!r} has no workbench tables yet: run `db upgrade` first."
            )
        missing = undecided(tables)
        if missing:
            raise ValidationError(
                f"No grant decision for table(s) {', '.join(missing)}: add them to APP_GRANTS "
                "in governance/db/grants.py (nothing was granted)."
            )
        for statement in _grant_statements(schema, role, tables):
            conn.execute(text(statement))
        problems = effective_problems(conn, schema, role, tables)
        sequences = _sequences(conn, schema)
    decided = grants_by_table()
    return GrantReport(
        role, schema, tuple(decided[t] for t in tables), tuple(sequences), tuple(problems)
    )
