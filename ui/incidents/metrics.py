"""The Metrics tab: how fast incidents are acknowledged and resolved, by severity and month,
and what is open; each chart downloadable (PNG, SVG, PDF, HTML), the figures as CSV/Excel."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from governance.actor import Actor
from governance.charts.incidents import MEASURES, open_by_severity, response_times
from governance.incidents import incident_metrics
from ui.downloads import figure_downloads, table_downloads
from ui.work import run


def metrics_tab(actor: Actor) -> None:
    found = run(incident_metrics, actor=actor)
    if found is None:
        return
    if found.response.empty:
        st.info("No incident is recorded yet: the metrics appear with the first report.")
        return
    left, right = st.columns(2)
    with left:
        fig = open_by_severity(found.open_by_severity)
        st.plotly_chart(fig, key="inc_chart_open")
        figure_downloads(fig, stem="incidents-open-by-severity", key="inc_dl_open")
    for column, measure in zip((right, st), MEASURES, strict=True):
        with column if column is right else st.container():
            fig = response_times(found.response, measure)
            st.plotly_chart(fig, key=f"inc_chart_{measure}")
            figure_downloads(fig, stem=f"incidents-{measure.replace('_', '-')}",
                             key=f"inc_dl_{measure}")  # fmt: skip
    st.markdown("**By month and severity** (month of the report; hours are means)")
    table = found.response.rename(
        columns={
            "month": "Month", "severity": "Severity", "reported": "Reported",
            "acknowledged": "Acknowledged", "resolved": "Resolved",
            "hours_to_acknowledge": "Mean hours to acknowledge",
            "hours_to_resolve": "Mean hours to resolve",
        }
    )  # fmt: skip
    st.dataframe(
        table, hide_index=True, width="stretch",
        column_config={c: st.column_config.NumberColumn(format="%.1f")
                       for c in ("Mean hours to acknowledge", "Mean hours to resolve")},
    )  # fmt: skip
    table_downloads(
        lambda: pd.concat([table], ignore_index=True), stem="incident-metrics", key="inc_dl_tab"
    )
