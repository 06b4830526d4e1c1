"""One incident: its state at a glance (severity, status, escalation, the report clock in
red when overdue), its facts, its timeline, its resolution and post-mortem, and the forms."""

from __future__ import annotations

import streamlit as st

from governance.auth.service import UserInfo
from governance.incidents import (
    IncidentDetail,
    TimelineEntry,
    basis,
    duration,
    incident_detail,
)
from ui.formatting import local_time
from ui.incidents.forms import response_forms
from ui.incidents.labels import clock_badge, harm_label, severity_badge, status_label, type_label
from ui.incidents.picker import chosen_incident
from ui.text import markdown_text
from ui.work import run


def detail_tab(user: UserInfo) -> None:
    number = chosen_incident()
    if number is None:
        st.info("Choose an incident on the List tab, or type its number above.")
        return
    detail = run(incident_detail, actor=user.actor(), incident_id=number)
    if detail is None:
        return
    info = detail.info
    st.subheader(f"#{info.id:d} {markdown_text(info.title)}")
    _state(detail)
    _facts(detail)
    st.markdown("**Timeline**")
    lines = [_timeline_line(e) for e in detail.timeline]
    st.markdown("\n".join(lines))
    _resolution(detail)
    response_forms(user, info, detail.postmortem is not None)


def _timeline_line(e: TimelineEntry) -> str:
    """One step as a list item: its time in the reader's zone, then the escaped texts."""
    line = f"- **{local_time(e.at)}** · {markdown_text(e.what)}"
    if e.who:
        line += f" · {markdown_text(e.who)}"
    if e.details:
        line += f" — {markdown_text(e.details)}"
    return line


def _state(detail: IncidentDetail) -> None:
    info, clock = detail.info, detail.clock
    with st.container(horizontal=True):
        severity_badge(info.severity)
        st.badge(status_label(info.status), color="gray")
        if info.escalation_level:
            active = info.status in ("open", "investigating")
            st.badge(f"{'Escalation' if active else 'Reached escalation'} level "
                     f"{info.escalation_level:d}", color="violet" if active else "gray",
                     icon=":material/trending_up:")  # fmt: skip
        if info.serious:
            clock_badge(clock.state.value, clock.text())
    if clock.overdue:
        st.error(
            f"The regulatory report is **overdue by {clock.text().removeprefix('overdue by ')}** "
            f"({basis(info.impact)}; due {local_time(clock.due_at)}). Report the incident to the "
            "market surveillance authority and record it below.",
            icon=":material/timer_off:",
        )
    elif clock.state.value == "running":
        st.warning(
            f"Report to the authority due {local_time(clock.due_at)}: {clock.text()} "
            f"({basis(info.impact)}).",
            icon=":material/timer:",
        )
    if info.acknowledged_at is None and info.status in ("open", "investigating"):
        nxt = info.next_escalation_at
        st.caption(
            "Not acknowledged yet"
            + (f": it escalates again at {local_time(nxt)}." if nxt else ": at level 3, the last.")
        )


def _facts(detail: IncidentDetail) -> None:
    info = detail.info
    c1, c2, c3 = st.columns(3)
    c1.markdown(f"**Type**  \n{type_label(info.incident_type)}")
    c2.markdown(f"**Detected**  \n{local_time(info.detected_at)}")
    c3.markdown(
        f"**Reported**  \n{local_time(info.reported_at)} by {markdown_text(info.reported_by)}"
    )
    c1.markdown(f"**Harm**  \n{harm_label(info.harm_category)}")
    people = "not known" if info.affected_people is None else f"{info.affected_people:,}"
    c2.markdown(f"**People affected**  \n{people}")
    if info.acknowledged_at:
        waited = duration(info.acknowledged_at - info.reported_at)
        c3.markdown(
            f"**Acknowledged**  \n{local_time(info.acknowledged_at)} by "
            f"{markdown_text(info.acknowledged_by)} (after {waited})"
        )
    else:
        c3.markdown("**Acknowledged**  \nnot yet")
    models = ", ".join(info.models) if info.models else "none named"
    st.markdown(f"**Models**: {markdown_text(models)}")
    if info.regulator_reported_at:
        st.markdown(
            f"**Reported to the authority** {local_time(info.regulator_reported_at)}, reference "
            f"{markdown_text(info.regulator_reference)}"
        )
    st.markdown("**What happened**")
    st.text(info.description)


def _resolution(detail: IncidentDetail) -> None:
    info, post = detail.info, detail.postmortem
    if info.root_cause:
        st.markdown(
            f"**Resolved** {local_time(info.resolved_at)} by {markdown_text(info.resolved_by)}"
            if info.resolved_at else "**Last resolution** (reopened since)"
        )  # fmt: skip
        st.markdown("Root cause")
        st.text(info.root_cause)
        if info.resolution:
            st.markdown("What was done")
            st.text(info.resolution)
    if post is not None:
        with st.expander(f"Post-mortem by {markdown_text(post.written_by)}", expanded=True):
            st.markdown("**Timeline**")
            st.text(post.timeline)
            st.markdown("**Lessons learned**")
            st.text(post.lessons_learned)
            st.markdown("**Preventive measures**")
            items = [f"{m.position:d}. {markdown_text(m.description)}" for m in post.measures]
            st.markdown("\n".join(items))
