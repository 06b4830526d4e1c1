"""How the risk page words ratings, levels and statuses."""

from __future__ import annotations

import pandas as pd

LIKELIHOOD = {
    1: "1 · rare",
    2: "2 · unlikely",
    3: "3 · possible",
    4: "4 · likely",
    5: "5 · almost certain",
}
IMPACT = {1: "1 · negligible", 2: "2 · minor", 3: "3 · moderate", 4: "4 · major", 5: "5 · severe"}
ALL = ""


def level_label(level: object) -> str:
    text = "" if level is None or pd.isna(level) else str(level)
    return text or "—"


def category_label(value: str) -> str:
    return value.replace("_", "-") if value else "All categories"


def status_label(value: str) -> str:
    return value or "All statuses"


RECORD_BY_CLI = (
    "Compliance officers, data scientists and administrators record risks (here or with "
    "`python -m governance risks register`)."
)
