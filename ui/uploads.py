"""Uploaded files, kept on disk for the session so DuckDB can read them where they lie."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from governance.errors import ValidationError

_KEY = "_uploads"


@dataclass(frozen=True, slots=True)
class Upload:
    file_id: str
    name: str
    path: Path
    size: int


def keep_upload(
    uploaded: st.runtime.uploaded_file_manager.UploadedFile | None, *, slot: str, max_mb: int
) -> Upload | None:
    """Write the browser's upload to a private temporary file once; refuse one over the cap."""
    store: dict[str, Upload] = st.session_state.setdefault(_KEY, {})
    current = store.get(slot)
    if uploaded is None:
        if current is not None:
            _discard(current)
            store.pop(slot, None)
        return None
    if current is not None and current.file_id == uploaded.file_id:
        return current
    if current is not None:
        _discard(current)
        store.pop(slot, None)
    if uploaded.size > max_mb * 1024 * 1024:
        raise ValidationError(
            f"{uploaded.name!r} is {uploaded.size / 2**20:.0f} MB, over the {max_mb} MB upload "
            "limit. Use the command line for larger files: python -m governance fairness assess."
        )
    directory = Path(tempfile.mkdtemp(prefix="governance-upload-"))
    # The user's file name is kept for messages only; on disk the name is ours.
    suffix = Path(uploaded.name).suffix.lower()[:10]
    path = directory / f"upload{suffix}"
    with path.open("wb") as out:
        shutil.copyfileobj(uploaded, out, length=1024 * 1024)
    upload = Upload(uploaded.file_id, uploaded.name, path, uploaded.size)
    store[slot] = upload
    return upload


def _discard(upload: Upload) -> None:
    shutil.rmtree(upload.path.parent, ignore_errors=True)
