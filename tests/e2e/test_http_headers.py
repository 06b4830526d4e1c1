"""The real server's HTTP answers: security headers everywhere, and the session cookie's
attributes as the ticket exchange sets them (no browser: plain HTTP requests)."""

from __future__ import annotations

import http.client
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from governance.auth import browser_sessions
from governance.kernel import Workbench
from tests import factories

pytestmark = pytest.mark.e2e

HEADERS = {
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
}


def _get(base_url: str, path: str, **headers: str) -> http.client.HTTPResponse:
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def _assert_secured(response: http.client.HTTPResponse) -> None:
    for name, value in HEADERS.items():
        assert response.getheader(name) == value, (name, response.getheaders())
    policy = response.getheader("content-security-policy") or ""
    assert "frame-ancestors 'none'" in policy
    assert "default-src 'self'" in policy


def _ticket(workbench: Workbench) -> str:
    admin = factories.first_admin(workbench)
    return workbench.run(browser_sessions.open_session, user_id=admin.id, method="password").ticket


def test_pages_and_assets_carry_the_security_headers(app_server):
    page = _get(app_server, "/")
    assert page.status == 200
    _assert_secured(page)
    html = _get(app_server, "/").getheader("content-type") or ""
    assert html.startswith("text/html")
    index = Path(__import__("streamlit").__file__).parent / "static" / "index.html"
    [script] = re.findall(r'src="\./(static/js/index[^"]+)"', index.read_text())
    asset = _get(app_server, f"/{script}")
    assert asset.status == 200
    _assert_secured(asset)
    _assert_secured(_get(app_server, "/_stcore/health"))


def test_the_ticket_exchange_sets_a_strict_http_only_cookie(app_server, server_workbench):
    ticket = _ticket(server_workbench)
    answer = _get(app_server, f"/auth/session?ticket={ticket}&next=/audit_trail")
    _assert_secured(answer)
    assert answer.status == 303
    assert answer.getheader("location") == "/audit_trail"
    assert answer.getheader("cache-control") == "no-store"
    cookie = answer.getheader("set-cookie") or ""
    name_value, *attributes = [part.strip() for part in cookie.split(";")]
    name, token = name_value.split("=", 1)
    assert name == "governance_session"
    assert len(token) >= 40 and token != ticket
    flags = {a.split("=")[0].lower(): [*a.split("=", 1), ""][1] for a in attributes}
    assert "httponly" in flags
    assert flags["samesite"].lower() == "strict"
    assert flags["path"] == "/"
    assert 8 * 3600 - 60 < int(flags["max-age"]) <= 8 * 3600  # the absolute limit, from now
    assert "secure" not in flags  # plain HTTP, no GOVERNANCE_COOKIE_SECURE
    # The token finds the session; the ticket is spent.
    assert server_workbench.run(browser_sessions.check_session, token=token).user is not None
    again = _get(app_server, f"/auth/session?ticket={ticket}")
    assert (again.status, again.getheader("location")) == (303, "/?notice=ticket")
    assert again.getheader("set-cookie") is None


def test_behind_a_tls_proxy_the_cookie_is_secure(app_server, server_workbench):
    ticket = _ticket(server_workbench)
    answer = _get(app_server, f"/auth/session?ticket={ticket}", **{"X-Forwarded-Proto": "https"})
    assert answer.status == 303
    assert "secure" in (answer.getheader("set-cookie") or "").lower().split("; ")


def test_bad_tickets_and_foreign_targets_are_refused(app_server, server_workbench):
    forged = _get(app_server, "/auth/session?ticket=forged")
    assert (forged.status, forged.getheader("location")) == (303, "/?notice=ticket")
    ticket = _ticket(server_workbench)
    cross = _get(app_server, f"/auth/session?ticket={ticket}", **{"Sec-Fetch-Site": "cross-site"})
    assert (cross.status, cross.getheader("set-cookie")) == (303, None)
    elsewhere = _get(app_server, f"/auth/session?ticket={ticket}&next=//evil.example/")
    assert elsewhere.getheader("location") == "/"  # the same ticket still worked once


def test_sign_out_route_clears_the_cookie(app_server):
    answer = _get(app_server, "/auth/signout?notice=signed-out")
    _assert_secured(answer)
    assert (answer.status, answer.getheader("location")) == (303, "/?notice=signed-out")
    cookie = (answer.getheader("set-cookie") or "").lower()
    assert cookie.startswith("governance_session=")
    assert "max-age=0" in cookie and "httponly" in cookie and "samesite=strict" in cookie
    odd = _get(app_server, "/auth/signout?notice=<b>hi</b>")
    assert odd.getheader("location") == "/"  # only known notice codes travel
