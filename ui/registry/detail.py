"""One model's detail: its fields, versions and their history, decisions, reports, deployments.

Read-only parts; the forms that change a version live in :mod:`ui.registry.forms` and
:mod:`ui.registry.lifecycle`, and are drawn by the page inside these tabs.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd
import streamlit as st

from governance.auth.service import UserInfo
from governance.registry import (
    DeploymentInfo,
    ModelDossier,
    RiskTier,
    VersionDossier,
    deployed_on,
)
from ui.formatting import local_time, localise_column
from ui.registry.labels import status_label, tier_label
from ui.text import label_text, markdown_text
from ui.work import run

_WHEN = st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm z")


def _lines(title: str, items: Sequence[str]) -> None:
    st.markdown(f"**{title}**")
    if not items:
        st.caption("None recorded.")
    for item in items:
        st.markdown(f"- {markdown_text(item)}")


def _prose(title: str, text: str | None) -> None:
    st.markdown(f"**{title}**")
    # st.text: plain text that keeps the person's line breaks and never renders markup.
    if text:
        st.text(text)
    else:
        st.caption("Not documented.")


def overview_tab(dossier: ModelDossier) -> None:
    m = dossier.model
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Provider", label_text(m.provider))
    c2.metric("Risk tier", tier_label(m.risk_tier))
    c3.metric("Owner", label_text(m.owner))
    c4.metric("Versions", len(dossier.versions))
    st.caption(f"Registered {local_time(m.created_at)} by {markdown_text(m.created_by)}.")
    _prose("Intended use", m.intended_use)
    _prose("Out-of-scope uses", m.out_of_scope_uses)
    _lines("Capabilities", m.capabilities)
    _lines("Known limitations", m.known_limitations)
    _prose("Training data", m.training_data)
    st.markdown("**Performance baseline**")
    if m.performance_baseline:
        st.dataframe(
            pd.DataFrame(
                [
                    {"Metric": k, "Must be": v.get("direction"), "Threshold": v.get("threshold")}
                    for k, v in m.performance_baseline.items()
                ]
            ),
            hide_index=True,
        )
    else:
        st.caption("No baseline: versions of this model cannot be validated.")


def versions_frame(dossier: ModelDossier) -> pd.DataFrame:
    frame = pd.DataFrame(
        [
            {
                "Version": v.info.version,
                "Status": status_label(v.info.status),
                "Changelog": v.info.changelog,
                "Artifact": v.info.artifact_uri,
                "SHA-256": v.info.artifact_sha256,
                "Added": v.info.created_at,
                "Added by": v.info.created_by,
            }
            for v in dossier.versions
        ],
        columns=["Version", "Status", "Changelog", "Artifact", "SHA-256", "Added", "Added by"],
    )
    frame["Added"] = localise_column(frame["Added"])
    return frame


def versions_table(dossier: ModelDossier) -> None:
    if not dossier.versions:
        st.info("This model has no version yet.")
        return
    st.dataframe(
        versions_frame(dossier), hide_index=True, width="stretch", column_config={"Added": _WHEN}
    )


def timeline(version: VersionDossier) -> None:
    """The version's status changes, oldest first: who, when (in the reader's zone), why."""
    st.markdown(f"**History of {markdown_text(version.info.version)}**")
    for step in version.history:
        if not step.from_status:
            moved = f"Registered as {status_label(step.to_status).lower()}"
        elif step.from_status == step.to_status:  # deployed in a further environment
            moved = f"Also {status_label(step.to_status).lower()}"
        else:
            moved = f"{status_label(step.from_status)} → {status_label(step.to_status)}"
        where = f" in {markdown_text(step.environment)}" if step.environment else ""
        st.markdown(
            f"- **{moved}**{where} — {markdown_text(step.actor)}, {local_time(step.at)}: "
            f"{markdown_text(step.reason)}"
        )


def approvals_needed(dossier: ModelDossier, version: VersionDossier) -> None:
    """How many different approvers this version needs, and how many it has in this round."""
    needed = RiskTier(dossier.model.risk_tier).approvers_needed
    if version.info.status != "pending_approval":
        return
    given = sum(
        a.decision == "approved"
        for a in version.approvals
        if a.round == version.info.approval_round
    )
    if needed > 1:
        st.info(
            f"A {tier_label(dossier.model.risk_tier).lower()}-risk model needs {needed} different "
            f"approvers: {given} of {needed} so far in this round.",
            icon=":material/group:",
        )


def approvals_table(version: VersionDossier) -> None:
    if not version.approvals:
        st.caption("No decision on this version yet.")
        return
    frame = pd.DataFrame(
        [
            {
                "Round": a.round,
                "Decision": a.decision,
                "By": a.approver,
                "At": a.at,
                "Notes": a.notes,
            }
            for a in version.approvals
        ]
    )
    frame["At"] = localise_column(frame["At"])
    st.dataframe(frame, hide_index=True, width="stretch", column_config={"At": _WHEN})


def validations(version: VersionDossier) -> None:
    if not version.validations:
        st.caption("This version has not been validated yet.")
        return
    for report in version.validations:
        verdict = "passed" if report.passed else "failed"
        st.markdown(
            f"**Validation {verdict}** — {markdown_text(report.run_by)}, "
            f"{local_time(report.at)}: {markdown_text(report.notes or '')}"
        )
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "Metric": r.get("name"),
                        "Observed": r.get("observed"),
                        "Required": r.get("threshold"),
                        "Met": "yes" if r.get("passed") else "no",
                        "Evidence": r.get("evidence") or "",
                    }
                    for r in report.requirements
                ]
            ),
            hide_index=True,
            width="stretch",
        )


def _deployments_frame(rows: Sequence[DeploymentInfo], versions: dict[int, str]) -> pd.DataFrame:
    frame = pd.DataFrame(
        [
            {
                "Environment": d.environment,
                "Version": versions.get(d.version_id, "?"),
                "Endpoint": d.endpoint or "",
                "Deployed": d.deployed_at,
                "By": d.deployed_by,
                "Ended": d.ended_at,
                "Why it ended": d.end_reason or "",
                "Notes": d.notes or "",
            }
            for d in rows
        ],
        columns=[
            "Environment", "Version", "Endpoint", "Deployed", "By", "Ended", "Why it ended",
            "Notes",
        ],
    )  # fmt: skip
    for column in ("Deployed", "Ended"):
        frame[column] = localise_column(frame[column])
    return frame


def deployments(dossier: ModelDossier) -> None:
    names = {v.info.id: v.info.version for v in dossier.versions}
    current = [d for d in dossier.deployments if d.is_current]
    past = [d for d in dossier.deployments if not d.is_current]
    config = {"Deployed": _WHEN, "Ended": _WHEN}
    st.markdown("**Current deployments**")
    if current:
        frame = _deployments_frame(current, names).drop(columns=["Ended", "Why it ended"])
        st.dataframe(frame, hide_index=True, width="stretch", column_config=config)
    else:
        st.caption("Not deployed anywhere.")
    st.markdown("**Past deployments**")
    if past:
        frame = _deployments_frame(past, names)
        st.dataframe(frame, hide_index=True, width="stretch", column_config=config)
    else:
        st.caption("None.")


def deployed_when(dossier: ModelDossier, user: UserInfo) -> None:
    """ "What was deployed in environment E on day D": a read of its own, only when asked."""
    st.markdown("**What was deployed on a given day?**")
    environments = sorted({d.environment for d in dossier.deployments})
    if not environments:
        st.caption("Once the model is deployed, ask here which version ran where on a day.")
        return
    c1, c2 = st.columns(2)
    environment = c1.selectbox("Environment", environments, key="reg_q_env")
    day = c2.date_input("Day (UTC)", value=date.today(), key="reg_q_day", format="YYYY-MM-DD")
    found = run(
        deployed_on,
        actor=user.actor(),
        model=dossier.model.name,
        environment=environment,
        on=day,
    )
    if found is None:
        return
    if not found:
        st.info(f"No version was deployed in {markdown_text(environment)} on {day:%Y-%m-%d}.")
        return
    # Text in the reader's terms: "still deployed" reads better than an empty time.
    frame = pd.DataFrame(
        [
            {
                "Version": f.version,
                "Deployed": local_time(f.deployed_at),
                "By": f.deployed_by,
                "Ended": local_time(f.ended_at) if f.ended_at else "still deployed",
                "Approved by": ", ".join(f.approved_by) or "—",
            }
            for f in found
        ]
    )
    st.dataframe(frame, hide_index=True, width="stretch")
