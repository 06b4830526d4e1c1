"""The Streamlit script (served by ``server.py``: ``streamlit run server.py``).

Admits a signed-in user (or shows the first-administrator or sign-in form), asks an account
whose password someone else chose for a new one, and offers only the pages the user's role
may use.
"""

from pathlib import Path

import streamlit as st

from ui.auth import admit, render_gate, render_password_change, show_notice, sign_out
from ui.navigation import run_signed_out, signed_in_navigation
from ui.notifications import render_bell
from ui.text import markdown_text

st.set_page_config(
    page_title="AI governance workbench",
    # A local image, served by this server. An emoji icon makes the frontend fetch a
    # twemoji picture from a CDN, and a ":material/…:" one Google's font servers: requests
    # to other hosts on every visit (and broken offline).
    page_icon=str(Path(__file__).parent / "ui" / "assets" / "shield.png"),
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
    bell = st.container()  # filled once the navigation knows the pages it links to
    if st.button("Sign out", key="sign_out", icon=":material/logout:"):
        sign_out(user)
        st.rerun()

if user.must_change_password:
    # Before any page, whichever address was asked for.
    run_signed_out(lambda: render_password_change(user))
    st.stop()

page = signed_in_navigation(user.role)
with bell:
    render_bell(user)
show_notice()
page.run()
