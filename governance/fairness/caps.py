"""What a prediction file may hold, checked from a few bytes of it before DuckDB reads it.

DuckDB's DESCRIBE of a 4 MiB CSV with 100,000 columns took minutes and more than a GiB, and a
42 KiB Parquet file holds 10⁹ rows. Both are refused here from what the file says about itself:
the CSV's first line, the Parquet footer, the worksheet's size record. These checks are the
first defence, cheap and with a precise message; a file crafted to slip past them still meets
the page's reading worker and its time and memory limits (``governance.analytics.isolated``).

Rows of a CSV are not counted here: its size is capped on upload (``GOVERNANCE_UPLOAD_MAX_MB``,
200 MB: at most about 35 million rows of three short fields), and a sheet has at most Excel's
1,048,576.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from governance.errors import ValidationError

if TYPE_CHECKING:
    import duckdb

    from governance.config import Settings

DEFAULT_MAX_COLUMNS = 2_000  # as GOVERNANCE_MAX_COLUMNS defaults (a test checks they agree)
# DuckDB refuses a CSV line longer than its max_line_size (2,000,000 bytes by default), so the
# header it would use lies within this many bytes (more for a byte-order mark and blank lines).
CSV_HEADER_BYTES = 2 * 1024 * 1024 + 64 * 1024
# DuckDB's sniffer may take a later line for the header when the first ones are odd: the widest
# of the first lines counts.
CSV_LINES_LOOKED_AT = 64
EXCEL_MAX_ROWS = 1_048_576  # Excel's own limit: a sheet that claims more is damaged

COLUMNS_SETTING = "GOVERNANCE_MAX_COLUMNS"
ROWS_SETTING = "GOVERNANCE_UPLOAD_MAX_ROWS"


@dataclass(frozen=True, slots=True)
class FileCaps:
    """The most columns a file may have and, on the page, the most rows it may declare."""

    max_columns: int = DEFAULT_MAX_COLUMNS
    max_rows: int | None = None  # None: any number (the CLI, a pipeline gate)

    @classmethod
    def pipeline(cls, settings: Settings) -> FileCaps:
        """The command line's and the services' caps: columns only."""
        return cls(max_columns=settings.max_columns)

    @classmethod
    def upload(cls, settings: Settings) -> FileCaps:
        """The page's caps: columns, and rows a Parquet file declares."""
        return cls(max_columns=settings.max_columns, max_rows=settings.upload_max_rows)


def refuse_columns(name: str, found: int, caps: FileCaps, where: str) -> None:
    """Refuse a file of more than ``caps.max_columns`` columns; ``where`` says how it was seen."""
    if found <= caps.max_columns:
        return
    raise ValidationError(
        f"{name!r} has {found:,} columns ({where}), more than the {caps.max_columns:,} a "
        f"prediction file may have ({COLUMNS_SETTING}): keep only the columns the assessment "
        "needs (outcome, prediction or score, sensitive attributes)."
    )


def refuse_rows(
    name: str, declared: int, caps: FileCaps, where: str, *, verb: str = "declares"
) -> None:
    """Refuse a file of more than ``caps.max_rows`` rows (when the caps limit rows at all)."""
    if caps.max_rows is None or declared <= caps.max_rows:
        return
    raise ValidationError(
        f"{name!r} {verb} {declared:,} rows ({where}), more than the {caps.max_rows:,} a file "
        f"uploaded here may have ({ROWS_SETTING}): assess it with the command line, "
        "python -m governance fairness assess, which takes any number."
    )


# --- CSV ----------------------------------------------------------------------------------------

_DELIMITERS = (",", "\t", ";", "|")  # DuckDB's sniffer tries exactly these


def _quoted(quote: str, backslash: bool) -> str:
    """A regex of one quoted span: doubled quotes are two spans; ``\\"`` escapes with backslash."""
    q = re.escape(quote)
    return rf"{q}(?:[^{q}\\]|\\.)*+{q}" if backslash else rf"{q}[^{q}]*+{q}"


# The quoting rules DuckDB's sniffer tries: RFC quotes (" or '), backslash escapes, none.
_SPANS = [
    re.compile(_quoted(q, backslash), re.DOTALL) for q in ('"', "'") for backslash in (False, True)
]
_RECORDS = [
    re.compile(rf"(?:[^{re.escape(q)}\r\n]++|{span.pattern})*+", re.DOTALL)
    for q, span in zip(('"', '"', "'", "'"), _SPANS, strict=True)
]


_LINE_END = re.compile(r"\r\n|\r|\n")


def _widest(texts: list[str]) -> int:
    return max((t.count(d) + 1 for t in texts for d in _DELIMITERS), default=0)


def csv_header_fields(path: Path) -> tuple[int, bool]:
    """An upper bound of the columns DuckDB could find, and whether the first line ended.

    The bound is the most fields of the first line under each quoting rule and delimiter DuckDB
    tries, and of the first :data:`CSV_LINES_LOOKED_AT` lines read without quotes. Regexes, not
    :mod:`csv`: the ``csv`` module refuses a field over 128 KiB, which is what a crafted header
    would hold. Hand-written because no library reads a dialect's first record without parsing
    the whole file.
    """
    with path.open("rb") as fh:
        raw = fh.read(CSV_HEADER_BYTES)
    head = raw.decode("utf-8", errors="replace").lstrip("\ufeff").lstrip("\r\n")
    ended = len(raw) < CSV_HEADER_BYTES or "\n" in head or "\r" in head
    records = []
    for record, span in zip(_RECORDS, _SPANS, strict=True):
        first = record.match(head)
        records.append(span.sub("", first.group(0)) if first else "")
    # The line ends DuckDB knows (str.splitlines would also split at \x0c, \x1c and others).
    lines = _LINE_END.split(head, maxsplit=CSV_LINES_LOOKED_AT)[:CSV_LINES_LOOKED_AT]
    return max(_widest(records), _widest(lines)), ended


def check_csv(path: Path, name: str, caps: FileCaps) -> None:
    fields, ended = csv_header_fields(path)
    where = "fields in its first lines" if ended else "fields in its first 2 MiB, one line"
    refuse_columns(name, fields, caps, where)


# --- Parquet ------------------------------------------------------------------------------------


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while pos < len(data):
        byte = data[pos]
        value |= (byte & 0x7F) << shift
        pos += 1
        if not byte & 0x80:
            return value, pos
        shift += 7
    raise ValueError("truncated varint")


def parquet_schema_size(path: Path) -> int | None:
    """How many elements the footer's schema has, from the footer's first bytes; None if unsure.

    Both DuckDB and pyarrow parse the whole footer to tell the column count (for 100,000 columns,
    18 MiB: seconds and hundreds of MiB). The footer (Parquet's FileMetaData, Thrift compact
    encoding) starts with field 1, the version (i32), then field 2, the schema list, whose
    length is in the list header: a dozen bytes tell it. Any other layout gives None, and the
    footer is parsed instead.
    """
    with path.open("rb") as fh:
        size = fh.seek(0, 2)
        if size < 12:
            return None
        fh.seek(size - 8)
        tail = fh.read(8)
        length = int.from_bytes(tail[:4], "little")
        if tail[4:] != b"PAR1" or not 0 < length <= size - 12:
            return None
        fh.seek(size - 8 - length)
        head = fh.read(min(length, 32))
    try:
        if head[0] != 0x15:  # field 1, type i32
            return None
        _, pos = _varint(head, 1)
        if head[pos] != 0x19 or head[pos + 1] & 0x0F != 0x0C:  # field 2: a list of structs
            return None
        count = head[pos + 1] >> 4
        return _varint(head, pos + 2)[0] if count == 0x0F else count
    except (IndexError, ValueError):
        return None


def check_parquet(path: Path, name: str, caps: FileCaps, con: duckdb.DuckDBPyConnection) -> None:
    """Columns from the footer's first bytes; then rows from the parsed footer (DuckDB)."""
    elements = parquet_schema_size(path)
    if elements is not None:
        # The root is one element; nested columns count their fields (what DuckDB reads).
        refuse_columns(name, elements - 1, caps, "fields in its schema")
    params = {"src": str(path)}
    row = con.execute("SELECT num_rows FROM parquet_file_metadata($src)", params).fetchone()
    if elements is None:
        count = con.execute("SELECT count(*) - 1 FROM parquet_schema($src)", params).fetchone()
        refuse_columns(name, int(count[0]) if count else 0, caps, "fields in its schema")
    if row is not None:
        refuse_rows(name, int(row[0]), caps, "in its footer")


# --- Excel --------------------------------------------------------------------------------------


def check_sheet(sheet: Any, name: str, caps: FileCaps) -> None:
    """The worksheet's size record (``<dimension ref="A1:XFD20">``), before any cell is read.

    openpyxl pads every row to the recorded width and yields rows up to the recorded height, so
    a few bytes claiming 16,384 columns by a million rows would be read as all of that.
    """
    columns, rows = sheet.max_column, sheet.max_row
    if columns is not None:
        refuse_columns(name, int(columns), caps, "by its first sheet's size record")
    if rows is not None and int(rows) > EXCEL_MAX_ROWS:
        raise ValidationError(
            f"{name!r} is damaged: its first sheet claims {int(rows):,} rows, more than Excel's "
            f"{EXCEL_MAX_ROWS:,}."
        )
    if rows is not None:
        refuse_rows(name, int(rows) - 1, caps, "by its first sheet's size record")


def check_sheet_row(name: str, number: int, width: int, caps: FileCaps) -> None:
    """A row as the conversion meets it: a sheet without a size record says nothing before."""
    if width > caps.max_columns:
        where = "cells in its first row" if number == 1 else f"cells in row {number} of its sheet"
        refuse_columns(name, width, caps, where)
    if number > EXCEL_MAX_ROWS:
        raise ValidationError(
            f"{name!r} is damaged: its first sheet has rows past Excel's {EXCEL_MAX_ROWS:,}."
        )
    if caps.max_rows is not None and number - 1 > caps.max_rows:
        refuse_rows(name, number - 1, caps, "counted in its first sheet", verb="has more than")
