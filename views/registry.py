"""Model registry: the list of models, and one model's detail with the forms that govern it."""

import streamlit as st

from governance.auth.roles import Action, is_allowed
from governance.registry import model_dossier, model_names, registry_summary
from ui.auth import current_user
from ui.feedback import show_flashes
from ui.registry import detail, forms, lifecycle
from ui.registry.card import card_tab
from ui.registry.editing import edit_forms
from ui.registry.fairness import fairness_tab
from ui.registry.labels import status_label
from ui.registry.listing import empty_registry, model_list
from ui.registry.performance import performance_tab
from ui.registry.picker import choose_model
from ui.registry.watch import watch_control
from ui.text import markdown_text
from ui.work import run

user = current_user()
actor = user.actor()
can_register = is_allowed(user.role, Action.REGISTRY_REGISTER)

st.title("Model registry")
st.caption(
    "Every model the organisation uses: who owns it, its risk tier, its versions through "
    "validation, approval and deployment."
)
show_flashes()

names = run(model_names, actor=actor)
if names is None:
    st.stop()
chosen = choose_model(names) if names else None

if chosen is None:
    # The whole summary only for the list: a detail view reads its own model alone.
    models = run(registry_summary, actor=actor) if names else []
    if models is None:
        st.stop()
    if models:
        model_list(models)
    else:
        empty_registry(can_register)
    if can_register:
        forms.register_form(user, expanded=not models)
    st.stop()

dossier = run(model_dossier, actor=actor, name=chosen)
if dossier is None:
    st.stop()
st.header(markdown_text(dossier.model.name))
watch_control(user, dossier.model.name)

versions = {v.info.id: v for v in dossier.versions}
version = None
if versions:
    picked = st.selectbox(
        "Version",
        list(versions),
        key=f"reg_version_{dossier.model.id}",
        # The version only: an option's text that changes while it stays selected is not
        # redrawn in the browser, so the status goes in the caption below instead.
        format_func=lambda i: versions[i].info.version,
        help="The version the tabs below show and act on; the newest comes first.",
    )
    version = versions[picked]
    st.caption(f"Status: **{status_label(version.info.status)}**")

tabs = st.tabs(
    [
        "Overview",
        "Versions and lifecycle",
        "Approvals",
        "Validation",
        "Deployments",
        "Performance",
        "Fairness",
        "Model card",
    ],
    key="reg_tabs",
)
with tabs[0]:
    detail.overview_tab(dossier)
    edit_forms(user, dossier)
with tabs[1]:
    detail.versions_table(dossier)
    if can_register:
        forms.add_version_form(user, dossier)
    if version is not None:
        detail.timeline(version)
        lifecycle.submit_form(user, version)
        lifecycle.end_of_life_forms(user, version)
with tabs[2]:
    if version is None:
        st.caption("No version to decide on yet.")
    else:
        detail.approvals_needed(dossier, version)
        detail.approvals_table(version)
        lifecycle.decision_form(user, dossier, version)
with tabs[3]:
    if version is None:
        st.caption("Add a version to validate it.")
    else:
        detail.validations(version)
        if is_allowed(user.role, Action.REGISTRY_VALIDATE):
            forms.validation_form(user, dossier, version)
with tabs[4]:
    detail.deployments(dossier)
    if version is not None:
        lifecycle.deploy_form(user, version)
    detail.deployed_when(dossier, user)
with tabs[5]:
    performance_tab(user, dossier.model.name, dossier.model.performance_baseline)
with tabs[6]:
    fairness_tab(user, dossier.model.name, version.info.version if version else None)
with tabs[7]:
    if version is None:
        st.caption("Add a version: the card describes one version of the model.")
    else:
        card_tab(user, dossier.model.name, version.info.version)
