"""What a notification may hold (pure): its kind, title, body, link and subject.

Notifications are written by services, not typed by people, but they quote what people typed
(a model's name, a rejection's reason), so they pass the same text rule as any input. The link
is the sensitive part: it is shown as a button that opens a page, so it may only ever name a
page of this workbench. A link to another host would let anyone who can put text in a
notification send its reader to a look-alike sign-in page.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit

from governance.errors import ValidationError
from governance.kernel import clean_text

TITLE_LIMIT = 200
BODY_LIMIT = 2000
LINK_LIMIT = 500
KIND_LIMIT = 64
SUBJECT_LIMIT = 64

_KIND = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")
_SUBJECT_TYPE = re.compile(r"^[a-z][a-z0-9_]*$")
_SUBJECT_ID = re.compile(r"^[A-Za-z0-9_.:-]+$")
# One segment: Streamlit's page addresses are single names ("audit_trail"); "/" is the
# default page. Nothing else a browser could read as a host, a scheme or a way up.
_PAGE_PATH = re.compile(r"^/[a-z0-9_-]*$")
_QUERY_KEY = re.compile(r"^[A-Za-z0-9_]+$")
# Line breaks in a quoted reason become spaces: the page shows a body as one paragraph.
_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029]+")


def clean_kind(kind: str) -> str:
    """A short dotted code such as ``approval.requested``."""
    value = (kind or "").strip()
    if len(value) > KIND_LIMIT or not _KIND.match(value):
        raise ValidationError(
            f"Notification kind {value!r} is not a short code such as 'approval.requested'."
        )
    return value


def clean_title(title: str) -> str:
    return clean_text(title, field="Notification title", limit=TITLE_LIMIT)


def clean_body(body: str | None) -> str:
    folded = _LINE_BREAKS.sub(" ", body or "")
    return clean_text(folded, field="Notification body", limit=BODY_LIMIT, required=False) or ""


def clean_link(link: str | None) -> str | None:
    """``link`` as a page path of the workbench with an optional query, normalised; refused
    when it could lead anywhere else (another host, a scheme, a backslash, a way up)."""
    if link is None or not link.strip():
        return None
    value = link.strip()
    refused = ValidationError(
        f"Notification link {value[:80]!r} must be a page of the workbench such as "
        "'/fairness?assessment=3', not an address elsewhere."
    )
    if len(value) > LINK_LIMIT or "\\" in value or any(not c.isprintable() for c in value):
        raise refused
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or parts.fragment or not _PAGE_PATH.match(parts.path):
        raise refused
    try:
        pairs = parse_qsl(parts.query, keep_blank_values=True, strict_parsing=bool(parts.query))
    except ValueError:
        raise refused from None
    if any(not _QUERY_KEY.match(key) for key, _ in pairs):
        raise refused
    # Re-encoded: what is stored is one canonical spelling, whatever the caller escaped.
    return parts.path + (f"?{urlencode(pairs)}" if pairs else "")


def link_parts(link: str) -> tuple[str, dict[str, str]]:
    """The page name (``""`` for the default page) and the query of a stored link."""
    parts = urlsplit(link)
    return parts.path.lstrip("/"), dict(parse_qsl(parts.query, keep_blank_values=True))


def clean_subject(subject: tuple[str, str | int] | None) -> tuple[str | None, str | None]:
    """``(type, id)`` of the record a notification is about, such as ``("model_version", 42)``."""
    if subject is None:
        return None, None
    kind, ident = subject[0], str(subject[1]).strip()
    if len(kind) > SUBJECT_LIMIT or not _SUBJECT_TYPE.match(kind):
        raise ValidationError(f"Subject type {kind!r} is not a short code such as 'model'.")
    if len(ident) > SUBJECT_LIMIT or not _SUBJECT_ID.match(ident):
        raise ValidationError(f"Subject id {ident[:80]!r} is not a short identifier.")
    return kind, ident
