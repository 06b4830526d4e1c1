"""Figure and table exports, rendered for real: kaleido driving Debian's Chromium, openpyxl.

The image tests need ``/usr/bin/chromium``. Where it is missing they skip with the reason, except
under CI (``CI=true``), where that is a failure. Image export never downloads a browser.
"""

from __future__ import annotations

import io
import logging
import os
import time
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta, timezone
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from governance.charts.fairness import confusion_matrix_chart, selection_rate_chart
from governance.errors import GovernanceError, ValidationError
from governance.fairness.engine import assess_arrays
from governance.fairness.frames import groups_frame
from governance.fairness.policy import Policy
from governance.reports import figures
from governance.reports.figures import (
    ExportUnavailable,
    export_context_line,
    figure_to_html,
    figure_to_image,
    image_export_unavailable,
    with_export_context,
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


def _evaluate(renderer: figures._Renderer, expression: str) -> list[object]:
    """``expression`` evaluated in each of the renderer's browser tabs (their page's main world)."""
    out = []
    for tab in renderer._kaleido.tabs.values():
        reply = renderer._call(
            tab.send_command("Runtime.evaluate", params={"expression": expression}), 10
        )
        out.append(reply["result"]["result"].get("value"))
    return out


def test_a_page_not_ready_at_start_is_probed_once_more(chromium, fig, caplog):
    """The flake's cause, injected: a render before kaleido's page has defined kaleido_scopes.

    Under load, ``Kaleido.open()`` can return before its page's script has run (see
    ``_Renderer.warm_up``); deleting ``kaleido_scopes`` puts a started browser in that state.
    """
    renderer = figures._renderer or figures._get_renderer()
    with figures._render_lock:
        assert _evaluate(renderer, "delete window.kaleido_scopes; typeof kaleido_scopes") == [
            "undefined"
        ] * len(renderer._kaleido.tabs)
        with caplog.at_level(logging.WARNING, logger=figures.__name__):
            renderer.warm_up()  # the first probe fails, kaleido reloads the page, then it works
        assert "not ready" in caplog.text and "kaleido_scopes is not defined" in caplog.text
        assert set(_evaluate(renderer, "typeof kaleido_scopes")) == {"object"}
    assert figures._renderer is renderer  # recovered without a new browser
    assert figure_to_image(fig, "png").startswith(PNG_MAGIC)


def test_any_other_start_up_failure_is_not_retried(chromium, caplog):
    renderer = figures._renderer or figures._get_renderer()
    with figures._render_lock:
        # A page whose renderer refuses every figure: a real failure, not a page still loading.
        _evaluate(
            renderer,
            "window.kaleido_scopes.plotly = () => Promise.resolve({code: 1, message: 'broken'})",
        )
        with (
            caplog.at_level(logging.WARNING, logger=figures.__name__),
            pytest.raises(Exception, match="broken"),
        ):
            renderer.warm_up()
        assert "not ready" not in caplog.text
        # Kaleido reloaded the page after the failed render: it renders again.
        assert set(_evaluate(renderer, "typeof kaleido_scopes")) == {"object"}
        renderer.warm_up()


# --- export context ----------------------------------------------------------------------------

WHEN = datetime(2026, 12, 1, 14, 3, 27, tzinfo=UTC)


def test_export_context_line_names_model_grouping_verdict_time_and_file():
    line = export_context_line(
        model="credit-scoring 1.4.0",
        grouping="race × sex",
        verdict="fail",
        generated_at=WHEN,
        source="predictions.csv",
    )
    assert (
        line == "credit-scoring 1.4.0 · race × sex · verdict FAIL · 2026-12-01 14:03 UTC · "
        "predictions.csv"
    )
    # Missing parts are left out; other zones are shown in UTC; a naive time is UTC.
    paris = WHEN.astimezone(timezone(timedelta(hours=1)))
    assert (
        export_context_line(
            model=None, grouping="race", verdict=None, generated_at=paris, source=" "
        )
        == "race · 2026-12-01 14:03 UTC"
    )
    assert "verdict INSUFFICIENT DATA" in export_context_line(
        model=None,
        grouping="race",
        verdict="insufficient_data",
        generated_at=WHEN.replace(tzinfo=None),
        source=None,
    )


def test_export_context_is_escaped_and_on_a_copy(fig):
    height, bottom = fig.layout.height, fig.layout.margin.b
    annotations = len(fig.layout.annotations)
    out = with_export_context(
        fig,
        model='<a href="https://evil.example">m</a> & co',
        grouping="<b>race</b>",
        verdict="pass",
        generated_at=WHEN,
        source="x" * 300 + "\n.csv",
    )
    assert out is not fig
    assert (fig.layout.height, fig.layout.margin.b) == (height, bottom)  # the original untouched
    assert len(fig.layout.annotations) == annotations
    (note,) = [a for a in out.layout.annotations if a.name == "export context"]
    text = note.text
    assert "<a" not in text and "<b>" not in text
    assert '&lt;a href="https://evil.example"&gt;m&lt;/a&gt; &amp; co' in text
    assert "&lt;b&gt;race&lt;/b&gt;" in text and "verdict PASS" in text
    assert "\n" not in text and text.endswith("…")  # the long name shortened
    # Too wide for the figure in one line: broken between parts, the date kept whole.
    lines = text.split("<br>")
    assert len(lines) == 2 and "2026-12-01 14:03 UTC" in lines[0]
    assert all(len(line) <= (900 - 40) / 6.5 for line in lines)
    # Below the plot, in a band added to the figure: the plot area keeps its size.
    assert (note.yref, note.y, note.yanchor) == ("paper", 0, "top")
    assert out.layout.height - height == out.layout.margin.b - bottom >= 12 + 15 * len(lines)
    assert -note.yshift > bottom  # past the figure's own bottom margin (tick labels)
    # The title and the figure's data are as they were.
    assert out.layout.title.text == fig.layout.title.text and out.data == fig.data


def test_export_context_keeps_subplot_titles(frame):
    small_multiples = confusion_matrix_chart(frame)
    out = with_export_context(
        small_multiples, model=None, grouping="race", verdict=None, generated_at=WHEN, source=None
    )
    assert len(out.layout.annotations) == len(small_multiples.layout.annotations) + 1


def test_exported_svg_carries_the_context_line_as_text(chromium, fig):
    out = with_export_context(
        fig,
        model="credit <b>1.4.0</b>",
        grouping="race",
        verdict="fail",
        generated_at=WHEN,
        source="predictions.csv",
    )
    root = ET.fromstring(figure_to_image(out, "svg"))  # noqa: S314 (our own renderer's output)
    drawn = "".join(root.itertext())
    assert "credit <b>1.4.0</b> · race · verdict FAIL · 2026-12-01 14:03 UTC" in drawn
    bold = [e for e in root.iter() if "bold" in (e.get("style") or "")]
    assert not any("1.4.0" in "".join(e.itertext()) for e in bold)  # drawn as typed, not bold
    png = figure_to_image(out, "png", scale=1)
    assert int.from_bytes(png[20:24], "big") == out.layout.height


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
