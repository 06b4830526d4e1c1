"""What to assess in a prediction file: the column mapping a user confirms."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from governance.errors import ValidationError

MAX_SENSITIVE = 5


@dataclass(frozen=True, slots=True)
class AssessmentSpec:
    """Columns and options of one assessment.

    ``y_pred`` or (``score`` and ``threshold``) gives the prediction; ``positive_label`` names
    the positive class when it cannot be inferred (``yes``/``no``, ``>50K``/``<=50K``).
    ``bands`` maps a numeric sensitive column to its cut points. ``reference`` maps a
    sensitive column to the group that other groups are compared with (default: the group with
    the highest selection rate).
    """

    y_true: str
    sensitive: tuple[str, ...]
    y_pred: str | None = None
    score: str | None = None
    threshold: float | None = None
    positive_label: str | None = None
    intersect: bool = False
    reference: Mapping[str, str] = field(default_factory=dict)
    bands: Mapping[str, tuple[float, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.sensitive:
            raise ValidationError("Choose at least one sensitive column.")
        if len(self.sensitive) > MAX_SENSITIVE:
            raise ValidationError(f"At most {MAX_SENSITIVE} sensitive columns at a time.")
        if len(set(self.sensitive)) != len(self.sensitive):
            raise ValidationError("A sensitive column is listed twice.")
        if self.y_pred is None and self.score is None:
            raise ValidationError(
                "No prediction: give a prediction column, or a score column and a threshold."
            )
        if self.y_pred is None and self.threshold is None:
            raise ValidationError("A score column needs a threshold to turn scores into decisions.")
        if self.threshold is not None and not 0 <= self.threshold <= 1:
            raise ValidationError(f"Threshold {self.threshold} is outside [0, 1].")
        used = {self.y_true, self.y_pred, self.score} - {None}
        clash = used & set(self.sensitive)
        if clash:
            raise ValidationError(
                f"Column {sorted(clash)[0]!r} cannot be both an outcome and sensitive."
            )
        for column, edges in self.bands.items():
            if column not in self.sensitive:
                raise ValidationError(
                    f"Bands given for {column!r}, which is not a sensitive column."
                )
            if not edges or list(edges) != sorted(set(edges)):
                raise ValidationError(f"Bands of {column!r} must be increasing cut points.")

    @property
    def groupings(self) -> list[tuple[str, ...]]:
        """Each sensitive column alone, then all of them crossed when asked."""
        out = [(s,) for s in self.sensitive]
        if self.intersect and len(self.sensitive) > 1:
            out.append(tuple(self.sensitive))
        return out

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["sensitive"] = list(self.sensitive)
        data["reference"] = dict(self.reference)
        data["bands"] = {k: list(v) for k, v in self.bands.items()}
        return data


_SUGGEST = {
    # "income" and "class": the outcome columns of the UCI Adult data most teams start from.
    "y_true": [r"^(y_?true|label|actual|target|truth|ground_?truth|outcome|y|income|class)$"],
    "y_pred": [r"^(y_?pred|prediction|predicted|pred|decision|y_?hat)$"],
    "score": [r"^(score|probability|proba|prob|y_?score|y_?prob|risk_?score)$"],
}
_SENSITIVE_HINTS = re.compile(
    r"(race|ethnic|sex|gender|age|religion|disab|nationality|native|marital|origin)", re.I
)


def suggest_mapping(columns: Sequence[str]) -> dict[str, Any]:
    """Guess the outcome, prediction, score and sensitive columns from their names."""
    found: dict[str, Any] = {}
    for role, patterns in _SUGGEST.items():
        for name in columns:
            if any(re.match(p, name.strip(), re.I) for p in patterns):
                found[role] = name
                break
    used = set(found.values())
    found["sensitive"] = [c for c in columns if c not in used and _SENSITIVE_HINTS.search(c)]
    return found
