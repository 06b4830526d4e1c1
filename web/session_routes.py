"""``/auth/session`` and ``/auth/signout``: where the browser gets and loses its session cookie.

A Streamlit script cannot set an HTTP cookie. After the sign-in form checked the password,
the script sends the browser to ``/auth/session?ticket=…&next=/page``; this route exchanges
the one-time ticket for the session token (``governance.auth.browser_sessions``), sets it as
an HttpOnly, SameSite=Strict cookie and redirects back to the page. ``/auth/signout`` clears
the cookie once the script has revoked the session, and sends the browser to the sign-in form
with a notice code (``/?notice=signed-out``), never free text.
"""

from __future__ import annotations

from functools import cache

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from governance.auth import browser_sessions
from governance.config import Settings, load_settings
from governance.kernel import Workbench

COOKIE_NAME = "governance_session"
SESSION_PATH = "/auth/session"
SIGNOUT_PATH = "/auth/signout"
# The notices the sign-in form shows for a code in its URL (``ui.auth`` holds the wording).
NOTICE_CODES = frozenset({"signed-out", "ticket", "ended"})


@cache
def _workbench(settings: Settings) -> Workbench:
    # The routes' own engine, per configuration (settings are frozen, hence hashable); the
    # script side has its own, cached by Streamlit. Both reach the same records.
    return Workbench.open(settings)


def safe_next(target: str | None) -> str:
    """A path on this server to return to; anything else (another host, a scheme) is ``/``."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    if any(ord(c) < 32 for c in target):
        return "/"
    return target


def _same_origin(request: Request) -> bool:
    """Whether the browser says the request came from the workbench's own pages.

    The script navigates there itself, so a browser sends ``Sec-Fetch-Site: same-origin``.
    Another site linking a ticket of its own (to sign a visitor into the attacker's account)
    is ``cross-site`` and refused; a client that sends no such header (curl) is let through.
    """
    site = request.headers.get("sec-fetch-site")
    return site is None or site == "same-origin"


def _secure(request: Request, settings: Settings) -> bool:
    # uvicorn already turns a local proxy's X-Forwarded-Proto into the scheme (it trusts
    # 127.0.0.1 only); GOVERNANCE_COOKIE_SECURE covers a proxy elsewhere.
    return settings.cookie_secure or request.url.scheme == "https"


def _redirect(target: str) -> RedirectResponse:
    response = RedirectResponse(target, status_code=303)
    response.headers["Cache-Control"] = "no-store"
    return response


async def exchange_ticket(request: Request) -> Response:
    settings = load_settings()
    if not _same_origin(request):
        return _redirect("/?notice=ticket")
    ticket = request.query_params.get("ticket", "")
    issued = await run_in_threadpool(
        _workbench(settings).run, browser_sessions.redeem_ticket, ticket=ticket
    )
    if issued is None:
        return _redirect("/?notice=ticket")
    response = _redirect(safe_next(request.query_params.get("next")))
    response.set_cookie(
        COOKIE_NAME,
        issued.token,
        max_age=issued.max_age,
        path="/",
        httponly=True,
        samesite="strict",
        secure=_secure(request, settings),
    )
    return response


async def sign_out(request: Request) -> Response:
    code = request.query_params.get("notice", "signed-out")
    if not _same_origin(request):
        return _redirect("/")
    response = _redirect(f"/?notice={code}" if code in NOTICE_CODES else "/")
    response.delete_cookie(
        COOKIE_NAME,
        path="/",
        httponly=True,
        samesite="strict",
        secure=_secure(request, load_settings()),
    )
    return response


def session_routes() -> list[Route]:
    return [
        Route(SESSION_PATH, exchange_ticket, methods=["GET"]),
        Route(SIGNOUT_PATH, sign_out, methods=["GET"]),
    ]
