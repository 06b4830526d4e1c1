"""Audit trail: every change and security event, filterable, verifiable and exportable."""

from dataclasses import replace
from datetime import timedelta

import streamlit as st

from governance.audit import service as audit
from governance.audit.service import EventFilter
from governance.reports.audit_export import export_events_csv
from ui.audit import chain_panel
from ui.auth import current_user
from ui.formatting import localise_column, now_utc, role_label
from ui.resources import workbench
from ui.work import run

user = current_user()
st.title("Audit trail")
st.caption(
    "Append-only and hash-chained: each event's hash covers the one before it, so an edit, a "
    "deletion or a reordering breaks the chain at that event."
)

choices = run(audit.distinct_values, actor=user.actor())
if choices is None:
    st.stop()
if not chain_panel(user.actor()):
    st.stop()

ALL = "(all)"
with st.container(border=True):
    c1, c2, c3, c4 = st.columns([1, 1, 1, 1.4])
    who = c1.selectbox("Actor", [ALL, *choices["actor"]], key="audit_actor")
    families = sorted({a.split(".")[0] + "." for a in choices["action"]})
    what = c2.selectbox(
        "Action",
        [ALL, *families, *choices["action"]],
        key="audit_action",
        help="A name ending in a dot selects the whole family.",
    )
    kind = c3.selectbox("Resource", [ALL, *choices["resource_type"]], key="audit_resource")
    today = now_utc().date()
    span = c4.date_input(
        "Dates (UTC)", value=(today - timedelta(days=30), today), key="audit_dates", max_value=today
    )

since, until = span if isinstance(span, tuple) and len(span) == 2 else (None, None)
flt = EventFilter(
    actor=None if who == ALL else who,
    action=None if what == ALL else what,
    resource_type=None if kind == ALL else kind,
    since=since,
    until=until,
)
SHOWN = 500  # a page of a million events would take the browser longer than anyone waits

matching = run(audit.count_events, actor=user.actor(), flt=flt)
events = run(audit.list_events, actor=user.actor(), flt=replace(flt, limit=SHOWN))
if events is None or matching is None:
    st.stop()

st.write(f"{matching} event(s) match.")
if matching > len(events):
    st.caption(
        f"The newest {len(events):,} are shown; narrow the filters, or download the CSV for all."
    )
if events.empty:
    st.info("No events match these filters. Widen the dates or choose (all).")
else:
    shown = events.assign(
        occurred_at=localise_column(events["occurred_at"]),
        actor_role=events["actor_role"].map(role_label),
    )
    st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        column_config={
            "id": st.column_config.NumberColumn("#", width="small"),
            "occurred_at": st.column_config.DatetimeColumn("When", format="YYYY-MM-DD HH:mm:ss z"),
            "actor": "Actor",
            "actor_role": "Role",
            "action": "Action",
            "resource_type": "Resource",
            "resource_id": "Resource id",
            "details": st.column_config.TextColumn("Details", width="large"),
            "hash": st.column_config.TextColumn("Hash", width="small", help="SHA-256 chain link"),
        },
    )


def _export() -> bytes:
    # Runs only when the button is clicked, so the export and its audit event happen once.
    return workbench().run(export_events_csv, actor=user.actor(), flt=flt)


st.download_button(
    "Download CSV",
    data=_export,
    file_name=f"audit-trail-{now_utc():%Y%m%d-%H%M%S}.csv",
    mime="text/csv",
    key="audit_export",
    icon=":material/download:",
    disabled=events.empty,
    on_click="ignore",
)
