"""Process-wide resources, created once per database URL."""

from __future__ import annotations

import streamlit as st

from governance.config import Settings, load_settings
from governance.db import Database
from governance.db.migrate import upgrade


@st.cache_resource(show_spinner="Preparing the database…")
def _database(url: str) -> Database:
    db = Database.from_url(url)
    upgrade(db.engine)  # the app keeps its schema at head, as the CLI does
    return db


def settings() -> Settings:
    return load_settings()


def database() -> Database:
    """The engine and session factory for the configured database (migrated to head)."""
    return _database(settings().database_url)
