"""The audit trail page's chain panel: the incremental check, the head, the last full
verification and the last checkpoint, and a full verification on demand."""

from __future__ import annotations

import streamlit as st

from governance.actor import Actor
from governance.audit.anchor import RecordedCheckpoint, last_checkpoint
from governance.audit.verification import Verification, verify_full, verify_recent
from ui.formatting import local_time
from ui.text import markdown_text
from ui.work import run

_LIMITS = (
    "Older events were not read again: an edit to one of them shows at the next full "
    "verification. Someone able to rewrite the database could rewrite its record of verified "
    "positions too; only a checkpoint kept outside the database "
    "(`python -m governance audit verify --checkpoint FILE`) catches that."
)


def _show_result(result: Verification) -> None:
    if result.intact:
        st.success(result.summary(), icon=":material/verified:")
    else:
        st.error(result.summary(), icon=":material/gpp_bad:")


def _explain(result: Verification) -> None:
    if result.method == "incremental" and result.since is not None and result.intact:
        st.caption(
            f"Checked now: the events after event {result.start:,}, and that event "
            f"{result.start:,} still carries the hash verified on "
            f"{local_time(result.since.verified_at)}. {_LIMITS}"
        )
    elif result.method == "full" and result.intact:
        st.caption(
            "Checked now: every event's hash and link, from the first. Removing the newest "
            "events, or rewriting history and recomputing every later hash, leaves a chain "
            "that is consistent in itself: compare the head below with your latest checkpoint."
        )


def _facts(result: Verification, checkpoint: RecordedCheckpoint | None) -> None:
    full = result.last_full
    lines = [
        f"**Head:** event {result.head_id:,}, hash `{result.head_hash}`",
        "**Last full verification:** "
        + (
            f"{local_time(full.verified_at)}, events 1 to {full.size:,}"
            if full is not None
            else "never (use the button below)"
        ),
    ]
    if checkpoint is None:
        lines.append(
            "**Last checkpoint:** none yet. Sign one with `python -m governance audit "
            "checkpoint` and keep it outside the database."
        )
    else:
        cp = checkpoint.checkpoint
        lines.append(
            f"**Last checkpoint:** {cp.size:,} events, issued {markdown_text(cp.issued_at)} by "
            f"{markdown_text(checkpoint.issued_by)} (event {checkpoint.event_id:,}; key id "
            f"`{cp.key_id}`; head `{cp.head_hash[:16]}…`, root `{cp.root_hash[:16]}…`)"
        )
    st.markdown("  \n".join(lines))
    if checkpoint is not None and not checkpoint.still_matches:
        st.error(
            f"Event {checkpoint.checkpoint.size:,} no longer has the head hash of the last "
            "checkpoint: the trail was truncated or rewritten since it was issued.",
            icon=":material/gpp_bad:",
        )


def _full_verification() -> Verification | None:
    bar = st.progress(0.0, text="Verifying every event…")

    def progress(done: int, total: int) -> None:
        bar.progress(min(done / max(total, 1), 1.0), text=f"Verified {done:,} of {total:,} events…")

    result = run(verify_full, progress=progress)
    bar.empty()
    return result


def chain_panel(actor: Actor) -> bool:
    """Show the chain's state; ``False`` (with the error shown) if it could not be read.

    The button's full verification replaces the incremental check for that run (one verdict
    in the panel, and the facts under it already count the verification just made).
    """
    checkpoint = run(last_checkpoint, actor=actor)
    with st.container(border=True):
        summary = st.container()  # filled below, shown above the button
        full = st.button(
            "Verify every event now",
            key="audit_verify_full",
            icon=":material/fact_check:",
            help="Re-read and re-hash the whole trail, from the first event.",
        )
        with summary:
            result = _full_verification() if full else run(verify_recent)
            if result is None:
                return False
            _show_result(result)
            _explain(result)
            _facts(result, checkpoint)
    return True
