"""Download buttons for tables and charts; files are built only when clicked."""

from __future__ import annotations

import re
from collections.abc import Callable

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from governance.reports.figures import figure_to_html, figure_to_image, image_export_unavailable
from governance.reports.tables import frame_to_csv, frame_to_excel

_EXCEL = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_filename(text: str) -> str:
    """A file name made of the text's letters and digits only."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-._")
    return (cleaned or "export")[:80]


def table_downloads(
    frame: pd.DataFrame | Callable[[], pd.DataFrame], *, stem: str, key: str
) -> None:
    """CSV and Excel of ``frame``; given a function, the frame is made only when clicked
    (a table larger than what the page draws)."""

    def table() -> pd.DataFrame:
        return frame() if callable(frame) else frame

    c1, c2 = st.columns(2)
    c1.download_button(
        "CSV",
        data=lambda: frame_to_csv(table()),
        file_name=f"{stem}.csv",
        mime="text/csv",
        key=f"{key}_csv",
        icon=":material/download:",
        on_click="ignore",
    )
    c2.download_button(
        "Excel",
        data=lambda: frame_to_excel(table()),
        file_name=f"{stem}.xlsx",
        mime=_EXCEL,
        key=f"{key}_xlsx",
        icon=":material/download:",
        on_click="ignore",
    )


def figure_downloads(
    fig: go.Figure,
    *,
    stem: str,
    key: str,
    label: Callable[[go.Figure], go.Figure] | None = None,
) -> None:
    """PNG, SVG, PDF (need Chromium) and self-contained HTML of one chart.

    ``label`` adds what the chart shows (model, grouping, verdict, date) to the exported copy;
    the chart on screen stays as it is.
    """
    missing = image_export_unavailable()
    exported = label(fig) if label else fig
    cols = st.columns(4)
    for col, fmt, mime in zip(
        cols[:3],
        ("png", "svg", "pdf"),
        ("image/png", "image/svg+xml", "application/pdf"),
        strict=True,
    ):
        col.download_button(
            fmt.upper(),
            data=lambda f=fmt: figure_to_image(exported, f),
            file_name=f"{stem}.{fmt}",
            mime=mime,
            key=f"{key}_{fmt}",
            disabled=missing is not None,
            on_click="ignore",
            help=missing,
        )
    cols[3].download_button(
        "HTML",
        data=lambda: figure_to_html(exported),
        file_name=f"{stem}.html",
        mime="text/html",
        key=f"{key}_html",
        on_click="ignore",
    )
