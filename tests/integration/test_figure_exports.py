"""Figure and table exports, rendered for real: kaleido driving Debian's Chromium, openpyxl.

The image tests need ``/usr/bin/chromium``. Where it is missing they skip with the reason, except
under CI (``CI=true``), where that is a failure. Image export never downloads a browser.
"""

from __future__ import annotations

import io
import os
import time
import xml.etree.ElementTree as ET
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from governance.charts.fairness import selection_rate_chart
from governance.errors import GovernanceError, ValidationError
from governance.fairness.engine import assess_arrays
from governance.fairness.frames import groups_frame
from governance.fairness.policy import Policy
from governance.reports import figures
from governance.reports.figures import (
    ExportUnavailable,
    figure_to_html,
    figure_to_image,
    image_export_unavailable,
)
from governance.reports.tables import frame_to_excel

CHROMIUM = Path("/usr/bin/chromium")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
SCRIPT_BREAKER = "</script><script>alert(1)</script>"


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    rng = np.random.default_rng(1)
    n = 2000
    race = rng.choice(["A", "B", SCRIPT_BREAKER], n, p=[0.6, 0.3, 0.1])
    y = (rng.random(n) < 0.4).astype(int)
    p = (rng.random(n) < np.where(race == "A", 0.5, 0.35)).astype(int)
    result = assess_arrays(
        y_true=y, y_pred=p, sensitive={"race": race}, policy=Policy(bootstrap_replicates=100)
    )
    return groups_frame(result.results[0])


@pytest.fixture(scope="module")
def fig(frame):
    return selection_rate_chart(frame)


@pytest.fixture
def chromium(monkeypatch) -> Path:
    """Debian's Chromium, or a skip (a failure under CI) when it is not installed."""
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        reason = f"{CHROMIUM} is not installed (apt-get install chromium)"
        if IN_CI:
            pytest.fail(f"{reason}: a failure under CI, not a skip")
        pytest.skip(reason)
    monkeypatch.delenv("BROWSER_PATH", raising=False)
    return CHROMIUM


# --- static images -----------------------------------------------------------------------------


def test_png_export_and_the_renderer_is_reused(chromium, fig):
    t0 = time.perf_counter()
    first = figure_to_image(fig, "png")
    t1 = time.perf_counter()
    renderer = figures._renderer
    again = [figure_to_image(fig, "png") for _ in range(3)]
    t2 = time.perf_counter()
    assert first.startswith(PNG_MAGIC) and len(first) > 10_000
    assert all(png.startswith(PNG_MAGIC) for png in again)
    assert figures._renderer is renderer is not None  # one browser per process
    assert renderer.browser == chromium
    print(f"\nPNG export: first {t1 - t0:.2f} s, then {(t2 - t1) / 3:.2f} s each")


def test_png_size_follows_the_figure_and_scale(chromium, fig):
    png = figure_to_image(fig, "png", width=600, height=400, scale=1)
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert (width, height) == (600, 400)


def test_svg_export_is_xml(chromium, fig):
    svg = figure_to_image(fig, "svg")
    assert b"<svg" in svg[:200]
    root = ET.fromstring(svg)  # noqa: S314 (our own renderer's output)
    assert root.tag.endswith("svg")
    # The hostile label is drawn as text, not turned into markup.
    assert not root.findall(".//{http://www.w3.org/2000/svg}script")


def test_pdf_export(chromium, fig):
    pdf = figure_to_image(fig, "pdf")
    assert pdf.startswith(b"%PDF") and len(pdf) > 1000


def test_unknown_image_format_is_refused(fig):
    with pytest.raises(ValidationError, match="png, svg or pdf"):
        figure_to_image(fig, "gif")  # type: ignore[arg-type]


def test_missing_browser_says_how_to_install_it(fig, monkeypatch, tmp_path):
    monkeypatch.setattr(figures, "_renderer", None)  # as in a fresh process
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-chromium"))
    assert "apt-get install chromium" in (image_export_unavailable() or "")
    with pytest.raises(ExportUnavailable, match="apt-get install chromium") as caught:
        figure_to_image(fig, "png")
    assert isinstance(caught.value, GovernanceError)
    assert figures._renderer is None


# --- HTML --------------------------------------------------------------------------------------


class _Scripts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.sources: list[str | None] = []
        self.inline = 0

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            src = dict(attrs).get("src")
            self.sources.append(src)
            self.inline += src is None


def test_html_is_self_contained(fig):
    page = figure_to_html(fig, title="Selection rate").decode("utf-8")
    assert page.lstrip().lower().startswith("<!doctype html>")
    assert "plotly.js v" in page and len(page) > 1_000_000  # the bundle, inline
    scripts = _Scripts()
    scripts.feed(page)
    assert scripts.inline >= 2 and all(src is None for src in scripts.sources)
    assert "cdn.plot.ly" not in page.split("<body>")[0]
    assert "<title>Selection rate</title>" in page


def test_html_cannot_be_broken_out_of_by_a_label(fig):
    page = figure_to_html(fig).decode("utf-8")
    assert SCRIPT_BREAKER not in page
    assert "alert(1)" in page  # the label is there, escaped inside the figure's JSON


# --- Excel -------------------------------------------------------------------------------------


def test_excel_opens_and_formula_like_text_is_neutralised():
    frame = pd.DataFrame(
        {
            "name": ["=cmd|' /C calc'!A0", "+1", "-2", "@SUM(A1)", "plain\x07bell"],
            "=HYPERLINK(1)": [1, 2, 3, 4, 5],
            "rate": [0.5, float("nan"), 0.25, None, 1.0],
            "ok": [True, False, True, False, True],
            "at": pd.to_datetime(["2024-01-02T03:04:05Z"] * 5, utc=True),
        }
    )
    book = load_workbook(io.BytesIO(frame_to_excel(frame, sheet_name="Groups: race/sex")))
    sheet = book.active
    assert sheet.title == "Groups  race sex"
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("name", "'=HYPERLINK(1)", "rate", "ok", "at")
    assert [r[0] for r in rows[1:]] == [
        "'=cmd|' /C calc'!A0",
        "'+1",
        "'-2",
        "'@SUM(A1)",
        "plain\ufffdbell",
    ]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    assert [r[2] for r in rows[1:]] == [0.5, None, 0.25, None, 1.0]
    assert [r[3] for r in rows[1:]] == [True, False, True, False, True]
    assert rows[1][4] == "2024-01-02T03:04:05.000000Z"
    assert sheet.freeze_panes == "A2"


def test_excel_of_the_groups_frame_round_trips(frame):
    book = load_workbook(io.BytesIO(frame_to_excel(frame)))
    back = pd.DataFrame(list(book.active.iter_rows(values_only=True))[1:], columns=frame.columns)
    assert len(back) == len(frame)
    assert back["n"].tolist() == frame["n"].tolist()
    assert np.allclose(back["selection_rate"], frame["selection_rate"])
    assert back["group"].tolist() == frame["group"].tolist()  # no label starts like a formula


def test_excel_keeps_naive_datetimes_as_dates():
    stamp = datetime(2024, 5, 6, 7, 8, 9)
    book = load_workbook(io.BytesIO(frame_to_excel(pd.DataFrame({"when": [stamp]}))))
    assert book.active["A2"].value == stamp
