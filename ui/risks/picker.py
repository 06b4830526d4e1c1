"""Which risk the page shows: ``?risk=ID`` opens its detail (a notification's link, a
bookmark, a row picked in the register); without it the page shows the tabs."""

from __future__ import annotations

import streamlit as st

PARAM = "risk"


def chosen_risk() -> int | None:
    link = st.query_params.get(PARAM, "").strip()
    return int(link) if link.isdigit() and len(link) < 12 else None


def bad_link() -> bool:
    link = st.query_params.get(PARAM, "").strip()
    return bool(link) and chosen_risk() is None


def open_risk(risk_id: int) -> None:
    st.query_params[PARAM] = str(int(risk_id))
    st.rerun()


def back_to_register() -> None:
    if PARAM in st.query_params:
        del st.query_params[PARAM]
    st.rerun()


def open_by_number(key: str) -> None:
    """A number box and a button that open a risk's detail."""
    c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
    number = c1.number_input(
        "Open a risk by its number", min_value=1, step=1, value=None, key=f"{key}_number"
    )
    if c2.button("Open", key=f"{key}_open", disabled=number is None):
        open_risk(int(number))  # type: ignore[arg-type]
