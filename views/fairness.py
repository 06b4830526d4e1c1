"""Fairness: upload predictions, confirm the mapping, read the verdict, save and export."""

import streamlit as st

from governance.artifacts import sha256_file
from governance.auth.roles import Action, is_allowed
from governance.charts import fairness as charts
from governance.charts.scores import calibration_chart, roc_chart
from governance.charts.trend import disparate_impact_trend
from governance.clock import utcnow
from governance.fairness import store
from governance.fairness.analysis import definitions
from governance.fairness.engine import assess_file
from governance.fairness.frames import groups_frame, summary_frame
from governance.fairness.policy import Policy, Verdict
from governance.fairness.service import column_values, describe_file
from governance.fairness.spec import AssessmentSpec
from governance.reports.fairness_pdf import assessment_pdf
from ui.auth import current_user
from ui.downloads import figure_downloads, safe_filename, table_downloads
from ui.feedback import attempt, flash, show_flashes
from ui.formatting import localise_column, md_escape
from ui.resources import database, settings
from ui.uploads import keep_upload

user = current_user()
actor = user.actor()
db = database()
can_save = is_allowed(user.role, Action.FAIRNESS_SAVE)
can_edit_policy = is_allowed(user.role, Action.FAIRNESS_POLICY_EDIT)

st.title("Fairness assessment")
st.caption(
    "Group fairness of a model's decisions: rates per group with 95% intervals, disparities "
    "against a reference group, and a verdict under the organisation's policy."
)
show_flashes()

with db.session() as session:
    policy = store.active_policy(session)

SUMMARY_KEYS = (
    "demographic_parity_difference",
    "demographic_parity_ratio",
    "equalized_odds_difference",
    "equal_opportunity_difference",
)
COMPACT = [
    "group",
    "n",
    "share",
    "selection_rate",
    "tpr",
    "fpr",
    "precision",
    "accuracy",
    "disparate_impact",
    "selection_rate_difference",
    "p_value",
    "sufficient_data",
    "auc",
]
_PCT = {"format": "percent"}
GROUP_COLUMNS = {
    "group": "Group",
    "n": st.column_config.NumberColumn("n", format="%d"),
    "share": st.column_config.NumberColumn("Share", **_PCT),
    "selection_rate": st.column_config.NumberColumn("Selection rate", **_PCT),
    "tpr": st.column_config.NumberColumn("TPR", **_PCT, help="true positive rate"),
    "fpr": st.column_config.NumberColumn("FPR", **_PCT, help="false positive rate"),
    "precision": st.column_config.NumberColumn("Precision", **_PCT),
    "accuracy": st.column_config.NumberColumn("Accuracy", **_PCT),
    "disparate_impact": st.column_config.NumberColumn(
        "Disparate impact", format="%.3f", help="selection rate ÷ the reference group's"
    ),
    "selection_rate_difference": st.column_config.NumberColumn(
        "Difference vs reference", format="%+.3f"
    ),
    "p_value": st.column_config.NumberColumn(
        "p-value", format="%.2g", help="two-proportion z-test against the reference group"
    ),
    "sufficient_data": st.column_config.CheckboxColumn("Enough data"),
    "auc": st.column_config.NumberColumn("AUC", format="%.3f", help="area under the ROC curve"),
}


def _fmt(x: float | None) -> str:
    return "—" if x is None else f"{x:.3f}"


VERDICT_STYLE = {
    Verdict.PASS: (st.success, ":material/check_circle:", "PASS"),
    Verdict.FAIL: (st.error, ":material/cancel:", "FAIL"),
    Verdict.INSUFFICIENT_DATA: (st.warning, ":material/help:", "INSUFFICIENT DATA"),
}


@st.cache_data(max_entries=8, show_spinner="Reading the file…")
def _overview(path: str, name: str, file_id: str):  # file_id keys the cache per upload
    return describe_file(path, display_name=name)


@st.cache_data(max_entries=32, show_spinner=False)
def _values(path: str, name: str, column: str, file_id: str) -> list[str]:
    return column_values(path, column, display_name=name)


tab_assess, tab_history, tab_policy = st.tabs(["Assess a file", "History", "Policy"])


def assess_tab() -> None:
    """Upload → mapping → verdict → save. Returns early (not st.stop) so other tabs render."""
    uploaded = st.file_uploader(
        "Prediction file (CSV, Parquet or Excel)",
        type=["csv", "txt", "parquet", "pq", "xlsx"],
        key="fair_file",
        help=f"Up to {settings().upload_max_mb} MB here; the command line takes any size.",
    )
    upload = attempt(
        lambda: keep_upload(uploaded, slot="fairness", max_mb=settings().upload_max_mb)
    )
    if upload is None:
        st.session_state.pop("fair_result", None)
        st.info(
            "Upload a file with one row per decision: the actual outcome, the model's "
            "prediction (or a score), and one or more sensitive attributes such as sex or race.",
            icon=":material/upload_file:",
        )
        return

    overview = attempt(lambda: _overview(str(upload.path), upload.name, upload.file_id))
    if overview is None:
        return
    names = overview.column_names
    hints = overview.suggestions
    st.write(f"**{md_escape(upload.name)}** · {overview.format} · {len(names)} columns")
    with st.expander("First rows"):
        st.dataframe(overview.preview, hide_index=True)

    def _index(name: str | None) -> int | None:
        return names.index(name) if name in names else None

    st.subheader("1. Confirm the columns")
    c1, c2 = st.columns(2)
    y_true = c1.selectbox(
        "Actual outcome (label)",
        names,
        index=_index(hints.get("y_true")),
        key="fair_y_true",
        placeholder="Choose a column",
    )
    mode = c2.radio(
        "Decision from",
        ["Prediction column", "Score and threshold"],
        index=0 if hints.get("y_pred") or not hints.get("score") else 1,
        horizontal=True,
        key="fair_mode",
    )
    y_pred = score = threshold = None
    if mode == "Prediction column":
        y_pred = c2.selectbox(
            "Prediction",
            names,
            index=_index(hints.get("y_pred")),
            key="fair_y_pred",
            placeholder="Choose a column",
        )
    else:
        score = c2.selectbox(
            "Score (0 to 1)",
            names,
            index=_index(hints.get("score")),
            key="fair_score",
            placeholder="Choose a column",
        )
        threshold = c2.slider(
            "Threshold: scores at or above it are positive",
            0.0,
            1.0,
            0.5,
            0.01,
            key="fair_threshold",
        )
    positive = None
    if y_true:
        values = attempt(lambda: _values(str(upload.path), upload.name, y_true, upload.file_id))
        if values:
            guess = next(
                (v for v in values if v.strip().lower() in {"1", "true", "yes", "y", ">50k"}),
                values[-1],
            )
            positive = c1.selectbox(
                "Positive class (the favourable outcome)",
                values,
                index=values.index(guess),
                key="fair_positive",
            )
    sensitive = st.multiselect(
        "Sensitive attributes",
        names,
        default=[s for s in hints.get("sensitive", []) if s in names],
        key="fair_sensitive",
        max_selections=5,
    )
    c3, c4 = st.columns(2)
    intersect = c3.checkbox(
        "Also cross them (intersectional groups)", key="fair_intersect", disabled=len(sensitive) < 2
    )
    bands: dict[str, tuple[float, ...]] = {}
    numeric = [s for s in sensitive if overview.numeric(s)]
    for column in numeric:
        text = c4.text_input(
            f"Bands for {column} (cut points, e.g. 25, 45, 65; empty: none)",
            key=f"fair_bands_{column}",
        )
        if text.strip():
            try:
                bands[column] = tuple(float(x) for x in text.replace(";", ",").split(","))
            except ValueError:
                st.error(f"Cut points for {md_escape(column)} must be numbers separated by commas.")
    reference: dict[str, str] = {}
    if sensitive:
        first = sensitive[0]
        options = attempt(lambda: _values(str(upload.path), upload.name, first, upload.file_id))
        if options:
            choice = c3.selectbox(
                f"Reference group for {first}",
                ["Highest selection rate (default)", *options],
                key="fair_reference",
            )
            if choice != "Highest selection rate (default)":
                reference = {first: choice}

    run = st.button(
        "Assess",
        type="primary",
        key="fair_run",
        icon=":material/play_arrow:",
        disabled=not (y_true and sensitive and (y_pred or score)),
    )
    if run:

        def _assess():
            spec = AssessmentSpec(
                y_true=y_true,
                y_pred=y_pred,
                score=score,
                threshold=threshold,
                positive_label=positive,
                sensitive=tuple(sensitive),
                intersect=intersect,
                reference=reference,
                bands=bands,
            )
            with st.spinner("Counting every group in one pass and bootstrapping intervals…"):
                return assess_file(upload.path, spec, policy, display_name=upload.name)

        result = attempt(_assess)
        if result is not None:
            st.session_state["fair_result"] = (upload.file_id, result)

    stored = st.session_state.get("fair_result")
    if not stored or stored[0] != upload.file_id:
        return
    result = stored[1]

    st.subheader("2. Verdict")
    show, icon, word = VERDICT_STYLE[result.verdict]
    show(
        f"**{word}** under the policy in force · {result.n_rows:,} rows · "
        f"{md_escape(result.mapping['label'])}; {md_escape(result.mapping['prediction'])}",
        icon=icon,
    )
    summary = summary_frame(result)
    st.dataframe(
        summary[
            [
                "grouping",
                "verdict",
                "reference_group",
                "groups",
                "groups_insufficient",
                *SUMMARY_KEYS,
            ]
        ],
        hide_index=True,
        width="stretch",
        column_config={
            "grouping": "Grouping",
            "verdict": "Verdict",
            "reference_group": "Reference group",
            "groups": st.column_config.NumberColumn("Groups"),
            "groups_insufficient": st.column_config.NumberColumn(
                f"Groups under {result.policy.min_group_size}"
            ),
            **{
                key: st.column_config.NumberColumn(
                    key.replace("_", " ").capitalize(), format="%.3f", help=definitions()[key]
                )
                for key in SUMMARY_KEYS
            },
        },
    )
    table_downloads(summary, stem="fairness-summary", key="dl_summary")
    # Read now: the callable runs on another thread, after this script run.
    report_model = st.session_state.get("fair_model") or None
    report_version = st.session_state.get("fair_version") or None
    st.download_button(
        "PDF report",
        data=lambda: assessment_pdf(
            result,
            file_name=upload.name,
            file_sha256=sha256_file(upload.path),
            model_name=report_model,
            model_version=report_version,
            generated_by=user.username,
            generated_at=utcnow(),
        ),
        file_name=f"{safe_filename('fairness-report-' + upload.name.rsplit('.', 1)[0])}.pdf",
        mime="application/pdf",
        key="dl_report",
        on_click="ignore",
        icon=":material/picture_as_pdf:",
    )

    by_name = {g.name: g for g in result.results}
    chosen = st.segmented_control(
        "Grouping", list(by_name), default=next(iter(by_name)), key="fair_grouping"
    )
    grouping = by_name.get(chosen or next(iter(by_name)), result.results[0])
    with st.container(border=True):
        show, icon, word = VERDICT_STYLE[grouping.verdict]
        st.markdown(f"#### {md_escape(grouping.name)} — {word}")
        m = st.columns(4)
        for col, key in zip(m, SUMMARY_KEYS, strict=True):
            value = grouping.summaries[key]
            lo, hi = grouping.summary_ci[key]
            col.metric(
                key.replace("_", " ").capitalize(),
                "undefined" if value is None else f"{value:.3f}",
                help=f"{definitions()[key]}. {result.policy.confidence_level:.0%} interval: "
                f"{_fmt(lo)} to {_fmt(hi)}.",
            )
        for finding in grouping.findings:
            st.markdown(f"- {md_escape(finding)}")
        frame = groups_frame(grouping)
        every = st.toggle("Show every column (counts, all rates, intervals)", key="fair_all_cols")
        st.dataframe(
            frame if every else frame[[c for c in COMPACT if c in frame.columns]],
            hide_index=True,
            width="stretch",
            column_config=GROUP_COLUMNS,
        )
        stem = safe_filename(f"fairness-{'-'.join(grouping.sensitive_features)}")
        table_downloads(frame, stem=stem, key=f"dl_{stem}")

        builders = {
            "Selection rate": charts.selection_rate_chart,
            "Error rates": charts.error_rates_chart,
            "Disparate impact": charts.disparate_impact_chart,
            "Confusion matrices": charts.confusion_matrix_chart,
        }
        if len(grouping.sensitive_features) >= 2:
            builders["Intersections"] = charts.intersection_heatmap
        if any(g.curves for g in grouping.groups):
            curves = [g.to_json() for g in grouping.groups]
            builders["ROC"] = lambda _frame, policy: roc_chart(curves)
            builders["Calibration"] = lambda _frame, policy: calibration_chart(curves)
        # One chart per run: building every figure each time would slow every click.
        name = (
            st.segmented_control(
                "Chart", list(builders), default="Selection rate", key=f"fair_chart_{stem}"
            )
            or "Selection rate"
        )
        fig = builders[name](frame, policy=result.policy)
        st.plotly_chart(fig, key=f"chart_{stem}")
        figure_downloads(fig, stem=safe_filename(f"{stem}-{name}"), key=f"dl_{stem}_fig")

    st.subheader("3. Save as evidence")
    if not can_save:
        st.caption("Data scientists and compliance officers save assessments as evidence.")
    elif (saved := st.session_state.get("fair_saved")) and saved[0] is result:
        # Evidence is saved once per assessment: a second click would only duplicate it.
        st.success(
            f"This assessment is saved as #{saved[1]}. Assess again to save another.",
            icon=":material/task_alt:",
        )
    else:
        with st.form("fair_save_form"):
            c1, c2 = st.columns(2)
            model_name = c1.text_input("Model", key="fair_model", max_chars=200)
            model_version = c2.text_input("Version (optional)", key="fair_version", max_chars=100)
            save = st.form_submit_button("Save assessment", type="primary")
        if save:

            def _save() -> int:
                with db.session() as session:
                    return store.save_assessment(
                        session,
                        actor=actor,
                        result=result,
                        source=upload.path,
                        model_name=model_name,
                        model_version=model_version or None,
                        display_name=upload.name,
                    )

            saved_id = attempt(_save)
            if saved_id is not None:
                st.session_state["fair_saved"] = (result, saved_id)
                flash(f"Saved as assessment #{saved_id} for {md_escape(model_name)}.")
                st.rerun()


with tab_assess:
    assess_tab()

with tab_history:
    with db.session() as session:
        history = attempt(lambda: store.list_assessments(session, actor=actor))
    if history is not None and history.empty:
        st.info("No assessment has been saved yet. Assess a file, then save it as evidence.")
    elif history is not None:
        shown = history.assign(created_at=localise_column(history["created_at"]))
        st.dataframe(
            shown,
            hide_index=True,
            width="stretch",
            column_config={
                "created_at": st.column_config.DatetimeColumn("Saved", format="YYYY-MM-DD HH:mm z"),
                "file_sha256": st.column_config.TextColumn("File SHA-256", width="small"),
            },
        )
        table_downloads(history, stem="fairness-assessments", key="dl_history")
        model = st.selectbox(
            "Trend of a model", sorted(history["model_name"].unique()), key="fair_trend_model"
        )
        with db.session() as session:
            trend = attempt(lambda: store.model_trend(session, actor=actor, model_name=model))
        if trend is not None and not trend.empty:
            fig = disparate_impact_trend(trend, policy=policy)
            st.plotly_chart(fig, key="chart_trend")
            figure_downloads(fig, stem=safe_filename(f"trend-{model}"), key="dl_trend")

with tab_policy:
    st.write("The thresholds every assessment is judged by. Changes are versioned and audited.")
    with st.form("fair_policy_form"):
        c1, c2 = st.columns(2)
        dpd = c1.number_input(
            "Demographic parity difference must stay below",
            0.01,
            1.0,
            policy.max_demographic_parity_difference,
            0.01,
            key="pol_dpd",
            disabled=not can_edit_policy,
        )
        di = c2.number_input(
            "Disparate impact ratio must be at least",
            0.01,
            1.0,
            policy.min_disparate_impact_ratio,
            0.01,
            key="pol_di",
            disabled=not can_edit_policy,
        )
        eod = c1.number_input(
            "Equalized odds difference must stay below",
            0.01,
            1.0,
            policy.max_equalized_odds_difference,
            0.01,
            key="pol_eod",
            disabled=not can_edit_policy,
        )
        size = c2.number_input(
            "Minimum group size",
            1,
            1_000_000,
            policy.min_group_size,
            1,
            key="pol_size",
            disabled=not can_edit_policy,
        )
        note = st.text_input("Reason for the change", key="pol_note", disabled=not can_edit_policy)
        apply = st.form_submit_button("Put in force", disabled=not can_edit_policy)
    if not can_edit_policy:
        st.caption("Compliance officers change the policy.")
    if apply:

        def _update() -> Policy:
            new = Policy(
                max_demographic_parity_difference=float(dpd),
                min_disparate_impact_ratio=float(di),
                max_equalized_odds_difference=float(eod),
                min_group_size=int(size),
                confidence_level=policy.confidence_level,
                bootstrap_replicates=policy.bootstrap_replicates,
                random_seed=policy.random_seed,
            )
            with db.session() as session:
                return store.update_policy(session, actor=actor, policy=new, note=note)

        if attempt(_update) is not None:
            flash("New fairness policy in force.")
            st.rerun()
