"""Incidents: the list (most urgent first, overdue report clocks in red), one incident with
its timeline and response forms, the report form, response metrics and the policy."""

import streamlit as st

from governance.auth.roles import Action, is_allowed
from governance.registry import model_names
from ui.auth import current_user
from ui.feedback import show_flashes
from ui.incidents.detail import detail_tab
from ui.incidents.forms import report_form
from ui.incidents.listing import incident_list
from ui.incidents.metrics import metrics_tab
from ui.incidents.picker import DETAIL_TAB, TABS_KEY, linked_incident
from ui.incidents.policy import policy_tab
from ui.work import run

user = current_user()
actor = user.actor()

st.title("Incidents")
st.caption(
    "What went wrong with an AI system, from its report to its post-mortem: who responds, how it "
    "escalates while nobody does, and the EU AI Act's clock for reporting serious incidents."
)
show_flashes()

names = run(model_names, actor=actor)
if names is None:
    st.stop()

TABS = ["List", DETAIL_TAB, "Report", "Metrics", "Policy"]
# Only the open tab runs (on_change="rerun"): the list of 20,000 incidents is not read while
# someone fills in a report.
tabs = st.tabs(
    TABS,
    key=TABS_KEY,
    on_change="rerun",
    default=DETAIL_TAB if linked_incident() is not None else None,
)
if tabs[0].open:
    with tabs[0]:
        incident_list(actor, names, is_allowed(user.role, Action.INCIDENT_REPORT))
if tabs[1].open:
    with tabs[1]:
        detail_tab(user)
if tabs[2].open:
    with tabs[2]:
        report_form(user, names)
if tabs[3].open:
    with tabs[3]:
        metrics_tab(actor)
if tabs[4].open:
    with tabs[4]:
        policy_tab(user)
