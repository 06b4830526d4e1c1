"""Security headers on every HTTP response the server sends (pages, assets, our routes).

Streamlit sets none. The policy below is as strict as the frontend allows: scripts only from
the server itself (plus the one inline script of Streamlit's ``index.html``, allowed by its
hash, read from the installed file so an upgrade cannot silently break the page); inline
styles are needed by the frontend's CSS-in-JS and by Plotly; ``frame-ancestors 'none'`` and
``X-Frame-Options`` keep the workbench out of other sites' frames (clickjacking).
"""

from __future__ import annotations

import base64
import hashlib
import re
from functools import cache
from pathlib import Path

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.DOTALL)


def _streamlit_index() -> Path:
    import streamlit  # the package's location only; no script API

    return Path(streamlit.__file__).parent / "static" / "index.html"


@cache
def inline_script_hashes() -> tuple[str, ...]:
    """CSP sources allowing exactly the inline scripts of Streamlit's ``index.html``."""
    try:
        html = _streamlit_index().read_text(encoding="utf-8")
    except OSError:
        return ()
    return tuple(
        "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"
        for body in _INLINE_SCRIPT.findall(html)
    )


@cache
def content_security_policy() -> str:
    scripts = " ".join(("'self'", *inline_script_hashes()))
    return "; ".join(
        (
            "default-src 'self'",
            f"script-src {scripts}",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "font-src 'self' data:",
            # 'self' covers the websocket to this host (ws: or wss:) in current browsers.
            "connect-src 'self'",
            "worker-src 'self' blob:",
            "frame-src 'self' blob: data:",
            "media-src 'self' blob: data:",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )


def security_headers() -> dict[str, str]:
    return {
        "Content-Security-Policy": content_security_policy(),
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
    }


class SecurityHeadersMiddleware:
    """Pure ASGI middleware (no response buffering: uploads and downloads stream as before)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.headers = security_headers()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # the websocket has no response headers to protect
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)
