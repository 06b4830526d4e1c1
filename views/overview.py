"""Overview: the workspace at a glance and what the signed-in role can do next."""

import streamlit as st

from governance.auth.roles import ROLE_DESCRIPTIONS, Role
from governance.overview import workspace_summary
from ui.auth import current_user
from ui.feedback import show_flashes
from ui.formatting import local_time, md_escape, time_ago
from ui.resources import database

user = current_user()
st.title("Overview")
st.caption(f"Signed in as {md_escape(user.display_name)} — {user.role.label}.")
show_flashes()

with database().session() as session:
    summary = workspace_summary(session)

cols = st.columns(4)
cols[0].metric("Active accounts", sum(summary.active_users_by_role.values()))
cols[1].metric("Audit events", summary.audit_events)
cols[2].metric(
    "Last activity", time_ago(summary.last_event_at), help=local_time(summary.last_event_at)
)
cols[3].metric("Audit chain", "Intact" if summary.chain.intact else "BROKEN")

if not summary.chain.intact:
    st.error(summary.chain.summary(), icon=":material/gpp_bad:")

st.subheader("Fairness of models")
if not summary.latest_fairness:
    st.info(
        "No fairness assessment has been saved yet. Data scientists upload predictions on the "
        "**Fairness** page and save the result as evidence.",
        icon=":material/balance:",
    )
else:
    failing = [m for m in summary.latest_fairness if m[2] == "fail"]
    f1, f2 = st.columns(2)
    f1.metric("Models assessed", len(summary.latest_fairness))
    f2.metric("Latest verdict: fail", len(failing))
    st.dataframe(
        {
            "Model": [m[0] for m in summary.latest_fairness],
            "Version": [m[1] or "" for m in summary.latest_fairness],
            "Latest verdict": [m[2].replace("_", " ") for m in summary.latest_fairness],
            "Assessed": [local_time(m[3]) for m in summary.latest_fairness],
        },
        hide_index=True,
        width="stretch",
    )

st.subheader("Your role")
st.write(ROLE_DESCRIPTIONS[user.role])

st.subheader("Accounts by role")
st.dataframe(
    {
        "Role": [r.label for r in Role],
        "Active accounts": [summary.active_users_by_role[r] for r in Role],
    },
    hide_index=True,
    width="content",
)
if summary.deactivated_users:
    st.caption(f"{summary.deactivated_users} deactivated account(s) are kept for the record.")

if user.role == Role.ADMIN and sum(summary.active_users_by_role.values()) == 1:
    st.info(
        "You are the only account. Next: open **Users and roles** to create accounts for "
        "your compliance officers, data scientists, executives and auditors.",
        icon=":material/arrow_forward:",
    )
