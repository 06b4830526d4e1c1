"""The Policy tab: the thresholds in force, their version history, and (for officers) a change."""

from __future__ import annotations

import streamlit as st

from governance.actor import Actor
from governance.fairness import PolicyVersion, policy_history, update_policy
from ui.formatting import local_time, localise_column
from ui.text import markdown_text
from ui.work import run, submit

# Form key → the policy field it edits.
_FIELDS = {
    "pol_dpd": "max_demographic_parity_difference",
    "pol_di": "min_disparate_impact_ratio",
    "pol_eod": "max_equalized_odds_difference",
    "pol_size": "min_group_size",
}
_BASE = "pol_base_version"


def _start_form(current: PolicyVersion) -> int:
    """The version this form edits: fixed when the form is (re)started from the record.

    The form's values are seeded from that version through session state, once; later runs
    keep what the officer typed. So the version sent with the change is the one the values
    came from, however many times the page reran meanwhile.
    """
    if _BASE not in st.session_state:
        st.session_state[_BASE] = current.version
        for key, field in _FIELDS.items():
            st.session_state[key] = getattr(current.policy, field)
        st.session_state["pol_note"] = ""
    return st.session_state[_BASE]


def _restart_form() -> None:
    for key in (_BASE, *_FIELDS, "pol_note"):
        st.session_state.pop(key, None)


def _form(current: PolicyVersion, actor: Actor, can_edit: bool) -> None:
    base = _start_form(current)
    locked = not can_edit
    with st.form("fair_policy_form"):
        left, right = st.columns(2)
        dpd = left.number_input(
            "Demographic parity difference must stay below",
            0.01,
            1.0,
            step=0.01,
            key="pol_dpd",
            disabled=locked,
        )
        di = right.number_input(
            "Disparate impact ratio must be at least",
            0.01,
            1.0,
            step=0.01,
            key="pol_di",
            disabled=locked,
        )
        eod = left.number_input(
            "Equalized odds difference must stay below",
            0.01,
            1.0,
            step=0.01,
            key="pol_eod",
            disabled=locked,
        )
        size = right.number_input(
            "Minimum group size (rows, and actual positives or negatives behind a rate)",
            1,
            1_000_000,
            step=1,
            key="pol_size",
            disabled=locked,
        )
        reason = st.text_input(
            "Reason for the change (required)", key="pol_note", disabled=locked, max_chars=1000
        )
        apply = st.form_submit_button("Put in force", disabled=locked)
    if locked:
        st.caption("Compliance officers change the policy.")
    if not apply:
        return

    def applied(version: PolicyVersion) -> str:
        _restart_form()
        return f"New fairness policy in force (version {version.version})."

    submit(
        update_policy,
        applied,
        actor=actor,
        policy=current.policy.amended(
            max_demographic_parity_difference=dpd,
            min_disparate_impact_ratio=di,
            max_equalized_odds_difference=eod,
            min_group_size=size,
        ),
        reason=reason,
        expected_version=base,
        on_conflict=_restart_form,
    )


def policy_tab(current: PolicyVersion, actor: Actor, *, can_edit: bool) -> None:
    st.write("The thresholds every assessment is judged by. Changes are versioned and audited.")
    if current.version == 0:
        st.caption("In force: the built-in defaults (no compliance officer has set a policy yet).")
    else:
        st.caption(
            f"In force: version {current.version}, set by {markdown_text(current.created_by)} on "
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
