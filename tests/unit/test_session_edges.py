"""Small rules of the cookie edge: where a ticket exchange may return, boolean settings."""

from __future__ import annotations

import pytest

from governance.config import load_settings
from web.session_routes import safe_next


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/audit_trail", "/audit_trail"),
        ("/account?notice=password-changed", "/account?notice=password-changed"),
        (None, "/"),
        ("", "/"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("/a\r\nSet-Cookie: x=1", "/"),
        ("javascript:alert(1)", "/"),
    ],
)
def test_a_ticket_exchange_returns_only_to_this_server(target, expected):
    assert safe_next(target) == expected


@pytest.mark.parametrize(
    ("raw", "value"), [("true", True), ("1", True), ("no", False), ("", False)]
)
def test_cookie_secure_setting(monkeypatch, raw, value):
    monkeypatch.setenv("GOVERNANCE_COOKIE_SECURE", raw)
    assert load_settings().cookie_secure is value


def test_cookie_secure_refuses_other_words(monkeypatch):
    monkeypatch.setenv("GOVERNANCE_COOKIE_SECURE", "maybe")
    with pytest.raises(ValueError, match="GOVERNANCE_COOKIE_SECURE must be true or false"):
        load_settings()
