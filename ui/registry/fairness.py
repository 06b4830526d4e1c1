"""The fairness tab: the model's saved assessments, each opening on the Fairness page."""

from __future__ import annotations

from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from governance.auth.service import UserInfo
from governance.registry import model_fairness
from ui.downloads import safe_filename, table_downloads
from ui.formatting import localise_column
from ui.work import run

_COLUMNS = {
    "Open": st.column_config.LinkColumn("Assessment", display_text=r"assessment=(\d+)$",
                                        help="Opens the assessment on the Fairness page"),
    "Saved": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm z"),
    "Lowest DI ratio": st.column_config.NumberColumn(
        format="%.3f", help="Lowest disparate impact ratio over every grouping (validation "
        "requires at least 0.8)",
    ),
    "Rows": st.column_config.NumberColumn(format="localized"),
}  # fmt: skip


def fairness_tab(user: UserInfo, model: str, version: str | None) -> None:
    found = run(model_fairness, actor=user.actor(), name=model)
    if found is None:
        return
    if not found:
        st.info(
            "No fairness assessment names this model yet. On the **Fairness** page, assess "
            "its predictions and save the result with this model and version (or `python -m "
            "governance fairness assess FILE … --save --model NAME --version V`); validation "
            "then weighs the latest one of the version."
        )
        return
    frame = pd.DataFrame(
        {
            "Open": [f"/fairness?{urlencode({'assessment': f.id})}" for f in found],
            "Saved": [f.created_at for f in found],
            "By": [f.created_by for f in found],
            "Version": [f.version or "" for f in found],
            "Verdict": [f.verdict.replace("_", " ") for f in found],
            "Lowest DI ratio": [f.lowest_ratio for f in found],
            "Lowest at": [f.lowest_at or "" for f in found],
            "Rows": [f.rows for f in found],
            "File": [f.file_name for f in found],
        }
    )
    if version is not None and version in set(frame["Version"]):
        latest = frame[frame["Version"] == version].iloc[0]
        st.caption(
            f"The latest assessment of this version: {latest['Verdict']}, lowest ratio "
            f"{_ratio(latest['Lowest DI ratio'])}."
        )
    shown = frame.assign(Saved=localise_column(frame["Saved"]))
    st.dataframe(shown, hide_index=True, width="stretch", column_config=_COLUMNS)
    table_downloads(frame.drop(columns=["Open"]), stem=safe_filename(f"fairness-{model}"),
                    key="reg_fair")  # fmt: skip


def _ratio(value: float | None) -> str:
    return "not measurable" if value is None or pd.isna(value) else f"{value:.3f}"
