"""Prediction files: recognising the format, opening them in DuckDB, naming bad input.

Files are never loaded whole into memory: DuckDB reads CSV and Parquet where they lie. Excel
workbooks (small by nature) are converted to CSV first, after a check against zip bombs.
"""

from __future__ import annotations

import csv
import re
import tempfile
import zipfile
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import duckdb

from governance.analytics.duck import quote_identifier, sandboxed
from governance.errors import ValidationError

# An .xlsx is a zip of XML: refuse members that expand absurdly (an "Excel bomb").
MAX_XLSX_UNCOMPRESSED = 512 * 1024 * 1024
MAX_XLSX_RATIO = 200


class FileFormat(StrEnum):
    CSV = "csv"
    PARQUET = "parquet"
    EXCEL = "excel"


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
        raise ValidationError(f"{name!r} is named .{claimed.value} but holds {actual.value}.")
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
    except zipfile.BadZipFile as exc:
        raise ValidationError(f"{name!r} is not a readable Excel workbook: {exc}.") from None


def excel_to_csv(path: Path, name: str, directory: Path) -> Path:
    """The first sheet of a workbook as a CSV file in ``directory``."""
    _check_xlsx(path, name)
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for damaged workbooks
        raise ValidationError(f"{name!r} is not a readable Excel workbook: {exc}.") from None
    sheet = workbook.worksheets[0]
    target = directory / (Path(name).stem + ".csv")
    with target.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        for row in sheet.iter_rows(values_only=True):
            writer.writerow(["" if v is None else v for v in row])
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

    def __init__(self, path: Path, *, display_name: str | None = None) -> None:
        self.path = Path(path)
        self.name = display_name or self.path.name
        self.format = detect_format(self.path, self.name)
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        readable = self.path
        if self.format is FileFormat.EXCEL:
            self._tmp = tempfile.TemporaryDirectory(prefix="governance-xlsx-")
            readable = excel_to_csv(self.path, self.name, Path(self._tmp.name))
        self.readable = readable.resolve()
        self.con = sandboxed([self.readable])
        self.params = {"src": str(self.readable)}
        if self.format is FileFormat.PARQUET:
            self.relation = "read_parquet($src)"
        else:
            # strict_mode: a ragged row is an error with its line number, not silently padded.
            self.relation = "read_csv($src, header = true, strict_mode = true, encoding = 'utf-8')"
        self.columns = self._describe()

    def _describe(self) -> list[Column]:
        try:
            rows = self.con.execute(
                f"DESCRIBE SELECT * FROM {self.relation}",  # noqa: S608 (relation is ours)
                self.params,
            ).fetchall()
        except duckdb.Error as exc:
            raise ValidationError(explain_duckdb_error(exc, self.name)) from None
        columns = [Column(str(r[0]), str(r[1])) for r in rows]
        if not columns:
            raise ValidationError(f"{self.name!r} has no columns.")
        return columns

    def column(self, name: str, role: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        names = ", ".join(repr(c.name[:60]) for c in self.columns[:12])
        hint = ""
        if len(self.columns) == 1 and re.search(r"[;\t|]", self.columns[0].name):
            hint = " The file seems to use another delimiter than the comma."
        raise ValidationError(
            f"{role} column {name[:80]!r} is not in {self.name!r}; its columns are {names}.{hint}"
        )

    def query(self, sql: str, params: dict[str, object] | None = None) -> list[tuple]:
        try:
            return self.con.execute(sql, {**self.params, **(params or {})}).fetchall()
        except duckdb.Error as exc:
            raise ValidationError(explain_duckdb_error(exc, self.name)) from None

    def close(self) -> None:
        self.con.close()
        if self._tmp is not None:
            self._tmp.cleanup()

    def __enter__(self) -> Source:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def explain_duckdb_error(exc: duckdb.Error, name: str) -> str:
    """A reader's error in words, keeping DuckDB's position (line, column) where it gave one."""
    text = str(exc)
    lower = text.lower()
    line = re.search(r"line[: ]+(\d+)", text, flags=re.IGNORECASE)
    where = f" near line {line.group(1)}" if line else ""
    if "unicode" in lower or "utf" in lower:
        return f"{name!r} is not UTF-8 text{where}: save it as UTF-8 (or as Parquet)."
    if (
        "expected number of columns" in lower
        or "too many columns" in lower
        or "not enough" in lower
    ):
        return f"{name!r} has rows with a different number of fields{where}."
    if "no magic bytes" in lower or (
        "parquet" in lower and ("invalid" in lower or "corrupt" in lower)
    ):
        return f"{name!r} is not a readable Parquet file (damaged or truncated)."
    if "permission" in lower:
        return f"{name!r} could not be read."
    first = text.strip().splitlines()[0][:300]
    return f"{name!r} could not be read: {first}"


def quote(name: str) -> str:
    return quote_identifier(name)
