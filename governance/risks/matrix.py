"""The level matrix: which band (low, medium, high, critical) each likelihood × impact cell
falls in. Pure: the versions a compliance officer puts in force live in ``levels.py``.

A matrix is 25 cells, likelihood-major (``cells[(l - 1) * 5 + (i - 1)]``). It must be
monotone: a cell is never a lower band than a cell of lower (or equal) likelihood and impact,
or a more likely and more harmful risk could read as a lesser one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from governance.errors import ValidationError
from governance.risks.fields import RATINGS, score


class Level(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return LEVELS.index(self)


LEVELS: tuple[Level, ...] = tuple(Level)


def parse_level(value: object, *, field: str = "Level") -> Level:
    try:
        return Level(str(value or "").strip().lower())
    except ValueError:
        valid = ", ".join(level.value for level in Level)
        raise ValidationError(
            f"{field}: {str(value)[:40]!r} is not a level; choose one of {valid}."
        ) from None


def _banded(likelihood: int, impact: int) -> Level:
    """The default bands by score: 1–4 low, 5–9 medium, 10–16 high, 20–25 critical."""
    value = score(likelihood, impact)
    if value >= 20:
        return Level.CRITICAL
    if value >= 10:
        return Level.HIGH
    if value >= 5:
        return Level.MEDIUM
    return Level.LOW


@dataclass(frozen=True, slots=True)
class Matrix:
    """Twenty-five levels, likelihood-major; validated on construction."""

    cells: tuple[Level, ...]

    def __post_init__(self) -> None:
        if len(self.cells) != len(RATINGS) ** 2:
            raise ValidationError(f"Matrix: give 25 cells, got {len(self.cells)}.")
        for lik in RATINGS:
            for imp in RATINGS:
                here = self.level(lik, imp).rank
                if lik > 1 and self.level(lik - 1, imp).rank > here:
                    raise ValidationError(
                        f"Matrix: likelihood {lik} × impact {imp} is "
                        f"{self.level(lik, imp).value}, lower than likelihood {lik - 1} × "
                        f"impact {imp} ({self.level(lik - 1, imp).value}): a more likely risk "
                        "cannot be a lower level."
                    )
                if imp > 1 and self.level(lik, imp - 1).rank > here:
                    raise ValidationError(
                        f"Matrix: likelihood {lik} × impact {imp} is "
                        f"{self.level(lik, imp).value}, lower than likelihood {lik} × impact "
                        f"{imp - 1} ({self.level(lik, imp - 1).value}): a more harmful risk "
                        "cannot be a lower level."
                    )

    def level(self, likelihood: int, impact: int) -> Level:
        return self.cells[(likelihood - 1) * len(RATINGS) + (impact - 1)]

    def grid(self) -> list[list[str]]:
        """Rows by likelihood 1..5, columns by impact 1..5."""
        return [[self.level(lik, imp).value for imp in RATINGS] for lik in RATINGS]

    def to_json(self) -> list[str]:
        return [c.value for c in self.cells]

    @classmethod
    def from_json(cls, cells: Iterable[object]) -> Matrix:
        return cls(tuple(parse_level(c, field="Matrix") for c in cells))

    @classmethod
    def from_grid(cls, rows: Iterable[Iterable[object]]) -> Matrix:
        """From five rows (likelihood 1..5) of five levels (impact 1..5)."""
        rows = [list(r) for r in rows]
        if len(rows) != len(RATINGS) or any(len(r) != len(RATINGS) for r in rows):
            raise ValidationError("Matrix: give five rows (likelihood) of five levels (impact).")
        return cls.from_json(c for r in rows for c in r)

    def with_cells(self, changes: Mapping[tuple[int, int], object]) -> Matrix:
        """This matrix with some cells set (``{(likelihood, impact): level}``)."""
        cells = list(self.cells)
        for (lik, imp), value in changes.items():
            if lik not in RATINGS or imp not in RATINGS:
                raise ValidationError(f"Matrix: no cell likelihood {lik} × impact {imp}.")
            cells[(lik - 1) * len(RATINGS) + (imp - 1)] = parse_level(value, field="Matrix")
        return Matrix(tuple(cells))

    def changes_from(self, before: Matrix) -> list[str]:
        """What differs, in words ("L3×I4 high → critical")."""
        return [
            f"L{lik}×I{imp} {before.level(lik, imp).value} → {self.level(lik, imp).value}"
            for lik in RATINGS
            for imp in RATINGS
            if before.level(lik, imp) is not self.level(lik, imp)
        ]


DEFAULT_MATRIX = Matrix(tuple(_banded(lik, imp) for lik in RATINGS for imp in RATINGS))


def parse_cell(text: str) -> tuple[tuple[int, int], Level]:
    """``L,I=LEVEL`` (the CLI's ``--cell 3,4=critical``)."""
    where, sep, level = (text or "").partition("=")
    lik, comma, imp = where.partition(",")
    if not sep or not comma or not lik.strip().isdigit() or not imp.strip().isdigit():
        raise ValidationError(f"Matrix: --cell takes L,I=LEVEL (3,4=critical), got {text!r}.")
    return (int(lik), int(imp)), parse_level(level, field="Matrix")
