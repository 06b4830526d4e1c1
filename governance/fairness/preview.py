"""What the fairness page asks of a file before assessing it: columns, a preview, values."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from governance.errors import ValidationError
from governance.fairness.caps import FileCaps
from governance.fairness.inputs import Column, Source, quote
from governance.fairness.spec import suggest_mapping

PREVIEW_ROWS = 5


@dataclass(frozen=True, slots=True)
class FileOverview:
    name: str
    format: str
    columns: list[Column]
    suggestions: dict[str, Any]
    preview: pd.DataFrame

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def numeric(self, name: str) -> bool:
        return any(c.name == name and c.is_numeric for c in self.columns)


def describe_file(
    path: Path, *, display_name: str | None = None, caps: FileCaps | None = None
) -> FileOverview:
    """Columns, their types, suggested roles and the first rows (bad files raise)."""
    with Source(Path(path), display_name=display_name, caps=caps) as source:
        names = [c.name for c in source.columns]
        rows = source.query(f"SELECT * FROM {source.relation} LIMIT {PREVIEW_ROWS}")  # noqa: S608
        if not rows:
            raise ValidationError(f"{source.name!r} has a header but no data rows.")
        preview = pd.DataFrame(rows, columns=pd.Index(names))
        return FileOverview(
            name=source.name,
            format=source.format.value,
            columns=list(source.columns),
            suggestions=suggest_mapping(names),
            preview=preview,
        )


def column_values(
    path: Path,
    column: str,
    *,
    display_name: str | None = None,
    limit: int = 25,
    caps: FileCaps | None = None,
) -> list[str]:
    """Up to ``limit`` distinct values of ``column`` as text (for choosing labels, groups)."""
    with Source(Path(path), display_name=display_name, caps=caps) as source:
        col = source.column(column, "Chosen")
        rows = source.query(
            f"SELECT DISTINCT CAST({quote(col.name)} AS VARCHAR) AS v FROM {source.relation} "  # noqa: S608
            f"WHERE {quote(col.name)} IS NOT NULL ORDER BY v LIMIT {int(limit)}"
        )
        return [str(r[0]) for r in rows]
