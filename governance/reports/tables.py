"""Table exports that are safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
import math
import re
from datetime import date, datetime

import pandas as pd

# A cell starting with one of these is run as a formula by spreadsheet programs (CSV injection).
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# A line inside a multi-line cell that starts like a formula: some programs (and a careless
# re-import) take the text after a line break as a cell of its own.
_FORMULA_AFTER_BREAK = re.compile(r"(\r\n|\r|\n)(?=[=+\-@\t])")
# A quoted field, or a record end that the csv writer put outside every quoted field.
_QUOTED_OR_RECORD_END = re.compile(r'"[^"]*(?:""[^"]*)*"|\r\n')
# Excel's limits: longer text is cut, a sheet name is at most 31 characters of a safe set.
_EXCEL_MAX_TEXT = 32_767
_EXCEL_SHEET_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})


def neutralise_cell(value: object) -> object:
    """Prefix a text cell that a spreadsheet would run as a formula with a quote.

    So too each line inside the cell that starts like a formula (``"a\\n=cmd"`` becomes
    ``"a\\n'=cmd"``): a line break, ``\\r`` above all, may be read as the end of a row.
    """
    if not isinstance(value, str):
        return value
    if value.startswith(_FORMULA_PREFIXES):
        value = "'" + value
    return _FORMULA_AFTER_BREAK.sub(r"\1'", value)


def frame_to_csv(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV of ``frame`` with formula-like text cells and headers neutralised.

    Times are written as ISO 8601 in UTC so that an auditor's spreadsheet reads them unambiguously.
    """
    safe = frame.copy()
    for column in safe.columns:
        series = safe[column]
        if isinstance(series.dtype, pd.DatetimeTZDtype):
            safe[column] = series.dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        elif isinstance(series.dtype, pd.CategoricalDtype):
            # Categories are neither object nor string dtype, yet may be formula-like text.
            safe[column] = series.astype(object).map(neutralise_cell)
        elif series.dtype == object or pd.api.types.is_string_dtype(series.dtype):
            safe[column] = series.map(neutralise_cell)
    safe.columns = [str(neutralise_cell(str(c))) for c in safe.columns]
    # The csv module (QUOTE_MINIMAL) quotes a field holding a character of the line terminator,
    # so with "\n" it leaves a field holding a bare "\r" unquoted, and readers end the row at
    # that "\r". Written with "\r\n", every field holding "\r" or "\n" is quoted (as is one
    # holding the delimiter or a quote); the record ends, the only "\r\n" outside quotes, are
    # then put back to "\n" as before.
    text = safe.to_csv(index=False, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    text = _QUOTED_OR_RECORD_END.sub(lambda m: "\n" if m[0] == "\r\n" else m[0], text)
    return text.encode("utf-8")


def _excel_value(value: object) -> object:
    """A value openpyxl writes as data, never as a formula (None for an empty cell)."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, datetime):
        stamp = pd.Timestamp(value)
        if stamp.tzinfo is not None:
            # As in the CSV: ISO 8601 in UTC, since Excel has no time zones.
            return stamp.tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        return stamp.to_pydatetime()
    if isinstance(value, date):
        return value
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        value = value.item()  # numpy scalar to Python
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, bool | int | float):
        return value
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    # Control characters make the file unreadable to Excel; show that one was there.
    text = ILLEGAL_CHARACTERS_RE.sub("\ufffd", text)[:_EXCEL_MAX_TEXT]
    return neutralise_cell(text)


def frame_to_excel(frame: pd.DataFrame, *, sheet_name: str = "Data") -> bytes:
    """An .xlsx workbook of ``frame`` (one sheet, header row frozen), safe to open.

    Text cells and headers that a spreadsheet would run as formulas are prefixed with a quote,
    exactly as in :func:`frame_to_csv`; openpyxl stores a string as a formula only when it
    starts with ``=``, which no neutralised cell does. Missing numbers are empty cells;
    times with a zone are ISO 8601 text in UTC.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = (sheet_name.translate(_EXCEL_SHEET_FORBIDDEN).strip("' ") or "Data")[:31]
    headers = [_excel_value(str(c)) for c in frame.columns]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in frame.itertuples(index=False, name=None):
        sheet.append([_excel_value(v) for v in row])
    sheet.freeze_panes = "A2"
    for i, header in enumerate(headers, start=1):
        width = max(len(str(header or "")), *(len(str(v)) for v in frame.iloc[:200, i - 1]), 6)
        sheet.column_dimensions[get_column_letter(i)].width = min(width + 2, 60)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
