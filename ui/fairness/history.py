"""The History tab: saved assessments, each openable with its report and stored file; trends."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from governance.actor import Actor
from governance.charts.trend import disparate_impact_trend
from governance.fairness import (
    Policy,
    SavedAssessment,
    export_report_pdf,
    export_stored_file,
    get_assessment,
    list_assessments,
    model_trend,
)
from ui.downloads import figure_downloads, safe_filename, table_downloads
from ui.fairness.results import Shown, render
from ui.fairness.tables import column_config
from ui.formatting import local_time, localise_column
from ui.resources import workbench
from ui.text import markdown_text
from ui.work import run

HISTORY_LABELS = {
    "id": st.column_config.NumberColumn("#", width="small"),
    "created_at": st.column_config.DatetimeColumn("Saved", format="YYYY-MM-DD HH:mm z"),
    "created_by": "Saved by",
    "model_name": "Model",
    "model_version": "Version",
    "file_name": "File",
    "row_count": st.column_config.NumberColumn("Rows", format="%d"),
    "verdict": "Verdict",
    # Headline numbers of the first grouping (the first sensitive column): said in the header.
    "min_disparate_impact": st.column_config.NumberColumn(
        "Lowest DI (1st grouping)",
        format="%.3f",
        help="lowest disparate impact ratio of the first grouping; open the assessment for all",
    ),
    "demographic_parity_difference": st.column_config.NumberColumn(
        "Dem. parity diff. (1st grouping)", format="%.3f"
    ),
    "equalized_odds_difference": st.column_config.NumberColumn(
        "Eq. odds diff. (1st grouping)", format="%.3f"
    ),
    "file_sha256": st.column_config.TextColumn("File SHA-256", width="small"),
}


def _choice_label(row: pd.Series) -> str:
    version = f" {row['model_version']}" if isinstance(row["model_version"], str) else ""
    when = local_time(row["created_at"].to_pydatetime())
    return f"#{row['id']} · {row['model_name']}{version} · {row['verdict']} · {when}"


def _evidence_downloads(saved: SavedAssessment, actor: Actor) -> None:
    """The PDF report and the stored file, built (and audited) only when clicked."""

    def report() -> bytes:
        return workbench().run(export_report_pdf, actor=actor, assessment_id=saved.id).data

    def stored() -> bytes:
        return workbench().run(export_stored_file, actor=actor, assessment_id=saved.id).data

    left, right = st.columns(2)
    left.download_button(
        "PDF report",
        data=report,
        file_name=f"fairness-assessment-{saved.id}.pdf",
        mime="application/pdf",
        key=f"saved_{saved.id}_pdf",
        on_click="ignore",
        icon=":material/picture_as_pdf:",
    )
    right.download_button(
        "Stored file (Parquet)",
        data=stored,
        file_name=f"{safe_filename(saved.file_name.rsplit('.', 1)[0])}-"
        f"{saved.file_sha256[:12]}.parquet",
        mime="application/vnd.apache.parquet",
        key=f"saved_{saved.id}_file",
        on_click="ignore",
        icon=":material/database:",
    )


_LINK = "fair_open_link"  # the last ?assessment= taken over, so a later choice is not undone


def linked_assessment() -> int | None:
    """The assessment a link names (``?assessment=12``, from a model's registry page), chosen
    in the History tab's picker the first time the link is seen."""
    link = st.query_params.get("assessment", "")
    if link and link != st.session_state.get(_LINK):
        st.session_state[_LINK] = link
        if link.isdigit():
            st.session_state["fair_open"] = int(link)
    return int(link) if link.isdigit() else None


def _open_saved(history: pd.DataFrame, actor: Actor, can_export: bool) -> None:
    st.subheader("Open a saved assessment")
    labels = {int(r["id"]): _choice_label(r) for _, r in history.iterrows()}
    if st.session_state.get("fair_open") not in (None, *labels):
        missing = int(st.session_state["fair_open"])
        st.warning(f"Assessment #{missing:d} is not saved here.")
        st.session_state["fair_open"] = None
    chosen = st.selectbox(
        "Assessment",
        list(labels),
        format_func=labels.__getitem__,
        key="fair_open",
        index=None,
        placeholder="Choose a saved assessment",
    )
    if chosen is None:
        return
    saved = run(get_assessment, actor=actor, assessment_id=chosen)
    if saved is None:
        return
    version = f" {saved.model_version}" if saved.model_version else ""
    st.markdown(
        f"**{markdown_text(saved.model_name + version)}** · "
        f"saved by {markdown_text(saved.created_by)} on {local_time(saved.created_at)} · "
        f"file {markdown_text(saved.file_name)} "
        f"({saved.row_count:,} rows, SHA-256 `{saved.file_sha256}`)"
    )
    with st.expander("Mapping and policy applied"):
        st.json(
            {"mapping": saved.results.get("mapping"), "spec": saved.spec, "policy": saved.policy}
        )
    if can_export:
        _evidence_downloads(saved, actor)
    else:
        st.caption("Auditors, compliance officers and data scientists download evidence.")
    shown = Shown(
        saved.result(),
        key=f"saved_{saved.id}",
        source=saved.file_name,
        model=saved.model_name + version,
        generated_at=saved.created_at,
        policy_name=f"the policy in force when it was saved ({local_time(saved.created_at)})",
    )
    render(shown, pdf=None, pdf_name="")


def _trend(history: pd.DataFrame, actor: Actor, policy: Policy) -> None:
    st.subheader("Trend of a model")
    model = st.selectbox("Model", sorted(history["model_name"].unique()), key="fair_trend_model")
    trend = run(model_trend, actor=actor, model_name=model)
    if trend is None or trend.empty:
        return
    fig = disparate_impact_trend(trend, policy=policy)
    st.plotly_chart(fig, key="chart_trend")
    figure_downloads(fig, stem=safe_filename(f"trend-{model}"), key="dl_trend")


def history_tab(actor: Actor, policy: Policy, *, can_export: bool) -> None:
    history = run(list_assessments, actor=actor)
    if history is None:
        return
    if history.empty:
        st.info("No assessment has been saved yet. Assess a file, then save it as evidence.")
        return
    shown = history.assign(created_at=localise_column(history["created_at"]))
    st.dataframe(
        shown, hide_index=True, width="stretch", column_config=column_config([], **HISTORY_LABELS)
    )
    table_downloads(history, stem="fairness-assessments", key="dl_history")
    _open_saved(history, actor, can_export)
    _trend(history, actor, policy)
