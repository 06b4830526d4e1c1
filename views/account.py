"""My account: who I am, and changing my own password."""

import streamlit as st

from governance.auth.passwords import MIN_PASSWORD_LENGTH
from ui.auth import change_password, current_user, signed_in_since
from ui.feedback import show_flashes
from ui.formatting import local_time
from ui.text import markdown_text

user = current_user()
st.title("My account")
show_flashes()

st.markdown(
    f"**Username:** {markdown_text(user.username)}  \n"
    f"**Name:** {markdown_text(user.display_name)}  \n"
    f"**Role:** {user.role.label}  \n"
    f"**E-mail:** {markdown_text(user.email or '—')}  \n"
    f"**Signed in:** {local_time(signed_in_since())}"
)

st.subheader("Change password")
with st.form("password_form", clear_on_submit=True):
    current = st.text_input("Current password", type="password", key="pw_current")
    new = st.text_input(
        "New password",
        type="password",
        key="pw_new",
        help=f"At least {MIN_PASSWORD_LENGTH} characters.",
    )
    repeat = st.text_input("Repeat the new password", type="password", key="pw_repeat")
    submitted = st.form_submit_button("Change password", type="primary")

if submitted:
    # Every session of the account ends with the change; this browser gets a fresh one.
    change_password(user, current=current, new=new, repeat=repeat)
