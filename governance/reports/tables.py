"""Table exports that are safe to open in a spreadsheet."""

from __future__ import annotations

import pandas as pd

# A cell starting with one of these is run as a formula by spreadsheet programs (CSV injection).
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


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
