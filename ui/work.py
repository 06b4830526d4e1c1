"""Calling services from a page: one unit of work per call, domain errors as messages.

A page reads its widgets, then calls ``run`` (reads) or ``submit`` (changes) with a service
function of ``governance`` and its keyword arguments; it never opens a session itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Concatenate, ParamSpec, TypeVar

import streamlit as st

from governance.errors import GovernanceError
from governance.kernel import UnitOfWork
from ui.feedback import flash
from ui.formatting import md_escape
from ui.resources import workbench

P = ParamSpec("P")
T = TypeVar("T")
_FAILED = object()


def _call(
    service: Callable[Concatenate[UnitOfWork, P], T], *args: P.args, **kwargs: P.kwargs
) -> T | object:
    """The service's result, or ``_FAILED`` after showing its :class:`GovernanceError`.

    Anything else is a bug and propagates (the server logs it; users see no traceback because
    ``client.showErrorDetails`` is off).
    """
    try:
        with workbench().unit() as uow:
            return service(uow, *args, **kwargs)
    except GovernanceError as exc:
        # Messages may quote user input: shown as plain text, never as markdown.
        st.error(md_escape(str(exc)), icon=":material/error:")
        return _FAILED


def run(
    service: Callable[Concatenate[UnitOfWork, P], T], /, *args: P.args, **kwargs: P.kwargs
) -> T | None:
    """Call ``service`` in a unit of its own; ``None`` (with the error shown) if refused."""
    value = _call(service, *args, **kwargs)
    return None if value is _FAILED else value  # type: ignore[return-value]


def submit(
    service: Callable[Concatenate[UnitOfWork, P], T],
    /,
    success: str | Callable[[T], str],
    *args: P.args,
    **kwargs: P.kwargs,
) -> T | None:
    """Make a change: on success note ``success`` for the next run and rerun the page.

    Read caches are cleared first, so the rerun shows the change. On a refusal the error is
    shown, the widgets keep what the person typed and ``None`` is returned.
    """
    value = _call(service, *args, **kwargs)
    if value is _FAILED:
        return None
    flash(success(value) if callable(success) else success)  # type: ignore[arg-type]
    st.cache_data.clear()
    st.rerun()
    raise AssertionError("unreachable: st.rerun() raises")


_SEEN = "_seen_versions"


def seen_version(record: str, current: int) -> int:
    """The version of ``record`` that was on screen when the person acted.

    A button's click reruns the whole page, which reads the records afresh; what the person
    decided on is what the previous run showed. That version is returned (for a service's
    ``expected_version``/``based_on``, so an edit of something changed meanwhile is refused),
    and ``current`` is remembered for the next run.
    """
    versions: dict[str, int] = st.session_state.setdefault(_SEEN, {})
    previous = versions.get(record, current)
    versions[record] = current
    return previous
