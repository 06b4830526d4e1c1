"""Step 1 of an assessment: the person confirms which column is which.

Suggestions follow the file: when another file is uploaded, every mapping widget starts again
from that file's suggestions (Streamlit would otherwise keep the previous file's choices).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from governance.errors import GovernanceError
from governance.fairness import (
    AssessmentSpec,
    FileOverview,
    parse_cut_points,
    suggest_positive_label,
)
from ui.fairness import reading
from ui.text import label_text, markdown_text
from ui.uploads import Upload

NONE = "(none)"
DEFAULT_REFERENCE = "Highest selection rate (default)"
_MAPPING_FOR = "fair_mapping_file"
_PREFIXES = (
    "fair_y_",
    "fair_score",
    "fair_threshold",
    "fair_positive",
    "fair_sensitive",
    "fair_intersect",
    "fair_bands_",
    "fair_reference_",
)


def follow_file(file_id: str) -> None:
    """Forget the mapping widgets' values when the file changed, so suggestions apply anew."""
    if st.session_state.get(_MAPPING_FOR) == file_id:
        return
    for key in [k for k in st.session_state if str(k).startswith(_PREFIXES)]:
        del st.session_state[key]
    st.session_state[_MAPPING_FOR] = file_id


def _seed(key: str, value: object) -> str:
    """Give widget ``key`` its suggested value unless the person already chose one.

    Seeding through session state, not a widget's ``index``/``default``, is what makes a new
    file's suggestions win over what the browser still shows of the previous file.
    """
    st.session_state.setdefault(key, value)
    return key


@st.cache_data(max_entries=32, show_spinner=False)
def _values(path: str, name: str, column: str, file_id: str, size: int) -> list[str]:
    # file_id keys the cache per upload: the same temporary path may hold another file.
    return reading.values(Upload(file_id, name, Path(path), size), column)


@dataclass(frozen=True, slots=True)
class _Columns:
    upload: Upload
    overview: FileOverview

    @property
    def names(self) -> list[str]:
        return self.overview.column_names

    def pick(self, name: str | None) -> str | None:
        """``name`` when the file has such a column."""
        return name if name in self.names else None

    def values(self, column: str) -> list[str] | None:
        try:
            upload = self.upload
            return _values(str(upload.path), upload.name, column, upload.file_id, upload.size)
        except GovernanceError as exc:
            st.error(markdown_text(str(exc)))
            return None


def _decision(
    cols: _Columns, where: st.delta_generator.DeltaGenerator
) -> tuple[str | None, str | None, float | None]:
    """The prediction column, the score column and the threshold (any may be None)."""
    hints = cols.overview.suggestions
    options = [NONE, *cols.names]
    y_pred = where.selectbox(
        "Prediction (the decision)",
        options,
        key=_seed("fair_y_pred", cols.pick(hints.get("y_pred")) or NONE),
        help="0/1, booleans or the label's own values.",
    )
    score = where.selectbox(
        "Score (0 to 1, optional with a prediction)",
        options,
        key=_seed("fair_score", cols.pick(hints.get("score")) or NONE),
        help="With a score the page adds ROC, calibration, AUC and a threshold sweep.",
    )
    threshold = None
    if score != NONE and y_pred == NONE:
        threshold = where.slider(
            "Threshold: scores at or above it are positive",
            0.0,
            1.0,
            step=0.01,
            key=_seed("fair_threshold", 0.5),
        )
    return (None if y_pred == NONE else y_pred), (None if score == NONE else score), threshold


def _positive(
    cols: _Columns, y_true: str | None, where: st.delta_generator.DeltaGenerator
) -> str | None:
    values = cols.values(y_true) if y_true else None
    if not values:
        return None
    guess = suggest_positive_label(values)
    if st.session_state.get("fair_positive") not in values:
        # Another outcome column was chosen: its own values, its own suggestion.
        st.session_state["fair_positive"] = guess if guess in values else values[-1]
    return where.selectbox("Positive class (the favourable outcome)", values, key="fair_positive")


def _bands(
    cols: _Columns, sensitive: list[str], where: st.delta_generator.DeltaGenerator
) -> dict[str, tuple[float, ...]] | None:
    bands: dict[str, tuple[float, ...]] = {}
    for column in [s for s in sensitive if cols.overview.numeric(s)]:
        text = where.text_input(
            f"Bands for {label_text(column)} (cut points, e.g. 25, 45, 65; empty: none)",
            key=_seed(f"fair_bands_{column}", ""),
        )
        try:
            points = parse_cut_points(text, column)
        except GovernanceError as exc:
            st.error(markdown_text(str(exc)))
            return None
        if points:
            bands[column] = points
    return bands


def _references(
    cols: _Columns,
    sensitive: list[str],
    bands: dict[str, tuple[float, ...]],
    where: st.delta_generator.DeltaGenerator,
) -> dict[str, str]:
    """A reference group per sensitive column (banded columns compare with the default)."""
    reference: dict[str, str] = {}
    for column in sensitive:
        if column in bands:
            # Band labels exist only after the scan.
            where.caption(f"{markdown_text(column)} is banded: compared with its band of highest "
                          "selection rate.")  # fmt: skip
            continue
        options = cols.values(column)
        if not options:
            continue
        choice = where.selectbox(
            f"Reference group for {label_text(column)}",
            [DEFAULT_REFERENCE, *options],
            key=_seed(f"fair_reference_{column}", DEFAULT_REFERENCE),
            help="Other groups' selection rates are divided by this group's.",
        )
        if choice != DEFAULT_REFERENCE:
            reference[column] = choice
    return reference


def confirm_columns(upload: Upload, overview: FileOverview) -> Callable[[], AssessmentSpec] | None:
    """The mapping widgets; a builder of the confirmed spec, or None while incomplete."""
    follow_file(upload.file_id)
    cols = _Columns(upload, overview)
    hints = overview.suggestions
    st.subheader("1. Confirm the columns")
    left, right = st.columns(2)
    y_true = left.selectbox(
        "Actual outcome (label)",
        cols.names,
        key=_seed("fair_y_true", cols.pick(hints.get("y_true"))),
        placeholder="Choose a column",
    )
    y_pred, score, threshold = _decision(cols, right)
    positive = _positive(cols, y_true, left)
    suggested = [s for s in hints.get("sensitive", []) if s in cols.names][:5]
    sensitive = st.multiselect(
        "Sensitive attributes",
        cols.names,
        key=_seed("fair_sensitive", suggested),
        max_selections=5,
    )
    left, right = st.columns(2)
    intersect = left.checkbox(
        "Also cross them (intersectional groups)",
        key=_seed("fair_intersect", False),
        disabled=len(sensitive) < 2,
    )
    bands = _bands(cols, sensitive, right)
    reference = _references(cols, sensitive, bands or {}, left)
    if not (y_true and sensitive and (y_pred or score)) or bands is None:
        return None
    return lambda: AssessmentSpec(
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
