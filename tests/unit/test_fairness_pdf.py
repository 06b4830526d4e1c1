"""The fairness PDF report: it parses, says what it must, draws hostile names as text, and is
produced with or without charts.

pypdf is not a dependency, so the PDF is read here by a small reader: the cross-reference table
is checked against every object, page contents are inflated and their text-showing operators
decoded through each font's ToUnicode map. The chart tests need ``/usr/bin/chromium``; where it
is missing they skip, except under CI (``CI=true``), where that is a failure. Where poppler's
``pdftoppm`` is installed the pages are also rendered to PNGs, in pytest's temporary folder
(``pytest --basetemp=DIR`` keeps them in DIR for a look).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
import zlib
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from governance.fairness.engine import assess_arrays, assess_file
from governance.fairness.policy import Policy, Verdict
from governance.fairness.spec import AssessmentSpec
from governance.reports import fairness_pdf
from governance.reports.fairness_pdf import assessment_pdf
from governance.reports.figures import ExportFailed, ExportUnavailable

CHROMIUM = Path("/usr/bin/chromium")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
SHA = "3f" * 32
WHEN = datetime(2025, 3, 4, 5, 6, 7, tzinfo=UTC)
HOSTILE = "Zoë <b>"
CJK = "東京"
MARKUP = "**bold** <i>x</i> {nb}"
RACES = ["White", "Black", HOSTILE, CJK, MARKUP, "tiny"]


# -- a minimal PDF reader ---------------------------------------------------------------------


class Pdf:
    """Objects by number (via the xref table), and the text drawn on each page."""

    def __init__(self, data: bytes) -> None:
        assert data.startswith(b"%PDF-"), data[:16]
        assert data.rstrip().endswith(b"%%EOF")
        self.data = data
        start = int(re.findall(rb"startxref\s+(\d+)", data)[-1])
        assert data[start : start + 4] == b"xref", "startxref does not point at the xref table"
        head = re.match(rb"xref\s+0 (\d+)\s+", data[start:])
        assert head, "malformed xref table"
        count = int(head.group(1))
        entries = data[start + head.end() : start + head.end() + 20 * count]
        self.objects: dict[int, bytes] = {}
        for number in range(1, count):
            entry = entries[20 * number : 20 * number + 20]
            offset, _, kind = entry.split()[:3]
            if kind != b"n":
                continue
            offset = int(offset)
            assert data.startswith(f"{number} 0 obj".encode(), offset), f"object {number}"
            self.objects[number] = self._object_at(offset)
        trailer = data[start:]
        root = re.search(rb"/Root (\d+) 0 R", trailer)
        assert root and int(root.group(1)) in self.objects

    def _object_at(self, offset: int) -> bytes:
        body_start = self.data.index(b"obj", offset) + 3
        length = re.match(rb"\s*<<.*?/Length (\d+)", self.data[body_start:], re.S)
        stream = self.data.find(b"stream", body_start)
        end = self.data.find(b"endobj", body_start)
        if length and 0 <= stream < end:
            data_start = stream + len(b"stream")
            data_start += 2 if self.data[data_start : data_start + 2] == b"\r\n" else 1
            end = self.data.index(b"endobj", data_start + int(length.group(1)))
        return self.data[body_start:end]

    def stream(self, number: int) -> bytes:
        obj = self.objects[number]
        length = int(re.search(rb"/Length (\d+)", obj).group(1))
        start = obj.index(b"stream") + len(b"stream")
        start += 2 if obj[start : start + 2] == b"\r\n" else 1
        raw = obj[start : start + length]
        return zlib.decompress(raw) if b"/FlateDecode" in obj[: obj.index(b"stream")] else raw

    @property
    def page_count(self) -> int:
        pages = next(o for o in self.objects.values() if re.search(rb"/Type /Pages\b", o))
        return int(re.search(rb"/Count (\d+)", pages).group(1))

    def alt_texts(self) -> list[str]:
        """The alternative text of each image, in the order they are drawn."""
        out = []
        for raw in re.findall(rb"/Alt (\((?:[^()\\]|\\.)*\)|<[0-9A-Fa-f]+>)", self.data):
            if raw.startswith(b"<"):
                out.append(bytes.fromhex(raw[1:-1].decode()).decode("utf-16"))
            else:
                out.append(_literal(raw, 0)[0].decode("latin-1"))
        return out

    def image_count(self) -> int:
        return sum(
            1
            for o in self.objects.values()
            if re.search(rb"/Subtype /Image\b", o.split(b"stream")[0])
        )

    def _fonts(self) -> dict[bytes, dict[int, str] | None]:
        """Resource name → code-to-text map (None: a simple font, bytes are Latin-1)."""
        out: dict[bytes, dict[int, str] | None] = {}
        for obj in self.objects.values():
            for name, ref in re.findall(rb"/(F\d+) (\d+) 0 R", obj):
                font = self.objects[int(ref)]
                to_unicode = re.search(rb"/ToUnicode (\d+) 0 R", font)
                out[name] = _cmap(self.stream(int(to_unicode.group(1)))) if to_unicode else None
        return out

    def pages_text(self) -> list[str]:
        kids = next(o for o in self.objects.values() if re.search(rb"/Type /Pages\b", o))
        numbers = [
            int(n)
            for n in re.findall(rb"(\d+) 0 R", re.search(rb"/Kids \[(.*?)\]", kids, re.S).group(1))
        ]
        fonts = self._fonts()
        texts = []
        for number in numbers:
            contents = re.search(rb"/Contents (\d+) 0 R", self.objects[number])
            texts.append(_show_text(self.stream(int(contents.group(1))), fonts))
        return texts

    def text(self) -> str:
        return "\n".join(self.pages_text())


def _cmap(data: bytes) -> dict[int, str]:
    out: dict[int, str] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            out[int(src, 16)] = bytes.fromhex(dst.decode()).decode("utf-16-be")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
        for lo, hi, dst in re.findall(
            rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block
        ):
            base = int(dst, 16)
            for i, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                out[code] = chr(base + i)
    return out


_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}
_DELIMITERS = b"()<>[]{}/% \t\r\n"


def _literal(data: bytes, i: int) -> tuple[bytes, int]:
    """The PDF literal string starting at ``data[i] == '('`` and the index after it."""
    out, depth, i = bytearray(), 1, i + 1
    while True:
        c = data[i : i + 1]
        if c == b"\\":
            nxt = data[i + 1 : i + 2]
            if nxt in _ESCAPES:
                out += _ESCAPES[nxt]
                i += 2
            elif nxt.isdigit():
                digits = re.match(rb"[0-7]{1,3}", data[i + 1 : i + 4]).group()
                out.append(int(digits, 8) & 0xFF)
                i += 1 + len(digits)
            elif nxt in b"\r\n":
                i += 2
            else:
                out += nxt
                i += 2
            continue
        if c == b"(":
            depth += 1
        elif c == b")":
            depth -= 1
            if depth == 0:
                return bytes(out), i + 1
        out += c
        i += 1


def _decode(raw: bytes, cmap: dict[int, str] | None) -> str:
    if cmap is None:
        return raw.decode("latin-1")
    return "".join(
        cmap.get(int.from_bytes(raw[k : k + 2], "big"), "\ufffd") for k in range(0, len(raw), 2)
    )


def _show_text(content: bytes, fonts: dict[bytes, dict[int, str] | None]) -> str:
    """The text a content stream draws: pieces on one baseline joined, baselines on new lines."""
    lines: list[str] = []
    operands: list[object] = []
    font: dict[int, str] | None = None
    saved: list[dict[int, str] | None] = []
    y: float | None = None
    last_y: float | None = None
    i = 0
    while i < len(content):
        c = content[i : i + 1]
        if c in b" \t\r\n":
            i += 1
        elif c == b"(":
            value, i = _literal(content, i)
            operands.append(value)
        elif content[i : i + 2] in (b"<<", b">>"):  # a dictionary operand (marked content)
            operands.append(content[i : i + 2])
            i += 2
        elif c == b"<":
            end = content.index(b">", i)
            operands.append(bytes.fromhex(content[i + 1 : end].decode()))
            i = end + 1
        elif c == b"[":
            operands.append(b"[")
            i += 1
        elif c == b"]":
            items: list[object] = []
            while operands and operands[-1] != b"[":
                items.append(operands.pop())
            operands.pop()
            operands.append(list(reversed(items)))
            i += 1
        elif c == b"/":
            j = i + 1
            while j < len(content) and content[j : j + 1] not in _DELIMITERS:
                j += 1
            operands.append(content[i:j])
            i = j
        else:
            j = i
            while j < len(content) and content[j : j + 1] not in _DELIMITERS:
                j += 1
            token = content[i:j] or content[i : i + 1]
            i = max(j, i + 1)
            try:
                operands.append(float(token))
                continue
            except ValueError:
                pass
            shown: list[bytes] = []
            if token == b"Tf":
                font = fonts.get(bytes(operands[-2])[1:])
            elif token == b"q":
                saved.append(font)
            elif token == b"Q" and saved:
                font = saved.pop()
            elif token in (b"Td", b"TD"):
                y = float(operands[-1])  # fpdf2 positions each text object absolutely
            elif token == b"Tj" or token in (b"'", b'"'):
                shown = [operands[-1]]
            elif token == b"TJ":
                shown = [x for x in operands[-1] if isinstance(x, bytes)]
            if shown:
                piece = "".join(_decode(s, font) for s in shown)
                if lines and y == last_y:
                    lines[-1] += piece
                else:
                    lines.append(piece)
                last_y = y
            operands = []
    return "\n".join(lines)


# -- fixtures ---------------------------------------------------------------------------------


def _result():
    rng = np.random.default_rng(7)
    n = 6000
    p = np.array([0.5, 0.2, 0.12, 0.1, 0.075, 0.005])
    race = rng.choice(RACES, n, p=p / p.sum())
    sex = rng.choice(["Female", "Male"], n)
    y = (rng.random(n) < 0.4).astype(int)
    pred = (rng.random(n) < np.where(race == "White", 0.55, 0.3)).astype(int)
    return assess_arrays(
        y_true=y,
        y_pred=pred,
        sensitive={"race": race, "sex": sex},
        intersect=True,
        policy=Policy(bootstrap_replicates=100),
    )


@pytest.fixture(scope="module")
def result():
    return _result()


def _build(result, **kwargs) -> bytes:
    args = {
        "file_name": "adult <script>.csv",
        "file_sha256": SHA,
        "model_name": "Credit ≥ v2",
        "model_version": "2.1",
        "generated_by": "alice",
        "generated_at": WHEN,
        "include_charts": False,
    }
    args.update(kwargs)
    return assessment_pdf(result, **args)


@pytest.fixture(scope="module")
def plain(result) -> bytes:
    return _build(result)


def _cjk_font_installed() -> bool:
    return any(
        p.is_file() and 0x6771 in fairness_pdf._coverage(p) for p in fairness_pdf.FALLBACK_FONTS
    )


def _drawn(text: str) -> str:
    """``text`` as the report draws it: CJK as code points where no font has the glyphs."""
    if _cjk_font_installed():
        return text
    return "".join(f"[U+{ord(c):04X}]" if c in CJK else c for c in text)


# -- tests ------------------------------------------------------------------------------------


@pytest.mark.parametrize("compress", [True, False])
def test_report_parses_and_says_what_it_must(result, compress):
    data = _build(result, compress=compress)
    pdf = Pdf(data)
    text = pdf.text()
    pages = pdf.page_count

    assert result.verdict is Verdict.FAIL
    assert "Fairness assessment report" in text
    assert "AI governance workbench" in text
    assert "Overall verdict: FAIL" in text
    assert SHA in text
    assert "adult <script>.csv" in text
    assert "Credit ≥ v2" in text and "2.1" in text
    assert "alice" in text
    assert "2025-03-04 05:06:07 UTC" in text
    assert f"{result.n_rows:,}" in text
    for value in result.mapping.values():
        assert value in text
    for grouping in result.results:
        assert f"Grouping: {grouping.name}" in text
        for finding in grouping.findings:
            assert _drawn(finding[:40]) in text, finding
        for g in grouping.groups:
            assert _drawn(g.label) in text, g.label
    for race in RACES:
        assert f"race={_drawn(race)}" in text
    # Summaries, policy and the appendix.
    assert "Demographic parity difference" in text and "Equal opportunity difference" in text
    assert "must stay below 0.10" in text and "must be at least 0.80" in text
    assert "Appendix: definitions" in text
    assert "two-sided pooled two-proportion z-test" in text
    # Page numbers, and the markup-like group name drawn as typed ({nb} is not replaced).
    assert "Page 1 of " + str(pages) in text and f"Page {pages} of {pages}" in text
    assert MARKUP in text
    assert "Charts were not requested for this report." in text
    assert pdf.image_count() == 0
    if not compress:
        assert b"Page 1 of" not in data  # text is glyph ids, not bytes: the reader did its job


def test_group_table_repeats_its_header_on_each_page(result):
    many = assess_arrays(
        y_true=np.tile([0, 1], 3000),
        y_pred=np.tile([1, 1, 0], 2000),
        sensitive={"code": [f"group {i:03d}" for i in range(120)] * 50},
        policy=Policy(bootstrap_replicates=50),
    )
    pdf = Pdf(_build(many))
    pages = pdf.pages_text()
    # A table row: the label, then n = 50 (cells on one baseline are joined).
    row = re.compile(r"(?m)^code=group \d{3}(?: \(reference\))?50\d")
    with_rows = [p for p in pages if row.search(p)]
    assert len(with_rows) >= 3
    for page in with_rows:
        assert "Selection" in page and "Disparate" in page and "Enough" in page
    for i in range(120):
        assert f"code=group {i:03d}" in "\n".join(pages)


def test_characters_no_font_has_are_shown_as_code_points(result, monkeypatch):
    monkeypatch.setattr(fairness_pdf, "FALLBACK_FONTS", ())
    text = Pdf(_build(result)).text()
    assert "race=[U+6771][U+4EAC]" in text
    assert "Zoë <b>" in text


def test_a_fallback_font_draws_what_dejavu_lacks(monkeypatch):
    # DejaVu Sans Mono has ⌒ (U+2312), DejaVu Sans has not: it stands in for a CJK font.
    mono = fairness_pdf.REGULAR_FONT.parent / "DejaVuSansMono.ttf"
    if not mono.is_file():
        pytest.skip(f"{mono} is not installed")
    monkeypatch.setattr(fairness_pdf, "FALLBACK_FONTS", (mono,))
    rng = np.random.default_rng(2)
    arc = "arc ⌒ {nb}"
    result = assess_arrays(
        y_true=rng.integers(0, 2, 400),
        y_pred=rng.integers(0, 2, 400),
        sensitive={"shape": rng.choice(["plain", arc], 400)},
        policy=Policy(bootstrap_replicates=50),
    )
    pdf = Pdf(_build(result))
    text = pdf.text()
    assert f"shape={arc}" in text
    assert f"Page 1 of {pdf.page_count}" in text


def test_without_dejavu_the_core_font_keeps_latin_1_and_never_fails(result, monkeypatch):
    monkeypatch.setattr(fairness_pdf, "REGULAR_FONT", Path("/nonexistent/DejaVuSans.ttf"))
    pdf = Pdf(_build(result, generated_by="ünïcödé ≥ 東"))
    text = pdf.text()
    assert b"/BaseFont /Helvetica" in pdf.data
    assert "Overall verdict: FAIL" in text
    assert "race=Zoë <b>" in text
    assert "race=[U+6771][U+4EAC]" in text
    assert "Credit >= v2" in text
    assert "ünïcödé >= [U+6771]" in text
    assert f"Page 1 of {pdf.page_count}" in text


def test_control_characters_and_naive_times(result):
    data = _build(
        result,
        file_name="evil\x00name\r\n.csv",
        file_sha256=None,
        model_name=None,
        model_version=None,
        generated_at=datetime(2025, 3, 4, 5, 6, 7),  # naive: taken as UTC
    )
    text = Pdf(data).text()
    assert "evil name  .csv" in text
    assert "not computed" in text and "not given" in text
    assert "2025-03-04 05:06:07 UTC" in text


def test_the_report_is_deterministic(result, plain):
    assert _build(result) == plain


def test_when_images_cannot_be_made_a_note_stands_in(result, monkeypatch):
    monkeypatch.setattr(fairness_pdf, "image_export_unavailable", lambda: "no browser here")
    pdf = Pdf(_build(result, include_charts=True))
    assert "Charts are not included: no browser here" in pdf.text()
    assert pdf.image_count() == 0


def test_a_renderer_that_fails_leaves_notes_not_an_exception(result, monkeypatch):
    calls = []

    def broken(*args, **kwargs):
        calls.append(1)
        raise ExportFailed("the browser crashed")

    monkeypatch.setattr(fairness_pdf, "image_export_unavailable", lambda: None)
    monkeypatch.setattr(fairness_pdf, "figure_to_image", broken)
    text = Pdf(_build(result, include_charts=True)).text()
    assert "could not be drawn: the browser crashed" in text
    assert "the chart renderer failed repeatedly" in text
    assert len(calls) == 2  # it stops trying

    def unavailable(*args, **kwargs):
        raise ExportUnavailable("Chromium would not start")

    monkeypatch.setattr(fairness_pdf, "figure_to_image", unavailable)
    text = Pdf(_build(result, include_charts=True)).text()
    assert "Charts are not included: Chromium would not start" in text


def _need_chromium() -> None:
    if CHROMIUM.is_file():
        return
    reason = f"{CHROMIUM} is not installed: chart images cannot be rendered"
    if IN_CI:
        pytest.fail(f"{reason} (a failure under CI, not a skip)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def with_charts(result) -> tuple[bytes, float]:
    _need_chromium()
    start = time.perf_counter()
    data = _build(result, include_charts=True)
    return data, time.perf_counter() - start


def test_charts_are_embedded_as_images(result, with_charts):
    data, seconds = with_charts
    pdf = Pdf(data)
    # Per grouping: the catalog's charts (governance.charts.catalog) — selection rate, error
    # rates, disparate impact, confusion matrices, intersections when crossed (ROC and
    # calibration need a score, which this assessment has not) — and the threshold sweep when
    # a score was assessed.
    charts_expected = sum(
        (5 if len(r.sensitive_features) > 1 else 4) + (r.sweep is not None) for r in result.results
    )
    assert pdf.image_count() == charts_expected
    base = ["Selection rate", "Error rates", "Disparate impact", "Confusion matrices"]
    assert pdf.alt_texts() == [
        f"{title} chart of {r.name}"
        for r in result.results
        for title in ([*base, "Intersections"] if len(r.sensitive_features) > 1 else base)
    ]
    text = pdf.text()
    assert "Charts are not included" not in text
    assert "Charts were not requested" not in text
    assert f"Page {pdf.page_count} of {pdf.page_count}" in text
    assert seconds < 120, f"the report with charts took {seconds:.1f} s"


def test_a_scored_assessment_has_roc_and_calibration_charts(tmp_path):
    _need_chromium()
    rng = np.random.default_rng(11)
    n = 2000
    y = rng.random(n) < 0.4
    frame = pd.DataFrame(
        {
            "label": y.astype(int),
            "score": np.clip(rng.normal(0.35 + 0.3 * y, 0.2), 0, 1).round(3),
            "race": rng.choice(["A", "B"], n),
        }
    )
    frame.to_csv(tmp_path / "scored.csv", index=False)
    spec = AssessmentSpec(y_true="label", score="score", threshold=0.5, sensitive=("race",))
    scored = assess_file(tmp_path / "scored.csv", spec, Policy(bootstrap_replicates=50))
    rendered = fairness_pdf._render_charts(scored, include=True)
    assert rendered.note is None
    (items,) = rendered.items.values()
    assert [name for name, _ in items] == [
        "Selection rate",
        "Error rates",
        "Disparate impact",
        "Confusion matrices",
        "ROC",
        "Calibration",
    ]
    assert all(isinstance(png, bytes) and png.startswith(b"\x89PNG") for _, png in items)


def test_pages_render_with_poppler(result, plain, request, tmp_path):
    """Render every page to PNG in pytest's temporary folder and check none is blank."""
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        pytest.skip("poppler's pdftoppm is not installed (apt-get install poppler-utils)")
    data = plain
    if CHROMIUM.is_file():
        data = request.getfixturevalue("with_charts")[0]
    out = tmp_path / "report"  # never the repository: tests leave the working tree as it was
    out.mkdir()
    (out / "report.pdf").write_bytes(data)
    subprocess.run(
        [pdftoppm, "-r", "70", "-png", str(out / "report.pdf"), str(out / "page")],
        check=True,
        capture_output=True,
        timeout=120,
    )
    pngs = sorted(out.glob("page-*.png"))
    assert len(pngs) == Pdf(data).page_count
    assert all(p.stat().st_size > 5_000 for p in pngs)
