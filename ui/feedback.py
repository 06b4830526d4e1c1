"""Showing outcomes: domain errors as messages, success notes that survive a rerun."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import streamlit as st

from governance.errors import GovernanceError
from ui.formatting import md_escape

T = TypeVar("T")
_FLASH = "_flash_messages"


def attempt(
    action: Callable[[], T], *, where: st.delta_generator.DeltaGenerator | None = None
) -> T | None:
    """Run ``action``; show a :class:`GovernanceError` as an error message and return None.

    Anything else is a bug and is left to propagate (the server logs it; users see no
    traceback because ``client.showErrorDetails`` is off).
    """
    try:
        return action()
    except GovernanceError as exc:
        # Messages may quote user input: shown as plain text, never as markdown.
        (where or st).error(md_escape(str(exc)), icon=":material/error:")
        return None


def flash(message: str, kind: str = "success") -> None:
    """Queue a message to show after the next rerun (for example after a form resets)."""
    st.session_state.setdefault(_FLASH, []).append((kind, message))


def show_flashes() -> None:
    for kind, message in st.session_state.pop(_FLASH, []):
        {"success": st.success, "info": st.info, "warning": st.warning}[kind](message)
