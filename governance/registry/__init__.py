"""The model registry: models, versions, their lifecycle, approvals and deployments.

Pages, the CLI and (later) the API import from here only. Names resolve lazily (PEP 562), as
in :mod:`governance.fairness`, so the pure rules load without the records layer.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS: dict[str, str] = {
    # pure rules
    "SemVer": "semver",
    "parse_semver": "semver",
    "Status": "lifecycle",
    "TRANSITIONS": "lifecycle",
    "check_transition": "lifecycle",
    "allowed_from": "lifecycle",
    "Provider": "fields",
    "RiskTier": "fields",
    "Target": "fields",
    "parse_baseline": "fields",
    "Requirement": "requirements",
    "VALIDATION_MAX_AGE": "service",
    # plain data and service calls
    "ModelInfo": "service",
    "VersionInfo": "service",
    "TransitionInfo": "history",
    "ValidationInfo": "service",
    "ApprovalInfo": "approvals",
    "DeploymentInfo": "deployments",
    "register_model": "service",
    "get_model": "service",
    "update_model": "editing",
    "list_models": "service",
    "add_version": "service",
    "get_version": "service",
    "list_versions": "service",
    "validate_version": "service",
    "request_approval": "approvals",
    "approve_version": "approvals",
    "reject_version": "approvals",
    "reopen_version": "approvals",
    "list_approvals": "approvals",
    "deploy_version": "deployments",
    "deprecate_version": "deployments",
    "retire_version": "deployments",
    "version_history": "history",
    "deployed_on": "history",
    "DeployedAt": "history",
    "list_validations": "service",
    "list_deployments": "deployments",
    # what the registry page reads
    "ModelSummary": "catalog",
    "ModelDossier": "catalog",
    "VersionDossier": "catalog",
    "registry_summary": "catalog",
    "model_names": "catalog",
    "model_dossier": "catalog",
    "FairnessEvidence": "evidence",
    "model_fairness": "evidence",
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
