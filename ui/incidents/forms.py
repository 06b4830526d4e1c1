"""The incident forms: report one (those who may), and the response steps on one incident
(those who manage incidents), each drawn only where the lifecycle allows it. The services
check both again."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import streamlit as st

from governance.auth.roles import Action, is_allowed
from governance.auth.service import UserInfo
from governance.incidents import (
    IncidentInfo,
    acknowledge_incident,
    assess_impact,
    close_incident,
    record_regulator_report,
    report_incident,
    resolve_incident,
    transition_incident,
    write_postmortem,
)
from ui.formatting import user_timezone
from ui.incidents.labels import HARM, SEVERITY_LABELS, TYPE_LABELS, severity_label, type_label
from ui.registry.changes import generation, key, submit
from ui.work import seen_version

NEEDS_POSTMORTEM = ("critical", "high")


def _moment(day: object, clock: object) -> datetime | None:
    """A date and a time picked in the person's zone, as an aware time (None if unset)."""
    if day is None or clock is None:
        return None
    local = datetime.combine(day, clock, tzinfo=user_timezone())  # type: ignore[arg-type]
    return local.astimezone(UTC)


def _when(label: str, name: str) -> datetime | None:
    now = datetime.now(user_timezone())
    c1, c2 = st.columns(2)
    day = c1.date_input(f"{label} (date)", value=now.date(), key=key(f"{name}_day"),
                        max_value=now.date() + timedelta(days=1))  # fmt: skip
    clock = c2.time_input(f"{label} (time, your zone)", value=time(now.hour, now.minute),
                          key=key(f"{name}_time"), step=60)  # fmt: skip
    return _moment(day, clock)


def _impact_fields(prefix: str, info: IncidentInfo | None = None) -> dict[str, object]:
    harm_options = [None, *HARM]
    harm = st.selectbox(
        "Harm category (where known)", harm_options, key=key(f"{prefix}_harm"),
        index=harm_options.index(info.harm_category) if info and info.harm_category else 0,
        format_func=lambda h: "Not known yet" if h is None else HARM[h],
    )  # fmt: skip
    affected = st.number_input(
        "People affected (where known)", min_value=0, step=1, key=key(f"{prefix}_affected"),
        value=info.affected_people if info else None, placeholder="not known",
    )  # fmt: skip
    serious = st.checkbox(
        "Serious incident (EU AI Act Art. 3(49)): a report to the authority is due",
        value=bool(info and info.serious), key=key(f"{prefix}_serious"),
        help="Death or serious harm to health, a serious and irreversible disruption of critical "
        "infrastructure, an infringement of fundamental-rights obligations, or serious harm to "
        "property or the environment. The report clock runs from when it was detected.",
    )  # fmt: skip
    c1, c2, c3 = st.columns(3)
    death = c1.checkbox("A death is involved (10 days)", value=bool(info and info.involves_death),
                        key=key(f"{prefix}_death"))  # fmt: skip
    wide = c2.checkbox("Widespread infringement (2 days)",
                       value=bool(info and info.widespread_infringement),
                       key=key(f"{prefix}_wide"))  # fmt: skip
    infra = c3.checkbox("Critical infrastructure (2 days)",
                        value=bool(info and info.critical_infrastructure),
                        key=key(f"{prefix}_infra"))  # fmt: skip
    return {"harm_category": harm, "affected_people": affected, "serious": serious,
            "involves_death": death, "widespread_infringement": wide,
            "critical_infrastructure": infra}  # fmt: skip


def report_form(user: UserInfo, model_names: list[str]) -> None:
    if not is_allowed(user.role, Action.INCIDENT_REPORT):
        st.info(
            "Compliance officers, data scientists and administrators report incidents. Your "
            "role reads them: the List and Metrics tabs show every incident and how the "
            "response went."
        )
        return
    st.caption(
        "Critical and high incidents escalate to the compliance officers as soon as they are "
        "reported; the others once their acknowledgement window passes (see Policy)."
    )
    with st.form(f"inc_report_form_{generation()}"):
        c1, c2 = st.columns(2)
        kind = c1.selectbox("Type", list(TYPE_LABELS), format_func=type_label,
                            key=key("inc_r_type"))  # fmt: skip
        severity = c2.selectbox("Severity", list(SEVERITY_LABELS), index=2,
                                format_func=severity_label, key=key("inc_r_severity"))  # fmt: skip
        title = st.text_input("Title", max_chars=200, key=key("inc_r_title"))
        description = st.text_area("What happened", max_chars=5000, key=key("inc_r_desc"),
                                   help="What was seen, where, and what it affected.")  # fmt: skip
        detected = _when("Detected", "inc_r_detected")
        models = st.multiselect("Models concerned", model_names, key=key("inc_r_models"))
        impact = _impact_fields("inc_r")
        go = st.form_submit_button("Report incident", type="primary")
    if go:
        submit(
            report_incident,
            lambda i: f"Incident #{i.id:d} reported"
            + (f"; escalated to level {i.escalation_level:d}." if i.escalation_level else "."),
            actor=user.actor(), incident_type=kind, severity=severity, title=title,
            description=description, detected_at=detected, models=models, **impact,
        )  # fmt: skip


def _reason(name: str, label: str = "Reason", required: bool = True) -> str:
    suffix = "" if required else " (optional)"
    return st.text_area(f"{label}{suffix}", key=key(name), max_chars=2000, height=80)


def response_forms(user: UserInfo, info: IncidentInfo, has_postmortem: bool) -> None:
    """The steps the incident's status allows, for those who manage incidents."""
    if not is_allowed(user.role, Action.INCIDENT_MANAGE):
        st.caption("Compliance officers and administrators respond to incidents.")
        return
    shown = seen_version(f"incident_{info.id:d}", info.row_version)
    common = {"actor": user.actor(), "incident_id": info.id, "expected_version": shown}
    status = info.status
    if status in ("open", "investigating") and info.acknowledged_at is None:
        with st.form(key(f"inc_ack_{info.id:d}")):
            st.markdown("**Acknowledge**: you take it on; it stops escalating.")
            note = _reason(f"inc_ack_note_{info.id:d}", "Note", required=False)
            go = st.form_submit_button("Acknowledge", type="primary")
        if go:
            submit(acknowledge_incident, f"Incident #{info.id:d} acknowledged.",
                   on_conflict=lambda: None, note=note, **common)  # fmt: skip
    if status == "open":
        with st.form(key(f"inc_investigate_{info.id:d}")):
            st.markdown("**Start the investigation** (acknowledges it too)")
            why = _reason(f"inc_inv_reason_{info.id:d}")
            go = st.form_submit_button("Start investigating")
        if go:
            submit(transition_incident, f"Incident #{info.id:d} is under investigation.",
                   on_conflict=lambda: None, to="investigating", reason=why, **common)  # fmt: skip
    if status == "investigating":
        with st.form(key(f"inc_resolve_{info.id:d}")):
            st.markdown("**Resolve**: the root cause is required.")
            cause = st.text_area("Root cause", key=key(f"inc_cause_{info.id:d}"), max_chars=5000)
            what = _reason(f"inc_resolution_{info.id:d}", "What was done", required=False)
            go = st.form_submit_button("Resolve", type="primary")
        if go:
            submit(resolve_incident, f"Incident #{info.id:d} resolved.", on_conflict=lambda: None,
                   root_cause=cause, resolution=what, **common)  # fmt: skip
    if status in ("resolved", "closed") and not has_postmortem:
        _postmortem_form(info, common)
    if status == "resolved":
        _close_or_reopen(info, has_postmortem, common)
    if info.serious and info.regulator_reported_at is None:
        with st.form(key(f"inc_regulator_{info.id:d}")):
            st.markdown("**Record the report to the authority** (stops the report clock)")
            when = _when("Submitted", f"inc_reg_{info.id:d}")
            reference = st.text_input("Authority's reference", key=key(f"inc_ref_{info.id:d}"),
                                      max_chars=200)  # fmt: skip
            go = st.form_submit_button("Record the report")
        if go:
            submit(record_regulator_report, f"Report of incident #{info.id:d} recorded.",
                   on_conflict=lambda: None, submitted_at=when, reference=reference,
                   **common)  # fmt: skip
    if status != "closed":
        with st.expander("Harm and regulatory impact"), st.form(key(f"inc_impact_{info.id:d}")):
            impact = _impact_fields(f"inc_i_{info.id:d}", info)
            why = _reason(f"inc_impact_reason_{info.id:d}")
            go = st.form_submit_button("Save the impact")
        if go:
            submit(assess_impact, f"Impact of incident #{info.id:d} saved.",
                   on_conflict=lambda: None, reason=why, **impact, **common)  # fmt: skip


def _postmortem_form(info: IncidentInfo, common: dict[str, object]) -> None:
    needed = info.severity in NEEDS_POSTMORTEM and info.status == "resolved"
    with st.form(key(f"inc_pm_{info.id:d}")):
        st.markdown(
            "**Write the post-mortem**"
            + (" (required before a critical or high incident closes)" if needed else "")
        )
        story = st.text_area("Timeline", key=key(f"inc_pm_t_{info.id:d}"), max_chars=5000,
                             help="What happened when, from detection to resolution.")  # fmt: skip
        lessons = st.text_area("Lessons learned", key=key(f"inc_pm_l_{info.id:d}"), max_chars=5000)
        measures = st.text_area("Preventive measures (one per line)",
                                key=key(f"inc_pm_m_{info.id:d}"), max_chars=20000)  # fmt: skip
        go = st.form_submit_button("Save the post-mortem", type="primary")
    if go:
        submit(write_postmortem, f"Post-mortem of incident #{info.id:d} saved.",
               on_conflict=lambda: None, timeline=story, lessons_learned=lessons,
               measures=measures, **common)  # fmt: skip


def _close_or_reopen(info: IncidentInfo, has_postmortem: bool, common: dict[str, object]) -> None:
    blocked = info.severity in NEEDS_POSTMORTEM and not has_postmortem
    with st.form(key(f"inc_close_{info.id:d}")):
        st.markdown("**Close** it, or **reopen** the investigation if the fix did not hold")
        why = _reason(f"inc_close_reason_{info.id:d}", required=False)
        c1, c2 = st.columns(2)
        close = c1.form_submit_button("Close", type="primary", disabled=blocked)
        reopen = c2.form_submit_button("Reopen the investigation")
    if blocked:
        st.caption(
            f"A {info.severity} incident closes only with its post-mortem: write it above first."
        )
    if close:
        submit(close_incident, f"Incident #{info.id:d} closed.", on_conflict=lambda: None,
               reason=why, **common)  # fmt: skip
    if reopen:
        submit(transition_incident, f"Incident #{info.id:d} is under investigation again.",
               on_conflict=lambda: None, to="investigating", reason=why, **common)  # fmt: skip
