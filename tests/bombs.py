"""Upload bombs: small files that claim (or hold) far more than a prediction file should.

Shared by the corpus of bad inputs, the CLI's exit codes, the page tests and the browser test.
Each is written into a folder the test owns, and is small enough to keep a test fast: what they
exercise is a refusal that happens before DuckDB reads them.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import duckdb
from openpyxl import Workbook

BILLION = 1_000_000_000


def wide_csv(path: Path, columns: int, *, rows: int = 1) -> Path:
    """A header of ``columns`` names (c0, c1, …) and ``rows`` rows of zeros."""
    with path.open("w", encoding="utf-8") as out:
        out.write(",".join(f"c{i}" for i in range(columns)) + "\n")
        out.writelines(",".join("0" * columns) + "\n" for _ in range(rows))
    return path


def wide_parquet(path: Path, columns: int) -> Path:
    """A Parquet file of two rows and ``columns`` integer columns."""
    select = ", ".join(f"i AS c{n}" for n in range(columns))
    con = duckdb.connect()
    sql = f"COPY (SELECT {select} FROM range(2) t(i)) TO $out (FORMAT parquet)"  # noqa: S608
    con.execute(sql, {"out": str(path)})
    con.close()
    return path


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        low, value = value & 0x7F, value >> 7
        out.append(low | (0x80 if value else 0))
        if not value:
            return bytes(out)


def parquet_declaring(path: Path, rows: int, source: Path) -> Path:
    """``source`` (a small Parquet file) with a footer that declares ``rows`` rows.

    The footer's ``num_rows`` (Thrift compact: field header 0x16, then the zigzag varint) is the
    first field of that shape after the schema; its row groups keep their true counts. The
    caller checks the result with DuckDB, so a wrong patch fails the test rather than passing
    it vacuously.
    """
    data = source.read_bytes()
    length = int.from_bytes(data[-8:-4], "little")
    footer = data[-8 - length : -8]
    actual = duckdb.execute(
        "SELECT num_rows FROM parquet_file_metadata($p)", {"p": str(source)}
    ).fetchone()[0]
    old = b"\x16" + _varint(2 * actual)
    at = footer.index(old)
    patched = footer[:at] + b"\x16" + _varint(2 * rows) + footer[at + len(old) :]
    path.write_bytes(data[: -8 - length] + patched + len(patched).to_bytes(4, "little") + b"PAR1")
    return path


def declared_rows(path: Path) -> int:
    return int(
        duckdb.execute(
            "SELECT num_rows FROM parquet_file_metadata($p)", {"p": str(path)}
        ).fetchone()[0]
    )


def xlsx_with_size_record(path: Path, ref: str, header: tuple[str, ...] = ("y", "p", "g")) -> Path:
    """A one-row workbook whose first sheet's size record says ``ref`` (e.g. A1:XFD1048576).

    openpyxl (read-only) would pad every row to that width and yield rows down to that height.
    """
    buf = io.BytesIO()
    workbook = Workbook()
    workbook.active.append(list(header))
    workbook.active.append([1, 0, "a"])
    workbook.save(buf)
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                record = f'<dimension ref="{ref}"'.encode()
                data, found = re.subn(rb'<dimension ref="[^"]*"', record, data)
                assert found == 1, "the workbook has no size record to replace"
            zout.writestr(info, data)
    path.write_bytes(out.getvalue())
    return path
