"""Entry point: ``streamlit run app.py``.

Admits a signed-in user (or shows the first-administrator or sign-in form) and offers only the
pages the user's role may use.
"""

import streamlit as st

from ui.auth import render_gate, sign_out, signed_in_user
from ui.formatting import md_escape
from ui.navigation import build_navigation

st.set_page_config(
    page_title="AI governance workbench",
    page_icon=":material/verified_user:",
    layout="wide",
)

user = signed_in_user()
if user is None:
    # A navigation of one hidden page: the pages/ folder is never offered to a visitor.
    st.navigation(
        [st.Page(render_gate, title="Sign in", url_path="signin")], position="hidden"
    ).run()
    st.stop()

with st.sidebar:
    st.markdown(
        f"**{md_escape(user.display_name)}**  \n{user.role.label} · {md_escape(user.username)}"
    )
    if st.button("Sign out", key="sign_out", icon=":material/logout:"):
        sign_out(user)
        st.rerun()

st.navigation(build_navigation(user.role)).run()
