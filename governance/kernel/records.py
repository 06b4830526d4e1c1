"""Records out of the session: frozen dataclasses and frames, never live ORM objects.

Services return plain data so that nothing a caller holds can lazily query, or be changed and
flushed, after its unit of work has ended.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import datetime
from typing import Any, TypeVar, get_type_hints

import pandas as pd

T = TypeVar("T")


def plain(cls: type[T], record: object, **overrides: Any) -> T:
    """An instance of the dataclass ``cls`` with each field read from ``record``'s attribute
    of the same name (``overrides`` supply fields the record holds differently)."""
    names = [f.name for f in dataclasses.fields(cls)]  # type: ignore[arg-type]
    values = {n: overrides[n] if n in overrides else getattr(record, n) for n in names}
    return cls(**values)


def frame_of(cls: type[Any], rows: Iterable[object]) -> pd.DataFrame:
    """One row per item of ``rows`` (dataclass instances or records), the fields of the
    dataclass ``cls`` as columns, in order; datetime fields as UTC timestamps.

    An empty input still has every column, so pages and exports need no special case.
    """
    fields = dataclasses.fields(cls)
    names = [f.name for f in fields]
    frame = pd.DataFrame([[getattr(r, n) for n in names] for r in rows], columns=names)
    hints = get_type_hints(cls)
    for name in names:
        if _is_datetime(hints.get(name)):
            frame[name] = pd.to_datetime(frame[name], utc=True)
    return frame


def _is_datetime(hint: Any) -> bool:
    return hint is datetime or datetime in getattr(hint, "__args__", ())
