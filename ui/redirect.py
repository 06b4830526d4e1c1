"""Sending the browser to another address of this server (the cookie routes).

Streamlit has no public "go to this URL" for a script; ``st.login`` and ``st.logout`` do it
with a forward message the frontend answers with ``window.location.href = url``. The same
message is used here, for our own routes only (paths, never another host), so no JavaScript
of ours is needed and the Content-Security-Policy can forbid inline scripts.
"""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

import streamlit as st
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx


def send_browser_to(path: str, **query: str) -> None:
    """Navigate the browser to ``path`` (on this server) once the message reaches it."""
    if not path.startswith("/") or path.startswith("//"):
        raise ValueError(f"only paths on this server, not {path!r}")
    context = get_script_run_ctx()
    if context is None:  # outside a script run (a unit test): nowhere to send it
        return
    message = ForwardMsg()
    message.auth_redirect.url = f"{path}?{urlencode(query)}" if query else path
    context.enqueue(message)


def current_path() -> str:
    """The path the browser shows (a deep link to a page), ``/`` when unknown."""
    try:
        url = st.context.url
    except Exception:  # no browser behind this run (AppTest)
        return "/"
    path = urlsplit(url or "").path
    return path if path.startswith("/") and not path.startswith("//") else "/"
