"""The incidents list: filters, the table (most urgent first, overdue clocks in red), its
CSV and Excel, and a picker that opens one incident."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st

from governance.actor import Actor
from governance.incidents import IncidentList, list_incidents
from ui.downloads import table_downloads
from ui.formatting import localise_column
from ui.incidents.labels import (
    REPORT_BY_CLI,
    SEVERITY_LABELS,
    STATUS_LABELS,
    TYPE_LABELS,
    severity_label,
    status_label,
    type_label,
)
from ui.incidents.picker import open_incident
from ui.work import run

OVERDUE_STYLE = "color: #B00020; font-weight: 600"


def filters(model_names: Sequence[str]) -> dict[str, object]:
    c1, c2, c3, c4 = st.columns(4)
    return {
        "statuses": c1.multiselect("Status", list(STATUS_LABELS), format_func=status_label,
                                   key="inc_f_status"),
        "severities": c2.multiselect("Severity", list(SEVERITY_LABELS),
                                     format_func=severity_label, key="inc_f_severity"),
        "types": c3.multiselect("Type", list(TYPE_LABELS), format_func=type_label,
                                key="inc_f_type"),
        "model": c4.selectbox("Model", [None, *model_names], key="inc_f_model",
                              format_func=lambda n: n or "Any model"),
    }  # fmt: skip


def display_frame(found: pd.DataFrame) -> pd.DataFrame:
    """The service's columns as people read them."""
    frame = pd.DataFrame(
        {
            "#": found["id"],
            "Title": found["title"],
            "Severity": found["severity"].map(severity_label),
            "Status": found["status"].map(status_label),
            "Report clock": found["report_clock"].map(lambda t: t or "—"),
            "Overdue": found["overdue"],
            "Escalation": [
                (
                    "—"
                    if not n
                    else f"level {n}"
                    if s in ("open", "investigating")
                    else f"reached level {n}"
                )
                for n, s in zip(found["escalation_level"], found["status"], strict=True)
            ],
            "Type": found["incident_type"].map(type_label),
            "Models": found["models"].map(lambda m: m or "—"),
            "Serious": found["serious"],
            "Detected": localise_column(found["detected_at"]),
            "Reported": localise_column(found["reported_at"]),
            "Acknowledged": localise_column(found["acknowledged_at"]),
            "Report due": localise_column(found["report_due_at"]),
        }
    )
    return frame


def _styled(frame: pd.DataFrame):  # type: ignore[no-untyped-def]
    def red(row: pd.Series) -> list[str]:
        style = OVERDUE_STYLE if row["Overdue"] else ""
        return [style if c in ("Report clock", "Report due", "Overdue") else "" for c in row.index]

    return frame.style.apply(red, axis=1)


def incident_list(actor: Actor, model_names: Sequence[str], can_report: bool) -> None:
    chosen = filters(model_names)
    found: IncidentList | None = run(list_incidents, actor=actor, **chosen)  # type: ignore[arg-type]
    if found is None:
        return
    if found.total == 0:
        who = ("Report the first one on the **Report** tab, or from the command line:"
               if can_report else "Compliance officers, data scientists and administrators "
               "report them; ask one of them, or from the command line:")  # fmt: skip
        st.info(f"No incident is recorded yet. {who}", icon=":material/info:")
        st.code(REPORT_BY_CLI, language="bash", wrap_lines=True)
        return
    if found.matching == 0:
        st.info("No incident matches these filters. Clear a filter to see more.")
        return
    overdue = int(found.frame["overdue"].sum())
    if overdue:
        st.error(
            f"{overdue:d} regulatory report clock{'s have' if overdue > 1 else ' has'} run out "
            "among these incidents (EU AI Act Art. 73): report to the authority and record it "
            "on the incident.",
            icon=":material/timer_off:",
        )
    frame = display_frame(found.frame)
    datetime_format = st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm z")
    st.dataframe(
        _styled(frame),
        hide_index=True,
        width="stretch",
        column_config={
            "#": st.column_config.NumberColumn("#", width="small", format="%d"),
            "Title": st.column_config.TextColumn("Title", width="large"),
            "Report clock": st.column_config.TextColumn("Report clock", width="medium"),
            "Overdue": st.column_config.CheckboxColumn("Overdue", width="small"),
            "Serious": st.column_config.CheckboxColumn("Serious", width="small"),
            **{c: datetime_format for c in ("Detected", "Reported", "Acknowledged", "Report due")},
        },
        key="inc_table",
    )
    shown = len(frame)
    st.caption(
        f"{shown:,} of {found.matching:,} matching incidents ({found.total:,} in all), most "
        "urgent first: open ones by severity, newest first. Click a header to sort; the "
        "downloads hold every match."
        + (" Narrow the list with the filters to see the rest." if shown < found.matching else "")
    )
    open_incident(found.frame)

    def everything() -> pd.DataFrame:
        full = run(list_incidents, actor=actor, limit=None, **chosen)  # type: ignore[arg-type]
        return display_frame(full.frame) if full is not None else frame

    table_downloads(everything, stem="incidents", key="inc_list")
