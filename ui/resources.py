"""Process-wide resources, created once per configuration."""

from __future__ import annotations

import streamlit as st

from governance.config import Settings, load_settings
from governance.kernel import Workbench


@st.cache_resource(show_spinner="Preparing the database…")
def _workbench(settings: Settings) -> Workbench:
    # Settings are frozen and hashable: a changed database URL or artifact folder (tests do
    # this) gets its own workbench, migrated to head as the CLI's is.
    return Workbench.open(settings)


def settings() -> Settings:
    return load_settings()


def workbench() -> Workbench:
    """The engine, artifact store, settings and clock the pages' units of work use."""
    return _workbench(settings())
