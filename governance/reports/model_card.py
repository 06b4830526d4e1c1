"""A model card as Markdown and as a standalone HTML page.

Every value from the records is escaped for the format it lands in: Markdown punctuation is
backslash-escaped (a model named ``**x**`` stays those characters, a link stays text) and
HTML is escaped, so a card opened in any viewer shows what was typed and runs nothing. The
HTML page is built from the same sections, not by rendering the Markdown, so no Markdown
library's choices decide what is safe.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from governance.registry.card import ModelCard

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~&])")
Rows = Sequence[Sequence[object]]


def _md(value: object) -> str:
    text = "" if value is None else str(value)
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))  # one line: tables stay tables


def _when(moment: datetime | None) -> str:
    return "—" if moment is None else f"{moment:%Y-%m-%d %H:%M} UTC"


def _number(value: float | None) -> str:
    return "—" if value is None else f"{value:.4g}"


def _sections(
    card: ModelCard,
) -> list[tuple[str, list[tuple[str, object]] | tuple[list[str], Rows]]]:
    """(title, either label/value pairs or a table) in the card's order."""
    m, v = card.model, card.version
    return [
        ("Model details", [
            ("Name", m.name), ("Version", v.version), ("Status", v.status.replace("_", " ")),
            ("Provider", m.provider), ("Owner", m.owner), ("Risk tier (EU AI Act)", m.risk_tier),
            ("Registered", f"{_when(m.created_at)} by {m.created_by}"),
            ("Version added", f"{_when(v.created_at)} by {v.created_by}"),
            ("Changelog", v.changelog),
            ("Artifact", f"{v.artifact_uri} (SHA-256 {v.artifact_sha256})"),
        ]),
        ("Intended use", [
            ("Intended use", m.intended_use), ("Out of scope", m.out_of_scope_uses or "—"),
            ("Capabilities", "; ".join(m.capabilities) or "—"),
        ]),
        ("Metrics (last 30 days against the baseline)", (
            ["Metric", "Baseline", "Mean", "Points", "Met"],
            [[line.metric, line.target, _number(line.mean), line.points,
              "—" if line.met is None else ("yes" if line.met else "NO")] for line in card.metrics],
        )),
        ("Training data", [("Documentation", m.training_data or "—")]),
        ("Fairness results", (
            ["Assessment", "Saved", "By", "Verdict", "Lowest disparate impact (any group)",
             "File"],
            [[f"#{f.id}", _when(f.created_at), f.created_by, f.verdict,
              _number(f.min_disparate_impact), f.file_name] for f in card.fairness],
        )),
        ("Validation", (
            ["Run", "By", "Passed", "Requirements"],
            [[_when(r.at), r.run_by, "yes" if r.passed else "NO",
              "; ".join(f"{q.get('threshold')}: {_number(q.get('observed'))}"
                        f"{'' if q.get('passed') else ' (failed)'}" for q in r.requirements)]
             for r in card.validations],
        )),
        ("Approvals", (
            ["Round", "Approver", "Decision", "When", "Notes"],
            [[a.round, a.approver, a.decision, _when(a.at), a.notes] for a in card.approvals],
        )),
        ("Deployments", (
            ["Environment", "Deployed", "By", "Ended", "Why ended"],
            [[d.environment, _when(d.deployed_at), d.deployed_by, _when(d.ended_at),
              d.end_reason or "—"] for d in card.deployments],
        )),
        ("Lifecycle history", (
            ["When", "From", "To", "By", "Reason"],
            [[_when(t.at), t.from_status or "(new)", t.to_status, t.actor, t.reason]
             for t in card.history],
        )),
        ("Limitations and ethical considerations", [
            ("Known limitations", "; ".join(m.known_limitations) or "—"),
            ("Risk tier", m.risk_tier),
        ]),
        ("Caveats", [("Generated", f"{_when(card.generated_at)} from the workbench's records; "
                                   "it says what they say, no more.")]),
    ]  # fmt: skip


def _render(card: ModelCard, *, title: Callable[[str], str], pairs: Callable, table: Callable,
            head: str, foot: str) -> str:  # fmt: skip
    parts = [head]
    for name, body in _sections(card):
        parts.append(title(name))
        parts.append(pairs(body) if isinstance(body, list) else table(*body))
    parts.append(foot)
    return "".join(parts)


def card_markdown(card: ModelCard, *, level: int = 1) -> str:
    """The card as Markdown, its title a heading of ``level`` (a page embeds it lower)."""

    def pairs(items: list[tuple[str, object]]) -> str:
        return "".join(f"- **{label}:** {_md(value)}\n" for label, value in items) + "\n"

    def table(header: list[str], rows: Rows) -> str:
        if not rows:
            return "None recorded.\n\n"
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(_md(c) for c in row) + " |" for row in rows]
        return "\n".join(lines) + "\n\n"

    top, sub = "#" * level, "#" * (level + 1)
    heading = f"{top} Model card: {_md(card.model.name)} {_md(card.version.version)}\n\n"
    return _render(card, title=lambda n: f"{sub} {n}\n\n", pairs=pairs, table=table,
                   head=heading, foot="")  # fmt: skip


def card_html(card: ModelCard) -> bytes:
    e = html.escape

    def pairs(items: list[tuple[str, object]]) -> str:
        cells = "".join(f"<dt>{e(label)}</dt><dd>{e(str(value))}</dd>" for label, value in items)
        return f"<dl>{cells}</dl>"

    def table(header: list[str], rows: Rows) -> str:
        if not rows:
            return "<p>None recorded.</p>"
        head = "".join(f"<th>{e(h)}</th>" for h in header)
        body = "".join("<tr>" + "".join(f"<td>{e(str(c))}</td>" for c in row) + "</tr>"
                       for row in rows)  # fmt: skip
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"

    title = f"Model card: {card.model.name} {card.version.version}"
    head = (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        # Nothing to fetch and nothing to run, whatever a viewer allows.
        "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; "
        "style-src 'unsafe-inline'\">"
        f"<title>{e(title)}</title><style>{_CSS}</style></head><body><h1>{e(title)}</h1>"
    )
    text = _render(card, title=lambda n: f"<h2>{e(n)}</h2>", pairs=pairs, table=table,
                   head=head, foot="</body></html>")  # fmt: skip
    return text.encode("utf-8")


_CSS = (
    "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;"
    "color:#222}dl{display:grid;grid-template-columns:14rem 1fr;gap:.3rem 1rem}"
    "dt{font-weight:600}dd{margin:0;white-space:pre-wrap}table{border-collapse:collapse;"
    "width:100%}th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;"
    "vertical-align:top}th{background:#f3f3f3}"
)


def card_pdf(card: ModelCard) -> bytes:
    """The card as an A4 PDF (fpdf2). User text is drawn as plain text through the shared
    font handling: no markup is interpreted, a character no font has shows as its code point."""
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    from governance.reports.pdf_text import BOLD_FONT, FALLBACK_FONTS, REGULAR_FONT, load_fonts

    class _Card(FPDF):
        def footer(self) -> None:  # "Page N": no page-count alias, which user text could hold
            self.set_y(-12)
            self.set_font(fonts.family, "", 7.5)
            self.cell(0, 5, f"Model card · page {self.page_no()}", align="R")

    pdf = _Card(orientation="portrait", unit="mm", format="A4")
    pdf.alias_nb_pages(None)  # type: ignore[arg-type]
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(auto=True, margin=18)
    sections = _sections(card)
    needed = {ch for _, body in sections for ch in str(body)} | set(card.model.name)
    fonts = load_fonts(pdf, needed, REGULAR_FONT, BOLD_FONT, FALLBACK_FONTS)
    pdf.add_page()
    pdf.set_font(fonts.family, "B", 16)
    title = f"Model card: {card.model.name} {card.version.version}"
    pdf.multi_cell(0, 8, fonts.clean(title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    for name, body in sections:
        pdf.ln(3)
        pdf.set_font(fonts.family, "B", 12)
        pdf.multi_cell(0, 6, name, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font(fonts.family, "", 9)
        if isinstance(body, list):
            for label, value in body:
                line = f"{label}: {value}"
                pdf.multi_cell(
                    0, 4.8, fonts.clean(line), new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L"
                )
        else:
            _pdf_table(pdf, fonts, *body)
    return bytes(pdf.output())


def _pdf_table(pdf: Any, fonts: Any, header: list[str], rows: Rows) -> None:
    if not rows:
        pdf.multi_cell(0, 4.8, "None recorded.", new_x="LMARGIN", new_y="NEXT")
        return
    pdf.set_font(fonts.family, "", 8)
    with pdf.table(text_align="LEFT", line_height=4.2, first_row_as_headings=True) as table:
        heading = table.row()
        for cell in header:
            heading.cell(cell)
        for values in rows:
            row = table.row()
            for value in values:
                row.cell(fonts.clean(value))
    pdf.set_font(fonts.family, "", 9)
