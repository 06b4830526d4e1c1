"""Prediction files: recognising the format, opening them in DuckDB, naming bad input.

Files are never loaded whole into memory: DuckDB reads CSV and Parquet where they lie. Excel
workbooks (small by nature) are converted to CSV first, after a check against zip bombs. Before
DuckDB sees a file, its columns (and, on the page, the rows a Parquet file declares) are checked
against the caps (:mod:`governance.fairness.caps`).
"""

from __future__ import annotations

import csv
import itertools
import re
import tempfile
import zipfile
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import duckdb

from governance.analytics.duck import quote_identifier, sandboxed
from governance.errors import ValidationError
from governance.fairness.caps import (
    FileCaps,
    check_csv,
    check_parquet,
    check_sheet,
    check_sheet_row,
)

# An .xlsx is a zip of XML: refuse members that expand absurdly (an "Excel bomb").
MAX_XLSX_UNCOMPRESSED = 512 * 1024 * 1024
MAX_XLSX_RATIO = 200


class FileFormat(StrEnum):
    CSV = "csv"
    PARQUET = "parquet"
    EXCEL = "excel"


_FORMAT_WORDS = {
    FileFormat.CSV: "CSV text",
    FileFormat.PARQUET: "a Parquet file",
    FileFormat.EXCEL: "an Excel workbook (or another zip file)",
}
# The start of an old binary Office file (.xls), which cannot be read.
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"

_EXTENSIONS = {
    ".csv": FileFormat.CSV,
    ".txt": FileFormat.CSV,
    ".tsv": FileFormat.CSV,
    ".parquet": FileFormat.PARQUET,
    ".pq": FileFormat.PARQUET,
    ".xlsx": FileFormat.EXCEL,
    ".xlsm": FileFormat.EXCEL,
}


def _sniff(path: Path) -> FileFormat | None:
    with path.open("rb") as fh:
        head = fh.read(4)
        if head == b"PAR1":
            return FileFormat.PARQUET
        if head == b"PK\x03\x04":
            return FileFormat.EXCEL
    return None


def detect_format(path: Path, display_name: str | None = None) -> FileFormat:
    """The file's real format, refusing a mismatch between its name and its content."""
    name = display_name or path.name
    if not path.exists():
        raise ValidationError(f"File {name!r} does not exist.")
    if path.stat().st_size == 0:
        raise ValidationError(f"File {name!r} is empty.")
    claimed = _EXTENSIONS.get(Path(name).suffix.lower())
    with path.open("rb") as fh:
        if fh.read(4) == _OLE_MAGIC:
            raise ValidationError(
                f"{name!r} is an old-style Excel (.xls) or other Office file, which cannot be "
                "read: save it as .xlsx, CSV or Parquet."
            )
    actual = _sniff(path)
    if claimed is FileFormat.PARQUET and actual is not FileFormat.PARQUET:
        looks = "a zip or Excel file" if actual is FileFormat.EXCEL else "text, perhaps CSV"
        raise ValidationError(
            f"{name!r} is named .parquet but is not a Parquet file (it looks like {looks})."
        )
    if claimed is FileFormat.EXCEL and actual is not FileFormat.EXCEL:
        raise ValidationError(f"{name!r} is named as an Excel workbook but is not one.")
    if claimed is None and actual is None:
        return FileFormat.CSV
    if claimed is None:
        return actual  # type: ignore[return-value]
    if actual is not None and actual is not claimed:
        raise ValidationError(
            f"{name!r} is named as {_FORMAT_WORDS[claimed]} but holds {_FORMAT_WORDS[actual]}."
        )
    return claimed


def _check_xlsx(path: Path, name: str) -> None:
    try:
        with zipfile.ZipFile(path) as zf:
            total = 0
            for info in zf.infolist():
                total += info.file_size
                if info.compress_size and info.file_size / info.compress_size > MAX_XLSX_RATIO:
                    raise ValidationError(
                        f"{name!r} refused: part {info.filename!r} expands "
                        f"{info.file_size // max(info.compress_size, 1)}-fold (a zip bomb?)."
                    )
            if total > MAX_XLSX_UNCOMPRESSED:
                raise ValidationError(
                    f"{name!r} refused: it expands to {total // 2**20} MiB; "
                    "save it as CSV or Parquet instead."
                )
    except zipfile.BadZipFile:
        raise ValidationError(_unreadable_workbook(name)) from None


def _unreadable_workbook(name: str) -> str:
    return (
        f"{name!r} is not a readable Excel workbook (it may be damaged or truncated): "
        "open it in Excel and save it again, or save it as CSV."
    )


def excel_to_csv(path: Path, name: str, directory: Path, caps: FileCaps | None = None) -> Path:
    """The first sheet of a workbook as a CSV file in ``directory``.

    Rows are padded to the header's width (sheets written without a size record give short
    rows) and trailing empty rows are dropped, so that rows keep their sheet numbers. The
    sheet's size record, then each row as it comes, is held to ``caps``.
    """
    caps = caps or FileCaps()
    _check_xlsx(path, name)
    from openpyxl import load_workbook

    target = directory / "sheet.csv"
    workbook = None
    try:
        # openpyxl raises many types for damaged workbooks, and reads lazily: the whole
        # conversion is inside the try.
        workbook = load_workbook(path, read_only=True, data_only=True)
        if not workbook.worksheets:
            raise ValidationError(f"{name!r} has no worksheet.")
        check_sheet(workbook.worksheets[0], name, caps)
        with target.open("w", newline="", encoding="utf-8") as out:
            # "\n" line ends: DuckDB cannot read CRLF lines with a line break inside a header cell.
            writer = csv.writer(out, lineterminator="\n")
            width = 0
            blank = 0
            for number, row in enumerate(workbook.worksheets[0].iter_rows(values_only=True), 1):
                check_sheet_row(name, number, len(row), caps)
                cells = ["" if v is None else v for v in row]
                width = width or len(cells)
                while len(cells) > width and cells[-1] == "":
                    cells.pop()
                cells += [""] * (width - len(cells))
                if all(c == "" for c in cells):
                    blank += 1
                    continue
                writer.writerows([[""] * width] * blank)
                blank = 0
                writer.writerow(cells)
    except ValidationError:
        raise
    except Exception:
        raise ValidationError(_unreadable_workbook(name)) from None
    finally:
        if workbook is not None:
            workbook.close()
    return target


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    type: str

    @property
    def is_numeric(self) -> bool:
        return self.type.upper() in _NUMERIC_TYPES or self.type.upper().startswith("DECIMAL")

    @property
    def is_boolean(self) -> bool:
        return self.type.upper() == "BOOLEAN"


_NUMERIC_TYPES = {
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "HUGEINT",
    "UTINYINT",
    "USMALLINT",
    "UINTEGER",
    "UBIGINT",
    "FLOAT",
    "DOUBLE",
    "REAL",
}


class Source:
    """An opened prediction file: a sandboxed DuckDB connection and a relation to query.

    Use as a context manager; it removes any temporary conversion when closed.
    """

    def __init__(
        self, path: Path, *, display_name: str | None = None, caps: FileCaps | None = None
    ) -> None:
        self.path = Path(path)
        self.name = display_name or self.path.name
        self.caps = caps or FileCaps()
        self.format = detect_format(self.path, self.name)
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self.con: duckdb.DuckDBPyConnection | None = None
        try:
            readable = self.path
            if self.format is FileFormat.EXCEL:
                self._tmp = tempfile.TemporaryDirectory(prefix="governance-xlsx-")
                readable = excel_to_csv(self.path, self.name, Path(self._tmp.name), self.caps)
            elif self.format is FileFormat.CSV:
                check_csv(self.path, self.name, self.caps)
            self.readable = readable.resolve()
            self.con = sandboxed([self.readable])
            self.params = {"src": str(self.readable)}
            if self.format is FileFormat.PARQUET:
                self._check_footer()
                self.relation = "read_parquet($src)"
            else:
                # strict_mode: a ragged row is an error with its line number, not padded.
                self.relation = (
                    "read_csv($src, header = true, strict_mode = true, encoding = 'utf-8')"
                )
            self.columns = self._describe()
        except BaseException:
            self.close()  # leave no connection or converted workbook behind
            raise

    def _check_footer(self) -> None:
        try:
            check_parquet(self.readable, self.name, self.caps, self.con)
        except duckdb.OutOfMemoryException:
            raise
        except duckdb.Error as exc:
            raise ValidationError(explain_duckdb_error(exc, self.name)) from None

    def _describe(self) -> list[Column]:
        try:
            rows = self.con.execute(
                f"DESCRIBE SELECT * FROM {self.relation}",  # noqa: S608 (relation is ours)
                self.params,
            ).fetchall()
        except duckdb.OutOfMemoryException:
            raise  # not the file's fault as such: the reader that set the limit says so
        except duckdb.Error as exc:
            if self.format is not FileFormat.PARQUET and "error when sniffing" in str(exc).lower():
                self._refuse_unsplittable(None)  # a clearer reason, where there is one
            raise ValidationError(explain_duckdb_error(exc, self.name)) from None
        columns = [Column(str(r[0]), str(r[1])) for r in rows]
        if not columns:
            raise ValidationError(f"{self.name!r} has no columns.")
        if self.format is not FileFormat.PARQUET and len(columns) == 1:
            self._refuse_unsplittable(columns[0].name)
        return columns

    def _refuse_unsplittable(self, only: str | None) -> None:
        """Name a blank file or a ragged row where DuckDB could not split the file into columns.

        DuckDB falls back to one column (``only``) when rows within its sample differ in width.
        """
        header, delimiter = _header_line(self.readable)
        if not header.strip():
            raise ValidationError(f"{self.name!r} is empty: it holds no column names and no data.")
        if only is None and re.search(r"[\r\n]", header):
            # DuckDB cannot sniff a file whose header holds a quoted line break (with CRLF lines).
            raise ValidationError(
                f"{self.name!r} could not be read: a column name in its first line holds a line "
                "break (or a quote is not closed). Remove the line break, or save the file as "
                "Parquet or Excel."
            )
        if delimiter is None or (only is not None and delimiter not in only):
            return
        ragged = _first_ragged_row(self.readable, delimiter)
        if ragged is not None:
            line, found, expected = ragged
            excel = self.format is FileFormat.EXCEL
            where = f"row {line} of the sheet" if excel else f"line {line}"
            raise ValidationError(
                f"{self.name!r} has rows with a different number of fields: {where} has "
                f"{found} where the header has {expected}."
            )

    def column(self, name: str, role: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        names = ", ".join(shown(c.name, 60) for c in self.columns[:12])
        if len(self.columns) > 12:
            names += f" and {len(self.columns) - 12} more"
        hint = ""
        if len(self.columns) == 1 and re.search(r"[;\t|]", self.columns[0].name):
            hint = " The file seems to use another delimiter than the comma."
        elif len(self.columns) == 1 and "," in self.columns[0].name:
            hint = " The file could not be split into columns: check its quotes."
        raise ValidationError(
            f"{role} column {shown(name)} is not in {self.name!r}; its columns are {names}.{hint}"
        )

    def query(self, sql: str, params: dict[str, object] | None = None) -> list[tuple]:
        assert self.con is not None, "query on a closed Source"
        try:
            return self.con.execute(sql, {**self.params, **(params or {})}).fetchall()
        except duckdb.OutOfMemoryException:
            raise
        except duckdb.Error as exc:
            raise ValidationError(explain_duckdb_error(exc, self.name)) from None

    def close(self) -> None:
        if self.con is not None:
            self.con.close()
            self.con = None
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self) -> Source:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def explain_duckdb_error(exc: duckdb.Error, name: str) -> str:
    """A reader's error in words, keeping DuckDB's position (line, column) where it gave one."""
    text = str(exc)
    lower = text.lower()
    line = re.search(r"error on line:?\s*(\d+)", text, flags=re.IGNORECASE)
    where = f" near line {line.group(1)}" if line else ""
    if "invalid unicode" in lower or "not utf-8" in lower:
        return f"{name!r} is not UTF-8 text{where}: save it as UTF-8 (or as Parquet)."
    if (
        "expected number of columns" in lower
        or "too many columns" in lower
        or "not enough" in lower
    ):
        return f"{name!r} has rows with a different number of fields{where}."
    if "maximum line size" in lower:
        size = re.search(r"maximum line size of (\d+)", lower)
        limit = f"{int(size.group(1)):,} bytes" if size else "the longest line DuckDB reads"
        return (
            f"{name!r} has a line longer than {limit}{where}: a prediction file needs none "
            "that long (is it CSV text with one row per line?)."
        )
    if "no magic bytes" in lower or (
        "parquet" in lower and ("invalid" in lower or "corrupt" in lower)
    ):
        return f"{name!r} is not a readable Parquet file (damaged or truncated)."
    if "error when sniffing" in lower:
        return (
            f"{name!r} could not be read as CSV: check its delimiter and quotes, and that "
            "every row has as many fields as the header."
        )
    if "permission" in lower:
        return f"{name!r} could not be read."
    first = text.strip().splitlines()[0][:300] if text.strip() else "unknown error"
    first = re.sub(r"^[A-Za-z ]*Error:\s*", "", first)
    return f"{name!r} could not be read: {first}"


_DELIMITERS = (",", "\t", ";", "|")


def _header_line(path: Path) -> tuple[str, str | None]:
    """The first non-blank line (quoted line breaks kept) and its delimiter, if it has one."""
    with path.open("rb") as fh:
        head = fh.read(1 << 20).decode("utf-8", errors="replace").lstrip("\ufeff").lstrip()
    counts = dict.fromkeys(_DELIMITERS, 0)
    quoted = False
    end = len(head)
    for i, ch in enumerate(head):
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in "\r\n":
            end = i
            break
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(_DELIMITERS, key=lambda d: counts[d])  # ties go to the earlier one
    return head[:end], (best if counts[best] else None)


RAGGED_SEARCH_ROWS = 100_000  # well past DuckDB's sniffing sample (20,480 rows)


def _first_ragged_row(path: Path, delimiter: str) -> tuple[int, int, int] | None:
    """(line, fields, header fields) of the first row whose width differs from the header's."""
    with path.open(newline="", encoding="utf-8", errors="replace") as fh:
        reader = csv.reader(fh, delimiter=delimiter)
        try:
            header = next((r for r in reader if r), None)
            if header is None:
                return None
            for fields in itertools.islice(reader, RAGGED_SEARCH_ROWS):
                if fields and len(fields) != len(header):
                    return reader.line_num, len(fields), len(header)
        except csv.Error:
            return None
    return None


def shown(name: str, limit: int = 80) -> str:
    """A column name for a message: quoted, escaped, and cut short when very long."""
    return repr(name if len(name) <= limit else name[:limit] + "…")


def quote(name: str) -> str:
    """A column name as a DuckDB identifier; names DuckDB cannot take are refused in words."""
    try:
        return quote_identifier(name)
    except ValueError:
        raise ValidationError(
            f"Column {shown(name)} has a NUL character in its name, which cannot be used: "
            "rename the column."
        ) from None
