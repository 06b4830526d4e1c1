"""The Matrix tab: the bands in force drawn as the grid, their history, and (compliance
officers) an editor that puts a new version in force with a reason."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from governance.auth.roles import Action, is_allowed
from governance.auth.service import UserInfo
from governance.charts.risks import matrix_figure
from governance.risks import LEVELS, matrix_history, matrix_in_force, update_matrix
from ui.downloads import figure_downloads
from ui.formatting import local_time, localise_column
from ui.registry.changes import key, submit
from ui.text import markdown_text
from ui.work import run, seen_version


def matrix_tab(user: UserInfo) -> None:
    actor = user.actor()
    current = run(matrix_in_force, actor=actor)
    history = run(matrix_history, actor=actor)
    if current is None or history is None:
        return
    fig = matrix_figure(current.matrix.grid(), version=current.version)
    st.plotly_chart(fig, key="risk_matrix_chart", config={"displaylogo": False})
    if current.version == 0:
        st.caption(
            "The built-in default: score 1–4 low, 5–9 medium, 10–16 high, 20–25 "
            "critical. A compliance officer may change any cell."
        )
    else:
        st.caption(
            f"Version {current.version:d}, set by {markdown_text(current.created_by)} "
            f"on {local_time(current.created_at)}: {markdown_text(current.reason)}"
        )
    figure_downloads(fig, stem=f"risk-matrix-v{current.version}", key="risk_matrix_fig")
    st.subheader("History")
    if history.empty:
        st.caption("No change yet: the built-in default is in force.")
    else:
        shown = history.rename(
            columns={
                "in_force_since": "In force since",
                "set_by": "Set by",
                "reason": "Reason",
                "changes": "Changes",
                "version": "Version",
            }
        )
        shown["In force since"] = localise_column(shown["In force since"])
        st.dataframe(shown, hide_index=True, width="stretch")
    if is_allowed(user.role, Action.RISK_MATRIX_EDIT):
        _editor(user, current)


def _editor(user: UserInfo, current) -> None:  # type: ignore[no-untyped-def]
    seen = seen_version("risk_matrix", current.version)
    grid = current.matrix.grid()
    frame = pd.DataFrame(
        [[grid[lik - 1][imp - 1] for imp in range(1, 6)] for lik in range(5, 0, -1)],
        index=[f"Likelihood {lik}" for lik in range(5, 0, -1)],
        columns=[f"Impact {imp}" for imp in range(1, 6)],
    )
    with st.expander("Change the matrix", icon=":material/edit:"):
        with st.form(key("risk_matrix_form")):
            levels = [level.value for level in LEVELS]
            edited = st.data_editor(
                frame,
                key=key("risk_matrix_grid"),
                width="stretch",
                column_config={
                    c: st.column_config.SelectboxColumn(c, options=levels, required=True)
                    for c in frame.columns
                },
            )
            reason = st.text_area(
                "Reason for the change",
                max_chars=1000,
                key=key("risk_matrix_reason"),
                help="Recorded with the new version and in the audit trail.",
            )
            save = st.form_submit_button("Put in force", type="primary")
        st.caption(
            "Every risk is levelled by the new matrix at once. A more likely or more "
            "harmful cell may not be a lower level than its neighbour."
        )
    if save:
        rows = [list(edited.iloc[5 - lik]) for lik in range(1, 6)]  # back to likelihood 1..5
        submit(
            update_matrix,
            lambda v: f"Matrix version {v.version:d} is in force.",
            actor=user.actor(),
            matrix=rows,
            reason=reason,
            expected_version=seen,
        )
