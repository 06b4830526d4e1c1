"""Table exports that are safe to open in a spreadsheet."""

from __future__ import annotations

import io
import math
from datetime import date, datetime

import pandas as pd

# A cell starting with one of these is run as a formula by spreadsheet programs (CSV injection).
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Excel's limits: longer text is cut, a sheet name is at most 31 characters of a safe set.
_EXCEL_MAX_TEXT = 32_767
_EXCEL_SHEET_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})


def neutralise_cell(value: object) -> object:
    """Prefix a text cell that a spreadsheet would run as a formula with a quote."""
    if isinstance(value, str) and value.startswith(_FORMULA_PREFIXES):
        return "'" + value
    return value


def frame_to_csv(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV of ``frame`` with formula-like text cells and headers neutralised.

    Times are written as ISO 8601 in UTC so that an auditor's spreadsheet reads them unambiguously.
    """
    safe = frame.copy()
    for column in safe.columns:
        series = safe[column]
        if isinstance(series.dtype, pd.DatetimeTZDtype):
            safe[column] = series.dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        elif series.dtype == object or pd.api.types.is_string_dtype(series.dtype):
            safe[column] = series.map(neutralise_cell)
    safe.columns = [str(neutralise_cell(str(c))) for c in safe.columns]
    return safe.to_csv(index=False).encode("utf-8")


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
