"""Which registered model (and version) a saved assessment is evidence about.

Evidence about a model nobody registered cannot be found from the model, nor weighed when
its versions are validated, so saving names a model of the registry and, when a version is
given, one of its versions. The registry's own services register them; this module only
reads, and refuses with the command that would register what is missing.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass

from sqlalchemy import select

from governance.errors import ValidationError
from governance.kernel import UnitOfWork
from governance.registry.models import Model, ModelVersion
from governance.registry.records import name_key
from governance.registry.semver import parse_semver


@dataclass(frozen=True, slots=True)
class Linked:
    """The registry's spelling of what an assessment is about, and the records' ids."""

    model_id: int
    model_name: str
    version_id: int | None
    version: str | None


def _quoted(text: str) -> str:
    return shlex.quote(text[:200])


def resolve(uow: UnitOfWork, name: str, version: str | None) -> Linked:
    """The registered model named ``name`` (any case) and its version ``version`` (build
    metadata ignored, as the registry does), or a :class:`ValidationError` saying how to
    register the one missing."""
    model = uow.session.scalars(select(Model).where(Model.name_key == name_key(name))).first()
    if model is None:
        raise ValidationError(
            f"Model: no model named {name[:200]!r} is registered. Register it first, on the "
            f"registry page or with: python -m governance registry register {_quoted(name)} "
            "--provider … --risk-tier … --intended-use …"
        )
    if version is None:
        return Linked(model.id, model.name, None, None)
    key = parse_semver(version, field="Model version").precedence_key
    row = uow.session.scalars(
        select(ModelVersion).where(
            ModelVersion.model_id == model.id, ModelVersion.version_key == key
        )
    ).first()
    if row is None:
        raise ValidationError(
            f"Model version: {model.name} has no version {key}. Add it first, on the registry "
            f"page or with: python -m governance registry add-version {_quoted(model.name)} "
            f"{_quoted(key)} --changelog … --artifact-uri … --sha256 …"
        )
    return Linked(model.id, model.name, row.id, row.version)
