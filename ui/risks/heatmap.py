"""The Heatmap tab: open risks per likelihood × impact cell, inherent or residual, filtered;
a cell chosen lists its risks."""

from __future__ import annotations

import streamlit as st

from governance.auth.service import UserInfo
from governance.charts.risks import heatmap_figure
from governance.risks import cell_risks, risk_heatmap
from ui.downloads import figure_downloads, table_downloads
from ui.risks.filters import filters
from ui.risks.labels import RECORD_BY_CLI, level_label
from ui.risks.picker import open_risk
from ui.work import run

VIEWS = {"inherent": "Inherent", "residual": "Residual"}


def heatmap_tab(user: UserInfo) -> None:
    actor = user.actor()
    view = st.segmented_control(
        "Rating",
        list(VIEWS),
        format_func=VIEWS.get,
        default="inherent",
        key="risk_heat_view",
        help="Residual places a mitigated risk by its rating after "
        "mitigation; a risk without one stays where it is.",
    )
    residual = view == "residual"
    chosen = filters(user, "risk_heat", status=False)
    if chosen is None:
        return
    heat = run(risk_heatmap, actor=actor, residual=residual, filters=chosen)
    if heat is None:
        return
    if heat.total == 0:
        st.info(
            "No open risk matches these filters. Clear a filter, or record a risk on the "
            "**Register** tab. " + RECORD_BY_CLI
        )
    fig = heatmap_figure(heat.counts, heat.levels, residual=residual)
    st.plotly_chart(fig, key="risk_heat_chart", config={"displaylogo": False})
    st.caption(
        f"{heat.total:,} open risks (closed ones are not drawn); cells coloured by "
        f"the level matrix in force, version {heat.matrix_version:d}."
    )
    figure_downloads(
        fig, stem=f"risk-heatmap-{'residual' if residual else 'inherent'}", key="risk_heat_fig"
    )
    table_downloads(heat.frame, stem="risk-heatmap-cells", key="risk_heat_cells")
    _cell_list(user, heat, residual, chosen)


def _cell_list(user, heat, residual, chosen) -> None:  # type: ignore[no-untyped-def]
    cells = sorted(
        ((lik, imp) for lik in range(1, 6) for imp in range(1, 6) if heat.counts[lik - 1][imp - 1]),
        key=lambda c: (-(c[0] * c[1]), -c[0]),
    )
    if not cells:
        return

    def word(cell: tuple[int, int] | None) -> str:
        if cell is None:
            return "Choose a cell"
        lik, imp = cell
        n = heat.counts[lik - 1][imp - 1]
        return (
            f"Likelihood {lik} × impact {imp} — {level_label(heat.levels[lik - 1][imp - 1])}"
            f" — {n} risk{'s' if n != 1 else ''}"
        )

    cell = st.selectbox(
        "List the risks of a cell", [None, *cells], format_func=word, key="risk_heat_cell"
    )
    if cell is None:
        return
    frame = run(
        cell_risks,
        actor=user.actor(),
        likelihood=cell[0],
        impact=cell[1],
        residual=residual,
        filters=chosen,
    )
    if frame is None:
        return
    picked = st.dataframe(
        frame,
        hide_index=True,
        width="stretch",
        key="risk_heat_rows",
        on_select="rerun",
        selection_mode="single-row",
        column_config={"id": st.column_config.NumberColumn("Risk", format="%d")},
    )
    st.caption("Select a row to open the risk.")
    rows = picked.selection.rows if picked else []
    if rows:
        open_risk(int(frame.iloc[rows[0]]["id"]))
