"""Fairness: upload predictions, confirm the mapping, read the verdict, save, reopen, export."""

import streamlit as st

from governance.auth.roles import Action, is_allowed
from governance.fairness import policy_in_force
from ui.auth import current_user
from ui.fairness.assess import assess_tab
from ui.fairness.history import history_tab, linked_assessment
from ui.fairness.policy import policy_tab
from ui.feedback import show_flashes
from ui.work import run

user = current_user()
actor = user.actor()

st.title("Fairness assessment")
st.caption(
    "Group fairness of a model's decisions: rates per group with 95% intervals, disparities "
    "against a reference group, and a verdict under the organisation's policy."
)
show_flashes()

current = run(policy_in_force, actor=actor)
if current is None:
    st.stop()
# A key keeps the open tab across reruns (saving, opening a saved assessment, a policy change);
# a link to a saved assessment opens the History tab with it.
linked = linked_assessment()
tab_assess, tab_history, tab_policy = st.tabs(
    ["Assess a file", "History", "Policy"],
    key="fair_tabs",
    default="History" if linked is not None else None,
)
with tab_assess:
    assess_tab(actor, current.policy, can_save=is_allowed(user.role, Action.FAIRNESS_SAVE))
with tab_history:
    history_tab(actor, current.policy, can_export=is_allowed(user.role, Action.FAIRNESS_EXPORT))
with tab_policy:
    policy_tab(current, actor, can_edit=is_allowed(user.role, Action.FAIRNESS_POLICY_EDIT))
