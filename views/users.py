"""Users and roles: administrators create accounts, assign roles and deactivate them."""

import pandas as pd
import streamlit as st

from governance.auth import service as auth
from governance.auth.passwords import MIN_PASSWORD_LENGTH
from governance.auth.roles import ROLE_DESCRIPTIONS, Action, Role, is_allowed
from ui.auth import current_user
from ui.feedback import show_flashes
from ui.formatting import localise_column
from ui.text import label_text, markdown_text
from ui.work import run, seen_version, submit

user = current_user()
actor = user.actor()
can_manage = is_allowed(user.role, Action.USER_CREATE)

st.title("Users and roles")
show_flashes()

users = run(auth.list_users, actor=actor)
if users is None:
    st.stop()

table = pd.DataFrame(
    [
        {
            "Username": u.username,
            "Name": u.display_name,
            "Role": u.role.label,
            "E-mail": u.email or "",
            "Status": "active" if u.is_active else "deactivated",
            "Locked": "yes" if u.is_locked() else "",
            "Last sign-in": u.last_login_at,
            "Created": u.created_at,
            "Created by": u.created_by,
        }
        for u in users
    ]
)
for column in ("Last sign-in", "Created"):
    table[column] = localise_column(table[column])
st.dataframe(
    table,
    hide_index=True,
    width="stretch",
    column_config={
        "Last sign-in": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm z"),
        "Created": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm z"),
    },
)

if not can_manage:
    st.caption("You can read accounts; only administrators change them.")
    st.stop()

role_options = list(Role)

st.subheader("Create an account")
# Streamlit keeps a widget's value in the browser; a fresh key per created account is what
# empties the form after success while keeping the input after an error.
gen = st.session_state.setdefault("new_user_form_gen", 0)
role_help = "\n".join(f"- **{r.label}**: {ROLE_DESCRIPTIONS[r]}" for r in role_options)
with st.form(f"create_user_form_{gen}"):
    c1, c2 = st.columns(2)
    username = c1.text_input("Username", key=f"new_username_{gen}", max_chars=64)
    display_name = c2.text_input("Full name", key=f"new_display_name_{gen}", max_chars=200)
    email = c1.text_input("E-mail (for single sign-on; optional)", key=f"new_email_{gen}")
    role = c2.selectbox(
        "Role",
        role_options,
        format_func=lambda r: r.label,
        key=f"new_role_{gen}",
        index=role_options.index(Role.DATA_SCIENTIST),
        help=role_help,
    )
    password = c1.text_input(
        "Initial password",
        type="password",
        key=f"new_password_{gen}",
        help=f"At least {MIN_PASSWORD_LENGTH} characters. Leave empty for single sign-on only.",
    )
    create = st.form_submit_button("Create account", type="primary")

_FIRST_SIGN_IN = " They choose their own password when they first sign in."

if create:

    def _created(created: auth.UserInfo) -> str:
        st.session_state["new_user_form_gen"] = gen + 1  # empties the form
        return (
            f"Created {markdown_text(created.username)} as {created.role.label}."
            f"{_FIRST_SIGN_IN if created.must_change_password else ''}"
        )

    submit(
        auth.create_user,
        _created,
        actor=actor,
        username=username,
        role=role,
        password=password or None,
        display_name=display_name,
        email=email or None,
    )

st.subheader("Change an account")
by_name = {u.username: u for u in users}
chosen = st.selectbox(
    "Account",
    list(by_name),
    key="edit_user",
    format_func=lambda n: (
        f"{n} — {by_name[n].role.label}" + ("" if by_name[n].is_active else " (deactivated)")
    ),
)
target = by_name[chosen]
# The version on screen when a button below was clicked: an edit of an account that another
# administrator changed meanwhile is refused rather than silently overwriting theirs.
shown_version = seen_version(f"user_{target.id}", target.row_version)

tab_role, tab_status, tab_password = st.tabs(["Role", "Activation", "Password"])
with tab_role:
    new_role = st.selectbox(
        "New role",
        role_options,
        format_func=lambda r: r.label,
        key=f"edit_role_{target.id}",
        index=role_options.index(target.role),
    )
    if st.button("Change role", key="edit_role_apply", disabled=new_role == target.role):
        submit(
            auth.change_role,
            lambda changed: f"{markdown_text(changed.username)} is now {changed.role.label}.",
            actor=actor,
            user_id=target.id,
            role=new_role,
            expected_version=shown_version,
        )

with tab_status:
    if target.is_active:
        st.write(
            "Deactivating signs the person out and blocks sign-in. The account stays in the "
            "records so that the audit trail keeps naming it."
        )
        confirm = st.checkbox(
            f"Yes, deactivate {label_text(target.username)}",
            key=f"edit_confirm_deactivate_{target.id}",
        )
        if st.button("Deactivate", key="edit_deactivate", disabled=not confirm, type="primary"):
            submit(
                auth.set_active,
                f"{markdown_text(target.username)} deactivated.",
                actor=actor,
                user_id=target.id,
                active=False,
                expected_version=shown_version,
            )
    elif st.button("Reactivate", key="edit_reactivate", type="primary"):
        submit(
            auth.set_active,
            f"{markdown_text(target.username)} reactivated.",
            actor=actor,
            user_id=target.id,
            active=True,
            expected_version=shown_version,
        )

with tab_password:
    with st.form("reset_password_form", clear_on_submit=True):
        new_password = st.text_input(
            f"New password for {label_text(target.username)}",
            type="password",
            key="reset_password",
            help=f"At least {MIN_PASSWORD_LENGTH} characters. Also lifts a lockout.",
        )
        reset = st.form_submit_button("Reset password")
    if reset:
        submit(
            auth.reset_password,
            f"Password of {markdown_text(target.username)} reset.",
            actor=actor,
            user_id=target.id,
            new_password=new_password,
        )
