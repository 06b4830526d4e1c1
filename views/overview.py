"""Overview: the workspace at a glance and what the signed-in role can do next."""

from datetime import datetime

import streamlit as st

from governance.auth.roles import ROLE_DESCRIPTIONS
from governance.overview import Panel, workspace_overview
from ui.auth import current_user
from ui.feedback import show_flashes
from ui.formatting import local_time, localise_column, time_ago
from ui.text import markdown_text
from ui.work import run

user = current_user()
st.title("Overview")
st.caption(f"Signed in as {markdown_text(user.display_name)} — {user.role.label}.")
show_flashes()


def render(panel: Panel) -> None:
    st.subheader(panel.title)
    if panel.alert:
        st.error(panel.alert, icon=":material/gpp_bad:")
    if panel.tiles:
        for column, tile in zip(st.columns(4), panel.tiles, strict=False):
            if isinstance(tile.value, datetime) or (tile.value is None):
                column.metric(tile.label, time_ago(tile.value), help=local_time(tile.value))
            else:
                # A metric's value is markdown too: a text value is shown as it is written.
                value = markdown_text(tile.value) if isinstance(tile.value, str) else tile.value
                column.metric(tile.label, value, help=tile.help)
    if panel.table is not None:
        table = panel.table.copy()
        for name in table.columns:
            if str(table[name].dtype).startswith("datetime64"):
                table[name] = localise_column(table[name])
        st.dataframe(
            table,
            hide_index=True,
            width="stretch" if len(table.columns) > 2 else "content",
            column_config={
                name: st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm z")
                for name in table.columns
                if str(table[name].dtype).startswith("datetime64")
            },
        )
    if panel.note:
        st.caption(panel.note)
    if panel.next_step:
        st.info(panel.next_step, icon=":material/arrow_forward:")


panels = run(workspace_overview, actor=user.actor()) or []
st.subheader("Your role")
st.write(ROLE_DESCRIPTIONS[user.role])
for panel in panels:
    render(panel)
