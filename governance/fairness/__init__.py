"""Fairness and bias assessment: the public API of the fairness domain.

Pages, the CLI and (later) the API import from here only. Names resolve lazily (PEP 562), so
``python -m governance fairness assess`` loads the engine without the records layer, and the
records layer loads without DuckDB.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS: dict[str, str] = {
    # the engine and its results
    "assess_file": "engine",
    "assess_arrays": "engine",
    "AssessmentSpec": "spec",
    "suggest_mapping": "spec",
    "AssessmentResult": "analysis",
    "GroupingResult": "analysis",
    "GroupResult": "analysis",
    "definitions": "analysis",
    "groups_frame": "frames",
    "summary_frame": "frames",
    "Policy": "policy",
    "Verdict": "policy",
    "SUMMARY_METRICS": "metrics",
    "GROUP_METRICS": "metrics",
    "summary_limits": "limits",
    # choices a person makes, read the same way by the page and the CLI
    "suggest_positive_label": "choices",
    "parse_cut_points": "choices",
    # a file before it is assessed
    "FileOverview": "preview",
    "describe_file": "preview",
    "column_values": "preview",
    # evidence: policy versions and saved assessments
    "PolicyVersion": "service",
    "SavedAssessment": "service",
    "EvidenceFile": "service",
    "policy_in_force": "service",
    "active_policy": "service",
    "update_policy": "service",
    "policy_history": "service",
    "save_assessment": "service",
    "get_assessment": "service",
    "list_assessments": "service",
    "model_trend": "service",
    "export_stored_file": "service",
    "export_report_pdf": "service",
    # the original design's class
    "FairnessMetrics": "legacy",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # resolved once
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
