"""Plain text in PDFs: the fonts that can draw it, and what becomes of a character none can.

Shared by every PDF report. A character no registered font can draw is written as its code
point, ``[U+6771]``, never silently dropped; control characters become spaces, so user text
is one plain line whatever it holds.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from fpdf import FPDF

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
REGULAR_FONT = FONT_DIR / "DejaVuSans.ttf"
BOLD_FONT = FONT_DIR / "DejaVuSans-Bold.ttf"
# Fonts for scripts DejaVu Sans lacks (Chinese, Japanese, Korean), used when installed
# (Debian: fonts-droid-fallback, fonts-wqy-microhei, fonts-noto-cjk).
FALLBACK_FONTS: tuple[Path, ...] = (
    Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"),
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
)

# Control characters (and line/paragraph separators) become spaces in user text.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# Stand-ins for typographic characters a font lacks (the core font has only Latin-1).
_SUBSTITUTES = {
    "≥": ">=",
    "≤": "<=",
    "≠": "!=",
    "–": "-",
    "—": "-",
    "−": "-",
    "…": "...",
    "‘": "'",
    "’": "'",
    "“": '"',
    "”": '"',
    "•": "-",
    "→": "->",
    "✓": "",
    "✗": "",
    "\u00a0": " ",
}
LATIN_1 = frozenset([*range(0x20, 0x7F), *range(0xA0, 0x100)])


@lru_cache(maxsize=16)
def coverage(path: Path) -> frozenset[int]:
    """The code points a TrueType/OpenType font (first face of a collection) has glyphs for."""
    from fontTools.ttLib import TTFont

    font = TTFont(str(path), fontNumber=0, lazy=True)
    try:
        cmap = font.getBestCmap() or {}
        return frozenset(cmap)
    finally:
        font.close()


def readable(path: Path) -> bool:
    try:
        return path.is_file() and path.stat().st_size > 0
    except OSError:
        return False


@dataclass
class PdfFonts:
    """The fonts of one report and the characters they can draw."""

    family: str
    covered: frozenset[int]
    fallbacks: list[str] = field(default_factory=list)

    def clean(self, text: object) -> str:
        """``text`` as drawable plain text: one line, nothing dropped silently."""
        plain = _CONTROL.sub(" ", str(text))
        out: list[str] = []
        for ch in plain:
            if ord(ch) in self.covered:
                out.append(ch)
            elif ch in _SUBSTITUTES and all(ord(c) in self.covered for c in _SUBSTITUTES[ch]):
                out.append(_SUBSTITUTES[ch])
            else:
                out.append(f"[U+{ord(ch):04X}]")
        return "".join(out)


def load_fonts(
    pdf: FPDF, needed: set[str], regular: Path, bold: Path, fallbacks: Sequence[Path]
) -> PdfFonts:
    """Register ``regular`` and ``bold`` (and ``fallbacks`` for ``needed`` characters they
    lack), else Helvetica."""
    if not (readable(regular) and readable(bold)):
        return PdfFonts("helvetica", LATIN_1)
    try:
        covered = coverage(regular) & coverage(bold)
        pdf.add_font("dejavu", "", str(regular))
        pdf.add_font("dejavu", "B", str(bold))
    except Exception:  # a damaged font file must not stop the report
        return PdfFonts("helvetica", LATIN_1)
    fonts = PdfFonts("dejavu", covered)
    missing = {ord(c) for c in needed} - covered
    for i, path in enumerate(fallbacks):
        if not missing:
            break
        if not readable(path):
            continue
        try:
            extra = coverage(path)
            if not missing & extra:
                continue
            name = f"fallback{i}"
            pdf.add_font(name, "", str(path))
        except Exception:  # noqa: S112 (an unusable fallback font is skipped, not fatal)
            continue
        fonts.fallbacks.append(name)
        fonts.covered |= extra
        missing -= extra
    if fonts.fallbacks:
        # Bold text falls back to the regular face: a drawn glyph beats a missing one.
        pdf.set_fallback_fonts(fonts.fallbacks, exact_match=False)
    return fonts
