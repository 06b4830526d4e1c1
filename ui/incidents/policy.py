"""The Policy tab: the escalation and response policy in force, its history, and (for
compliance officers) a change with its reason."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from governance.auth.roles import Action, Role, is_allowed
from governance.auth.service import UserInfo
from governance.incidents import (
    PolicyVersion,
    Severity,
    format_minutes,
    policy_changes,
    policy_history,
    policy_in_force,
    update_policy,
)
from ui.formatting import local_time, localise_column, role_label
from ui.text import markdown_text
from ui.work import guarded, run, submit

_BASE = "inc_pol_base"
_ROLES = list(Role)


def _windows(current: PolicyVersion) -> pd.DataFrame:
    p = current.policy
    return pd.DataFrame(
        {
            "Severity": [s.value.capitalize() for s in Severity],
            "Acknowledge within": [format_minutes(p.window(s)) for s in Severity],
            "Escalates as reported": [s in p.on_creation for s in Severity],
        }
    )


def _levels(current: PolicyVersion) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Level": [r.level for r in current.policy.levels],
            "Notifies": [", ".join(role_label(x) for x in r.roles) for r in current.policy.levels],
            "Why": [r.why for r in current.policy.levels],
        }
    )


def policy_tab(user: UserInfo) -> None:
    actor = user.actor()
    current = run(policy_in_force, actor=actor)
    if current is None:
        return
    st.write(
        "How incidents escalate while nobody acknowledges them, whom each level tells, and how "
        "long a serious incident's report to the authority may take. Changes are versioned and "
        "audited."
    )
    if current.version == 0:
        st.caption("In force: the built-in defaults (no compliance officer has changed them).")
    else:
        st.caption(
            f"In force: version {current.version:d}, set by {markdown_text(current.created_by)} "
            f"on {local_time(current.created_at)}."
        )
    st.dataframe(_windows(current), hide_index=True, width="content")
    st.dataframe(_levels(current), hide_index=True, width="stretch",
                 column_config={"Why": st.column_config.TextColumn(width="large")})  # fmt: skip
    p = current.policy
    st.markdown(
        f"**Report deadlines** (from detection, EU AI Act Art. 73): {p.report_days:d} days; "
        f"{p.report_days_death:d} days where a death is involved; "
        f"{p.report_days_widespread:d} days for a widespread infringement or critical "
        "infrastructure."
    )
    if is_allowed(user.role, Action.INCIDENT_POLICY_EDIT):
        _form(current, user)
    else:
        st.caption("Compliance officers change the policy.")
    _history(user)


def _start(current: PolicyVersion) -> int:
    if _BASE not in st.session_state:
        st.session_state[_BASE] = current.version
        p = current.policy
        for s in Severity:
            st.session_state[f"inc_pol_ack_{s.value}"] = p.window(s)
        st.session_state["inc_pol_creation"] = [s.value for s in Severity if s in p.on_creation]
        for rule in p.levels:
            st.session_state[f"inc_pol_roles_{rule.level}"] = [r.value for r in rule.roles]
            st.session_state[f"inc_pol_why_{rule.level}"] = rule.why
        for name in ("report_days", "report_days_death", "report_days_widespread"):
            st.session_state[f"inc_pol_{name}"] = getattr(p, name)
        st.session_state["inc_pol_reason"] = ""
    return st.session_state[_BASE]


def _restart() -> None:
    for name in [k for k in st.session_state if str(k).startswith("inc_pol_")]:
        del st.session_state[name]
    st.session_state.pop(_BASE, None)


def _form(current: PolicyVersion, user: UserInfo) -> None:
    base = _start(current)
    with st.expander("Change the policy"), st.form("inc_policy_form"):
        st.markdown("**Acknowledgement windows** (minutes)")
        cols = st.columns(4)
        windows = {
            f"ack_{s.value}": col.number_input(
                s.value.capitalize(), 1, 7 * 24 * 60, step=5, key=f"inc_pol_ack_{s.value}"
            )
            for col, s in zip(cols, Severity, strict=True)
        }
        creation = st.multiselect("Escalate as soon as reported", [s.value for s in Severity],
                                  key="inc_pol_creation")  # fmt: skip
        levels: dict[str, object] = {}
        for n in (1, 2, 3):
            c1, c2 = st.columns([1, 2])
            levels[f"level{n:d}_roles"] = c1.multiselect(
                f"Level {n:d} notifies", [r.value for r in _ROLES], format_func=role_label,
                key=f"inc_pol_roles_{n:d}",
            )  # fmt: skip
            levels[f"level{n:d}_why"] = c2.text_input(f"Level {n:d}: why", max_chars=300,
                                                    key=f"inc_pol_why_{n:d}")  # fmt: skip
        c1, c2, c3 = st.columns(3)
        days = {
            "report_days": c1.number_input("Report within (days)", 1, 15,
                                           key="inc_pol_report_days"),
            "report_days_death": c2.number_input("…where a death is involved", 1, 10,
                                                 key="inc_pol_report_days_death"),
            "report_days_widespread": c3.number_input(
                "…widespread infringement or critical infrastructure", 1, 2,
                key="inc_pol_report_days_widespread"),
        }  # fmt: skip
        reason = st.text_input("Reason for the change (required)", max_chars=1000,
                               key="inc_pol_reason")  # fmt: skip
        go = st.form_submit_button("Put in force", type="primary")
    if not go:
        return
    policy = guarded(lambda: current.policy.amended(on_creation=creation, **windows, **levels,
                                                    **days))  # fmt: skip
    if policy is None:
        return

    def applied(version: PolicyVersion) -> str:
        _restart()
        return f"New incident response policy in force (version {version.version:d})."

    submit(update_policy, applied, actor=user.actor(), policy=policy, reason=reason,
           expected_version=base, on_conflict=_restart)  # fmt: skip


def _history(user: UserInfo) -> None:
    st.markdown("**Version history**")
    history = run(policy_history, actor=user.actor())
    if history is None:
        return
    rows = []
    for newer, older in zip(history, [*history[1:], None], strict=True):
        changes = "; ".join(policy_changes(older.policy, newer.policy)) if older else ""
        rows.append({"Version": newer.version, "In force since": newer.created_at,
                     "Set by": newer.created_by or "—", "Reason": newer.reason or "",
                     "What changed": changes or "—"})  # fmt: skip
    frame = pd.DataFrame(rows)
    frame["In force since"] = localise_column(pd.to_datetime(frame["In force since"], utc=True))
    st.dataframe(frame, hide_index=True, width="stretch",
                 column_config={"In force since": st.column_config.DatetimeColumn(
                     format="YYYY-MM-DD HH:mm z")})  # fmt: skip
