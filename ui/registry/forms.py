"""Forms that add to the registry: a model, a version, a validation report."""

from __future__ import annotations

import streamlit as st

from governance.auth.service import UserInfo
from governance.registry import (
    ModelDossier,
    Provider,
    RiskTier,
    VersionDossier,
    add_version,
    register_model,
    validate_version,
)
from ui.registry.changes import key, reason_field, submit
from ui.registry.labels import tier_label
from ui.text import label_text, markdown_text


def _items(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def register_form(user: UserInfo, *, expanded: bool) -> None:
    with (
        st.expander("Register a model", icon=":material/add:", expanded=expanded),
        st.form(key("reg_register_form")),
    ):
        c1, c2, c3 = st.columns(3)
        name = c1.text_input("Name", key=key("reg_new_name"), max_chars=200)
        providers = [p.value for p in Provider]
        provider = c2.selectbox(
            "Provider", providers, key=key("reg_new_provider"), index=providers.index("in-house")
        )
        tiers = [t.value for t in RiskTier]
        tier = c3.selectbox(
            "Risk tier",
            tiers,
            format_func=tier_label,
            key=key("reg_new_tier"),
            index=tiers.index("limited"),
            help="The EU AI Act's tiers. A high-risk model needs two approvers; an "
            "unacceptable one can never be deployed.",
        )
        intended = st.text_area("Intended use", key=key("reg_new_use"), max_chars=5000)
        out_of_scope = st.text_area(
            "Out-of-scope uses (optional)", key=key("reg_new_oos"), max_chars=5000
        )
        c4, c5 = st.columns(2)
        capabilities = c4.text_area("Capabilities (one a line)", key=key("reg_new_caps"))
        limitations = c5.text_area("Known limitations (one a line)", key=key("reg_new_lims"))
        training = st.text_area("Training data (optional)", key=key("reg_new_data"))
        baseline = st.text_input(
            "Performance baseline",
            key=key("reg_new_baseline"),
            placeholder="accuracy >= 0.85; latency_ms <= 300",
            help="Each metric with a threshold and a direction, separated by semicolons. "
            "Validations are judged against it.",
        )
        go = st.form_submit_button("Register model", type="primary")
    if go:
        submit(
            register_model,
            f"Registered {markdown_text(name.strip())} (owner: you). Add its first version next.",
            actor=user.actor(),
            name=name,
            provider=provider,
            risk_tier=tier,
            intended_use=intended,
            out_of_scope_uses=out_of_scope or None,
            capabilities=_items(capabilities),
            known_limitations=_items(limitations),
            training_data=training or None,
            performance_baseline=baseline or None,
        )


def add_version_form(user: UserInfo, dossier: ModelDossier) -> None:
    name = dossier.model.name
    with st.expander("Add a version", icon=":material/add:"):
        with st.form(key("reg_version_form")):
            c1, c2 = st.columns(2)
            version = c1.text_input(
                "Version", key=key("reg_v_version"), placeholder="1.2.0", max_chars=100
            )
            uri = c2.text_input("Artifact reference", key=key("reg_v_uri"), max_chars=1000)
            digest = st.text_input(
                "Artifact SHA-256", key=key("reg_v_sha"), help="64 hexadecimal digits."
            )
            changelog = st.text_area("Changelog", key=key("reg_v_changelog"), max_chars=5000)
            go = st.form_submit_button("Add version", type="primary")
        if go:
            submit(
                add_version,
                f"Added version {markdown_text(version.strip())} of {markdown_text(name)} "
                "as a draft. Validate it next.",
                actor=user.actor(),
                model=name,
                version=version,
                changelog=changelog,
                artifact_uri=uri,
                artifact_sha256=digest,
            )


def validation_form(user: UserInfo, dossier: ModelDossier, version: VersionDossier) -> None:
    """Judge the baseline on the recorded performance, or on values measured elsewhere."""
    if not dossier.model.performance_baseline:
        st.caption("The model has no performance baseline, so there is nothing to validate.")
        return
    _recorded_form(user, version)
    with st.expander("Or record values measured elsewhere", icon=":material/edit_note:"):
        _observed_form(user, dossier, version)


_WINDOWS = {7: "the last 7 days", 30: "the last 30 days", 90: "the last 90 days"}


def _recorded_form(user: UserInfo, version: VersionDossier) -> None:
    shown = version.info.version
    with st.form(key(f"reg_measured_form_{version.info.id}")):
        st.markdown(f"**Validate {markdown_text(shown)} on its recorded performance**")
        st.caption(
            "A floor (accuracy >= 0.85) is judged on the window's mean, a ceiling "
            "(latency_ms <= 300) on its 95th percentile; the version's own points count where "
            "any name it, the model's otherwise. The latest fairness assessment of this version "
            "is judged too."
        )
        days = st.selectbox(
            "Window", list(_WINDOWS), index=1, format_func=_WINDOWS.get,
            key=key(f"reg_val_days_{version.info.id}"),
        )  # fmt: skip
        reason = reason_field(f"reg_val_why_{version.info.id}", "Notes (why now, what changed)")
        go = st.form_submit_button("Validate on recorded performance", type="primary")
    if go:
        submit(
            validate_version,
            lambda r: (
                f"Validation of {markdown_text(shown)} recorded: it "
                f"{'passed' if r.passed else 'failed'}."
            ),
            actor=user.actor(),
            version_id=version.info.id,
            window_days=days,
            reason=reason,
        )


def _observed_form(user: UserInfo, dossier: ModelDossier, version: VersionDossier) -> None:
    """Observed values, one per baseline metric; the service judges them."""
    baseline = dossier.model.performance_baseline
    shown = version.info.version
    with st.form(key(f"reg_validate_form_{version.info.id}")):
        st.markdown(f"**Record a validation of {markdown_text(shown)}**")
        observed: dict[str, float] = {}
        columns = st.columns(min(len(baseline), 4))
        for i, (metric, target) in enumerate(sorted(baseline.items())):
            observed[metric] = columns[i % len(columns)].number_input(
                f"{label_text(metric)} (must be {target.get('direction')} "
                f"{target.get('threshold'):g})",
                key=key(f"reg_obs_{version.info.id}_{metric}"),
                value=None,
                format="%.4f",
            )
        reason = reason_field(f"reg_val_reason_{version.info.id}", "Notes (data set, method)")
        go = st.form_submit_button("Record validation")
    if go:
        submit(
            validate_version,
            lambda r: (
                f"Validation of {markdown_text(shown)} recorded: it "
                f"{'passed' if r.passed else 'failed'}."
            ),
            actor=user.actor(),
            version_id=version.info.id,
            observed={k: v for k, v in observed.items() if v is not None},
            reason=reason,
        )
