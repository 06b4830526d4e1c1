"""Colours that stay distinct under the common colour-vision deficiencies.

The qualitative colours are Okabe & Ito's (2008) palette. Colour is never the only cue in our
charts: thresholds are labelled lines, insufficient data is hatched as well as grey.
"""

from __future__ import annotations

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


def with_alpha(hex_colour: str, alpha: float) -> str:
    """``#RRGGBB`` as ``rgba(r, g, b, alpha)``."""
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r}, {g}, {b}, {alpha})"
