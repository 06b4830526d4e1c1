"""The model card tab: the card of the chosen version, on the page and as three downloads."""

from __future__ import annotations

import streamlit as st

from governance.auth.service import UserInfo
from governance.registry.card import model_card
from governance.reports.model_card import card_html, card_markdown, card_pdf
from ui.downloads import safe_filename
from ui.work import run

_FORMATS = (
    ("Markdown", "md", "text/markdown", lambda c: card_markdown(c).encode("utf-8")),
    ("HTML", "html", "text/html", card_html),
    ("PDF", "pdf", "application/pdf", card_pdf),
)


def card_tab(user: UserInfo, model: str, version: str) -> None:
    card = run(model_card, actor=user.actor(), model=model, version=version)
    if card is None:
        return
    stem = safe_filename(f"model-card-{model}-{version}")
    cols = st.columns(len(_FORMATS))
    for col, (label, ext, mime, render) in zip(cols, _FORMATS, strict=True):
        col.download_button(
            label,
            data=lambda r=render: r(card),
            file_name=f"{stem}.{ext}",
            mime=mime,
            key=f"reg_card_{ext}",
            icon=":material/download:",
            on_click="ignore",
        )
    with st.container(border=True):
        # card_markdown escapes every value from the records itself (governance.reports).
        st.markdown(card_markdown(card, level=3))
