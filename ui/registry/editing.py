"""Editing a model's record from its page: the full form for its owner or an administrator,
the risk tier alone for a compliance officer (who may lower it, being a checker)."""

from __future__ import annotations

import streamlit as st

from governance.auth.roles import Action, Role, is_allowed
from governance.auth.service import UserInfo
from governance.registry import ModelDossier, Provider, RiskTier, update_model
from ui.registry.changes import key, reason_field, submit
from ui.registry.labels import tier_label
from ui.text import markdown_text
from ui.work import seen_version


def _baseline_text(baseline: dict) -> str:
    return "; ".join(
        f"{m} {t.get('direction')} {t.get('threshold'):g}" for m, t in baseline.items()
    )


def edit_forms(user: UserInfo, dossier: ModelDossier) -> None:
    m = dossier.model
    # The record as it was on screen when the button was clicked: an edit of a record that
    # changed meanwhile is refused as a conflict, never applied over the other change.
    shown = seen_version(f"model_{m.id}", m.row_version)
    owns = user.username == m.owner
    if (owns or user.role is Role.ADMIN) and is_allowed(user.role, Action.REGISTRY_REGISTER):
        _full_form(user, dossier, shown)
    elif is_allowed(user.role, Action.REGISTRY_APPROVE):
        _tier_form(user, dossier, shown)


def _full_form(user: UserInfo, dossier: ModelDossier, shown: int) -> None:
    m = dossier.model
    k = key(str(m.id))  # fresh widgets, filled from the record, after each saved change
    with st.expander("Edit the record", icon=":material/edit:"), st.form(f"reg_edit_{k}"):
        c1, c2 = st.columns(2)
        providers = [p.value for p in Provider]
        provider = c1.selectbox("Provider", providers, index=providers.index(m.provider),
                                key=f"reg_edit_provider_{k}")  # fmt: skip
        tiers = [t.value for t in RiskTier]
        tier = c2.selectbox("Risk tier", tiers, index=tiers.index(m.risk_tier),
                            format_func=tier_label, key=f"reg_edit_tier_{k}",
                            help="You may raise it; lowering it is a compliance officer's "
                            "decision.")  # fmt: skip
        intended = st.text_area("Intended use", m.intended_use, key=f"reg_edit_use_{k}",
                                max_chars=5000)  # fmt: skip
        out_of_scope = st.text_area("Out-of-scope uses", m.out_of_scope_uses or "",
                                    key=f"reg_edit_oos_{k}", max_chars=5000)  # fmt: skip
        c3, c4 = st.columns(2)
        caps = c3.text_area("Capabilities (one a line)", "\n".join(m.capabilities),
                            key=f"reg_edit_caps_{k}")  # fmt: skip
        lims = c4.text_area("Known limitations (one a line)", "\n".join(m.known_limitations),
                            key=f"reg_edit_lims_{k}")  # fmt: skip
        training = st.text_area("Training data", m.training_data or "", key=f"reg_edit_data_{k}")
        baseline = st.text_input("Performance baseline", _baseline_text(m.performance_baseline),
                                 key=f"reg_edit_baseline_{k}")  # fmt: skip
        reason = reason_field(f"reg_edit_reason_{m.id}", "Why (recorded in the audit trail)")
        go = st.form_submit_button("Save changes", type="primary")
    if go:
        entered = {
            "provider": provider, "risk_tier": tier, "intended_use": intended,
            "out_of_scope_uses": out_of_scope or None, "training_data": training or None,
            "capabilities": _lines(caps), "known_limitations": _lines(lims),
            "performance_baseline": baseline or None,
        }  # fmt: skip
        current = {
            "provider": m.provider, "risk_tier": m.risk_tier, "intended_use": m.intended_use,
            "out_of_scope_uses": m.out_of_scope_uses, "training_data": m.training_data,
            "capabilities": list(m.capabilities), "known_limitations": list(m.known_limitations),
            "performance_baseline": _baseline_text(m.performance_baseline) or None,
        }  # fmt: skip
        changes = {f: v for f, v in entered.items() if v != current[f]}
        submit(update_model, f"Saved the record of {markdown_text(m.name)}.",
               on_conflict=lambda: None, actor=user.actor(), name=m.name,
               expected_version=shown, reason=reason, changes=changes)  # fmt: skip


def _tier_form(user: UserInfo, dossier: ModelDossier, shown: int) -> None:
    m = dossier.model
    k = key(str(m.id))
    with st.expander("Change the risk tier", icon=":material/tune:"), st.form(f"reg_tier_{k}"):
        tiers = [t.value for t in RiskTier]
        tier = st.selectbox("Risk tier", tiers, index=tiers.index(m.risk_tier),
                            format_func=tier_label, key=f"reg_tier_value_{k}")  # fmt: skip
        reason = reason_field(f"reg_tier_reason_{m.id}", "Why (recorded in the audit trail)")
        go = st.form_submit_button("Change the tier", type="primary")
    if go:
        submit(update_model, f"Changed the risk tier of {markdown_text(m.name)}.",
               on_conflict=lambda: None, actor=user.actor(), name=m.name,
               expected_version=shown, reason=reason, changes={"risk_tier": tier})  # fmt: skip


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]
