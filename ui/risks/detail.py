"""One risk's detail: its rating and level, models, plans (overdue flagged), acceptances and
history, and the forms the reader's role may use."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from governance.auth.roles import Action, is_allowed
from governance.auth.service import UserInfo
from governance.risks import RiskDossier
from ui.formatting import local_time, localise_column
from ui.risks import forms
from ui.risks.labels import level_label
from ui.text import markdown_text
from ui.work import seen_version


def risk_detail(user: UserInfo, dossier: RiskDossier) -> None:
    risk = dossier.risk
    st.header(f"Risk {risk.id:d}: {markdown_text(risk.title)}")
    c = st.columns(4)
    c[0].metric("Score", f"{risk.score:d}", help="Likelihood × impact (inherent).")
    c[1].metric(
        "Level",
        level_label(risk.level),
        help=f"By the level matrix in force (version {dossier.matrix_version:d}).",
    )
    residual = (
        "—"
        if risk.residual_score is None
        else (f"{risk.residual_score:d} · {level_label(risk.residual_level)}")
    )
    c[2].metric("Residual", residual, help="After mitigation (likelihood × impact).")
    c[3].metric("Status", risk.status)
    st.caption(
        f"Owner **{markdown_text(risk.owner)}** · category {risk.category.replace('_', '-')} · "
        f"likelihood {risk.likelihood:d} × impact {risk.impact:d} · recorded by "
        f"{markdown_text(risk.created_by)} on {local_time(risk.created_at)}"
    )
    if risk.accepted_until is not None:
        st.info(
            f"Accepted until {risk.accepted_until:%d %b %Y} (the last day it holds).",
            icon=":material/verified:",
        )
    overdue = [p for p in dossier.plans if p.overdue]
    if overdue:
        st.warning(f"{len(overdue)} mitigation plan(s) overdue.", icon=":material/schedule:")
    st.markdown(markdown_text(risk.description))
    if risk.models:
        st.markdown("**Models:** " + ", ".join(markdown_text(m) for m in risk.models))

    record = is_allowed(user.role, Action.RISK_RECORD) and dossier.open
    seen = seen_version(f"risk:{risk.id}", risk.row_version)
    tabs = st.tabs(["Plans", "Acceptance", "History"], key="risk_detail_tabs")
    with tabs[0]:
        _plans(user, dossier, record)
    with tabs[1]:
        _acceptances(dossier)
        if is_allowed(user.role, Action.RISK_ACCEPT):
            forms.accept_form(user, dossier, seen)
    with tabs[2]:
        _history(dossier)
    if record:
        forms.transition_form(user, dossier, seen)
        forms.edit_form(user, dossier, seen)


def _plans(user: UserInfo, dossier: RiskDossier, record: bool) -> None:
    if not dossier.plans:
        st.caption("No mitigation plan yet." + (" Add one below." if record else ""))
    for plan in dossier.plans:
        flag = " · ⚠ **overdue**" if plan.overdue else ""
        with st.container(border=True):
            st.markdown(
                f"**Plan {plan.id:d}** · {plan.status.replace('_', ' ')} · due "
                f"{plan.deadline:%d %b %Y}{flag} · owner {markdown_text(plan.owner)}"
            )
            st.markdown(markdown_text(plan.strategy))
            for note in plan.notes:
                st.markdown(
                    f"- {local_time(note.at)}, {markdown_text(note.by)} "
                    f"({note.status.replace('_', ' ')}): {markdown_text(note.note)}"
                )
            if record and plan.status in ("planned", "in_progress"):
                with st.expander("Note progress"):
                    forms.progress_form(user, plan)
    if record:
        forms.plan_form(user, dossier)


def _acceptances(dossier: RiskDossier) -> None:
    if not dossier.acceptances:
        st.caption("Never accepted.")
        return
    frame = pd.DataFrame(
        [
            {
                "Accepted by": a.accepted_by,
                "On": a.accepted_on,
                "Until": a.expires_on,
                "Justification": a.justification,
                "Ended": a.ended_at,
                "Why ended": a.end_reason,
            }
            for a in reversed(dossier.acceptances)
        ]
    )
    frame["Ended"] = localise_column(frame["Ended"])
    st.dataframe(frame, hide_index=True, width="stretch")


def _history(dossier: RiskDossier) -> None:
    for step in dossier.history:
        moved = (
            f"{step.from_status} → {step.to_status}"
            if step.from_status
            else f"Recorded as {step.to_status}"
        )
        st.markdown(
            f"- **{moved}** — {markdown_text(step.actor)}, {local_time(step.at)}: "
            f"{markdown_text(step.reason)}"
        )
