"""Which incident the Incident tab shows: ``?incident=ID`` (a notification's link, a
bookmark), chosen in the list's picker or typed as a number."""

from __future__ import annotations

import pandas as pd
import streamlit as st

TABS_KEY = "inc_tabs"
DETAIL_TAB = "Incident"
_PICK = "inc_pick"


def linked_incident() -> int | None:
    """The incident named in the address, if it is a number."""
    value = str(st.query_params.get("incident", "")).strip().lstrip("#")
    return int(value) if value.isdigit() and int(value) > 0 else None


def _open_picked() -> None:
    picked = st.session_state.get(_PICK)
    if picked:
        st.query_params["incident"] = str(picked)
        st.session_state[TABS_KEY] = DETAIL_TAB


def open_incident(frame: pd.DataFrame) -> None:
    """A picker over the incidents listed: choosing one opens it on the Incident tab."""
    titles = dict(zip(frame["id"].tolist(), frame["title"].tolist(), strict=True))
    st.selectbox(
        "Open an incident",
        [None, *titles],
        format_func=lambda i: "Choose one of the incidents listed…" if i is None
        else f"#{i} {titles[i]}",
        key=_PICK,
        on_change=_open_picked,
        help="Opens it on the Incident tab (its address can be shared).",
    )  # fmt: skip


_NUMBER = "inc_number"
_APPLIED = "inc_number_link"  # the last ?incident= taken over, so a later choice is not undone


def chosen_incident() -> int | None:
    """The Incident tab's chooser, by number, mirrored in ``?incident=``."""
    link = linked_incident()
    if link != st.session_state.get(_APPLIED, "unset"):
        st.session_state[_APPLIED] = link
        st.session_state[_NUMBER] = link
    st.session_state.setdefault(_NUMBER, None)
    typed = st.number_input(
        "Incident number", min_value=1, step=1, key=_NUMBER, placeholder="e.g. 12",
        help="Or choose one on the List tab. The address names it, so it can be shared.",
    )  # fmt: skip
    if typed is None:
        if "incident" in st.query_params:
            del st.query_params["incident"]
        st.session_state[_APPLIED] = None
        return None
    st.query_params["incident"] = str(int(typed))
    st.session_state[_APPLIED] = int(typed)
    return int(typed)
