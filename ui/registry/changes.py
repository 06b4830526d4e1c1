"""Submitting a registry change so that its form empties after success and keeps its input
after a refusal: every form's widget keys carry a generation that moves on each success."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from ui import work

_GEN = "reg_form_gen"


def generation() -> int:
    return st.session_state.setdefault(_GEN, 0)


def submit(
    service: Callable[..., Any],
    success: str | Callable[[Any], str],
    /,
    on_conflict: Callable[[], None] | None = None,
    **kwargs: Any,
) -> None:
    """``ui.work.submit`` whose success also empties the registry's forms."""

    def done(value: object) -> str:
        st.session_state[_GEN] = generation() + 1
        return success(value) if callable(success) else success

    work.submit(service, done, on_conflict=on_conflict, **kwargs)


def reason_field(key: str, label: str = "Reason") -> str:
    return st.text_area(
        label,
        key=f"{key}_{generation()}",
        max_chars=2000,
        height=80,
        help="Why: recorded in the version's history and the audit trail.",
    )


def key(name: str) -> str:
    return f"{name}_{generation()}"
