"""The server entry point: ``streamlit run server.py`` (``scripts/run`` does it).

``app.py`` is the Streamlit script; this wraps it in ``st.App``, Streamlit's ASGI application,
to add what a script cannot do: the routes that set and clear the session cookie, and the
security headers on every response.
"""

import streamlit as st
from starlette.middleware import Middleware

from web.headers import SecurityHeadersMiddleware
from web.session_routes import session_routes

app = st.App(
    "app.py",
    routes=session_routes(),
    middleware=[Middleware(SecurityHeadersMiddleware)],
)
