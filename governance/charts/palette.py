"""Colours that stay distinct under the common colour-vision deficiencies.

The qualitative colours are Okabe & Ito's (2008) palette. Colour is never the only cue in our
charts: thresholds are labelled lines, insufficient data is hatched as well as grey.
"""

from __future__ import annotations

from typing import NamedTuple

BLACK = "#000000"
ORANGE = "#E69F00"
SKY_BLUE = "#56B4E9"
BLUISH_GREEN = "#009E73"
YELLOW = "#F0E442"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
REDDISH_PURPLE = "#CC79A7"

# In Okabe & Ito's order, black last: it reads as text or a reference line, not a series.
OKABE_ITO: tuple[str, ...] = (
    ORANGE,
    SKY_BLUE,
    BLUISH_GREEN,
    YELLOW,
    BLUE,
    VERMILLION,
    REDDISH_PURPLE,
    BLACK,
)

# Roles used by the chart builders.
SERIES = BLUE
SECOND_SERIES = ORANGE
ATTENTION = VERMILLION
REFERENCE = BLACK
INSUFFICIENT = "#9E9E9E"
BAND = "rgba(0, 158, 115, 0.14)"  # bluish green, light: the tolerated range
GRID = "#E5E5E5"
MISSING_CELL = "#D9D9D9"

# Sequential scale for heatmaps: one hue (ColorBrewer Blues, light to dark), so that it reads by
# lightness alone whatever the colour vision, and no mid-tone is mistaken for the grey that marks
# insufficient data.
SEQUENTIAL = "Blues"


# Line dashes and marker symbols that, with the colours, tell one series from another. Their
# counts (8 colours, 3 dashes, 5 symbols) are pairwise coprime, so cycling each by the series
# index gives 8 × 3 = 24 distinct (colour, dash) pairs and 120 distinct triples: beyond eight
# groups a colour comes back only with another dash and symbol, and neighbours differ in all
# three, which also survives grey-scale printing.
DASHES: tuple[str, ...] = ("solid", "dash", "dot")
SYMBOLS: tuple[str, ...] = ("circle", "square", "diamond", "triangle-up", "x")


class SeriesStyle(NamedTuple):
    """How the ``i``-th series of a multi-series chart is drawn."""

    colour: str
    dash: str
    symbol: str


def series_style(index: int) -> SeriesStyle:
    """Colour, dash and marker symbol of series ``index`` (0-based)."""
    return SeriesStyle(
        OKABE_ITO[index % len(OKABE_ITO)],
        DASHES[index % len(DASHES)],
        SYMBOLS[index % len(SYMBOLS)],
    )


def with_alpha(hex_colour: str, alpha: float) -> str:
    """``#RRGGBB`` as ``rgba(r, g, b, alpha)``."""
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r}, {g}, {b}, {alpha})"
