"""A fairness assessment as a PDF report (fpdf2): the evidence an auditor files.

The report holds what the page shows: the file and its SHA-256, the column mapping, the policy,
the overall verdict, then per grouping its verdict, summaries with intervals, findings, a table
of the groups and the charts, and an appendix defining every number.

Text is drawn in DejaVu Sans (regular and bold) so that ≥, ×, – and most scripts render; fonts
for the scripts DejaVu lacks (CJK, mostly) are added where one is installed. A character that no
available font can draw is written as its code point, ``[U+6771]``, rather than silently dropped
(fpdf2 would leave it out). Without the DejaVu files the report falls back to the PDF core font
Helvetica, which only knows Latin-1, with the same rule for every other character.

User text (group names, file and model names) is only ever passed to fpdf2 as plain text: no
markdown, no HTML, and fpdf2's page-count alias (``{nb}``, replaced wherever it occurs) is off;
control characters become spaces. The footer's page total comes from laying the report out twice.

Charts are PNGs rendered once, before layout, by :func:`governance.reports.figures.figure_to_image`;
where that cannot work (no Chromium) or charts are not wanted, a note takes their place and the
report is still produced. fpdf2 repeats a table's header row on every page the table spans.
"""

from __future__ import annotations

import io
import json
import math
import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache

from fpdf import FPDF
from fpdf.enums import TableBordersLayout, XPos, YPos
from fpdf.fonts import FontFace

from governance.charts.catalog import THRESHOLD_SWEEP, ChartBuilder, grouping_charts
from governance.fairness.analysis import (
    AssessmentResult,
    GroupingResult,
    GroupResult,
    definitions,
    group_label,
    json_safe,
)
from governance.fairness.metrics import GROUP_METRICS, SUMMARY_METRICS
from governance.fairness.policy import Policy, Verdict
from governance.reports.figures import (
    ExportFailed,
    ExportUnavailable,
    figure_to_image,
    image_export_unavailable,
)
from governance.reports.pdf_text import (
    BOLD_FONT,
    FALLBACK_FONTS,
    REGULAR_FONT,
    load_fonts,
)
from governance.reports.pdf_text import LATIN_1 as _LATIN_1
from governance.reports.pdf_text import PdfFonts as _Fonts

WORKBENCH_NAME = "AI governance workbench"
REPORT_TITLE = "Fairness assessment report"


SUMMARY_KEYS: tuple[str, ...] = tuple(SUMMARY_METRICS)
# Chart PNGs: rendered at the figures' own layout size, twice the pixel density (print-sharp).
CHART_SCALE = 2.0
CHART_MAX_HEIGHT_MM = 150.0
_MAX_CHART_FAILURES = 2
_LABEL_LIMIT = 300  # characters of a group label in a table cell

# Colours (RGB).
_TEXT = (34, 34, 34)
_MUTED = (100, 100, 100)
_RULE = (190, 190, 190)
_HEAD_FILL = (232, 237, 243)
_ZEBRA = (247, 248, 250)
_INSUFFICIENT_FILL = (255, 243, 214)
# Verdict: (fill, edge and text colour, word, symbol, meaning). Text, not colour alone.
_VERDICT_STYLE: dict[Verdict, tuple[tuple[int, int, int], tuple[int, int, int], str, str]] = {
    Verdict.PASS: ((227, 243, 231), (27, 110, 48), "PASS", "✓"),
    Verdict.FAIL: ((252, 228, 230), (170, 32, 28), "FAIL", "✗"),
    Verdict.INSUFFICIENT_DATA: ((255, 241, 214), (133, 79, 0), "INSUFFICIENT DATA", "?"),
}


def _load_fonts(pdf: FPDF, needed: set[str]) -> _Fonts:
    # The module's font paths are read here, at call time (tests point them elsewhere).
    return load_fonts(pdf, needed, REGULAR_FONT, BOLD_FONT, FALLBACK_FONTS)


class _Report(FPDF):
    """A4 portrait with a running header and a "Page N of M" footer.

    fpdf2's page-count alias is switched off: it would replace that text wherever it occurs,
    group names included. The report is laid out twice instead, the second time with the total.
    """

    def __init__(self, footer_note: str, total_pages: int | None) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.footer_note = footer_note
        self.total_pages = total_pages
        self.fonts_used = _Fonts("helvetica", _LATIN_1)
        self.set_margins(15, 15, 15)
        self.set_auto_page_break(auto=True, margin=18)
        self.alias_nb_pages(None)  # type: ignore[arg-type]

    def header(self) -> None:
        if self.page_no() == 1:
            return
        self.set_font(self.fonts_used.family, "", 7.5)
        self.set_text_color(*_MUTED)
        self.cell(0, 4, f"{WORKBENCH_NAME} · {REPORT_TITLE}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_draw_color(*_RULE)
        self.line(self.l_margin, self.get_y() + 1, self.w - self.r_margin, self.get_y() + 1)
        self.set_y(self.get_y() + 5)
        self.set_text_color(*_TEXT)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(self.fonts_used.family, "", 7.5)
        self.set_text_color(*_MUTED)
        half = self.epw / 2
        self.cell(half, 5, self.footer_note)
        total = self.total_pages or "?"
        self.cell(half, 5, f"Page {self.page_no()} of {total}", align="R")
        self.set_text_color(*_TEXT)


# -- formatting ------------------------------------------------------------------------------


def _pct(x: float | None) -> str:
    return "—" if x is None or not math.isfinite(x) else f"{x:.1%}"


def _num(x: float | None, digits: int = 3) -> str:
    return "—" if x is None or not math.isfinite(x) else f"{x:.{digits}f}"


def _p(x: float | None) -> str:
    if x is None or not math.isfinite(x):
        return "—"
    return "<0.0001" if x < 1e-4 else f"{x:.2g}"


def _interval(ci: Sequence[float | None] | None) -> str:
    lo, hi = (ci or [None, None])[:2]
    if lo is None or hi is None:
        return "no interval"
    return f"{_num(lo)} to {_num(hi)}"


def _utc(moment: datetime) -> str:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _truncate(text: str, limit: int = _LABEL_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _verdict_meaning(verdict: Verdict, policy: Policy) -> str:
    if verdict is Verdict.PASS:
        return "Every grouping meets every threshold of the policy."
    if verdict is Verdict.FAIL:
        return "At least one threshold of the policy is breached; the findings say where."
    return (
        "No threshold is breached, but fairness cannot be established: some groups have fewer "
        f"than {policy.min_group_size} rows, or there is nothing to compare."
    )


def _png_size(png: bytes) -> tuple[int, int]:
    """Pixel width and height from a PNG's IHDR chunk."""
    if png[:8] != b"\x89PNG\r\n\x1a\n" or png[12:16] != b"IHDR":
        raise ValueError("not a PNG")
    width, height = struct.unpack(">II", png[16:24])
    return int(width), int(height)


# -- drawing ---------------------------------------------------------------------------------


class _Writer:
    """Draws the report's parts on a :class:`_Report` with one font set."""

    def __init__(self, pdf: _Report, fonts: _Fonts) -> None:
        self.pdf = pdf
        self.fonts = fonts
        self.t = fonts.clean

    def font(self, size: float, bold: bool = False) -> None:
        self.pdf.set_font(self.fonts.family, "B" if bold else "", size)

    def plain_state(self) -> None:
        """Black text, grey rules, white fill: tables take their unstyled cells' look from it."""
        self.pdf.set_text_color(*_TEXT)
        self.pdf.set_draw_color(*_RULE)
        self.pdf.set_fill_color(255, 255, 255)
        self.pdf.set_line_width(0.2)

    def gap(self, mm: float) -> None:
        self.pdf.ln(mm)

    def heading(self, text: str, size: float = 13, *, keep_mm: float = 30) -> None:
        """A bold heading, moved to the next page when fewer than ``keep_mm`` would follow it."""
        pdf = self.pdf
        if pdf.get_y() + keep_mm > pdf.page_break_trigger:
            pdf.add_page()
        self.font(size, bold=True)
        pdf.set_text_color(*_TEXT)
        pdf.multi_cell(0, size * 0.5, self.t(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")
        self.gap(1.5)

    def paragraph(self, text: str, size: float = 9, *, muted: bool = False) -> None:
        self.font(size)
        self.pdf.set_text_color(*(_MUTED if muted else _TEXT))
        self.pdf.multi_cell(
            0, size * 0.5, self.t(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L"
        )
        self.pdf.set_text_color(*_TEXT)

    def bullets(self, items: Iterable[str], size: float = 9) -> None:
        pdf = self.pdf
        bullet = self.t("•")
        for item in items:
            self.font(size)
            pdf.set_x(pdf.l_margin)
            pdf.cell(5, size * 0.5, bullet)
            pdf.multi_cell(
                0, size * 0.5, self.t(item), new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L"
            )
            self.gap(1)

    def key_values(self, rows: Sequence[tuple[str, str]], *, key_width: float = 48) -> None:
        """Two columns, the key in bold: a record such as the file's identity."""
        pdf = self.pdf
        self.font(9)
        self.plain_state()
        with pdf.table(
            col_widths=(key_width, pdf.epw - key_width),
            first_row_as_headings=False,
            borders_layout=TableBordersLayout.HORIZONTAL_LINES,
            text_align=("LEFT", "LEFT"),
            line_height=4.6,
            padding=(1.2, 1.5),
            v_align="TOP",
        ) as table:
            for key, value in rows:
                row = table.row()
                row.cell(self.t(key), style=FontFace(emphasis="BOLD"))
                row.cell(self.t(value))
        self.gap(3)

    def grid(
        self,
        header: Sequence[str],
        rows: Sequence[Sequence[str]],
        *,
        widths: Sequence[float],
        align: Sequence[str],
        size: float = 8,
        fills: Sequence[tuple[int, int, int] | None] | None = None,
    ) -> None:
        """A table with a shaded header row that is repeated on every page it spans."""
        pdf = self.pdf
        self.font(size)
        self.plain_state()
        heading_style = FontFace(emphasis="BOLD", fill_color=_HEAD_FILL, size_pt=size)
        with pdf.table(
            col_widths=tuple(widths),
            width=sum(widths),
            align="LEFT",
            text_align=tuple(align),
            headings_style=heading_style,
            borders_layout=TableBordersLayout.HORIZONTAL_LINES,
            line_height=size * 0.48,
            padding=(1.0, 1.0),
        ) as table:
            head = table.row()
            for title in header:
                head.cell(self.t(title))
            for i, values in enumerate(rows):
                fill = fills[i] if fills else None
                if fill is None and i % 2:
                    fill = _ZEBRA
                style = FontFace(fill_color=fill) if fill else None
                row = table.row()
                for value in values:
                    row.cell(self.t(value), style=style)
        self.gap(3)

    def verdict_box(self, verdict: Verdict, title: str, meaning: str, *, large: bool) -> None:
        """A box coloured by the verdict, saying it in words (colour is never the only cue)."""
        pdf = self.pdf
        fill, edge, word, symbol = _VERDICT_STYLE[verdict]
        size = 13 if large else 10.5
        symbol = self.t(symbol)
        headline = self.t(f"{symbol} {title}: {word}" if symbol else f"{title}: {word}")
        self.font(size, bold=True)
        text_w = pdf.epw - 8
        lines = pdf.multi_cell(
            text_w, size * 0.5, headline, dry_run=True, output="LINES", align="L"
        )
        self.font(9)
        body = pdf.multi_cell(text_w, 4.5, self.t(meaning), dry_run=True, output="LINES", align="L")
        height = 3 + len(lines) * size * 0.5 + 1.2 + len(body) * 4.5 + 3
        if pdf.get_y() + height > pdf.page_break_trigger:
            pdf.add_page()
        x, y = pdf.l_margin, pdf.get_y()
        pdf.set_fill_color(*fill)
        pdf.set_draw_color(*edge)
        pdf.set_line_width(0.6)
        pdf.rect(x, y, pdf.epw, height, style="DF")
        pdf.set_line_width(0.2)
        pdf.set_fill_color(*edge)
        pdf.rect(x, y, 2.2, height, style="F")  # a thick left edge
        pdf.set_xy(x + 5, y + 3)
        pdf.set_text_color(*edge)
        self.font(size, bold=True)
        pdf.multi_cell(text_w, size * 0.5, headline, new_x=XPos.LEFT, new_y=YPos.NEXT, align="L")
        pdf.set_y(pdf.get_y() + 1.2)
        pdf.set_x(x + 5)
        pdf.set_text_color(*_TEXT)
        self.font(9)
        pdf.multi_cell(text_w, 4.5, self.t(meaning), new_x=XPos.LEFT, new_y=YPos.NEXT, align="L")
        pdf.set_xy(pdf.l_margin, y + height + 4)
        self.plain_state()

    def image_size(self, png: bytes) -> tuple[float, float]:
        """Width and height (mm) a chart takes: the text width, shorter when tall."""
        px_w, px_h = _png_size(png)
        width = self.pdf.epw
        height = width * px_h / px_w
        if height > CHART_MAX_HEIGHT_MM:
            height = CHART_MAX_HEIGHT_MM
            width = height * px_w / px_h
        return width, height

    def image(self, png: bytes, *, alt: str) -> None:
        """A chart across the text width (shorter when tall), on a new page if it would not fit."""
        pdf = self.pdf
        width, height = self.image_size(png)
        if pdf.get_y() + height > pdf.page_break_trigger:
            pdf.add_page()
        x = pdf.l_margin + (pdf.epw - width) / 2
        if pdf.total_pages is not None:  # the counting layout only needs the space
            pdf.image(io.BytesIO(png), x=x, y=pdf.get_y(), w=width, h=height, alt_text=alt)
        pdf.set_y(pdf.get_y() + height + 4)


# -- content ---------------------------------------------------------------------------------


def _mapping_label(key: str) -> str:
    known = {"label": "Actual outcome (label)", "prediction": "Decision (prediction)"}
    return known.get(key, key.replace("_", " ").capitalize())


def _policy_rows(policy: Policy) -> list[tuple[str, str]]:
    return [
        (
            "Demographic parity difference",
            f"must stay below {policy.max_demographic_parity_difference:.2f}",
        ),
        (
            "Disparate impact ratio",
            f"must be at least {policy.min_disparate_impact_ratio:.2f} for every group with "
            "enough data (its selection rate ÷ the reference group's)",
        ),
        (
            "Equalized odds difference",
            f"must stay below {policy.max_equalized_odds_difference:.2f}",
        ),
        (
            "Minimum group size",
            f"{policy.min_group_size:,} rows; smaller groups are reported but not judged",
        ),
        ("Interval level", f"{policy.confidence_level:.0%}"),
        (
            "Bootstrap replicates",
            f"{policy.bootstrap_replicates:,} (random seed {policy.random_seed})",
        ),
    ]


def _limit(key: str, policy: Policy) -> str:
    limits = {
        "demographic_parity_difference": f"< {policy.max_demographic_parity_difference:.2f}",
        "equalized_odds_difference": f"< {policy.max_equalized_odds_difference:.2f}",
    }
    return limits.get(key, "—")


def _group_row(g: GroupResult) -> list[str]:
    label = _truncate(g.label) + (" (reference)" if g.is_reference else "")
    return [
        label,
        f"{g.n:,}",
        _pct(g.share),
        _pct(g.rates.get("selection_rate")),
        _pct(g.rates.get("tpr")),
        _pct(g.rates.get("fpr")),
        _pct(g.rates.get("precision")),
        _pct(g.rates.get("accuracy")),
        _num(g.disparate_impact),
        _p(g.p_value),
        "yes" if g.sufficient else "no",
    ]


GROUP_TABLE_HEADER = (
    "Group",
    "n",
    "Share",
    "Selection rate",
    "TPR",
    "FPR",
    "Precision",
    "Accuracy",
    "Disparate impact",
    "p-value",
    "Enough data",
)
# Each at least its widest heading word or value at 7 pt plus the 2 mm of padding.
GROUP_TABLE_WIDTHS = (42.0, 15.0, 12.0, 15.0, 12.0, 12.0, 15.0, 15.0, 16.0, 13.0, 13.0)
GROUP_TABLE_ALIGN = ("LEFT", *(["RIGHT"] * 9), "CENTER")


def _chart_builders(grouping: GroupingResult, policy: Policy) -> dict[str, ChartBuilder]:
    """The grouping's charts, as the page lists them: the catalog's, in its order.

    The threshold sweep is left to its own section (:func:`_sweep_section`), where it stands
    beside the statement of which thresholds pass.
    """
    charts = grouping_charts(grouping, policy)
    charts.pop(THRESHOLD_SWEEP, None)
    return charts


@dataclass
class _Charts:
    """The charts of every grouping, rendered once before layout: PNGs and notes, in order."""

    note: str | None = None  # why no chart at all is drawn
    items: dict[int, list[tuple[str, bytes | str]]] = field(default_factory=dict)


def _render_charts(result: AssessmentResult, include: bool) -> _Charts:
    """PNG (or, where it failed, a note) of each chart; a general note when none can be made."""
    if not include:
        return _Charts("Charts were not requested for this report.")
    reason = image_export_unavailable()
    if reason:
        return _Charts(f"Charts are not included: {reason}")
    out = _Charts()
    failures = 0
    for index, grouping in enumerate(result.results):
        items = out.items.setdefault(index, [])
        for name, build in _chart_builders(grouping, result.policy).items():
            try:
                # figure_to_image logs why a render failed; the report carries a note instead.
                png = figure_to_image(build(), "png", scale=CHART_SCALE)
            except ExportUnavailable as exc:
                return _Charts(f"Charts are not included: {exc}")
            except (ExportFailed, ValueError) as exc:
                failures += 1
                items.append((name, f"The {name.lower()} chart could not be drawn: {exc}"))
                if failures >= _MAX_CHART_FAILURES:
                    out.note = (
                        "No further charts: the chart renderer failed repeatedly. The workbench "
                        "page shows every chart and exports it as HTML."
                    )
                    return out
                continue
            items.append((name, png))
    return out


def _draw_charts(w: _Writer, index: int, grouping: GroupingResult, rendered: _Charts) -> None:
    items = rendered.items.get(index, [])
    first = items[0][1] if items else None
    # The heading goes with the first chart: a page never ends on it.
    keep = w.image_size(first)[1] + 10 if isinstance(first, bytes) else 15
    w.heading("Charts", 11, keep_mm=keep)
    for name, item in items:
        if isinstance(item, bytes):
            w.image(item, alt=f"{name} chart of {grouping.name}")
        else:
            w.paragraph(item, muted=True)
            w.gap(2)
    if rendered.note and (not items or index == max(rendered.items, default=index)):
        w.paragraph(rendered.note, muted=True)
        w.gap(2)


@lru_cache(maxsize=16)
def _sweep_png(sweep_json: str, policy_json: str) -> bytes | str:
    """The sweep chart as a PNG, or why it could not be drawn (cached: the report is laid out
    twice, and the chart is rendered once)."""
    from governance.charts.sweep import threshold_sweep_chart

    fig = threshold_sweep_chart(json.loads(sweep_json), Policy.from_dict(json.loads(policy_json)))
    try:
        return figure_to_image(fig, "png", scale=CHART_SCALE)
    except (ExportUnavailable, ExportFailed, ValueError) as exc:
        return f"The threshold sweep chart could not be drawn: {exc}"


def _sweep_section(
    w: _Writer, index: int, grouping: GroupingResult, policy: Policy, rendered: _Charts
) -> None:
    """With a score column: where the policy's limits are met across thresholds, and the chart.

    The chart is drawn when the grouping's other charts were (charts wanted and renderable).
    """
    if grouping.sweep is None:
        return
    w.heading("Threshold sweep", 11)
    w.paragraph(grouping.sweep.statement)
    w.paragraph(
        "The score thresholds 0.00 to 1.00 in steps of 0.01, each judged by the policy as the "
        "assessed threshold is: the summaries over the groups with enough data, leaving out "
        "the same rates.",
        7.5,
        muted=True,
    )
    w.gap(3)
    if not any(isinstance(item, bytes) for _, item in rendered.items.get(index, [])):
        return
    payload = json.dumps(json_safe(grouping.sweep.to_json()), sort_keys=True)
    png = _sweep_png(payload, json.dumps(policy.to_dict(), sort_keys=True))
    if isinstance(png, bytes):
        w.image(png, alt=f"Threshold sweep chart of {grouping.name}")
    else:
        w.paragraph(png, muted=True)
        w.gap(2)


def _grouping_section(
    w: _Writer, index: int, grouping: GroupingResult, policy: Policy, rendered: _Charts
) -> None:
    pdf = w.pdf
    pdf.add_page()
    w.heading(f"Grouping: {grouping.name}", 15)
    insufficient = sum(not g.sufficient for g in grouping.groups)
    w.verdict_box(
        grouping.verdict,
        "Verdict",
        f"Reference group: {group_label(grouping.reference_group)}. "
        f"{len(grouping.groups)} groups, {insufficient} with fewer than "
        f"{policy.min_group_size:,} rows.",
        large=False,
    )

    w.heading("Summaries", 11)
    level = f"{policy.confidence_level:.0%} interval"
    w.grid(
        ("Summary", "Value", level, "Policy limit"),
        [
            [
                SUMMARY_METRICS[key].label if key in SUMMARY_METRICS else key,
                _num(grouping.summaries.get(key)),
                _interval(grouping.summary_ci.get(key)),
                _limit(key, policy),
            ]
            for key in SUMMARY_KEYS
        ],
        widths=(70, 30, 50, 30),
        align=("LEFT", "RIGHT", "RIGHT", "RIGHT"),
        size=8.5,
    )
    w.paragraph(
        f"Summaries are computed over the groups with at least {policy.min_group_size:,} rows.",
        8,
        muted=True,
    )
    w.gap(3)

    w.heading("Findings", 11)
    if grouping.findings:
        w.bullets(grouping.findings)
    else:
        w.paragraph("No findings.")
    w.gap(2)

    w.heading("Groups", 11, keep_mm=40)
    w.grid(
        GROUP_TABLE_HEADER,
        [_group_row(g) for g in grouping.groups],
        widths=GROUP_TABLE_WIDTHS,
        align=GROUP_TABLE_ALIGN,
        size=7,
        fills=[None if g.sufficient else _INSUFFICIENT_FILL for g in grouping.groups],
    )
    w.paragraph(
        "Rates are percentages of the group. TPR: true positive rate; FPR: false positive rate; "
        "disparate impact: selection rate ÷ the reference group's; p-value: two-proportion test "
        "of the selection rate against the reference group. Shaded rows ('no' under Enough data) "
        f"have fewer than {policy.min_group_size:,} rows and are not judged.",
        7.5,
        muted=True,
    )
    w.gap(3)
    _sweep_section(w, index, grouping, policy, rendered)
    _draw_charts(w, index, grouping, rendered)


def _definitions_appendix(w: _Writer) -> None:
    w.pdf.add_page()
    w.heading("Appendix: definitions", 15)
    w.paragraph(
        "What every number in this report means. Names in brackets are the column names of the "
        "workbench's CSV and Excel exports.",
        8.5,
        muted=True,
    )
    w.gap(2)
    labels = {k: m.label for k, m in GROUP_METRICS.items()}
    labels.update({k: m.label for k, m in SUMMARY_METRICS.items()})
    labels.update(
        {
            "disparate_impact": "Disparate impact",
            "selection_rate_difference": "Selection rate difference",
            "p_value": "p-value",
            "ci": "Interval",
            "summaries": "Summaries",
            "auc": "AUC",
            "calibration_error": "Calibration error",
            "auc_difference": "AUC difference",
            "excluded_rates": "Rates left out",
            "threshold_sweep": "Threshold sweep",
        }
    )
    rows = [
        (f"{labels.get(key, key)} ({key})", definition) for key, definition in definitions().items()
    ]
    w.key_values(rows, key_width=62)


def _needed_characters(result: AssessmentResult, *texts: str | None) -> set[str]:
    blob = json.dumps(result.to_json(), ensure_ascii=False, default=str)
    return set(blob).union(*(set(t) for t in texts if t))


def assessment_pdf(
    result: AssessmentResult,
    *,
    file_name: str,
    file_sha256: str | None,
    model_name: str | None = None,
    model_version: str | None = None,
    generated_by: str,
    generated_at: datetime,
    include_charts: bool = True,
    compress: bool = True,
) -> bytes:
    """The assessment as a PDF report.

    Parameters
    ----------
    result:
        The assessment to report.
    file_name, file_sha256:
        The assessed file as the user named it, and its SHA-256 (None: not computed).
    model_name, model_version:
        The model the predictions came from, when known.
    generated_by, generated_at:
        Who asked for the report and when (shown in UTC; a naive time is taken as UTC).
    include_charts:
        Draw the charts (rendered by Chromium). Where images cannot be rendered, or with
        False, a note stands in their place.
    compress:
        Compress page contents (False leaves them readable, for tests).

    Returns
    -------
    bytes
        The PDF file.
    """
    rendered = _render_charts(result, include_charts)
    needed = _needed_characters(
        result, file_name, file_sha256, model_name, model_version, generated_by
    )
    details = _Details(
        file_name, file_sha256, model_name, model_version, generated_by, generated_at
    )
    # Twice: the first layout counts the pages that the second one's footers name.
    first = _layout(result, details, rendered, needed, total_pages=None, compress=compress)
    pdf = _layout(result, details, rendered, needed, total_pages=first.page_no(), compress=compress)
    return bytes(pdf.output())


@dataclass(frozen=True)
class _Details:
    file_name: str
    file_sha256: str | None
    model_name: str | None
    model_version: str | None
    generated_by: str
    generated_at: datetime


def _layout(
    result: AssessmentResult,
    details: _Details,
    rendered: _Charts,
    needed: set[str],
    *,
    total_pages: int | None,
    compress: bool,
) -> _Report:
    generated_at = details.generated_at
    when = _utc(generated_at)
    pdf = _Report(footer_note="", total_pages=total_pages)
    pdf.set_compression(compress)
    fonts = _load_fonts(pdf, needed)
    pdf.fonts_used = fonts
    pdf.footer_note = fonts.clean(f"{REPORT_TITLE} · generated {when}")
    pdf.set_title(REPORT_TITLE)
    pdf.set_creator(WORKBENCH_NAME)
    pdf.set_author(fonts.clean(details.generated_by))
    pdf.set_creation_date(generated_at if generated_at.tzinfo else generated_at.replace(tzinfo=UTC))
    pdf.set_text_color(*_TEXT)
    w = _Writer(pdf, fonts)
    policy = result.policy
    # Title block.
    pdf.add_page()
    w.font(10)
    pdf.set_text_color(*_MUTED)
    pdf.cell(0, 5, WORKBENCH_NAME, new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")
    pdf.set_text_color(*_TEXT)
    w.font(22, bold=True)
    pdf.cell(0, 12, REPORT_TITLE, new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")
    w.gap(3)
    model_name, model_version = details.model_name, details.model_version
    model = model_name.strip() if model_name and model_name.strip() else "not given"
    version = model_version.strip() if model_version and model_version.strip() else "not given"
    w.key_values(
        [
            ("Model", model),
            ("Model version", version),
            ("File", details.file_name),
            ("File SHA-256", details.file_sha256 or "not computed"),
            ("Rows", f"{result.n_rows:,}"),
            ("Groupings", ", ".join(r.name for r in result.results) or "none"),
            ("Generated by", details.generated_by),
            ("Generated at", when),
        ]
    )
    w.verdict_box(
        result.verdict, "Overall verdict", _verdict_meaning(result.verdict, policy), large=True
    )

    w.heading("Column mapping", 12)
    w.key_values([(_mapping_label(k), v) for k, v in result.mapping.items()])

    w.heading("Policy thresholds", 12)
    w.key_values(_policy_rows(policy))

    w.heading("Groupings at a glance", 12)
    w.grid(
        ("Grouping", "Reference group", "Groups", f"Under {policy.min_group_size:,}", "Verdict"),
        [
            [
                _truncate(r.name, 120),
                _truncate(group_label(r.reference_group), 120),
                str(len(r.groups)),
                str(sum(not g.sufficient for g in r.groups)),
                _VERDICT_STYLE[r.verdict][2],
            ]
            for r in result.results
        ],
        widths=(50, 62, 18, 20, 30),
        align=("LEFT", "LEFT", "RIGHT", "RIGHT", "LEFT"),
        size=8.5,
    )

    for index, grouping in enumerate(result.results):
        _grouping_section(w, index, grouping, policy, rendered)
    _definitions_appendix(w)
    return pdf


__all__ = ["assessment_pdf"]
