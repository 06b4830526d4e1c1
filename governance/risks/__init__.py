"""The risk register: risks of AI systems rated likelihood × impact, levelled by a versioned
matrix, treated by mitigation plans or accepted for a time, and drawn as a heatmap.

Pages, the CLI and (later) the API import from here only. Names resolve lazily (PEP 562), as
in :mod:`governance.registry`, so the pure rules load without the records layer.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS: dict[str, str] = {
    # pure rules
    "Category": "fields",
    "RATINGS": "fields",
    "RiskStatus": "lifecycle",
    "TRANSITIONS": "lifecycle",
    "allowed_from": "lifecycle",
    "check_transition": "lifecycle",
    "Level": "matrix",
    "LEVELS": "matrix",
    "Matrix": "matrix",
    "DEFAULT_MATRIX": "matrix",
    "PLAN_STATUSES": "models",
    # plain data and service calls
    "RiskInfo": "records",
    "register_risk": "service",
    "update_risk": "service",
    "transition_risk": "service",
    "get_risk": "service",
    "risks_of_model": "service",
    "owner_choices": "service",
    "accept_risk": "acceptance",
    "expire_acceptances": "acceptance",
    "AcceptanceInfo": "acceptance",
    "add_plan": "plans",
    "plan_progress": "plans",
    "PlanInfo": "plans",
    "MatrixVersion": "levels",
    "matrix_in_force": "levels",
    "update_matrix": "levels",
    "matrix_history": "levels",
    # what the risk page reads
    "Filters": "register",
    "RiskDossier": "register",
    "list_risks": "register",
    "count_risks": "register",
    "risk_dossier": "register",
    "risk_ids": "register",
    "Heatmap": "heatmap",
    "risk_heatmap": "heatmap",
    "cell_risks": "heatmap",
    "risk_trend": "heatmap",
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
