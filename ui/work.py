"""Calling services from a page: one unit of work per call, domain errors as messages.

A page reads its widgets, then calls ``run`` (reads) or ``submit`` (changes) with a service
function of ``governance`` and its keyword arguments; it never opens a session itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Concatenate, ParamSpec, TypeVar

import streamlit as st

from governance.errors import Conflict, GovernanceError
from governance.kernel import UnitOfWork
from ui.feedback import flash
from ui.resources import workbench
from ui.text import markdown_text

P = ParamSpec("P")
T = TypeVar("T")


class _Failed:
    """A refused call: its error was shown."""

    def __init__(self, error: GovernanceError) -> None:
        self.error = error


def _call(
    service: Callable[Concatenate[UnitOfWork, P], T], *args: P.args, **kwargs: P.kwargs
) -> T | _Failed:
    """The service's result, or :class:`_Failed` after showing its :class:`GovernanceError`.

    Anything else is a bug and propagates (the server logs it; users see no traceback because
    ``client.showErrorDetails`` is off).
    """
    try:
        with workbench().unit() as uow:
            return service(uow, *args, **kwargs)
    except GovernanceError as exc:
        show_error(exc)
        return _Failed(exc)


def show_error(exc: GovernanceError) -> None:
    # Messages may quote user input: shown as plain text, never as markdown.
    st.error(markdown_text(str(exc)), icon=":material/error:")


def guarded(action: Callable[[], T]) -> T | None:
    """Run a step that is not a service (reading an upload, say); show its domain error."""
    try:
        return action()
    except GovernanceError as exc:
        show_error(exc)
        return None


def run(
    service: Callable[Concatenate[UnitOfWork, P], T], /, *args: P.args, **kwargs: P.kwargs
) -> T | None:
    """Call ``service`` in a unit of its own; ``None`` (with the error shown) if refused."""
    value = _call(service, *args, **kwargs)
    return None if isinstance(value, _Failed) else value


def submit(
    service: Callable[Concatenate[UnitOfWork, P], T],
    /,
    success: str | Callable[[T], str],
    *args: P.args,
    on_conflict: Callable[[], None] | None = None,
    **kwargs: P.kwargs,
) -> T | None:
    """Make a change: on success note ``success`` for the next run and rerun the page.

    On a refusal the error is shown, the widgets keep what the person typed and ``None`` is
    returned. On a :class:`Conflict` (someone changed the record meanwhile) ``on_conflict``,
    when given, resets the form to the record as it is now, and the page reruns with the
    message, so the person retries from what is current rather than from what they saw.
    """
    value = _call(service, *args, **kwargs)
    if isinstance(value, _Failed):
        if on_conflict is not None and isinstance(value.error, Conflict):
            on_conflict()
            flash(markdown_text(str(value.error)), "error")
            st.rerun()
        return None
    flash(success(value) if callable(success) else success)
    st.rerun()
    raise AssertionError("unreachable: st.rerun() raises")


_SEEN = "_seen_versions"


def seen_version(record: str, current: int) -> int:
    """The version of ``record`` that was on screen when the person acted.

    A button's click reruns the whole page, which reads the records afresh; what the person
    decided on is what the previous run showed. That version is returned (for a service's
    ``expected_version``, so an edit of something changed meanwhile is refused),
    and ``current`` is remembered for the next run.
    """
    versions: dict[str, int] = st.session_state.setdefault(_SEEN, {})
    previous = versions.get(record, current)
    versions[record] = current
    return previous
