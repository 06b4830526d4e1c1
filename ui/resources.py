"""Process-wide resources, created once per configuration."""

from __future__ import annotations

import streamlit as st

from governance.config import Settings, load_settings
from governance.errors import SchemaNotCurrent
from governance.kernel import Workbench
from ui.text import markdown_text


@st.cache_resource(show_spinner="Preparing the database…")
def _workbench(settings: Settings) -> Workbench:
    # Settings are frozen and hashable: a changed database URL or artifact folder (tests do
    # this) gets its own workbench, migrated to head as the CLI's is (or, with
    # GOVERNANCE_MIGRATE_ON_START=false, checked to be at head). A refusal is not cached: the
    # next run checks again, so the app recovers once the migration role has upgraded.
    return Workbench.open(settings)


def settings() -> Settings:
    return load_settings()


def workbench() -> Workbench:
    """The engine, artifact store, settings and clock the pages' units of work use.

    A schema this version cannot use stops the run with the reason and the command that fixes
    it: no page can work on it, and a traceback would tell an operator nothing.
    """
    try:
        return _workbench(settings())
    except SchemaNotCurrent as exc:
        # Escaped: the revision it names is read from the database.
        st.error(markdown_text(exc.message), icon=":material/database:")
        st.stop()
        raise RuntimeError("unreachable") from exc  # st.stop raises; for the type checker
