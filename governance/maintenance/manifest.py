"""The manifest of a backup: what it holds, the hash of every file, and the audit head.

``manifest.json`` is the last member of the backup. Every other member is listed in
``files`` with its SHA-256 and size, so a restore checks every byte before touching anything;
the manifest itself is protected only by whoever keeps the backup (a signed checkpoint of the
audit head will vouch for it later: see :mod:`governance.maintenance.head`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from governance.artifacts import STORED_NAME
from governance.errors import ValidationError
from governance.maintenance.head import AuditHead

MANIFEST_NAME = "manifest.json"
FORMAT = "governance-backup"
FORMAT_VERSION = 1
DATABASE_MEMBERS = {
    "sqlite": "database/governance.sqlite3",
    "postgresql": "database/governance.pgdump",
}
ARTIFACTS_PREFIX = "artifacts/"
_HEX64 = re.compile(r"[0-9a-f]{64}")


class BadBackup(ValidationError):
    """The file is not a backup this version can read (exit 2: nothing was checked or done)."""


@dataclass(frozen=True, slots=True)
class FileEntry:
    sha256: str
    size: int


@dataclass(frozen=True, slots=True)
class Manifest:
    created_at: str
    created_by: str
    app_version: str
    schema_revision: str | None
    dialect: str
    schema: str | None  # PostgreSQL: the schema dumped; SQLite: None
    tool: str  # what copied the database ("sqlite 3.x" or pg_dump's version line)
    audit_head: AuditHead
    tables: dict[str, int]
    files: dict[str, FileEntry]
    problems: list[str] = field(default_factory=list)  # found while backing up

    @property
    def database_member(self) -> str:
        return DATABASE_MEMBERS[self.dialect]

    def artifact_members(self) -> dict[str, FileEntry]:
        """Members under ``artifacts/``, by their path inside the artifact store."""
        n = len(ARTIFACTS_PREFIX)
        return {k[n:]: v for k, v in self.files.items() if k.startswith(ARTIFACTS_PREFIX)}

    def to_json(self) -> bytes:
        data = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": self.created_at,
            "created_by": self.created_by,
            "app_version": self.app_version,
            "schema_revision": self.schema_revision,
            "database": {"dialect": self.dialect, "schema": self.schema, "tool": self.tool},
            "audit_head": self.audit_head.to_dict(),
            "tables": self.tables,
            "files": {k: {"sha256": v.sha256, "size": v.size} for k, v in self.files.items()},
            "problems": self.problems,
        }
        return (json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode()

    @classmethod
    def from_json(cls, raw: bytes) -> Manifest:
        """The manifest, or :class:`BadBackup` saying what is wrong with it."""
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise BadBackup(f"Its manifest is not valid JSON ({exc}).") from None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise BadBackup("Its manifest is not that of a workbench backup.")
        if data.get("format_version") != FORMAT_VERSION:
            raise BadBackup(
                f"It has backup format version {data.get('format_version')!r}; this version of "
                f"the workbench reads version {FORMAT_VERSION}."
            )
        try:
            return _parsed(data)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise BadBackup(f"Its manifest is malformed: {exc}.") from None


def _parsed(data: dict[str, Any]) -> Manifest:
    database = data["database"]
    dialect = database["dialect"]
    if dialect not in DATABASE_MEMBERS:
        raise ValueError(f"unknown database dialect {dialect!r}")
    files = {name: _entry(name, value) for name, value in data["files"].items()}
    if DATABASE_MEMBERS[dialect] not in files:
        raise ValueError("it lists no database file")
    tables = {str(k): int(v) for k, v in data["tables"].items()}
    return Manifest(
        created_at=str(data["created_at"]),
        created_by=str(data["created_by"]),
        app_version=str(data["app_version"]),
        schema_revision=data["schema_revision"],
        dialect=dialect,
        schema=database.get("schema"),
        tool=str(database.get("tool", "")),
        audit_head=AuditHead.from_dict(data["audit_head"]),
        tables=tables,
        files=files,
        problems=[str(p) for p in data.get("problems", [])],
    )


def _entry(name: str, value: Any) -> FileEntry:
    if not is_member_name(name):
        raise ValueError(f"it lists a file named {name!r}, which no backup holds")
    sha, size = value["sha256"], value["size"]
    if not (isinstance(sha, str) and _HEX64.fullmatch(sha)) or not isinstance(size, int):
        raise ValueError(f"the entry of {name!r} needs a SHA-256 and a size")
    return FileEntry(sha, size)


def is_member_name(name: str) -> bool:
    """Whether ``name`` is a member a backup may hold (never an absolute or ``..`` path)."""
    if name in DATABASE_MEMBERS.values():
        return True
    return name.startswith(ARTIFACTS_PREFIX) and bool(
        STORED_NAME.fullmatch(name[len(ARTIFACTS_PREFIX) :])
    )
