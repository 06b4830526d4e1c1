"""The one wording of a refused status change, shared by every domain's lifecycle table.

Each domain keeps its own table of steps (registry versions, risks, incidents); what a person
reads when a step is not in it is the same everywhere: what the record is, where it cannot
go, and where it can.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from governance.errors import ValidationError


class Labelled(Protocol):
    @property
    def label(self) -> str: ...


def refused_step(
    noun: str, source: Labelled, target: Labelled, options: Sequence[Labelled]
) -> ValidationError:
    """The refusal of ``source → target`` for ``noun`` ("a version"), naming ``options``."""
    if not options:
        return ValidationError(
            f"Status: {noun} that is {source.label} cannot become {target.label}; "
            f"{source.label} is final."
        )
    allowed = ", ".join(s.label for s in options)
    return ValidationError(
        f"Status: {noun} that is {source.label} cannot become {target.label}; "
        f"it can only become: {allowed}."
    )
