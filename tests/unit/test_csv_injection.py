"""CSV and Excel exports against a corpus of formula-injection payloads.

Every payload is written, read back with both ``csv.reader`` and ``pandas.read_csv``, and
checked: no row or column appears or goes missing, and no cell -- nor any line inside a
cell -- starts the way a spreadsheet starts a formula. Ordinary values round-trip readable.
"""

from __future__ import annotations

import csv
import io
import math
import re
from datetime import datetime

import pandas as pd
import pytest

from governance.reports.tables import frame_to_csv, frame_to_excel, neutralise_cell

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
LINE_BREAK = re.compile(r"\r\n|\r|\n")

PAYLOADS = [
    "=1+1",
    "+1",
    "-1",
    "@SUM(A1)",
    "\t=1",
    "\r=1+1",
    "\n=1+1",
    "a\r=1",
    "a\n=1",
    "a\r\n=1",
    "a\n\r=1",
    "a\r\r=1",
    "a\n\t=1",
    "a\n+1\r-1\r\n@x",
    '=HYPERLINK("http://evil.example","x")',
    "=cmd|' /C calc'!A0",
    "-2+3",
    "a,\r=1,b",
    'a"\r"=1',
]


def _assert_inert(cell: str) -> None:
    """Neither the cell nor any line inside it starts like a formula."""
    assert not cell.startswith(FORMULA_STARTS), repr(cell)
    for line in LINE_BREAK.split(cell):
        assert not line.startswith(FORMULA_STARTS), (repr(cell), repr(line))


def _rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def _frame(payload: str) -> pd.DataFrame:
    return pd.DataFrame({"text": [payload, "plain"], "n": [-2.5, 3.0], "k": [-1, 2]})


@pytest.mark.parametrize("payload", PAYLOADS)
def test_csv_reader_sees_no_injected_rows_or_formulas(payload):
    rows = _rows(frame_to_csv(_frame(payload)))
    assert rows[0] == ["text", "n", "k"]
    assert len(rows) == 3, rows
    assert all(len(row) == 3 for row in rows), rows
    _assert_inert(rows[1][0])
    assert rows[1][0] == neutralise_cell(payload)
    assert rows[2] == ["plain", "3.0", "2"]
    # Numbers are numbers, written as such: a negative one is not text to neutralise.
    assert rows[1][1:] == ["-2.5", "-1"]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_pandas_sees_no_injected_rows_or_formulas(payload):
    back = pd.read_csv(io.BytesIO(frame_to_csv(_frame(payload))))
    assert list(back.columns) == ["text", "n", "k"]
    assert back.shape == (2, 3), back
    _assert_inert(back.loc[0, "text"])
    assert back.loc[0, "text"] == neutralise_cell(payload)
    assert back["n"].tolist() == [-2.5, 3.0]
    assert back["k"].tolist() == [-1, 2]
    assert pd.api.types.is_float_dtype(back["n"]) and pd.api.types.is_integer_dtype(back["k"])


@pytest.mark.parametrize("payload", PAYLOADS)
def test_formula_like_headers_are_neutralised_in_csv(payload):
    frame = pd.DataFrame({payload: ["x"], "n": [1]})
    rows = _rows(frame_to_csv(frame))
    assert len(rows) == 2 and all(len(row) == 2 for row in rows), rows
    _assert_inert(rows[0][0])
    back = pd.read_csv(io.BytesIO(frame_to_csv(frame)))
    assert back.shape == (1, 2)
    _assert_inert(back.columns[0])


@pytest.mark.parametrize("payload", PAYLOADS)
def test_neutralised_text_keeps_everything_but_the_added_quotes(payload):
    safe = neutralise_cell(payload)
    _assert_inert(safe)
    assert re.sub(r"(^|\r\n|\r|\n)'", r"\1", safe) == payload


def test_ordinary_values_round_trip_readable():
    frame = pd.DataFrame(
        {
            "name": ["Zoë", "a,b", 'say "hi"', None, "two\nlines", "x'y"],
            "mixed": ["plain", -1, 2.5, None, "text", "ok"],
            "rate": [0.5, float("nan"), -2.5, 1e-9, 0.0, 1.0],
            "n": [1, -2, 3, 4, 5, 6],
            "when": pd.to_datetime(["2024-01-02T03:04:05Z"] * 6, utc=True),
            "naive": [datetime(2024, 5, 6, 7, 8, 9)] * 6,
        }
    )
    data = frame_to_csv(frame)
    rows = _rows(data)
    assert len(rows) == 7 and all(len(row) == 6 for row in rows)
    assert [r[0] for r in rows[1:]] == ["Zoë", "a,b", 'say "hi"', "", "two\nlines", "x'y"]
    assert [r[1] for r in rows[1:]] == ["plain", "-1", "2.5", "", "text", "ok"]
    assert rows[1][4] == "2024-01-02T03:04:05.000000Z"
    assert rows[1][5] == "2024-05-06 07:08:09"
    back = pd.read_csv(io.BytesIO(data))
    assert back.shape == (6, 6)
    assert back["name"].tolist()[:3] == ["Zoë", "a,b", 'say "hi"']
    assert math.isnan(back["name"][3]) and back["name"][4] == "two\nlines"
    assert back["rate"].tolist()[2:] == [-2.5, 1e-9, 0.0, 1.0] and math.isnan(back["rate"][1])
    assert back["n"].tolist() == [1, -2, 3, 4, 5, 6]
    assert data.decode("utf-8").splitlines()[0] == "name,mixed,rate,n,when,naive"


@pytest.mark.parametrize("dtype", ["category", "string"])
def test_categorical_and_string_dtype_columns_are_neutralised_too(dtype):
    frame = pd.DataFrame(
        {"t": pd.Series(["=1+1", "a\r=1", None], dtype=dtype), "n": [-1.5, 2.0, 3.0]}
    )
    rows = _rows(frame_to_csv(frame))
    assert len(rows) == 4 and all(len(row) == 2 for row in rows), rows
    assert [r[0] for r in rows[1:]] == ["'=1+1", "a\r'=1", ""]
    assert [r[1] for r in rows[1:]] == ["-1.5", "2.0", "3.0"]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_excel_cells_are_never_formulas(payload):
    from openpyxl import load_workbook

    frame = pd.DataFrame({payload: [payload, "plain"], "n": [-2.5, 3.0]})
    sheet = load_workbook(io.BytesIO(frame_to_excel(frame))).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert len(cells) == 6
    assert all(cell.data_type != "f" for cell in cells)
    header, value = sheet["A1"].value, sheet["A2"].value
    for text in (header, value):
        _assert_inert(text)
    # XML reads every line break back as "\n"; what matters is that each line is inert.
    assert value == LINE_BREAK.sub("\n", neutralise_cell(payload))
    assert [sheet["B2"].value, sheet["B3"].value] == [-2.5, 3.0]


def test_audit_export_of_a_failed_sign_in_with_a_carriage_return(uow, admin):
    from governance.auth import service as auth
    from governance.errors import AuthenticationFailed
    from governance.reports.audit_export import export_events_csv

    for name in ("eve\r=1+1", "eve\n=2+2", "eve\r\n@SUM(A1)"):
        with pytest.raises(AuthenticationFailed):
            auth.authenticate(uow, username=name, password="not the password")
    data = export_events_csv(uow, actor=admin.actor())
    rows = _rows(data)
    header = rows[0]
    assert all(len(row) == len(header) for row in rows), rows
    back = pd.read_csv(io.BytesIO(data))
    assert back.shape == (len(rows) - 1, len(header))
    actors = [row[header.index("actor")] for row in rows[1:]]
    assert {"eve\r'=1+1", "eve\n'=2+2", "eve\r\n'@sum(a1)"} <= set(actors)
    assert back["actor"].tolist() == actors
    for row in rows:
        for cell in row[1:]:  # the id column is a number
            _assert_inert(cell)
