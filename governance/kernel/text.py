"""The one rule for short texts people type: names, titles, versions, reasons."""

from __future__ import annotations

import unicodedata
from typing import Literal, overload

from governance.errors import ValidationError

# Bidirectional embeddings, overrides and isolates: they make a name read as another in a
# table or an export ("Trojan source"). Other format characters (such as the zero-width
# non-joiner of Persian names) are legitimate text.
_BIDI_CONTROLS = frozenset(chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A)))


# Prose (a changelog, an intended use) keeps its line breaks and tabs; nothing else.
_PROSE_CONTROLS = frozenset("\n\t")


@overload
def clean_text(
    value: str | None,
    *,
    field: str,
    limit: int,
    required: Literal[True] = True,
    multiline: bool = False,
) -> str: ...


@overload
def clean_text(
    value: str | None, *, field: str, limit: int, required: Literal[False], multiline: bool = False
) -> str | None: ...


def clean_text(
    value: str | None, *, field: str, limit: int, required: bool = True, multiline: bool = False
) -> str | None:
    """``value`` trimmed; refused when empty (if required), too long or holding control characters.

    Control characters (newlines included) are refused rather than stripped, so what is stored
    is exactly what the person saw. ``multiline`` text (a text area's) may hold line breaks
    and tabs, its Windows line ends read as line feeds. An optional empty value is ``None``.
    """
    text = (value or "").strip()
    if multiline:
        text = text.replace("\r\n", "\n")
    if not text:
        if required:
            raise ValidationError(f"{field} is required.")
        return None
    if len(text) > limit:
        raise ValidationError(f"{field} too long: at most {limit} characters (got {len(text)}).")
    allowed = _PROSE_CONTROLS if multiline else frozenset()
    if any(
        (unicodedata.category(c) == "Cc" and c not in allowed) or c in _BIDI_CONTROLS for c in text
    ):
        raise ValidationError(f"{field} cannot contain control characters.")
    return text
