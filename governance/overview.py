"""The workspace at a glance: panels that each domain contributes, read as an actor.

A domain adds its panel in its own ``governance/<domain>/overview.py`` with
``@contributes(order)``; this module finds those modules itself, so a new service never edits
a central list. Panels hold counts and names of models, never personal details: every signed-in
role reads the overview.
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cache

import pandas as pd

from governance.actor import Actor
from governance.kernel import UnitOfWork


@dataclass(frozen=True, slots=True)
class Tile:
    """One headline figure; a datetime value is shown in the reader's time zone."""

    label: str
    value: int | str | datetime | None
    help: str | None = None


@dataclass(frozen=True, slots=True)
class Panel:
    """A domain's part of the overview."""

    title: str
    tiles: tuple[Tile, ...] = ()
    table: pd.DataFrame | None = None
    # The texts are markdown, written by the domain: names people typed belong in ``table``.
    alert: str | None = None  # something wrong that every reader must see
    note: str | None = None  # a small print line under the panel
    next_step: str | None = None  # what to do next (empty states, first steps)


Contribution = Callable[[UnitOfWork, Actor], Panel | None]
_CONTRIBUTIONS: dict[str, tuple[int, Contribution]] = {}


def contributes(order: int) -> Callable[[Contribution], Contribution]:
    """Register a panel builder; panels are shown by ascending ``order``."""

    def register(build: Contribution) -> Contribution:
        _CONTRIBUTIONS[f"{build.__module__}.{build.__qualname__}"] = (order, build)
        return build

    return register


@cache
def _discover() -> None:
    """Import every ``governance.<domain>.overview`` module (each registers its panel); once
    per process, as imports are."""
    import governance

    for module in pkgutil.iter_modules(governance.__path__):
        name = f"governance.{module.name}.overview"
        if module.ispkg and importlib.util.find_spec(name) is not None:
            importlib.import_module(name)


def workspace_overview(uow: UnitOfWork, *, actor: Actor) -> list[Panel]:
    """Every domain's panel for ``actor``, in order (a builder may return nothing)."""
    _discover()
    panels = []
    for _order, build in sorted(_CONTRIBUTIONS.values(), key=lambda item: item[0]):
        panel = build(uow, actor)
        if panel is not None:
            panels.append(panel)
    return panels
