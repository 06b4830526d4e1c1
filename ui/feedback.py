"""Success notes that survive a rerun (errors are shown where services are called: ui.work)."""

from __future__ import annotations

import streamlit as st

_FLASH = "_flash_messages"


def flash(message: str, kind: str = "success") -> None:
    """Queue a message to show after the next rerun (for example after a form resets)."""
    st.session_state.setdefault(_FLASH, []).append((kind, message))


def show_flashes() -> None:
    # Always one container, empty or not: the elements after it keep their place in the page
    # from run to run, so an expander someone opened stays open when a message goes away.
    box = st.container()
    for kind, message in st.session_state.pop(_FLASH, []):
        show = {"success": box.success, "info": box.info, "warning": box.warning,
                "error": box.error}  # fmt: skip
        show[kind](message)
