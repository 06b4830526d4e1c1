"""Rules for the choices a person makes before an assessment, shared by the page and the CLI.

Cut points for bands, the positive class, reference groups: each is typed or picked on the page
and given as an option on the command line, and both must read it the same way. Every function
here is pure and refuses bad input with a :class:`~governance.errors.ValidationError` whose
message names the column (or option) and the problem. The order in which groups are listed
(:func:`value_order`: bands and numbers by value, missing last) is here too, for every table and
chart to follow without importing the engine.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from governance.errors import ValidationError

# Spellings of the two classes of a binary outcome (compared stripped and lower-cased). The
# engine infers the positive class from a column whose two values are one word of each list.
POSITIVE_WORDS: frozenset[str] = frozenset(
    {"1", "yes", "y", "true", "t", "positive", "pos", "approved", "accept"}
)
NEGATIVE_WORDS: frozenset[str] = frozenset(
    {"0", "no", "n", "false", "f", "negative", "neg", "denied", "reject"}
)
# A class named as being above a threshold: ">50K", ">= 50K", "≥50k." (UCI Adult's income). Only
# suggested, never inferred: whether "above" is the favourable outcome is the person's call, so
# the engine still asks for the positive label with such values.
_ABOVE = re.compile(r"^\s*(?:>=?|≥)\s*\S")
_SEPARATORS = re.compile(r"[,;\s]+")
# The group of rows whose sensitive value is missing.
MISSING = "(missing)"


def _word(value: object) -> str:
    return str(value).strip().lower()


def positive_from_words(values: Sequence[object]) -> object | None:
    """The positive one of two values spelled as one positive and one negative word, else None.

    ``["no", "Yes"]`` gives ``"Yes"``; ``[">50K", "<=50K"]`` and ``["yes", "true"]`` give None.
    """
    if len(values) != 2:
        return None
    words = [_word(v) for v in values]
    positive = [v for v, w in zip(values, words, strict=True) if w in POSITIVE_WORDS]
    negative = [w for w in words if w in NEGATIVE_WORDS]
    return positive[0] if len(positive) == 1 and len(negative) == 1 else None


def _one_to_zero(values: Sequence[str]) -> str | None:
    """The value reading as 1 when the values read as the numbers 0 and 1 ("1.0", "0.0")."""
    try:
        numbers = [float(v) for v in values]
    except ValueError:
        return None
    if set(numbers) != {0.0, 1.0}:
        return None
    return next(v for v, x in zip(values, numbers, strict=True) if x == 1.0)


def suggest_positive_label(values: Sequence[str]) -> str | None:
    """The value to offer first as the positive class of an outcome column, or None.

    In order: the one value spelled as a word of :data:`POSITIVE_WORDS` (``yes``, ``1``,
    ``approved``…), the value reading as 1 when the values are the numbers 0 and 1, and the one
    value named as being above a threshold (``>50K``). It is a suggestion for a person to confirm;
    the engine infers a class on its own only from a pair of words (:func:`positive_from_words`).
    """
    texts = [str(v) for v in values]
    spelled = [v for v in texts if _word(v) in POSITIVE_WORDS]
    if len(spelled) == 1:
        return spelled[0]
    numeric = _one_to_zero(texts) if len(texts) == 2 else None
    if numeric is not None:
        return numeric
    above = [v for v in texts if _ABOVE.match(v)]
    return above[0] if len(above) == 1 else None


def parse_cut_points(text: str, column: str) -> tuple[float, ...]:
    """Cut points for banding the numeric column ``column``, from text such as ``25, 45, 65``.

    Commas, semicolons and spaces all separate. Blank text gives ``()``: no bands. Refused with
    a message naming ``column``: a part that is not a number, a number that is not finite, and
    points that do not strictly increase.
    """
    parts = [p for p in _SEPARATORS.split(text.strip()) if p]
    points: list[float] = []
    for part in parts:
        try:
            value = float(part)
        except ValueError:
            raise ValidationError(
                f"Cut points of {column!r}: {part[:40]!r} is not a number "
                "(write them like 25, 45, 65)."
            ) from None
        if not math.isfinite(value):
            raise ValidationError(f"Cut points of {column!r} must be finite numbers, not {part!r}.")
        if points and value <= points[-1]:
            raise ValidationError(
                f"Cut points of {column!r} must increase: {part} comes after {points[-1]:g}."
            )
        points.append(value)
    return tuple(points)


def parse_band_option(text: str) -> tuple[str, tuple[float, ...]]:
    """``COL=CUTS`` of the CLI's ``--band`` (``age=25,45,65``) as the column and its cut points.

    The last ``=`` separates, so a column name may contain one. Refused: no ``=``, no column
    name, no cut points, and cut points :func:`parse_cut_points` refuses.
    """
    column, sep, cuts = text.rpartition("=")
    if not sep or not column.strip():
        raise ValidationError(
            f"--band needs COL=CUTS, for example age=25,45,65 (got {text[:60]!r})."
        )
    points = parse_cut_points(cuts, column)
    if not points:
        raise ValidationError(f"--band {column}= gives no cut points (for example {column}=25,45).")
    return column, points


def parse_band_options(texts: Sequence[str]) -> dict[str, tuple[float, ...]]:
    """Every ``--band COL=CUTS`` given, by column; a column banded twice is refused."""
    out: dict[str, tuple[float, ...]] = {}
    for text in texts:
        column, points = parse_band_option(text)
        if column in out:
            raise ValidationError(f"--band gives cut points for {column!r} twice.")
        out[column] = points
    return out


def parse_reference_option(text: str, sensitive: Sequence[str]) -> dict[str, str]:
    """One ``--reference``: ``COL=VALUE`` for one sensitive column, or ``VALUE`` for every one.

    ``COL`` must be one of ``sensitive`` (the longest that matches wins, so a column name may
    contain ``=``). Text with ``=`` that names no sensitive column is refused rather than taken
    as a value for every column: it is far more often a misspelt column.
    """
    if not text.strip():
        raise ValidationError("--reference needs a value (VALUE, or COL=VALUE).")
    named = [c for c in sensitive if text.startswith(f"{c}=")]
    if named:
        column = max(named, key=len)
        value = text[len(column) + 1 :]
        if not value:
            raise ValidationError(f"--reference {column}= gives no value for {column!r}.")
        return {column: value}
    if "=" in text:
        column = text.split("=", 1)[0]
        listed = ", ".join(repr(c) for c in sensitive)
        raise ValidationError(
            f"--reference names {column!r}, which is not a --sensitive column (those are {listed})."
        )
    return dict.fromkeys(sensitive, text)


def parse_reference_options(texts: Sequence[str], sensitive: Sequence[str]) -> dict[str, str]:
    """Every ``--reference`` given, merged: ``COL=VALUE`` ones win over a plain ``VALUE``.

    Refused: any option :func:`parse_reference_option` refuses, two plain values, and one
    column named twice.
    """
    parsed = [(t, parse_reference_option(t, sensitive)) for t in texts]  # refuses bad ones first
    plain = [p for t, p in parsed if not any(t.startswith(f"{c}=") for c in sensitive)]
    if len(plain) > 1:
        raise ValidationError(
            "--reference VALUE (for every column) is given twice; name the column of each: "
            "--reference COL=VALUE."
        )
    out: dict[str, str] = dict(plain[0]) if plain else {}
    named: set[str] = set()
    for _text, reference in parsed:
        if any(reference is p for p in plain):
            continue
        ((column, value),) = reference.items()
        if column in named:
            raise ValidationError(f"--reference names {column!r} twice.")
        named.add(column)
        out[column] = value
    return out


# --- the order of groups ---------------------------------------------------------------------


_NUMBER = r"-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
# The labels the engine gives bands (governance.fairness.engine._group_expr): "< 25", "25–45",
# "≥ 65".
_BAND = re.compile(rf"< (?P<below>{_NUMBER})|(?P<low>{_NUMBER})–{_NUMBER}|≥ (?P<above>{_NUMBER})")


def value_order(value: str) -> tuple[int, float, int, str]:
    """Sort key of one group value: numbers and bands by their value, then text, then missing.

    Text order would list bands "25–45", "45–65", "< 25", "≥ 65" and put 10 before 2. Here a
    band sorts by its lower edge ("< 25" just before "25–45"), a number by its value, other text
    after them alphabetically, and :data:`MISSING` last; the text itself breaks any tie.
    """
    if value == MISSING:
        return (2, 0.0, 0, value)
    if re.fullmatch(_NUMBER, value):
        return (0, float(value), 1, value)
    band = _BAND.fullmatch(value)
    if band is None:
        return (1, 0.0, 0, value)
    if band["below"] is not None:
        return (0, float(band["below"]), 0, value)
    if band["low"] is not None:
        return (0, float(band["low"]), 1, value)
    return (0, float(band["above"]), 2, value)


def group_order(key: tuple[str, ...]) -> tuple[tuple[int, float, int, str], ...]:
    """Sort key of a group (one value per feature): by each feature's :func:`value_order`."""
    return tuple(value_order(v) for v in key)
