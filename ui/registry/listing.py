"""The registry's list: filters, a search box, the table and its CSV, or what to do next."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st

from governance.registry import ModelSummary
from ui.downloads import table_downloads
from ui.formatting import localise_column
from ui.registry.labels import REGISTER_BY_CLI, STATUS_LABELS, TIER_LABELS, status_label, tier_label


def _matches(m: ModelSummary, needle: str) -> bool:
    haystack = " ".join([m.name, m.provider, m.owner, m.latest_version or ""]).casefold()
    return needle.casefold() in haystack


def filter_models(models: Sequence[ModelSummary]) -> list[ModelSummary]:
    """The models the filters and the search box let through (all when none is set)."""
    c1, c2, c3, c4 = st.columns(4)
    statuses = c1.multiselect(
        "Status", list(STATUS_LABELS), format_func=status_label, key="reg_f_status"
    )
    tiers = c2.multiselect("Risk tier", list(TIER_LABELS), format_func=tier_label, key="reg_f_tier")
    providers = c3.multiselect(
        "Provider", sorted({m.provider for m in models}), key="reg_f_provider"
    )
    owners = c4.multiselect("Owner", sorted({m.owner for m in models}), key="reg_f_owner")
    needle = st.text_input(
        "Search", key="reg_search", placeholder="Name, provider, owner or version"
    ).strip()
    return [
        m
        for m in models
        if (not statuses or m.latest_status in statuses)
        and (not tiers or m.risk_tier in tiers)
        and (not providers or m.provider in providers)
        and (not owners or m.owner in owners)
        and (not needle or _matches(m, needle))
    ]


def summary_frame(models: Sequence[ModelSummary]) -> pd.DataFrame:
    frame = pd.DataFrame(
        [
            {
                "Model": m.name,
                "Provider": m.provider,
                "Owner": m.owner,
                "Risk tier": tier_label(m.risk_tier),
                "Latest version": m.latest_version or "—",
                "Status": status_label(m.latest_status),
                "Deployed in": ", ".join(m.environments) or "—",
                "Versions": m.versions,
                "Registered": m.created_at,
            }
            for m in models
        ],
        columns=[
            "Model", "Provider", "Owner", "Risk tier", "Latest version", "Status",
            "Deployed in", "Versions", "Registered",
        ],
    )  # fmt: skip
    frame["Registered"] = localise_column(frame["Registered"])
    return frame


def empty_registry(can_register: bool) -> None:
    """No model at all: say who can register one, and how."""
    if can_register:
        st.info(
            "No model is registered yet. Register the first one with the form below "
            "(Register a model), or from the command line:",
            icon=":material/info:",
        )
    else:
        st.info(
            "No model is registered yet. Data scientists and administrators register models "
            "on this page or from the command line; ask one of them to register yours:",
            icon=":material/info:",
        )
    st.code(REGISTER_BY_CLI, language="bash", wrap_lines=True)


# Rows the table draws at most. Past a few hundred rows nobody reads a table, they narrow it;
# and at 10,000 models, building and sending every row was most of a page run. The count
# says how many more match, and the downloads hold every match.
SHOWN_LIMIT = 500


def model_list(models: Sequence[ModelSummary]) -> None:
    """The filtered, sortable table (click a header to sort) of the first matches, and a CSV
    and an Excel file of every match."""
    matching = filter_models(models)
    if not matching:
        st.info("No model matches these filters. Clear a filter or the search to see more.")
        return
    frame = summary_frame(matching[:SHOWN_LIMIT])
    st.dataframe(
        frame,
        hide_index=True,
        width="stretch",
        column_config={
            "Registered": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm z"),
        },
    )
    if len(matching) > SHOWN_LIMIT:
        st.caption(
            f"The first {SHOWN_LIMIT:,} (by name) of {len(matching):,} matching models, of "
            f"{len(models):,} in all: narrow the list with the filters or the search. The "
            "downloads hold every match. Choose a model above to open its detail."
        )
    else:
        st.caption(
            f"{len(matching):,} of {len(models):,} models. Choose one above to open its detail."
        )
    # Built only when a download is asked for: the full frame costs more than the table.
    table_downloads(lambda: summary_frame(matching), stem="model-registry", key="reg_list")
