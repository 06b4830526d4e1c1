"""The filters the heatmap, the register and the trend share: category, status, model, owner."""

from __future__ import annotations

import streamlit as st

from governance.auth.service import UserInfo
from governance.registry import model_names
from governance.risks import Category, Filters, RiskStatus, owner_choices
from ui.risks.labels import ALL, category_label, status_label
from ui.work import run


def filters(user: UserInfo, key: str, *, status: bool = True) -> Filters | None:
    """The filters chosen (None after an error was shown)."""
    actor = user.actor()
    owners = run(owner_choices, actor=actor)
    models = run(model_names, actor=actor)
    if owners is None or models is None:
        return None
    names = dict(owners)
    cols = st.columns(4 if status else 3)
    category = cols[0].selectbox(
        "Category",
        [ALL, *(c.value for c in Category)],
        format_func=category_label,
        key=f"{key}_category",
    )
    model = cols[1].selectbox(
        "Model", [ALL, *models], key=f"{key}_model", format_func=lambda n: n or "All models"
    )
    owner = cols[2].selectbox(
        "Owner",
        [None, *names],
        key=f"{key}_owner",
        format_func=lambda i: "All owners" if i is None else names[i],
    )
    chosen_status = None
    if status:
        chosen_status = cols[3].selectbox(
            "Status",
            [ALL, *(s.value for s in RiskStatus)],
            format_func=status_label,
            key=f"{key}_status",
        )
    return Filters(
        category=category or None, status=chosen_status or None, model=model or None, owner_id=owner
    )
