"""What a notification may hold: a corpus of bad links, kinds, titles, bodies and subjects."""

from __future__ import annotations

import pytest

from governance.errors import ValidationError
from governance.notifications import rules

EXTERNAL_OR_BROKEN_LINKS = [
    "https://evil.example/login",
    "http://127.0.0.1:8501/audit_trail",  # our own host, but a full URL: not a page path
    "//evil.example/login",  # protocol-relative
    "/\\evil.example",  # browsers read a backslash as a slash
    "\\\\evil.example",
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "mailto:someone@example.org",
    "audit_trail",  # relative: depends on where the reader is
    "/audit_trail/../../etc",
    "/audit_trail/details",  # pages have one-segment addresses
    "/%2F%2Fevil.example",
    "/Audit_Trail",
    "/audit trail",
    "/audit_trail#top",
    "/audit_trail?next=x&bad key=1",
    "/audit_trail?=1",
    "/audit_trail\n?x=1",
    "/fairness?" + "a=1&" * 200,  # too long
    "/ﬁ",  # a ligature that NFKC would turn into ASCII: refused, not folded
]


@pytest.mark.parametrize("link", EXTERNAL_OR_BROKEN_LINKS)
def test_a_link_that_could_lead_elsewhere_is_refused(link):
    with pytest.raises(ValidationError, match="page of the workbench"):
        rules.clean_link(link)


@pytest.mark.parametrize(
    ("link", "stored"),
    [
        ("/audit_trail", "/audit_trail"),
        ("/", "/"),
        (" /fairness?assessment=3 ", "/fairness?assessment=3"),
        ("/fairness?model=credit%20model&v=1.2", "/fairness?model=credit+model&v=1.2"),
        ("/fairness?q=<script>", "/fairness?q=%3Cscript%3E"),  # re-encoded, one spelling
        ("/model-registry?version=42", "/model-registry?version=42"),
        (None, None),
        ("  ", None),
    ],
)
def test_a_page_link_is_kept_in_one_canonical_spelling(link, stored):
    assert rules.clean_link(link) == stored


def test_a_stored_link_splits_into_page_and_query():
    assert rules.link_parts("/fairness?assessment=3&x=a+b") == (
        "fairness", {"assessment": "3", "x": "a b"},
    )  # fmt: skip
    assert rules.link_parts("/") == ("", {})


@pytest.mark.parametrize(
    "title",
    ["", "   ", "x" * 201, "line\nbreak", "tab\there", "bidi \u202e override", "nul \x00"],
)
def test_a_bad_title_is_refused(title):
    with pytest.raises(ValidationError, match="Notification title"):
        rules.clean_title(title)


def test_markup_in_a_title_is_kept_as_text():
    # Stored as written; the page escapes it (tests/app/test_notifications_page.py).
    assert rules.clean_title("<b>**Approve**</b> [now](https://x)") == (
        "<b>**Approve**</b> [now](https://x)"
    )


def test_a_body_folds_line_breaks_and_refuses_what_else_is_bad():
    assert rules.clean_body("Rejected:\r\nthe data\n\nis stale") == "Rejected: the data is stale"
    assert rules.clean_body("") == ""
    assert rules.clean_body(None) == ""
    with pytest.raises(ValidationError, match="too long"):
        rules.clean_body("x" * 2001)
    with pytest.raises(ValidationError, match="control characters"):
        rules.clean_body("bell \x07")


@pytest.mark.parametrize(
    "kind", ["", "Approval", "approval requested", "approval..requested", ".x", "a" * 65, "é"]
)
def test_a_kind_is_a_short_dotted_code(kind):
    with pytest.raises(ValidationError, match="short code"):
        rules.clean_kind(kind)


def test_good_kinds_and_subjects():
    assert rules.clean_kind("approval.requested") == "approval.requested"
    assert rules.clean_subject(("model_version", 42)) == ("model_version", "42")
    assert rules.clean_subject(None) == (None, None)


@pytest.mark.parametrize(
    "subject",
    [("Model", 1), ("model version", 1), ("model", ""), ("model", "a b"), ("model", "x" * 65)],
)
def test_a_bad_subject_is_refused(subject):
    with pytest.raises(ValidationError, match="Subject"):
        rules.clean_subject(subject)
