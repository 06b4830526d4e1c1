"""The Trend tab: open risks by level at the end of each of the last 90 days."""

from __future__ import annotations

import streamlit as st

from governance.auth.service import UserInfo
from governance.charts.risks import trend_figure
from governance.risks import risk_trend
from ui.downloads import figure_downloads, table_downloads
from ui.risks.filters import filters
from ui.work import run


def trend_tab(user: UserInfo) -> None:
    chosen = filters(user, "risk_trend", status=False)
    if chosen is None:
        return
    trend = run(risk_trend, actor=user.actor(), filters=chosen)
    if trend is None:
        return
    if int(trend["risks"].sum()) == 0:
        st.info("No risk was open in the last 90 days. Record risks on the **Register** tab.")
        return
    fig = trend_figure(trend)
    st.plotly_chart(fig, key="risk_trend_chart", config={"displaylogo": False})
    st.caption(
        "A risk counts as open from its recording until it is closed (accepted ones "
        "too); its level is its inherent rating's under the matrix in force now."
    )
    figure_downloads(fig, stem="risk-trend", key="risk_trend_fig")
    table_downloads(trend, stem="risk-trend", key="risk_trend_dl")
