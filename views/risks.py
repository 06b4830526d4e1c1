"""Risk register: the heatmap executives read, the register compliance officers manage, the
trend, the level matrix; ``?risk=ID`` opens one risk's detail."""

import streamlit as st

from governance.auth.roles import Action, is_allowed
from governance.risks import risk_dossier
from ui.auth import current_user
from ui.feedback import show_flashes
from ui.risks.detail import risk_detail
from ui.risks.forms import register_form
from ui.risks.heatmap import heatmap_tab
from ui.risks.listing import register_tab
from ui.risks.matrix import matrix_tab
from ui.risks.picker import back_to_register, bad_link, chosen_risk
from ui.risks.trend import trend_tab
from ui.work import run

user = current_user()

st.title("Risk register")
st.caption(
    "The risks of the organisation's AI systems, rated likelihood × impact, levelled by the "
    "matrix in force, treated by mitigation plans or accepted for a time."
)
show_flashes()

if bad_link():
    st.warning("The link does not name a risk (it should be ?risk= and a number).")

risk_id = chosen_risk()
if risk_id is not None:
    if st.button("Back to the register", icon=":material/arrow_back:", key="risk_back"):
        back_to_register()
    dossier = run(risk_dossier, actor=user.actor(), risk_id=risk_id)
    if dossier is not None:
        risk_detail(user, dossier)
    st.stop()

# Only the open tab runs (a register of 50,000 risks draws one tab's reads, not four).
tabs = st.tabs(["Heatmap", "Register", "Trend", "Matrix"], key="risk_tabs", on_change="rerun")
if tabs[0].open:
    with tabs[0]:
        heatmap_tab(user)
if tabs[1].open:
    with tabs[1]:
        register_tab(user)
        if is_allowed(user.role, Action.RISK_RECORD):
            register_form(user, expanded=False)
if tabs[2].open:
    with tabs[2]:
        trend_tab(user)
if tabs[3].open:
    with tabs[3]:
        matrix_tab(user)
