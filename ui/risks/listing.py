"""The Register tab: risks sorted by score with the original design's filters, overdue plans
flagged, CSV and Excel of every match; a row picked opens its detail."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from governance.auth.service import UserInfo
from governance.risks import count_risks, list_risks
from ui.downloads import table_downloads
from ui.risks.filters import filters
from ui.risks.labels import RECORD_BY_CLI, level_label
from ui.risks.picker import open_by_number, open_risk
from ui.work import run

SHOWN = 500  # the highest scores; the downloads have every match


def _shown(frame: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame(
        {
            "Risk": frame["id"],
            "Title": frame["title"],
            "Category": frame["category"].str.replace("_", "-"),
            "Status": frame["status"],
            "Score": frame["score"],
            "Level": frame["level"].map(level_label),
            "Residual": frame["residual_score"],
            "Residual level": frame["residual_level"].map(level_label),
            "Owner": frame["owner"],
            "Models": frame["models"],
            "Overdue plans": frame["overdue_plans"].map(lambda n: f"{n} overdue" if n else ""),
            "Accepted until": frame["accepted_until"],
        }
    )
    return out


def _every(actor, chosen) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    every = run(list_risks, actor=actor, filters=chosen)
    return pd.DataFrame() if every is None else every


def register_tab(user: UserInfo) -> None:
    actor = user.actor()
    chosen = filters(user, "risk_list")
    if chosen is None:
        return
    total = run(count_risks, actor=actor, filters=chosen)
    frame = run(list_risks, actor=actor, filters=chosen, limit=SHOWN)
    if total is None or frame is None:
        return
    if frame.empty:
        st.info(
            "No risk matches these filters. Clear a filter, or record the first risk "
            "below. " + RECORD_BY_CLI
        )
    else:
        overdue = int((frame["overdue_plans"] > 0).sum())
        if overdue:
            st.warning(
                f"{overdue:d} of these risks {'has' if overdue == 1 else 'have'} an overdue "
                "mitigation plan (see the Overdue plans column).",
                icon=":material/schedule:",
            )
        picked = st.dataframe(
            _shown(frame),
            hide_index=True,
            width="stretch",
            key="risk_list_rows",
            on_select="rerun",
            selection_mode="single-row",
            column_config={
                "Risk": st.column_config.NumberColumn(format="%d"),
                "Accepted until": st.column_config.DateColumn(format="YYYY-MM-DD"),
            },
        )
        shown = f"the {SHOWN:,} highest scores of " if total > SHOWN else ""
        st.caption(
            f"Showing {shown}{total:,} risks, highest score first. Select a row to open "
            "it; the downloads hold every match."
        )
        rows = picked.selection.rows if picked else []
        if rows:
            open_risk(int(frame.iloc[rows[0]]["id"]))
        table_downloads(
            lambda: _every(actor, chosen),
            stem="risk-register",
            key="risk_list_dl",
        )
    open_by_number("risk_list")
