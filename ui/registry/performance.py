"""The performance tab: a baseline metric's daily mean over a window, with its threshold."""

from __future__ import annotations

from datetime import timedelta

import plotly.graph_objects as go
import streamlit as st

from governance.auth.service import UserInfo
from governance.registry.fields import baseline_of
from governance.registry.performance import daily_series
from ui.downloads import figure_downloads, safe_filename
from ui.formatting import now_utc
from ui.text import label_text, markdown_text
from ui.work import run

WINDOWS = {"7 days": 7, "30 days": 30, "90 days": 90}
ROLLING = 7  # days in the rolling mean: a week evens out weekday and weekend traffic


def performance_tab(user: UserInfo, model: str, baseline: dict) -> None:
    targets = {t.metric: t for t in baseline_of(baseline)}
    if not targets:
        st.info("This model has no performance baseline, so there is no metric to follow.")
        return
    c1, c2 = st.columns([2, 1])
    metric = c1.selectbox("Metric", list(targets), key="reg_perf_metric", format_func=label_text)
    window = c2.segmented_control("Window", list(WINDOWS), default="30 days", key="reg_perf_win")
    until = now_utc().date()
    days = WINDOWS.get(window or "30 days", 30)
    frame = run(daily_series, actor=user.actor(), model=model, metric=metric,
                since=until - timedelta(days=days - 1), until=until)  # fmt: skip
    if frame is None:
        return
    if frame.empty:
        st.info(
            f"No points for this metric in the last {days} days. Import them with "
            "`python -m governance registry performance-import MODEL FILE` (columns metric, "
            "value, timestamp)."
        )
        return
    target = targets[metric]
    fig = go.Figure()
    fig.add_scatter(x=frame["day"], y=frame["mean"], mode="lines+markers", name="daily mean")
    rolling = frame["mean"].rolling(ROLLING, min_periods=1).mean()
    fig.add_scatter(
        x=frame["day"], y=rolling, mode="lines", name=f"{ROLLING}-day rolling mean",
        line={"dash": "dot"},
    )  # fmt: skip
    fig.add_hline(
        y=target.threshold, line_dash="dash", line_color="#b42318",
        annotation_text=f"baseline {target.direction.value} {target.threshold:g}",
    )  # fmt: skip
    fig.update_layout(
        title=f"{metric}, last {days} days (UTC days)", xaxis_title="day", yaxis_title=metric,
        height=380, margin={"t": 50},
    )  # fmt: skip
    st.plotly_chart(fig, key="reg_perf_chart")
    latest = float(frame["mean"].iloc[-1])
    verdict = "meets" if target.met_by(latest) else "is below"
    st.caption(
        f"The latest day's mean, {latest:.4g}, {verdict} the baseline "
        f"({markdown_text(str(target))})."
    )
    figure_downloads(fig, stem=safe_filename(f"{model}-{metric}-{days}d"), key="reg_perf")
