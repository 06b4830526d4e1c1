"""The forms of the risk page, each shown only to the roles that may use it: record or edit a
risk, move its status, accept it, add a mitigation plan, note a plan's progress."""

from __future__ import annotations

from datetime import timedelta

import streamlit as st

from governance.auth.service import UserInfo
from governance.registry import model_names
from governance.risks import (
    PLAN_STATUSES,
    TRANSITIONS,
    Category,
    PlanInfo,
    RiskDossier,
    accept_risk,
    add_plan,
    owner_choices,
    plan_progress,
    register_risk,
    transition_risk,
    update_risk,
)
from ui.formatting import now_utc
from ui.registry.changes import key, submit
from ui.risks.labels import IMPACT, LIKELIHOOD
from ui.work import run, seen_version


def _people(user: UserInfo) -> dict[int, str] | None:
    owners = run(owner_choices, actor=user.actor())
    return None if owners is None else dict(owners)


def _rating_fields(
    prefix: str, likelihood: int | None = None, impact: int | None = None, label: str = ""
) -> tuple[int | None, int | None]:
    c1, c2 = st.columns(2)
    lik = c1.selectbox(
        f"{label}likelihood" if label else "Likelihood",
        list(LIKELIHOOD),
        format_func=LIKELIHOOD.get,
        index=None if likelihood is None else likelihood - 1,
        placeholder="How likely (1 to 5)",
        key=key(f"{prefix}_lik"),
    )
    imp = c2.selectbox(
        f"{label}impact" if label else "Impact",
        list(IMPACT),
        format_func=IMPACT.get,
        index=None if impact is None else impact - 1,
        placeholder="How harmful (1 to 5)",
        key=key(f"{prefix}_imp"),
    )
    return lik, imp


def _risk_fields(user: UserInfo, prefix: str, current=None):  # type: ignore[no-untyped-def]
    people = _people(user)
    models = run(model_names, actor=user.actor())
    if people is None or models is None:
        return None
    cats = [c.value for c in Category]
    c1, c2 = st.columns([1, 2])
    category = c1.selectbox(
        "Category",
        cats,
        format_func=lambda c: c.replace("_", "-"),
        index=cats.index(current.category) if current else None,
        placeholder="Choose a category",
        key=key(f"{prefix}_cat"),
    )
    title = c2.text_input(
        "Title", value=current.title if current else "", max_chars=200, key=key(f"{prefix}_title")
    )
    description = st.text_area(
        "Description",
        value=current.description if current else "",
        max_chars=5000,
        key=key(f"{prefix}_desc"),
        help="What could happen, to whom, and why.",
    )
    lik, imp = _rating_fields(
        prefix, current.likelihood if current else None, current.impact if current else None
    )
    ids = list(people)
    c3, c4 = st.columns(2)
    owner = c3.selectbox(
        "Owner",
        ids,
        format_func=people.get,
        placeholder="Who answers for it",
        index=ids.index(current.owner_id) if current else None,
        key=key(f"{prefix}_owner"),
    )
    linked = c4.multiselect(
        "Models",
        models,
        default=list(current.models) if current else [],
        key=key(f"{prefix}_models"),
        help="The registered models this risk is about.",
    )
    return {
        "category": category,
        "title": title,
        "description": description,
        "likelihood": lik,
        "impact": imp,
        "owner_id": owner,
        "models": linked,
    }


def register_form(user: UserInfo, *, expanded: bool) -> None:
    with st.expander("Record a risk", icon=":material/add:", expanded=expanded):
        with st.form(key("risk_new_form")):
            fields = _risk_fields(user, "risk_new")
            add = st.form_submit_button("Record risk", type="primary")
        if add and fields is not None:
            submit(
                register_risk,
                lambda r: f"Risk {r.id:d} recorded: score {r.score:d}, {r.level}.",
                actor=user.actor(),
                **fields,
            )


def edit_form(user: UserInfo, dossier: RiskDossier, seen: int) -> None:
    risk = dossier.risk
    with st.expander("Edit this risk", icon=":material/edit:"):
        with st.form(key(f"risk_edit_form_{risk.id}")):
            fields = _risk_fields(user, f"risk_edit_{risk.id}", risk)
            save = st.form_submit_button("Save changes", type="primary")
        if save and fields is not None:
            submit(
                update_risk,
                "Risk updated.",
                actor=user.actor(),
                risk_id=risk.id,
                expected_version=seen,
                **fields,
            )


def transition_form(user: UserInfo, dossier: RiskDossier, seen: int) -> None:
    risk = dossier.risk
    targets = [
        t.target.value
        for t in TRANSITIONS
        if t.source.value == risk.status and t.call == "transition_risk"
    ]
    if not targets:
        return
    with st.form(key(f"risk_move_form_{risk.id}")):
        st.markdown("**Move its status**")
        target = st.selectbox("New status", targets, key=key(f"risk_move_to_{risk.id}"))
        residual = (None, None)
        if "mitigated" in targets:
            st.caption("Moving to mitigated: rate the risk as it stands after mitigation.")
            residual = _rating_fields(f"risk_res_{risk.id}", label="Residual ")
        reason = st.text_area(
            "Reason",
            max_chars=2000,
            key=key(f"risk_move_why_{risk.id}"),
            help="Recorded in the risk's history and the audit trail.",
        )
        move = st.form_submit_button("Move")
    if move:
        extra = {}
        if target == "mitigated":
            extra = {"residual_likelihood": residual[0], "residual_impact": residual[1]}
        submit(
            transition_risk,
            f"Risk {risk.id:d} is now {target}.",
            actor=user.actor(),
            risk_id=risk.id,
            to=target,
            reason=reason,
            expected_version=seen,
            **extra,
        )


def accept_form(user: UserInfo, dossier: RiskDossier, seen: int) -> None:
    risk = dossier.risk
    if not any(t.source.value == risk.status and t.call == "accept_risk" for t in TRANSITIONS):
        return
    if risk.owner_id == user.id:
        st.caption("You own this risk: another compliance officer decides on accepting it.")
        return
    today = now_utc().date()
    with st.form(key(f"risk_accept_form_{risk.id}")):
        st.markdown("**Accept this risk**")
        justification = st.text_area(
            "Justification",
            max_chars=2000,
            key=key(f"risk_accept_why_{risk.id}"),
            help="Why the organisation may bear it as it is.",
        )
        expires = st.date_input(
            "Expiry",
            value=None,
            min_value=today + timedelta(days=1),
            max_value=today + timedelta(days=730),
            key=key(f"risk_accept_until_{risk.id}"),
            help="The last day the acceptance holds; the day after, the risk is identified again.",
        )
        accept = st.form_submit_button("Accept risk")
    if accept:
        submit(
            accept_risk,
            f"Risk {risk.id:d} accepted.",
            actor=user.actor(),
            risk_id=risk.id,
            justification=justification,
            expires_on=expires,
            expected_version=seen,
        )


def plan_form(user: UserInfo, dossier: RiskDossier) -> None:
    risk = dossier.risk
    people = _people(user)
    if people is None:
        return
    ids = list(people)
    with st.expander("Add a mitigation plan", icon=":material/add_task:"):
        with st.form(key(f"risk_plan_form_{risk.id}")):
            strategy = st.text_area(
                "Strategy",
                max_chars=5000,
                key=key(f"risk_plan_s_{risk.id}"),
                help="What will be done to reduce the risk.",
            )
            c1, c2 = st.columns(2)
            owner = c1.selectbox(
                "Plan owner",
                ids,
                format_func=people.get,
                index=None,
                placeholder="Who does it",
                key=key(f"risk_plan_o_{risk.id}"),
            )
            deadline = c2.date_input(
                "Deadline",
                value=None,
                min_value=now_utc().date(),
                key=key(f"risk_plan_d_{risk.id}"),
            )
            add = st.form_submit_button("Add plan")
        if add:
            submit(
                add_plan,
                "Mitigation plan added.",
                actor=user.actor(),
                risk_id=risk.id,
                strategy=strategy,
                owner_id=owner,
                deadline=deadline,
            )


def progress_form(user: UserInfo, plan: PlanInfo) -> None:
    seen = seen_version(f"plan:{plan.id}", plan.row_version)
    with st.form(key(f"risk_progress_form_{plan.id}")):
        note = st.text_area("Progress note", max_chars=5000, key=key(f"risk_prog_n_{plan.id}"))
        statuses = list(PLAN_STATUSES)
        status = st.selectbox(
            "Plan status",
            statuses,
            index=statuses.index(plan.status),
            format_func=lambda s: s.replace("_", " "),
            key=key(f"risk_prog_s_{plan.id}"),
        )
        save = st.form_submit_button("Note progress")
    if save:
        submit(
            plan_progress,
            f"Progress noted on plan {plan.id:d}.",
            actor=user.actor(),
            plan_id=plan.id,
            note=note,
            status=status,
            expected_version=seen,
        )
