"""Entry point: ``streamlit run app.py``.

Admits a signed-in user (or shows the first-administrator or sign-in form) and offers only the
pages the user's role may use.
"""

import streamlit as st

from ui.auth import admit, render_gate, sign_out
from ui.formatting import md_escape
from ui.navigation import run_signed_in, run_signed_out

st.set_page_config(
    page_title="AI governance workbench",
    page_icon=":material/verified_user:",
    layout="wide",
)

user = admit()
if user is None:
    run_signed_out(render_gate)
    st.stop()

with st.sidebar:
    st.markdown(
        f"**{md_escape(user.display_name)}**  \n{user.role.label} · {md_escape(user.username)}"
    )
    if st.button("Sign out", key="sign_out", icon=":material/logout:"):
        sign_out(user)
        st.rerun()

run_signed_in(user.role)
