"""A corpus of bad prediction files: each is refused with a plain ValidationError, never a crash.

Every file is generated in ``tmp_path``. A refusal must be exactly
:class:`governance.errors.ValidationError` with a one-line message naming the problem (and the
column and row where known), and must leave nothing behind: no file beside the input and no
``governance-xlsx-*`` conversion directory in the temporary directory. Files that are odd but
meaningful (hostile column names, one group, string labels…) must give correct results.
"""

from __future__ import annotations

import csv
import io
import struct
import tempfile
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import duckdb
import pytest
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from governance.errors import ValidationError
from governance.fairness import caps as caps_module
from governance.fairness import inputs
from governance.fairness.analysis import AssessmentResult
from governance.fairness.caps import FileCaps
from governance.fairness.engine import MAX_GROUPS, MISSING, assess_file
from governance.fairness.inputs import Source
from governance.fairness.policy import Policy, Verdict
from governance.fairness.preview import column_values, describe_file
from governance.fairness.spec import AssessmentSpec
from tests import bombs

POLICY = Policy(bootstrap_replicates=50)
HEADER = ("y", "p", "g")


# --- corpus helpers ---------------------------------------------------------------------------


def balanced_rows(n: int = 160) -> list[tuple[Any, ...]]:
    """Two groups of n/2 rows, each with TP = FP = FN = TN = n/8."""
    return [((i // 2) % 2, (i // 4) % 2, "a" if i % 2 else "b") for i in range(n)]


def write_csv(
    path: Path, header: Sequence[str], rows: Sequence[Sequence[Any]], *, newline: str = "\n"
) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator=newline)
        writer.writerow(header)
        writer.writerows(["" if v is None else v for v in row] for row in rows)
    return path


def write_xlsx(path: Path, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    workbook.save(path)
    return path


def write_parquet(path: Path, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> Path:
    source = write_csv(path.with_suffix(".src.csv"), header, rows)
    con = duckdb.connect()
    con.execute(
        "COPY (SELECT * FROM read_csv($src, header = true)) TO $out (FORMAT parquet)",
        {"src": str(source), "out": str(path)},
    )
    con.close()
    source.unlink()
    return path


def spec(**kw: Any) -> AssessmentSpec:
    kw.setdefault("y_true", "y")
    kw.setdefault("sensitive", ("g",))
    if "score" not in kw:
        kw.setdefault("y_pred", "p")
    return AssessmentSpec(**kw)


@pytest.fixture(autouse=True)
def private_tempdir(tmp_path_factory: pytest.TempPathFactory, monkeypatch) -> Iterator[Path]:
    """Each test gets its own temporary directory, checked for leftovers afterwards."""
    temp = tmp_path_factory.mktemp("tempdir")
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    yield temp
    assert not list(temp.glob("governance-xlsx-*"))


def leftovers() -> list[Path]:
    return list(Path(tempfile.gettempdir()).glob("governance-xlsx-*"))


def refused(path: Path, *needles: str, caps: FileCaps | None = None, **spec_kw: Any) -> str:
    """Assess ``path``: it must be refused with a clean message holding every needle."""
    before = sorted(p.name for p in path.parent.iterdir())
    with pytest.raises(ValidationError) as info:
        assess_file(path, spec(**spec_kw), POLICY, **({"caps": caps} if caps else {}))
    assert type(info.value) is ValidationError
    message = str(info.value)
    for needle in needles:
        assert needle in message, f"{needle!r} not in {message!r}"
    assert "\n" not in message and "Traceback" not in message, message
    assert "Error:" not in message and "Exception" not in message, message
    assert len(message) < 500, message
    # Checked while the exception (and its traceback) is still alive: cleanup is explicit.
    assert not leftovers()
    assert sorted(p.name for p in path.parent.iterdir()) == before
    return message


def assess(path: Path, **spec_kw: Any) -> AssessmentResult:
    result = assess_file(path, spec(**spec_kw), POLICY)
    assert not leftovers()
    return result


def cells(result: AssessmentResult, grouping: int = 0) -> dict[str, tuple[int, int, int, int]]:
    """Group label → (TP, FP, FN, TN)."""
    out = {}
    for g in result.results[grouping].groups:
        label = "/".join(g.group.values())
        out[label] = (g.cells["tp"], g.cells["fp"], g.cells["fn"], g.cells["tn"])
    return out


BALANCED = {"a": (20, 20, 20, 20), "b": (20, 20, 20, 20)}


# --- zip building for the Excel bombs -----------------------------------------------------------


def _deflate(data: bytes) -> bytes:
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


def _repeated_deflate(head: bytes, chunk: bytes, times: int, tail: bytes) -> tuple[bytes, int, int]:
    """A raw deflate stream of head + chunk × times + tail, without compressing all of it.

    Each piece ends with a full flush, so the compressed chunk can simply be repeated.
    Returns (stream, CRC-32, uncompressed size).
    """
    pieces = []
    for data, mode in ((head, zlib.Z_FULL_FLUSH), (chunk, zlib.Z_FULL_FLUSH), (tail, None)):
        c = zlib.compressobj(9, zlib.DEFLATED, -15)
        pieces.append(c.compress(data) + (c.flush(mode) if mode is not None else c.flush()))
    crc = zlib.crc32(head)
    for _ in range(times):
        crc = zlib.crc32(chunk, crc)
    crc = zlib.crc32(tail, crc)
    size = len(head) + len(chunk) * times + len(tail)
    return pieces[0] + pieces[1] * times + pieces[2], crc, size


def _zip(members: list[tuple[str, bytes, int, int]]) -> bytes:
    """A zip of (name, raw deflate data, CRC-32, declared uncompressed size) members."""
    out, central = bytearray(), bytearray()
    for name, data, crc, size in members:
        raw = name.encode()
        offset = len(out)
        out += struct.pack(
            "<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(data), size, len(raw), 0
        )
        out += raw + data
        central += struct.pack(
            "<IHHHHHHIIIHHHHHII",
            *(0x02014B50, 20, 20, 0, 8, 0, 0x21, crc, len(data), size, len(raw)),
            *(0, 0, 0, 0, 0, offset),
        )
        central += raw
    start = len(out)
    out += central
    out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central),
                       start, 0)  # fmt: skip
    return bytes(out)


def workbook_with_sheet(sheet: tuple[bytes, int, int]) -> bytes:
    """A real workbook whose first sheet's XML is replaced by ``sheet`` (data, CRC, size)."""
    buf = io.BytesIO()
    skeleton = Workbook()
    skeleton.active.append(list(HEADER))
    skeleton.save(buf)
    members = []
    with zipfile.ZipFile(buf) as zf:
        for info in zf.infolist():
            if info.filename == "xl/worksheets/sheet1.xml":
                members.append((info.filename, *sheet))
            else:
                data = zf.read(info.filename)
                members.append((info.filename, _deflate(data), zlib.crc32(data), len(data)))
    return _zip(members)


SHEET_HEAD = (
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
SHEET_TAIL = b"</sheetData></worksheet>"


# --- empty, header only, delimiters, encodings, ragged rows -------------------------------------


@pytest.mark.parametrize("name", ["empty.csv", "empty.parquet", "empty.xlsx"])
def test_empty_file(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"")
    refused(path, f"{name!r} is empty")


def test_only_blank_lines(tmp_path):
    path = tmp_path / "blank.csv"
    path.write_bytes(b"\n\r\n  \n")
    refused(path, "'blank.csv' is empty")


@pytest.mark.parametrize("writer", [write_csv, write_xlsx, write_parquet])
def test_header_only(tmp_path, writer):
    suffix = {write_csv: ".csv", write_xlsx: ".xlsx", write_parquet: ".parquet"}[writer]
    path = writer(tmp_path / f"header{suffix}", HEADER, [])
    refused(path, f"'header{suffix}'", "no data rows")


def test_semicolon_csv_is_read_with_its_delimiter(tmp_path):
    path = tmp_path / "semicolon.csv"
    path.write_text(
        "y;p;g\n" + "".join(f"{y};{p};{g}\n" for y, p, g in balanced_rows()), encoding="utf-8"
    )
    assert cells(assess(path)) == BALANCED


def test_semicolon_csv_in_one_quoted_column_hints_at_the_delimiter(tmp_path):
    # Each line wrapped in quotes: one column named "y;p;g".
    path = tmp_path / "quoted.csv"
    path.write_text(
        '"y;p;g"\n' + "".join(f'"{y};{p};{g}"\n' for y, p, g in balanced_rows()), encoding="utf-8"
    )
    message = refused(path, "Label column 'y' is not in 'quoted.csv'", "'y;p;g'")
    assert "delimiter" in message


def test_semicolon_csv_with_decimal_commas_in_the_score(tmp_path):
    path = tmp_path / "decimal-comma.csv"
    rows = "".join(f"{y};0,{3 + 4 * p};{g}\n" for y, p, g in balanced_rows())
    path.write_text("y;s;g\n" + rows, encoding="utf-8")
    refused(path, "Score column 's' does not hold numbers", "decimal commas", score="s",
            threshold=0.5)  # fmt: skip


def test_latin1_text_names_the_line(tmp_path):
    path = tmp_path / "latin1.csv"
    rows = [*balanced_rows(40), (1, 0, "Zoë"), *balanced_rows(40)]
    text = "y,p,g\n" + "".join(f"{y},{p},{g}\n" for y, p, g in rows)
    path.write_bytes(text.encode("latin-1"))
    refused(path, "'latin1.csv' is not UTF-8 text", "line 42", "save it as UTF-8")


def test_utf16_text(tmp_path):
    path = tmp_path / "utf16.csv"
    text = "y,p,g\n" + "".join(f"{y},{p},{g}\n" for y, p, g in balanced_rows())
    path.write_bytes(text.encode("utf-16"))
    refused(path, "'utf16.csv' is not UTF-8 text")


@pytest.mark.parametrize(("name", "newline"), [("two\nlines", "\r\n"), ("cr\r\nlf", "\n")])
def test_line_break_in_a_column_name_unlike_the_line_ends(tmp_path, name, newline):
    # DuckDB cannot sniff these (a quoted line break in the header unlike the line ends):
    # refused in words rather than read wrongly.
    path = write_csv(tmp_path / "mixed.csv", ("y", "p", name), balanced_rows(), newline=newline)
    refused(path, "'mixed.csv' could not be read", "column name", "line break", sensitive=(name,))


def test_crlf_file_with_line_breaks_in_values(tmp_path):
    # Line breaks inside values of such a file are fine.
    rows = [(y, p, "a\nb" if g == "a" else g) for y, p, g in balanced_rows()]
    path = write_csv(tmp_path / "crlf-values.csv", HEADER, rows, newline="\r\n")
    assert cells(assess(path)) == {"a\nb": BALANCED["a"], "b": BALANCED["b"]}


def test_utf8_with_byte_order_mark_and_crlf_works(tmp_path):
    path = tmp_path / "bom.csv"
    text = "y,p,g\r\n" + "".join(f"{y},{p},{g}\r\n" for y, p, g in balanced_rows())
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert cells(assess(path)) == BALANCED


@pytest.mark.parametrize(
    ("bad_line", "expected"),
    [("0,1,b,extra", "line 3 has 4 where the header has 3"),
     ("0,1", "line 3 has 2 where the header has 3")],
)  # fmt: skip
def test_ragged_row_early_in_the_file(tmp_path, bad_line, expected):
    path = tmp_path / "ragged.csv"
    path.write_text(f"y,p,g\n1,0,a\n{bad_line}\n" + "1,1,a\n" * 50, encoding="utf-8")
    refused(path, "'ragged.csv' has rows with a different number of fields", expected)


def test_ragged_row_early_in_a_semicolon_file(tmp_path):
    path = tmp_path / "ragged.csv"
    path.write_text("y;p;g\n1;0;a\n1;1;a\n0;1\n" + "1;1;a\n" * 50, encoding="utf-8")
    refused(path, "different number of fields", "line 4 has 2 where the header has 3")


def test_ragged_row_late_in_the_file(tmp_path):
    # Past DuckDB's sniffing sample the reader itself reports the line.
    path = tmp_path / "ragged-late.csv"
    path.write_text("y,p,g\n" + "1,0,a\n" * 25_000 + "0,1,b,extra\n", encoding="utf-8")
    refused(path, "'ragged-late.csv' has rows with a different number of fields", "line 25002")


def test_legacy_xls(tmp_path):
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    refused(path, "'old.xls'", ".xls", "save it as .xlsx, CSV or Parquet")


# --- labels -------------------------------------------------------------------------------------


def test_three_class_label(tmp_path):
    rows = [*balanced_rows(), (2, 1, "a")]
    path = write_csv(tmp_path / "three.csv", HEADER, rows)
    refused(path, "Label column 'y' has more than two values", "binary outcome")


@pytest.mark.parametrize("missing", [None, "NA", "nan", "NaN", "?", "null"])
def test_missing_label_names_the_row(tmp_path, missing):
    rows = balanced_rows()
    rows[6] = (missing, 1, "a")
    path = write_csv(tmp_path / "missing.csv", HEADER, rows)
    refused(path, "Label column 'y' has 1 missing", "data row 7, line 8 of the file",
            "every row needs a label")  # fmt: skip


def test_missing_label_in_parquet_and_excel_names_the_row(tmp_path):
    rows = [(float(y), p, g) for y, p, g in balanced_rows()]
    rows[9] = ("nan", 1, "a")  # read as a DOUBLE NaN
    path = write_parquet(tmp_path / "nan.parquet", HEADER, rows)
    refused(path, "Label column 'y' has 1 missing", "(first at row 10)")

    rows = balanced_rows()
    rows[4] = (None, 1, "a")
    refused(write_xlsx(tmp_path / "missing.xlsx", HEADER, rows), "Label column 'y' has 1 missing",
            "data row 5, row 6 of the sheet")  # fmt: skip


@pytest.mark.parametrize("name", ["$y_pos", '"; DROP TABLE x; --', "two\nlines"])
def test_missing_label_in_a_hostile_column_names_column_and_row(tmp_path, name):
    rows = balanced_rows()
    rows[2] = (None, 1, "a")
    path = write_csv(tmp_path / "hostile.csv", (name, "p", "g"), rows)
    refused(path, f"Label column {name!r} has 1 missing", "data row 3", y_true=name)


def test_label_with_no_values(tmp_path):
    rows = [("NA", p, g) for _, p, g in balanced_rows()]
    path = write_csv(tmp_path / "nolabel.csv", HEADER, rows)
    refused(path, "Label column 'y' has no value in any row")


def test_label_with_one_class(tmp_path):
    rows = [(1, p, g) for _, p, g in balanced_rows()]
    path = write_csv(tmp_path / "oneclass.csv", HEADER, rows)
    refused(path, "Label column 'y' holds only '1'", "both classes")


def test_yes_no_labels_are_inferred(tmp_path):
    rows = [("yes" if y else "no", p, g) for y, p, g in balanced_rows()]
    result = assess(write_csv(tmp_path / "yesno.csv", HEADER, rows))
    assert cells(result) == BALANCED


def test_approved_denied_labels_with_0_1_predictions(tmp_path):
    rows = [("approved" if y else "denied", p, g) for y, p, g in balanced_rows()]
    result = assess(write_csv(tmp_path / "words.csv", HEADER, rows))
    assert cells(result) == BALANCED
    assert result.mapping["label"] == "y = 'approved' is positive, 'denied' negative"
    assert result.mapping["prediction"] == "p = 1 is positive, 0 negative"


def income(y: int) -> str:
    return ">50K" if y else "<=50K"


def test_income_labels_need_a_positive_label(tmp_path):
    rows = [(income(y), p, g) for y, p, g in balanced_rows()]
    path = write_csv(tmp_path / "income.csv", HEADER, rows)
    refused(path, "Which value of label column 'y' is the positive class?", "<=50K, >50K",
            "choose the positive label")  # fmt: skip
    assert cells(assess(path, positive_label=">50K")) == BALANCED


def test_income_labels_and_predictions_with_a_positive_label(tmp_path):
    rows = [(income(y), income(p), g) for y, p, g in balanced_rows()]
    path = write_csv(tmp_path / "income.csv", HEADER, rows)
    assert cells(assess(path, positive_label=">50K")) == BALANCED
    # The other way round: "<=50K" positive swaps TP with TN and FP with FN.
    assert cells(assess(path, positive_label="<=50K")) == BALANCED


def test_predictions_spelled_differently_from_the_labels(tmp_path):
    # As in the Adult test set: labels ">50K", predictions ">50K." (with a full stop).
    rows = [(income(y), income(p) + ".", g) for y, p, g in balanced_rows()]
    path = write_csv(tmp_path / "income.csv", HEADER, rows)
    refused(path, "Which value of prediction column 'p' is the positive class?",
            "write predictions with the same values", positive_label=">50K")  # fmt: skip


def test_positive_label_not_among_the_values(tmp_path):
    rows = [(income(y), p, g) for y, p, g in balanced_rows()]
    path = write_csv(tmp_path / "income.csv", HEADER, rows)
    refused(path, "Positive label '>50k' is not a value of label column 'y'", "<=50K, >50K",
            positive_label=">50k")  # fmt: skip


@pytest.mark.parametrize("writer", [write_csv, write_parquet, write_xlsx])
def test_boolean_labels(tmp_path, writer):
    rows = [(bool(y), p, g) for y, p, g in balanced_rows()]
    suffix = {write_csv: ".csv", write_xlsx: ".xlsx", write_parquet: ".parquet"}[writer]
    result = assess(writer(tmp_path / f"bool{suffix}", HEADER, rows))
    assert cells(result) == BALANCED
    assert result.mapping["label"].startswith("y = True is positive")


def test_integer_labels_with_boolean_predictions(tmp_path):
    rows = [(y, bool(p), g) for y, p, g in balanced_rows()]
    result = assess(write_parquet(tmp_path / "mixed.parquet", HEADER, rows))
    assert cells(result) == BALANCED


# --- predictions and scores ---------------------------------------------------------------------


def test_no_prediction_and_no_score_is_a_spec_error():
    with pytest.raises(ValidationError, match="No prediction: give a prediction column"):
        AssessmentSpec(y_true="y", sensitive=("g",))
    with pytest.raises(ValidationError, match="needs a threshold"):
        AssessmentSpec(y_true="y", sensitive=("g",), score="s")
    with pytest.raises(ValidationError, match="outside"):
        AssessmentSpec(y_true="y", sensitive=("g",), score="s", threshold=1.5)


def test_prediction_with_three_values(tmp_path):
    rows = [*balanced_rows(), (1, 2, "a")]
    path = write_csv(tmp_path / "pred3.csv", HEADER, rows)
    refused(path, "Prediction column 'p' has more than two values", "score column")


def test_missing_prediction_names_the_row(tmp_path):
    rows = balanced_rows()
    rows[11] = (1, None, "a")
    path = write_csv(tmp_path / "pred.csv", HEADER, rows)
    refused(path, "Prediction column 'p' has 1 missing value(s)", "data row 12, line 13")


@pytest.mark.parametrize(("bad", "row"), [(1.5, 3), (-0.2, 3), ("nan", 3)])
def test_scores_outside_0_1_name_the_row(tmp_path, bad, row):
    rows = [(y, 0.25 + 0.5 * p, g) for y, p, g in balanced_rows()]
    rows[row - 1] = (1, bad, "a")
    path = write_csv(tmp_path / "scores.csv", ("y", "s", "g"), rows)
    refused(path, "Score column 's' has 1 value(s) missing or outside [0, 1]",
            f"data row {row}, line {row + 1}", score="s", threshold=0.5)  # fmt: skip


def test_scores_with_a_threshold_work(tmp_path):
    rows = [(y, 0.25 + 0.5 * p, g) for y, p, g in balanced_rows()]
    path = write_csv(tmp_path / "scores.csv", ("y", "s", "g"), rows)
    assert cells(assess(path, score="s", threshold=0.5)) == BALANCED


def test_text_score_column(tmp_path):
    rows = [(y, "high" if p else "low", g) for y, p, g in balanced_rows()]
    path = write_csv(tmp_path / "scores.csv", ("y", "s", "g"), rows)
    refused(path, "Score column 's' does not hold numbers", "numbers from 0 to 1", score="s",
            threshold=0.5)  # fmt: skip


# --- groups -------------------------------------------------------------------------------------


def test_one_group_is_insufficient_data_not_an_error(tmp_path):
    rows = [(y, p, "a") for y, p, _ in balanced_rows()]
    result = assess(write_csv(tmp_path / "onegroup.csv", HEADER, rows))
    grouping = result.results[0]
    assert result.verdict is Verdict.INSUFFICIENT_DATA
    assert grouping.verdict is Verdict.INSUFFICIENT_DATA
    assert grouping.findings[0].startswith("Only one group")
    assert cells(result) == {"a": (40, 40, 40, 40)}


def test_group_with_one_class_has_undefined_rates(tmp_path):
    rows = balanced_rows() + [(1, 1, "c")] * 40 + [(0, 0, "d")] * 40
    result = assess(write_csv(tmp_path / "oneclass.csv", HEADER, rows))
    groups = {g.group["g"]: g for g in result.results[0].groups}
    assert groups["c"].rates["fpr"] is None and groups["c"].rates["tpr"] == 1.0
    assert groups["d"].rates["tpr"] is None and groups["d"].rates["fpr"] == 0.0
    as_json = result.to_json()["results"][0]["groups"]
    assert {g["group"]["g"]: g["fpr"] for g in as_json}["c"] is None
    findings = " ".join(result.results[0].findings)
    assert "g=c: false positive rate is undefined (no actual negatives)" in findings
    assert "g=d: true positive rate is undefined (no actual positives)" in findings


def test_missing_sensitive_values_form_an_explicit_group(tmp_path):
    rows = [(y, p, g if i % 4 else None) for i, (y, p, g) in enumerate(balanced_rows())]
    result = assess(write_csv(tmp_path / "missing-group.csv", HEADER, rows))
    counts = cells(result)
    assert set(counts) == {"a", "b", MISSING}
    assert sum(counts[MISSING]) == 40


def test_numeric_sensitive_column_with_bands(tmp_path):
    rows = [(y, p, None if i % 10 == 0 else 18 + i % 60) for i, (y, p, _) in
            enumerate(balanced_rows(400))]  # fmt: skip
    path = write_csv(tmp_path / "age.csv", ("y", "p", "age"), rows)
    result = assess(path, sensitive=("age",), bands={"age": (30, 50)})
    counts = {k: sum(v) for k, v in cells(result).items()}
    ages = [r[2] for r in rows]
    assert counts == {
        "< 30": sum(1 for a in ages if a is not None and a < 30),
        "30–50": sum(1 for a in ages if a is not None and 30 <= a < 50),
        "≥ 50": sum(1 for a in ages if a is not None and a >= 50),
        MISSING: 40,
    }


def test_bands_on_a_text_column_or_not_finite(tmp_path):
    path = write_csv(tmp_path / "g.csv", HEADER, balanced_rows())
    refused(path, "Only numeric columns can be banded; 'g'", bands={"g": (1.0,)})
    rows = [(y, p, i) for i, (y, p, _) in enumerate(balanced_rows())]
    path = write_csv(tmp_path / "n.csv", HEADER, rows)
    refused(path, "Bands of 'g' must be finite numbers", bands={"g": (1.0, float("inf"))})
    refused(path, "Bands of 'g' must be finite numbers", bands={"g": (float("nan"),)})


def test_reference_group_that_does_not_exist(tmp_path):
    path = write_csv(tmp_path / "ref.csv", HEADER, balanced_rows())
    refused(path, "Reference group 'c' does not occur in g", "groups: a, b", reference={"g": "c"})


def test_identifier_as_sensitive_column_is_refused(tmp_path):
    rows = [(y, p, f"id-{i}") for i, (y, p, _) in enumerate(balanced_rows(MAX_GROUPS + 10))]
    path = write_csv(tmp_path / "ids.csv", HEADER, rows)
    refused(path, "Sensitive column 'g' has more than 1,000 different values", "too many groups")


def test_crossing_too_many_groups_is_refused(tmp_path):
    rows = [(y, p, i % 40, i % 41) for i, (y, p, _) in enumerate(balanced_rows(1_700))]
    path = write_csv(tmp_path / "cross.csv", ("y", "p", "a", "b"), rows)
    refused(path, "Crossing 'a' × 'b' gives more than 1,000 groups", sensitive=("a", "b"),
            intersect=True)  # fmt: skip


# --- hostile column names -----------------------------------------------------------------------

HOSTILE = [
    'say "hi"',
    '"; DROP TABLE x; --',
    "<script>alert(1)</script>",
    "x" * 5_000,
    "two\nlines",
    "crlf\r\nname",
    "' OR 1=1 --",
    "$src",
]


@pytest.mark.parametrize("name", HOSTILE, ids=lambda n: repr(n[:20]))
@pytest.mark.parametrize("role", ["y_true", "y_pred", "sensitive"])
def test_hostile_column_names_work(tmp_path, name, role):
    header = {"y_true": (name, "p", "g"), "y_pred": ("y", name, "g"), "sensitive": ("y", "p", name)}
    # A line break in a header cell must match the file's line ends (see the CRLF test).
    newline = "\r\n" if "\r\n" in name else "\n"
    path = write_csv(tmp_path / "hostile.csv", header[role], balanced_rows(), newline=newline)
    kw = {"y_true": {"y_true": name}, "y_pred": {"y_pred": name},
          "sensitive": {"sensitive": (name,)}}[role]  # fmt: skip
    result = assess(path, **kw)
    assert cells(result) == BALANCED
    assert result.results[0].sensitive_features == [header[role][2]]


@pytest.mark.parametrize("name", HOSTILE[:5], ids=lambda n: repr(n[:20]))
def test_hostile_column_names_work_in_parquet_and_excel(tmp_path, name):
    header = ("y", "p", name)
    for path in (write_parquet(tmp_path / "h.parquet", header, balanced_rows()),
                 write_xlsx(tmp_path / "h.xlsx", header, balanced_rows())):  # fmt: skip
        assert cells(assess(path, sensitive=(name,))) == BALANCED


@pytest.mark.parametrize("name", HOSTILE, ids=lambda n: repr(n[:20]))
@pytest.mark.parametrize(("role", "word"), [("y_true", "Label"), ("y_pred", "Prediction"),
                                            ("sensitive", "Sensitive")])  # fmt: skip
def test_missing_hostile_column_is_named(tmp_path, name, role, word):
    path = write_csv(tmp_path / "plain.csv", HEADER, balanced_rows())
    kw = {"y_true": {"y_true": name}, "y_pred": {"y_pred": name},
          "sensitive": {"sensitive": (name,)}}[role]  # fmt: skip
    shown = repr(name if len(name) <= 80 else name[:80] + "…")
    refused(path, f"{word} column {shown} is not in 'plain.csv'", "its columns are 'y', 'p', 'g'",
            **kw)  # fmt: skip


def test_column_name_with_a_nul_character(tmp_path):
    path = tmp_path / "nul.csv"
    body = "".join(f"{y},{p},{g}\n" for y, p, g in balanced_rows())
    path.write_bytes(b'y,p,"a\x00b"\n' + body.encode())
    refused(path, "Column 'a\\x00b' has a NUL character in its name", sensitive=("a\x00b",))


# --- Parquet ------------------------------------------------------------------------------------


def test_parquet_works(tmp_path):
    assert cells(assess(write_parquet(tmp_path / "ok.parquet", HEADER, balanced_rows()))) == (
        BALANCED
    )


def test_csv_renamed_parquet(tmp_path):
    path = write_csv(tmp_path / "renamed.parquet", HEADER, balanced_rows())
    refused(path, "'renamed.parquet' is named .parquet but is not a Parquet file", "CSV")


def test_xlsx_renamed_parquet(tmp_path):
    path = write_xlsx(tmp_path / "renamed.xlsx", HEADER, balanced_rows())
    refused(path.rename(tmp_path / "renamed.parquet"), "not a Parquet file", "Excel")


def test_parquet_renamed_csv(tmp_path):
    path = write_parquet(tmp_path / "renamed.parquet", HEADER, balanced_rows())
    refused(path.rename(tmp_path / "renamed.csv"), "'renamed.csv' is named as CSV text",
            "holds a Parquet file")  # fmt: skip


@pytest.mark.parametrize("keep", [0.5, 0.9, "head"])
def test_corrupt_parquet(tmp_path, keep):
    data = write_parquet(tmp_path / "real.parquet", HEADER, balanced_rows(2_000)).read_bytes()
    path = tmp_path / "corrupt.parquet"
    if keep == "head":
        path.write_bytes(b"PAR1" + bytes(range(256)) * 4)
    else:
        path.write_bytes(data[: int(len(data) * keep)])
    refused(path, "'corrupt.parquet' is not a readable Parquet file", "damaged or truncated")


# --- Excel --------------------------------------------------------------------------------------


def test_valid_xlsx_works(tmp_path):
    path = write_xlsx(tmp_path / "ok.xlsx", HEADER, balanced_rows())
    assert cells(assess(path)) == BALANCED
    with Source(path) as source:
        assert [c.name for c in source.columns] == list(HEADER)
        assert list(Path(tempfile.gettempdir()).glob("governance-xlsx-*"))
    assert not leftovers()


def test_xlsx_with_trailing_formatted_rows_and_no_size_record(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(HEADER))
    for y, p, g in balanced_rows():
        sheet.append([y, p, g])
    sheet.cell(row=300, column=2).font = Font(bold=True)  # an empty but formatted row
    buf = io.BytesIO()
    workbook.save(buf)
    # Drop the <dimension> record: openpyxl then yields rows of their own lengths.
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                start = data.index(b"<dimension")
                data = data[:start] + data[data.index(b"/>", start) + 2 :]
            zout.writestr(info, data)
    path = tmp_path / "loose.xlsx"
    path.write_bytes(out.getvalue())
    assert cells(assess(path)) == BALANCED


def test_xlsx_with_a_value_in_an_unnamed_column(tmp_path):
    # Excel has no ragged rows: a stray cell is a column without a name, and is ignored.
    rows: list[tuple[Any, ...]] = balanced_rows()
    rows[4] = (*rows[4], "stray")
    path = write_xlsx(tmp_path / "stray.xlsx", HEADER, rows)
    assert cells(assess(path)) == BALANCED


def test_xlsx_with_a_line_break_in_a_column_name(tmp_path):
    path = write_xlsx(tmp_path / "header.xlsx", ("y", "p", "sex\n(self-declared)"), balanced_rows())
    assert cells(assess(path, sensitive=("sex\n(self-declared)",))) == BALANCED


def test_empty_workbook(tmp_path):
    path = tmp_path / "empty.xlsx"
    Workbook().save(path)
    refused(path, "'empty.xlsx' is empty")


@pytest.mark.parametrize("cut", [0.3, 0.7, 0.95])
def test_truncated_xlsx(tmp_path, cut):
    data = write_xlsx(tmp_path / "real.xlsx", HEADER, balanced_rows(2_000)).read_bytes()
    path = tmp_path / "truncated.xlsx"
    path.write_bytes(data[: int(len(data) * cut)])
    refused(path, "'truncated.xlsx' is not a readable Excel workbook", "damaged or truncated")


def test_garbage_and_foreign_xlsx(tmp_path):
    garbage = tmp_path / "garbage.xlsx"
    garbage.write_bytes(b"PK\x03\x04" + bytes(range(256)) * 8)
    refused(garbage, "'garbage.xlsx' is not a readable Excel workbook")

    text = write_csv(tmp_path / "text.xlsx", HEADER, balanced_rows())
    refused(text, "'text.xlsx' is named as an Excel workbook but is not one")

    other_zip = tmp_path / "zipped.xlsx"
    with zipfile.ZipFile(other_zip, "w") as zf:
        zf.writestr("predictions.csv", "y,p,g\n1,0,a\n")
    refused(other_zip, "'zipped.xlsx' is not a readable Excel workbook")


def test_corrupted_sheet_data_in_xlsx(tmp_path):
    data = zlib.compress(b"<worksheet><sheetData>" + b"<row/>" * 1000)[2:-4]  # raw deflate
    damaged = data[:20] + bytes(b ^ 0x5A for b in data[20:40]) + data[40:]
    path = tmp_path / "damaged.xlsx"
    path.write_bytes(workbook_with_sheet((damaged, 0, 6_022)))
    refused(path, "'damaged.xlsx' is not a readable Excel workbook")


def test_excel_bomb_is_refused_quickly(tmp_path):
    # 300 MiB of sheet XML in 0.3 MB: refused from the zip directory, never expanded.
    sheet = _repeated_deflate(SHEET_HEAD, b" " * (1 << 20), 300, SHEET_TAIL)
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(workbook_with_sheet(sheet))
    assert path.stat().st_size < 1_000_000
    refused(path, "'bomb.xlsx' refused", "'xl/worksheets/sheet1.xml' expands", "zip bomb")


def test_excel_bomb_lying_about_its_size_is_read_only_as_far_as_it_claims(tmp_path):
    # The zip directory claims 8 MiB (an innocent ratio); the data would expand to 300 MiB.
    # Reading stops at the claimed size and the checksum then fails.
    data, crc, _ = _repeated_deflate(SHEET_HEAD, b" " * (1 << 20), 300, SHEET_TAIL)
    path = tmp_path / "liar.xlsx"
    path.write_bytes(workbook_with_sheet((data, crc, 8 << 20)))
    refused(path, "'liar.xlsx' is not a readable Excel workbook")


def test_excel_over_the_total_size_cap(tmp_path, monkeypatch):
    monkeypatch.setattr(inputs, "MAX_XLSX_UNCOMPRESSED", 4 << 20)
    data, crc, size = _repeated_deflate(SHEET_HEAD, b"<row/>" * 20_000, 50, SHEET_TAIL)
    path = tmp_path / "big.xlsx"
    path.write_bytes(workbook_with_sheet((data, crc, size)))
    monkeypatch.setattr(inputs, "MAX_XLSX_RATIO", 10_000)
    refused(path, "'big.xlsx' refused: it expands to 5 MiB", "save it as CSV or Parquet")


def test_xml_entity_bomb_in_xlsx(tmp_path):
    entities = "".join(f'<!ENTITY e{i} "{("&e" + str(i - 1) + ";") * 10}">' for i in range(1, 12))
    xml = (
        f'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY e0 "lol">{entities}]>'
        + SHEET_HEAD.decode()
        + '<row r="1"><c r="A1" t="inlineStr"><is><t>&e11;</t></is></c></row>'
        + SHEET_TAIL.decode()
    ).encode()
    path = tmp_path / "laughs.xlsx"
    path.write_bytes(workbook_with_sheet((_deflate(xml), zlib.crc32(xml), len(xml))))
    refused(path, "'laughs.xlsx' is not a readable Excel workbook")


# --- the Source itself --------------------------------------------------------------------------


def test_source_refusals_leave_nothing_open(tmp_path):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"PK\x03\x04 not a zip")
    for _ in range(3):
        with pytest.raises(ValidationError):
            Source(bad)
        assert not leftovers()
    good = write_xlsx(tmp_path / "good.xlsx", HEADER, balanced_rows())
    source = Source(good)
    source.close()
    source.close()  # closing twice is harmless
    assert not leftovers()


def test_missing_file(tmp_path):
    refused(tmp_path / "nowhere.csv", "'nowhere.csv' does not exist")


# --- bombs: refused from the header, the footer or the size record, before DuckDB reads ---------

UPLOAD = FileCaps(max_columns=2_000, max_rows=50_000_000)  # the page's defaults


@pytest.fixture
def no_describe(monkeypatch):
    """DuckDB's DESCRIBE (minutes and GiBs for 100,000 columns) must not be reached."""

    def reached(self: Source) -> None:
        raise AssertionError(f"DESCRIBE reached for {self.name!r}")

    monkeypatch.setattr(Source, "_describe", reached)


@pytest.mark.parametrize("columns", [100_000, 250_000])
def test_csv_with_a_hundred_thousand_columns_is_refused_before_describe(
    tmp_path, no_describe, columns
):
    path = bombs.wide_csv(tmp_path / "wide.csv", columns)
    refused(path, f"'wide.csv' has {columns:,} columns", "more than the 2,000",
            "GOVERNANCE_MAX_COLUMNS", "keep only the columns")  # fmt: skip


WIDE_HEADERS = {
    "double quotes around line breaks": '"a' + "\n" * 100 + '",' + ",".join(["x"] * 3_000),
    "single quotes around line breaks": "'a" + "\n" * 100 + "'," + ",".join(["x"] * 3_000),
    "backslash-escaped quote before line breaks": '"a\\""'
    + "\n" * 100
    + '",'
    + ",".join(["x"] * 3_000),
    "unclosed quote": '"' + ",".join(["x"] * 3_000),
    "semicolons": ";".join(["x"] * 3_000),
    "tabs": "\t".join(["x"] * 3_000),
    "after three short lines": "a\nb\nc\n" + ",".join(["x"] * 3_000),
}


@pytest.mark.parametrize("header", WIDE_HEADERS.values(), ids=WIDE_HEADERS.keys())
def test_wide_header_in_every_dialect_duckdb_tries_is_refused(tmp_path, no_describe, header):
    path = tmp_path / "dialect.csv"
    path.write_text(header + "\n" + "1\n" * 10, encoding="utf-8")
    message = refused(path, "'dialect.csv' has", "columns (fields in its first lines)",
                      "more than the 2,000")  # fmt: skip
    found = int(message.split(" has ")[1].split(" columns")[0].replace(",", ""))
    assert 3_000 <= found <= 3_002, message


def test_header_longer_than_duckdb_reads_is_counted_within_its_first_2_mib(tmp_path, no_describe):
    # One line of 3,000 names of 1,000 characters (3 MB): only 2 MiB of it are looked at.
    path = tmp_path / "long.csv"
    path.write_text(",".join(f"{i:04d}" + "x" * 996 for i in range(3_000)) + "\n1\n")
    message = refused(path, "'long.csv' has", "(fields in its first 2 MiB, one line)")
    assert "2,1" in message  # 2 MiB hold about 2,160 such fields


def test_header_line_over_2_mib_with_few_fields_is_duckdbs_to_refuse(tmp_path):
    path = tmp_path / "long.csv"
    path.write_text(",".join("x" * 300_000 + str(i) for i in range(10)) + "\n1,2\n")
    message = refused(path, "'long.csv' has a line longer than 2,000,000 bytes near line 1")
    assert "columns" not in message


def test_column_cap_is_a_setting(tmp_path):
    path = write_csv(tmp_path / "plain.csv", (*HEADER, "extra"), [(*r, 0) for r in balanced_rows()])
    refused(path, "'plain.csv' has 4 columns", "more than the 3", caps=FileCaps(max_columns=3))
    assert cells(assess_file(path, spec(), POLICY, caps=FileCaps(max_columns=4))) == BALANCED


def test_parquet_with_3000_columns_is_refused_from_its_footers_first_bytes(
    tmp_path, no_describe, monkeypatch
):
    path = bombs.wide_parquet(tmp_path / "wide.parquet", 3_000)

    def parsed(*args: Any) -> None:
        raise AssertionError("the footer was parsed to count columns")

    monkeypatch.setattr(caps_module, "refuse_rows", parsed)  # reached only after the columns
    refused(path, "'wide.parquet' has 3,000 columns (fields in its schema)", "more than the 2,000")


def test_parquet_footer_of_another_layout_is_parsed_to_count_columns(
    tmp_path, no_describe, monkeypatch
):
    monkeypatch.setattr(caps_module, "parquet_schema_size", lambda path: None)
    path = bombs.wide_parquet(tmp_path / "wide.parquet", 2_001)
    refused(path, "'wide.parquet' has 2,001 columns (fields in its schema)")


def test_parquet_schema_size_is_none_for_what_is_not_a_parquet_footer(tmp_path):
    for data in (b"PAR1", b"PAR1" + bytes(64) + b"PAR1", b"PAR1" + bytes(range(40)) + b"PAR1"):
        path = tmp_path / "odd.parquet"
        path.write_bytes(data)
        assert caps_module.parquet_schema_size(path) is None
    real = write_parquet(tmp_path / "real.parquet", HEADER, balanced_rows())
    assert caps_module.parquet_schema_size(real) == 4  # the root and three columns


@pytest.fixture
def billion_rows(tmp_path) -> Path:
    """160 real rows under a footer that declares 10⁹ (the kind of file the issue describes)."""
    source = write_parquet(tmp_path / "small.parquet", HEADER, balanced_rows())
    path = bombs.parquet_declaring(tmp_path / "billion.parquet", bombs.BILLION, source)
    source.unlink()
    assert bombs.declared_rows(path) == bombs.BILLION
    assert path.stat().st_size < 100 * 1024
    return path


def test_parquet_declaring_a_billion_rows_is_refused_on_the_page(billion_rows, no_describe):
    refused(billion_rows, "'billion.parquet' declares 1,000,000,000 rows (in its footer)",
            "more than the 50,000,000", "GOVERNANCE_UPLOAD_MAX_ROWS",
            "python -m governance fairness assess", caps=UPLOAD)  # fmt: skip


def test_the_command_line_reads_what_such_a_file_really_holds(billion_rows):
    # No row cap there: DuckDB counts the rows of the row groups, not the footer's claim.
    result = assess(billion_rows)
    assert result.n_rows == 160
    assert cells(result) == BALANCED


def test_row_cap_is_a_setting(tmp_path):
    path = write_parquet(tmp_path / "rows.parquet", HEADER, balanced_rows())
    refused(path, "'rows.parquet' declares 160 rows", "more than the 159",
            caps=FileCaps(max_rows=159))  # fmt: skip
    assert cells(assess_file(path, spec(), POLICY, caps=FileCaps(max_rows=160))) == BALANCED


@pytest.mark.parametrize(
    ("ref", "needles"),
    [("A1:XFD1048576", ("'sized.xlsx' has 16,384 columns (by its first sheet's size record)",)),
     ("A1:C2000000", ("'sized.xlsx' is damaged", "claims 2,000,000 rows", "1,048,576"))],
)  # fmt: skip
def test_xlsx_size_record_bombs(tmp_path, no_describe, ref, needles):
    # A few hundred bytes that openpyxl would expand to every cell of the recorded size.
    path = bombs.xlsx_with_size_record(tmp_path / "sized.xlsx", ref)
    assert path.stat().st_size < 10_000
    refused(path, *needles)


def test_xlsx_rows_over_the_page_cap_by_their_size_record(tmp_path, no_describe):
    path = bombs.xlsx_with_size_record(tmp_path / "sized.xlsx", "A1:C30001")
    refused(path, "'sized.xlsx' declares 30,000 rows (by its first sheet's size record)",
            caps=FileCaps(max_rows=20_000))  # fmt: skip


def _sheet(rows: list[str]) -> bytes:
    xml = SHEET_HEAD + "".join(rows).encode() + SHEET_TAIL
    return workbook_with_sheet((_deflate(xml), zlib.crc32(xml), len(xml)))


def test_xlsx_without_size_record_and_a_wide_first_row(tmp_path, no_describe):
    cells_ = "".join(f'<c r="{get_column_letter(i)}1"><v>{i}</v></c>' for i in range(1, 2_502))
    path = tmp_path / "wide.xlsx"
    path.write_bytes(_sheet([f'<row r="1">{cells_}</row>']))
    refused(path, "'wide.xlsx' has 2,501 columns (cells in its first row)")


def test_xlsx_without_size_record_and_a_value_in_a_far_column(tmp_path, no_describe):
    header = "".join(f'<c r="{c}1" t="inlineStr"><is><t>{c}</t></is></c>' for c in "ABC")
    far = '<row r="2"><c r="A2"><v>1</v></c><c r="XFD2"><v>1</v></c></row>'
    path = tmp_path / "far.xlsx"
    path.write_bytes(_sheet([f'<row r="1">{header}</row>', far]))
    refused(path, "'far.xlsx' has 16,384 columns (cells in row 2 of its sheet)")


def test_xlsx_with_a_row_past_excels_last(tmp_path, no_describe):
    header = "".join(f'<c r="{c}1" t="inlineStr"><is><t>{c}</t></is></c>' for c in "ABC")
    path = tmp_path / "tall.xlsx"
    path.write_bytes(_sheet([f'<row r="1">{header}</row>',
                             '<row r="1048577"><c r="A1048577"><v>1</v></c></row>']))  # fmt: skip
    refused(path, "'tall.xlsx' is damaged", "rows past Excel's 1,048,576")


BOMBS = {
    "100,000-column CSV": (lambda d: bombs.wide_csv(d / "wide.csv", 100_000), "100,000 columns"),
    "3,000-column Parquet": (lambda d: bombs.wide_parquet(d / "wide.parquet", 3_000),
                             "3,000 columns"),
    "16,384-column sheet": (lambda d: bombs.xlsx_with_size_record(d / "wide.xlsx",
                                                                  "A1:XFD1048576"),
                            "16,384 columns"),
}  # fmt: skip


@pytest.mark.parametrize(("make", "needle"), BOMBS.values(), ids=BOMBS.keys())
def test_the_pages_reads_refuse_the_bombs_too(tmp_path, no_describe, make, needle):
    path = make(tmp_path)
    for read in (lambda: describe_file(path, caps=UPLOAD),
                 lambda: column_values(path, "c0", caps=UPLOAD)):  # fmt: skip
        with pytest.raises(ValidationError, match=needle):
            read()
    assert not leftovers()
