"""The Policy tab: the thresholds in force, their version history, and (for officers) a change."""

from __future__ import annotations

import streamlit as st

from governance.actor import Actor
from governance.fairness import PolicyVersion, policy_history, update_policy
from ui.formatting import local_time, localise_column
from ui.work import run, seen_version, submit


def _form(current: PolicyVersion, actor: Actor, can_edit: bool) -> None:
    policy = current.policy
    seen = seen_version("fairness_policy", current.version)
    with st.form("fair_policy_form"):
        left, right = st.columns(2)
        dpd = left.number_input(
            "Demographic parity difference must stay below",
            0.01,
            1.0,
            policy.max_demographic_parity_difference,
            0.01,
            key="pol_dpd",
            disabled=not can_edit,
        )
        di = right.number_input(
            "Disparate impact ratio must be at least",
            0.01,
            1.0,
            policy.min_disparate_impact_ratio,
            0.01,
            key="pol_di",
            disabled=not can_edit,
        )
        eod = left.number_input(
            "Equalized odds difference must stay below",
            0.01,
            1.0,
            policy.max_equalized_odds_difference,
            0.01,
            key="pol_eod",
            disabled=not can_edit,
        )
        size = right.number_input(
            "Minimum group size (rows, and actual positives or negatives behind a rate)",
            1,
            1_000_000,
            policy.min_group_size,
            1,
            key="pol_size",
            disabled=not can_edit,
        )
        reason = st.text_input(
            "Reason for the change (required)",
            key="pol_note",
            disabled=not can_edit,
            max_chars=1000,
        )
        apply = st.form_submit_button("Put in force", disabled=not can_edit)
    if not can_edit:
        st.caption("Compliance officers change the policy.")
    if apply:
        submit(
            update_policy,
            lambda v: f"New fairness policy in force (version {v.version}).",
            actor=actor,
            policy=policy.amended(
                max_demographic_parity_difference=dpd,
                min_disparate_impact_ratio=di,
                max_equalized_odds_difference=eod,
                min_group_size=size,
            ),
            reason=reason,
            based_on=seen,
        )


def policy_tab(current: PolicyVersion, actor: Actor, *, can_edit: bool) -> None:
    st.write("The thresholds every assessment is judged by. Changes are versioned and audited.")
    if current.version == 0:
        st.caption("In force: the built-in defaults (no compliance officer has set a policy yet).")
    else:
        st.caption(
            f"In force: version {current.version}, set by {current.created_by} on "
            f"{local_time(current.created_at)}."
        )
    _form(current, actor, can_edit)
    st.subheader("Version history")
    history = run(policy_history, actor=actor)
    if history is None:
        return
    if history.empty:
        st.info("No version yet: the built-in defaults apply until a compliance officer sets one.")
        return
    st.dataframe(
        history.assign(in_force_since=localise_column(history["in_force_since"])),
        hide_index=True,
        width="stretch",
        column_config={
            "version": st.column_config.NumberColumn("Version", width="small"),
            "in_force_since": st.column_config.DatetimeColumn(
                "In force since", format="YYYY-MM-DD HH:mm z"
            ),
            "set_by": "Set by",
            "reason": st.column_config.TextColumn("Reason", width="medium"),
            "changes": st.column_config.TextColumn("What changed", width="large"),
        },
    )
