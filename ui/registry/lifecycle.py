"""Forms that move a version along its lifecycle: submit (or reopen), approve or reject,
deploy, deprecate, retire. Each is drawn only for a role the matrix allows and a status the
lifecycle allows from; the services check both again."""

from __future__ import annotations

import streamlit as st

from governance.auth.roles import Action, is_allowed
from governance.auth.service import UserInfo
from governance.registry import (
    ModelDossier,
    VersionDossier,
    approve_version,
    deploy_version,
    deprecate_version,
    reject_version,
    reopen_version,
    request_approval,
    retire_version,
)
from ui.registry.changes import key, reason_field, submit
from ui.text import label_text, markdown_text
from ui.work import seen_version


def submit_form(user: UserInfo, version: VersionDossier) -> None:
    v = version.info
    if not is_allowed(user.role, Action.REGISTRY_SUBMIT) or v.status not in (
        "validated",
        "rejected",
    ):
        return
    if v.status == "validated":
        with st.form(key(f"reg_submit_form_{v.id}")):
            st.markdown(f"**Submit {markdown_text(v.version)} for approval**")
            reason = reason_field(f"reg_submit_reason_{v.id}")
            go = st.form_submit_button("Submit for approval", type="primary")
        if go:
            submit(
                request_approval,
                f"Submitted {markdown_text(v.version)} for approval: a compliance officer or an "
                "administrator other than its owner decides next.",
                actor=user.actor(),
                version_id=v.id,
                reason=reason,
                expected_version=v.row_version,
            )
        return
    with st.form(key(f"reg_reopen_form_{v.id}")):
        st.markdown(f"**Reopen {markdown_text(v.version)} as a draft** (to address the notes)")
        reason = reason_field(f"reg_reopen_reason_{v.id}")
        go = st.form_submit_button("Reopen as draft")
    if go:
        submit(
            reopen_version,
            f"Reopened {markdown_text(v.version)} as a draft.",
            actor=user.actor(),
            version_id=v.id,
            reason=reason,
            expected_version=v.row_version,
        )


def why_no_decision(user: UserInfo, dossier: ModelDossier, version: VersionDossier) -> str | None:
    """Why ``user`` may not decide on ``version`` now (maker-checker), or None if they may.

    Computed from the records shown; the service refuses the same cases anyway.
    """
    if version.info.status != "pending_approval":
        return "Only a version pending approval can be approved or rejected."
    if not is_allowed(user.role, Action.REGISTRY_APPROVE):
        return "Compliance officers and administrators approve or reject versions."
    if user.username == dossier.model.owner:
        return "You own this model: another reviewer must decide (maker-checker)."
    if user.username == version.requester:
        return "You asked for this approval: another reviewer must decide (maker-checker)."
    if user.username in version.decided_in_round():
        return "You have already decided on this version in this round."
    return None


def decision_form(user: UserInfo, dossier: ModelDossier, version: VersionDossier) -> None:
    v = version.info
    # The row_version on screen when the button was clicked (the click's run reads afresh):
    # a decision on a version that changed meanwhile is refused as a conflict.
    shown = seen_version(f"model_version_{v.id}", v.row_version)
    blocked = why_no_decision(user, dossier, version)
    if blocked is not None:
        if v.status == "pending_approval":
            st.caption(blocked)
        return
    with st.form(key(f"reg_decide_form_{v.id}")):
        st.markdown(f"**Decide on {markdown_text(v.version)}**")
        notes = reason_field(f"reg_decide_notes_{v.id}", "Notes")
        c1, c2 = st.columns(2)
        approve = c1.form_submit_button("Approve", type="primary")
        reject = c2.form_submit_button("Reject")
    if approve or reject:
        service = approve_version if approve else reject_version
        submit(
            service,
            lambda r: (
                f"{markdown_text(r.version)} of {markdown_text(r.model_name)}: "
                f"your {'approval' if approve else 'rejection'} is recorded; it is now "
                f"{r.status.replace('_', ' ')}."
            ),
            on_conflict=lambda: None,
            actor=user.actor(),
            version_id=v.id,
            expected_version=shown,
            reason=notes,
        )


def deploy_form(user: UserInfo, version: VersionDossier) -> None:
    v = version.info
    if not is_allowed(user.role, Action.REGISTRY_DEPLOY) or v.status not in (
        "approved",
        "deployed",
    ):
        return
    with st.form(key(f"reg_deploy_form_{v.id}")):
        st.markdown(f"**Deploy {markdown_text(v.version)}**")
        c1, c2 = st.columns(2)
        environment = c1.text_input(
            "Environment", key=key(f"reg_dep_env_{v.id}"), placeholder="production", max_chars=40
        )
        endpoint = c2.text_input("Endpoint (optional)", key=key(f"reg_dep_url_{v.id}"))
        notes = st.text_area("Notes (optional)", key=key(f"reg_dep_notes_{v.id}"))
        reason = reason_field(f"reg_dep_reason_{v.id}")
        go = st.form_submit_button("Deploy", type="primary")
    if go:
        submit(
            deploy_version,
            lambda d: f"Deployed {markdown_text(v.version)} in {markdown_text(d.environment)}.",
            actor=user.actor(),
            version_id=v.id,
            environment=environment,
            endpoint=endpoint or None,
            notes=notes or None,
            reason=reason,
            expected_version=v.row_version,
        )


def _destructive(user: UserInfo, version: VersionDossier, *, retire: bool) -> None:
    v = version.info
    verb = "Retire" if retire else "Deprecate"
    consequence = (
        "Its deployments end now, and it can never be deployed again."
        if retire
        else "It can no longer be deployed; where it runs, it keeps running until superseded "
        "or retired."
    )
    # Folded away: taking a version out of use is rare and must not be the page's loudest part.
    with (
        st.expander(f"{verb} {label_text(v.version)}", icon=":material/block:"),
        st.form(key(f"reg_{verb.lower()}_form_{v.id}")),
    ):
        st.markdown(consequence)
        reason = reason_field(f"reg_{verb.lower()}_reason_{v.id}")
        confirm = st.checkbox(
            f"Yes, {verb.lower()} {label_text(v.version)}",
            key=key(f"reg_{verb.lower()}_confirm_{v.id}"),
        )
        go = st.form_submit_button(verb)
    if go and not confirm:
        st.warning(f"Tick the box to confirm that {markdown_text(v.version)} is to be changed.")
    elif go:
        submit(
            retire_version if retire else deprecate_version,
            f"{verb}d {markdown_text(v.version)}.",
            actor=user.actor(),
            version_id=v.id,
            reason=reason,
            expected_version=v.row_version,
        )


def end_of_life_forms(user: UserInfo, version: VersionDossier) -> None:
    if not is_allowed(user.role, Action.REGISTRY_DEPRECATE):
        return
    if version.info.status in ("approved", "deployed"):
        _destructive(user, version, retire=False)
    elif version.info.status == "deprecated":
        _destructive(user, version, retire=True)
