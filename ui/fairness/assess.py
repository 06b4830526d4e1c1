"""The "Assess a file" tab: upload → confirm the columns → verdict → save as evidence.

The assessment is kept in session state as one typed object, tied to the upload it came from.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import streamlit as st

from governance.actor import Actor
from governance.artifacts import sha256_file
from governance.fairness import (
    AssessmentResult,
    AssessmentSpec,
    FileOverview,
    Policy,
    save_assessment,
)
from governance.reports.fairness_pdf import assessment_pdf
from ui.downloads import safe_filename
from ui.fairness import reading
from ui.fairness.mapping import confirm_columns
from ui.fairness.results import Shown, render
from ui.resources import settings
from ui.text import markdown_text
from ui.uploads import Upload, keep_upload
from ui.work import guarded, submit

_RESULT = "fair_result"


@dataclass(frozen=True, slots=True)
class Assessed:
    """The assessment on screen: which upload it read, the result, and its evidence number."""

    file_id: str
    result: AssessmentResult
    assessed_at: datetime
    saved_id: int | None = None


@st.cache_data(max_entries=8, show_spinner="Reading the file…")
def _overview(path: str, name: str, file_id: str, size: int) -> FileOverview:
    # Arguments key the cache per upload; the read runs in a bounded worker.
    return reading.overview(Upload(file_id, name, Path(path), size))


def _upload() -> Upload | None:
    max_mb = settings().upload_max_mb
    uploaded = st.file_uploader(
        "Prediction file (CSV, Parquet or Excel)",
        type=["csv", "txt", "parquet", "pq", "xlsx"],
        key="fair_file",
        help=f"Up to {max_mb} MB here; the command line takes any size.",
    )
    return guarded(lambda: keep_upload(uploaded, slot="fairness", max_mb=max_mb))


def _assess(upload: Upload, spec_builder: Callable[[], AssessmentSpec], policy: Policy) -> None:
    def assess() -> AssessmentResult:
        with st.spinner("Counting every group in one pass and bootstrapping intervals…"):
            return reading.assessment(upload, spec_builder(), policy)

    result = guarded(assess)
    if result is not None:
        st.session_state[_RESULT] = Assessed(upload.file_id, result, datetime.now(UTC))


def _pdf(assessed: Assessed, upload: Upload, generated_by: str) -> Callable[[], bytes]:
    model = st.session_state.get("fair_model") or None
    version = st.session_state.get("fair_version") or None

    def build() -> bytes:  # runs when clicked, on another thread: reads nothing of the session
        return assessment_pdf(
            assessed.result,
            file_name=upload.name,
            file_sha256=sha256_file(upload.path),
            model_name=model,
            model_version=version,
            generated_by=generated_by,
            generated_at=datetime.now(UTC),
        )

    return build


def _save(assessed: Assessed, upload: Upload, actor: Actor, can_save: bool) -> None:
    st.subheader("3. Save as evidence")
    if not can_save:
        st.caption("Data scientists and compliance officers save assessments as evidence.")
        return
    if assessed.saved_id is not None:
        # Evidence is saved once per assessment: a second click would only duplicate it.
        st.success(
            f"This assessment is saved as #{assessed.saved_id}. Assess again to save another. "
            "Open it any time under History.",
            icon=":material/task_alt:",
        )
        return
    # Evidence names a model (and version) of the registry; the service refuses others.
    st.caption("Name a model registered in the model registry and, optionally, its version.")
    with st.form("fair_save_form"):
        left, right = st.columns(2)
        model_name = left.text_input("Model", key="fair_model", max_chars=200)
        model_version = right.text_input("Version (optional)", key="fair_version", max_chars=100)
        save = st.form_submit_button("Save assessment", type="primary")
    if not save:
        return

    def saved(assessment_id: int) -> str:
        st.session_state[_RESULT] = dataclasses.replace(assessed, saved_id=assessment_id)
        return f"Saved as assessment #{assessment_id} for {markdown_text(model_name.strip())}."

    submit(
        save_assessment,
        saved,
        actor=actor,
        result=assessed.result,
        source=upload.path,
        model_name=model_name,
        model_version=model_version or None,
        display_name=upload.name,
    )


def assess_tab(actor: Actor, policy: Policy, *, can_save: bool) -> None:
    """Returns early (not st.stop) so that the other tabs still render."""
    upload = _upload()
    if upload is None:
        st.session_state.pop(_RESULT, None)
        st.info(
            "Upload a file with one row per decision: the actual outcome, the model's "
            "prediction (or a score), and one or more sensitive attributes such as sex or race.",
            icon=":material/upload_file:",
        )
        return
    overview = guarded(
        lambda: _overview(str(upload.path), upload.name, upload.file_id, upload.size)
    )
    if overview is None:
        return
    st.write(
        f"**{markdown_text(upload.name)}** · {overview.format} · {len(overview.columns)} columns"
    )
    with st.expander("First rows"):
        st.dataframe(overview.preview, hide_index=True)
    spec_builder = confirm_columns(upload, overview)
    if st.button(
        "Assess",
        type="primary",
        key="fair_run",
        icon=":material/play_arrow:",
        disabled=spec_builder is None,
    ):
        _assess(upload, spec_builder, policy)
    if spec_builder is None:
        st.caption(
            "To assess, choose the actual outcome, a prediction or a score, and at least one "
            "sensitive attribute."
        )
    assessed: Assessed | None = st.session_state.get(_RESULT)
    if assessed is None or assessed.file_id != upload.file_id:
        return
    st.subheader("2. Verdict")
    shown = Shown(
        assessed.result,
        key="fair",
        source=upload.name,
        model=st.session_state.get("fair_model") or None,
        generated_at=assessed.assessed_at,
    )
    stem = safe_filename("fairness-report-" + upload.name.rsplit(".", 1)[0])
    render(shown, pdf=_pdf(assessed, upload, actor.username), pdf_name=f"{stem}.pdf")
    _save(assessed, upload, actor, can_save)
