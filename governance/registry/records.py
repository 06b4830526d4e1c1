"""What every registry service does with a version: load it fresh, move it, read it out.

Shared by the service modules (models and versions, approvals, deployments, history); not
part of the public API.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from governance.actor import Actor
from governance.errors import Conflict, NotFound, ValidationError
from governance.kernel import UnitOfWork, clean_text, plain, stale_message
from governance.registry.lifecycle import Status, check_transition
from governance.registry.models import Model, ModelVersion, Validation, VersionTransition

THIS_VERSION = "this model version"
REASON_LIMIT = 2000


@dataclass(frozen=True, slots=True)
class VersionInfo:
    """A version as services hand it out; ``row_version`` is what an approver must quote."""

    id: int
    model_id: int
    model_name: str
    version: str
    status: str
    changelog: str
    artifact_uri: str
    artifact_sha256: str
    approval_round: int
    created_at: datetime
    created_by: str
    row_version: int


def version_info(version: ModelVersion, model: Model) -> VersionInfo:
    return plain(VersionInfo, version, model_name=model.name)


def name_key(name: str) -> str:
    """The form two names must not share: case-folded, so "Scorer" and "SCORER" are one."""
    return name.casefold()


def model_by_name(uow: UnitOfWork, name: str) -> Model:
    key = name_key((name or "").strip())
    model = uow.session.scalars(select(Model).where(Model.name_key == key)).first()
    if model is None:
        raise NotFound(f"No model named {name[:200]!r} is registered.")
    return model


def load_version(
    uow: UnitOfWork, version_id: int, expected_version: int | None = None
) -> tuple[ModelVersion, Model]:
    """The version and its model, fresh from the records; a stale ``expected_version`` (the
    ``row_version`` the person saw) is a :class:`Conflict`."""
    version = uow.session.get(ModelVersion, version_id, populate_existing=True)
    if version is None:
        raise NotFound(f"No model version with id {version_id}.")
    if expected_version is not None and version.row_version != expected_version:
        raise Conflict(stale_message(THIS_VERSION))
    model = uow.session.get(Model, version.model_id)
    assert model is not None  # a foreign key
    return version, model


def reason_text(reason: str | None, field: str = "Reason") -> str:
    return clean_text(reason, field=field, limit=REASON_LIMIT, multiline=True)


def touch(uow: UnitOfWork, version: ModelVersion) -> None:
    """Move the version's ``row_version`` and send it now.

    The UPDATE comes first in every decision, so of two people deciding on the state they both
    saw, the second waits on the row and then finds it changed: a :class:`Conflict`.
    """
    version.row_version += 1
    uow.flush(THIS_VERSION)


def move(
    uow: UnitOfWork,
    actor: Actor,
    version: ModelVersion,
    target: Status,
    reason: str,
    environment: str | None = None,
) -> VersionTransition:
    """Change the version's status along the lifecycle and write the step into its history."""
    source = Status(version.status)
    check_transition(source, target)
    version.status = target.value
    touch(uow, version)
    step = VersionTransition(
        version_id=version.id,
        from_status=source.value,
        to_status=target.value,
        actor=actor.username,
        actor_id=actor.user_id,
        reason=reason,
        at=uow.now(),
        environment=environment,
    )
    uow.session.add(step)
    uow.flush("the version's history")
    return step


def latest_validation(uow: UnitOfWork, version_id: int) -> Validation | None:
    stmt = (
        select(Validation)
        .where(Validation.version_id == version_id)
        .order_by(Validation.at.desc(), Validation.id.desc())
        .limit(1)
    )
    return uow.session.scalars(stmt).first()


def require_passing_validation(uow: UnitOfWork, version: ModelVersion) -> Validation:
    report = latest_validation(uow, version.id)
    if report is None:
        raise ValidationError(
            "Validation: this version has never been validated; validate it first."
        )
    if not report.passed:
        failed = [r["name"] for r in report.requirements if not r["passed"]]
        raise ValidationError(
            f"Validation: the latest validation of this version failed ({', '.join(failed)}); "
            "validate it again once it meets its baseline."
        )
    return report
