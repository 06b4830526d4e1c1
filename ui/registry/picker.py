"""Which model the registry page shows: chosen in a selectbox, mirrored in ``?model=NAME``
so that a detail is linkable (a notification's link, a bookmark)."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

_KEY = "reg_model"
_APPLIED = "reg_model_link"  # the last ?model= taken over, so a later choice is not undone
ALL = ""


def choose_model(names: Sequence[str]) -> str | None:
    """The chosen model's name, or None for the list."""
    by_key = {n.casefold(): n for n in names}
    link = st.query_params.get("model", "")
    if link != st.session_state.get(_APPLIED):
        st.session_state[_APPLIED] = link
        st.session_state[_KEY] = by_key.get(link.strip().casefold(), ALL)
    if st.session_state.get(_KEY) not in (ALL, *names):
        st.session_state[_KEY] = ALL  # a model no longer listed
    chosen = st.selectbox(
        "Open a model",
        [ALL, *names],
        key=_KEY,
        format_func=lambda n: n or "All models (the list)",
    )
    if link and link.strip().casefold() not in by_key:
        st.warning("The linked model is not registered (or no longer is); showing the list.")
    if chosen:
        st.query_params["model"] = chosen
    elif "model" in st.query_params:
        del st.query_params["model"]
    st.session_state[_APPLIED] = st.query_params.get("model", "")
    return chosen or None
