"""What a risk is made of, as pure rules: its categories, its 1–5 ratings, its dates.

Each parser names the field it refuses, so a page, the CLI and the API say the same thing
about the same bad input.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from governance.errors import ValidationError

RATING_MIN, RATING_MAX = 1, 5
RATINGS = tuple(range(RATING_MIN, RATING_MAX + 1))


class Category(StrEnum):
    SECURITY = "security"
    PERFORMANCE = "performance"
    FAIRNESS = "fairness"
    PRIVACY = "privacy"
    SAFETY = "safety"
    TRANSPARENCY = "transparency"
    LEGAL = "legal"
    OPERATIONAL = "operational"
    THIRD_PARTY = "third_party"

    @property
    def label(self) -> str:
        return self.value.replace("_", "-")


def parse_category(value: object) -> Category:
    text = str(value or "").strip().lower().replace("-", "_").replace(" ", "_")
    try:
        return Category(text)
    except ValueError:
        valid = ", ".join(c.label for c in Category)
        raise ValidationError(
            f"Category: {str(value)[:100]!r} is not a category; choose one of {valid}."
        ) from None


def parse_rating(value: object, *, field: str) -> int:
    """A likelihood or an impact: a whole number from 1 to 5 (``"3.5"``, ``0``, ``6``,
    ``True`` and ``None`` are refused, naming ``field``)."""
    if isinstance(value, bool) or value is None:
        raise ValidationError(f"{field}: give a whole number from 1 to 5.")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    else:
        text = str(value).strip()
        if not text.lstrip("+-").isdigit() or not text.isascii():
            raise ValidationError(f"{field}: {text[:50]!r} is not a whole number from 1 to 5.")
        number = int(text)
    if not RATING_MIN <= number <= RATING_MAX:
        raise ValidationError(f"{field}: {number} is outside 1 to 5.")
    return number


def score(likelihood: int, impact: int) -> int:
    """The risk's score: likelihood × impact (1 to 25), never typed by anyone."""
    return likelihood * impact


def parse_day(value: object, *, field: str) -> date:
    """A calendar day (a :class:`date` or ``YYYY-MM-DD``); a missing one is refused."""
    if isinstance(value, date):
        return value
    text = str(value or "").strip()
    if not text:
        raise ValidationError(f"{field}: give a date (YYYY-MM-DD).")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationError(f"{field}: {text[:40]!r} is not a date (YYYY-MM-DD).") from None


def future_day(value: object, *, field: str, today: date) -> date:
    """A day after ``today`` (a deadline of a new plan, an acceptance's expiry)."""
    day = parse_day(value, field=field)
    if day <= today:
        raise ValidationError(
            f"{field}: {day.isoformat()} is not in the future (today is {today.isoformat()})."
        )
    return day
