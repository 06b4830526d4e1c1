"""How registry codes read on screen (stored as codes, shown as words)."""

from __future__ import annotations

STATUS_LABELS = {
    "draft": "Draft",
    "validated": "Validated",
    "pending_approval": "Pending approval",
    "approved": "Approved",
    "rejected": "Rejected",
    "deployed": "Deployed",
    "deprecated": "Deprecated",
    "retired": "Retired",
}
TIER_LABELS = {
    "minimal": "Minimal",
    "limited": "Limited",
    "high": "High",
    "unacceptable": "Unacceptable",
}


def status_label(code: str | None) -> str:
    if code is None:
        return "—"
    return STATUS_LABELS.get(code, code)


def tier_label(code: str) -> str:
    return TIER_LABELS.get(code, code)


REGISTER_BY_CLI = (
    "python -m governance registry register NAME --provider in-house --risk-tier limited "
    '--intended-use "…" --baseline "accuracy >= 0.85"'
)
