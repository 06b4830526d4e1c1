"""The performance tab: importing points, and a baseline metric's daily mean over a window."""

from __future__ import annotations

from datetime import date, timedelta

import plotly.graph_objects as go
import streamlit as st

from governance.auth.roles import Action, is_allowed
from governance.auth.service import UserInfo
from governance.registry.fields import baseline_of
from governance.registry.performance import Recorded, append_points, daily_series
from ui.downloads import figure_downloads, safe_filename
from ui.formatting import now_utc
from ui.registry import reading
from ui.resources import settings
from ui.text import label_text, markdown_text
from ui.uploads import keep_upload
from ui.work import guarded, run, submit

WINDOWS = {"7 days": 7, "30 days": 30, "90 days": 90}
CUSTOM = "Custom"
_FILE_GEN = (
    "reg_perf_file_gen"  # a new uploader after each import, so one file is not imported twice
)
ROLLING = 7  # days in the rolling mean: a week evens out weekday and weekend traffic


def performance_tab(user: UserInfo, model: str, baseline: dict) -> None:
    if is_allowed(user.role, Action.REGISTRY_VALIDATE):
        import_form(user, model)
    targets = {t.metric: t for t in baseline_of(baseline)}
    if not targets:
        st.info("This model has no performance baseline, so there is no metric to follow.")
        return
    c1, c2 = st.columns([1, 1])  # the window's four choices need half the width
    metric = c1.selectbox("Metric", list(targets), key="reg_perf_metric", format_func=label_text)
    choice = c2.segmented_control(
        "Window", [*WINDOWS, CUSTOM], default="30 days", key="reg_perf_win"
    )
    window = _window(choice or "30 days")
    if window is None:
        return
    since, until = window
    frame = run(daily_series, actor=user.actor(), model=model, metric=metric,
                since=since, until=until)  # fmt: skip
    if frame is None:
        return
    if frame.empty:
        where = (
            "Import them above, or with"
            if is_allowed(user.role, Action.REGISTRY_VALIDATE)
            else "They are imported with"
        )
        st.info(
            f"No points for this metric from {since:%d %b %Y} to {until:%d %b %Y}. {where} "
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
        title=f"{metric}, {since:%d %b %Y} to {until:%d %b %Y} (UTC days)",
        xaxis_title="day", yaxis_title=metric, height=380, margin={"t": 50},
    )  # fmt: skip
    st.plotly_chart(fig, key="reg_perf_chart")
    latest = float(frame["mean"].iloc[-1])
    verdict = "meets" if target.met_by(latest) else "is below"
    st.caption(
        f"The latest day's mean, {latest:.4g}, {verdict} the baseline "
        f"({markdown_text(str(target))})."
    )
    figure_downloads(fig, stem=safe_filename(f"{model}-{metric}-{since}-{until}"), key="reg_perf")


def _window(choice: str) -> tuple[date, date] | None:
    """The first and last UTC day to chart: the last 7, 30 or 90 days, or a chosen range."""
    until = now_utc().date()
    if choice != CUSTOM:
        return until - timedelta(days=WINDOWS[choice] - 1), until
    picked = st.date_input(
        "From and to (UTC days)",
        value=(until - timedelta(days=29), until),
        max_value=until,
        key="reg_perf_range",
        format="YYYY-MM-DD",
    )
    if not isinstance(picked, tuple) or len(picked) != 2:
        st.caption("Choose the last day of the range too.")
        return None
    return picked[0], picked[1]


def import_form(user: UserInfo, model: str) -> None:
    """Upload a file of points; every row is checked in a reading worker, then appended."""
    max_mb = settings().upload_max_mb
    gen = st.session_state.setdefault(_FILE_GEN, 0)
    with st.expander("Import performance points", icon=":material/upload_file:"):
        st.caption(
            "A CSV, Parquet or Excel file with the columns metric (such as accuracy or "
            "latency_ms), value and timestamp (ISO 8601; a time without a zone is UTC), and "
            "optionally version and details (JSON text). Every row is checked first: one bad "
            "row and nothing is imported."
        )
        uploaded = st.file_uploader(
            "Performance file",
            type=["csv", "txt", "parquet", "pq", "xlsx"],
            key=f"reg_perf_file_{gen}",
            help=f"Up to {max_mb} MB here; the command line takes any size.",
        )
        if not st.button("Import points", key="reg_perf_import", disabled=uploaded is None):
            return
        upload = guarded(lambda: keep_upload(uploaded, slot="registry_points", max_mb=max_mb))
        if upload is None:
            return
        with st.spinner(f"Checking every row of {markdown_text(upload.name)}…"):
            points = guarded(lambda: reading.points(upload))
        if points is None:
            return
        with st.spinner(f"Storing {points.table.num_rows:,} points…"):
            submit(append_points, _imported, actor=user.actor(), model=model, points=points)


def _imported(done: Recorded) -> str:
    st.session_state[_FILE_GEN] = st.session_state.get(_FILE_GEN, 0) + 1
    metrics = ", ".join(f"{name} ({count:,})" for name, count in done.metrics.items())
    text = f"Imported {done.rows:,} points: {markdown_text(metrics)}."
    if done.degraded:
        text += f" Below the baseline on the latest day: {markdown_text(', '.join(done.degraded))}."
    return text
