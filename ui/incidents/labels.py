"""How incidents read on screen: severities, types, statuses and harm categories in words,
and the report clock as a badge (red when overdue)."""

from __future__ import annotations

import streamlit as st

from governance.incidents import HARM_LABELS, HarmCategory, IncidentType, Severity, Status

SEVERITY_LABELS = {s.value: s.value.capitalize() for s in Severity}
TYPE_LABELS = {t.value: t.value.capitalize() for t in IncidentType}
STATUS_LABELS = {s.value: s.value.capitalize() for s in Status}
HARM = {h.value: HARM_LABELS[HarmCategory(h)] for h in HarmCategory}
SEVERITY_BADGE = {"critical": "red", "high": "orange", "medium": "blue", "low": "green"}
REPORT_BY_CLI = (
    "python -m governance incidents report --type security --severity high "
    '--title "…" --description "…" --detected-at now'
)


def severity_label(value: str) -> str:
    return SEVERITY_LABELS.get(value, value)


def type_label(value: str) -> str:
    return TYPE_LABELS.get(value, value)


def status_label(value: str) -> str:
    return STATUS_LABELS.get(value, value)


def harm_label(value: str | None) -> str:
    return "not known" if not value else HARM.get(value, value)


def severity_badge(value: str) -> None:
    st.badge(severity_label(value), color=SEVERITY_BADGE.get(value, "gray"))  # type: ignore[arg-type]


def clock_badge(state: str, text: str) -> None:
    """The report clock: red when overdue, orange while running, green once reported."""
    colour = {"overdue": "red", "running": "orange", "submitted": "green",
              "submitted_late": "violet"}.get(state, "gray")  # fmt: skip
    icon = ":material/timer_off:" if state == "overdue" else ":material/timer:"
    st.badge(f"Report clock: {text}", color=colour, icon=icon)  # type: ignore[arg-type]
