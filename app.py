"""Entry point: ``streamlit run app.py``.

Admits a signed-in user (or shows the first-administrator or sign-in form) and offers only the
pages the user's role may use.
"""

import streamlit as st

from ui.auth import admit, render_gate, sign_out
from ui.navigation import run_signed_in, run_signed_out
from ui.text import markdown_text

st.set_page_config(
    page_title="AI governance workbench",
    # An emoji icon is drawn in the browser; a ":material/…:" one is fetched from Google's
    # font servers on every visit (a request outside the workbench, broken offline).
    page_icon="🛡️",
    layout="wide",
)

user = admit()
if user is None:
    run_signed_out(render_gate)
    st.stop()

with st.sidebar:
    st.markdown(
        f"**{markdown_text(user.display_name)}**  \n"
        f"{user.role.label} · {markdown_text(user.username)}"
    )
    if st.button("Sign out", key="sign_out", icon=":material/logout:"):
        sign_out(user)
        st.rerun()

run_signed_in(user.role)
