"""Figure exports: self-contained HTML, and PNG, SVG or PDF rendered by kaleido in Chromium.

Kaleido 1.x renders in a headless Chrome that it drives through choreographer. We never let it
download one: it is pointed at Debian's ``/usr/bin/chromium`` (or ``BROWSER_PATH`` when set,
the variable kaleido and choreographer themselves honour), runs without MathJax (which it would
otherwise fetch from a CDN) and with plotly.js from the installed plotly package.

Starting Chromium takes seconds, so one renderer per process is started on the first export and
reused; it runs its own event loop in a daemon thread, so callers (Streamlit script threads, the
CLI) stay synchronous, and it is closed at interpreter exit. Exports are rendered one at a time
(kaleido has one tab anyway): a render's timeout then counts that render only, and a renderer
discarded after a failure is never one that another thread is still rendering with. A renderer
that fails is discarded, with the reason logged, and the next export starts a fresh one.

A renderer counts as started once it has drawn a tiny probe figure; see :meth:`_Renderer.warm_up`
for why ``Kaleido.open()`` returning is not enough.

:func:`with_export_context` adds a line saying what a chart is of (model, grouping, verdict,
time, file) to a copy of a figure, for files that leave the workbench.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import html
import logging
import os
import re
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import plotly.graph_objects as go

from governance.errors import GovernanceError, ValidationError

ImageFormat = Literal["png", "svg", "pdf"]
IMAGE_FORMATS: tuple[str, ...] = ("png", "svg", "pdf")
DEFAULT_CHROMIUM = Path("/usr/bin/chromium")
DEFAULT_WIDTH = 900
DEFAULT_HEIGHT = 500
START_TIMEOUT_S = 60.0
RENDER_TIMEOUT_S = 60.0
_HTML_CONFIG = {"displaylogo": False, "responsive": True}
# The smallest figure that runs kaleido's whole render path (plotly.js, image encoding).
_PROBE_FIGURE: dict[str, Any] = {"data": [{"type": "bar", "x": [0], "y": [1]}], "layout": {}}
_PROBE_OPTS: dict[str, Any] = {"format": "png", "width": 40, "height": 30, "scale": 1}
# What a render says when it ran before kaleido's page was ready: its script had not yet defined
# kaleido_scopes, or the JavaScript context kaleido noted was the replaced blank page's.
_PAGE_NOT_READY = ("kaleido_scopes is not defined", "Cannot find context with specified id")

_log = logging.getLogger(__name__)


class ExportUnavailable(GovernanceError):
    """An export needs software that this installation lacks; the message says how to add it."""


class ExportFailed(GovernanceError):
    """The renderer was there but could not produce the file."""


def figure_to_html(fig: go.Figure, *, title: str | None = None) -> bytes:
    """A complete HTML page with the interactive figure and plotly.js inline (no network).

    Figure JSON is embedded with ``<`` escaped by plotly, so text in the figure cannot close the
    script element.
    """
    page = fig.to_html(
        full_html=True,
        include_plotlyjs=True,
        include_mathjax=False,
        config=_HTML_CONFIG,
        div_id="figure",
        default_width="100%",
        default_height=f"{int(fig.layout.height or DEFAULT_HEIGHT)}px",
    )
    if title:
        page = page.replace("<head>", f"<head>\n    <title>{html.escape(title)}</title>", 1)
    return page.encode("utf-8")


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
CONTEXT_PART_LIMIT = 80  # characters of one user-supplied part of the context line
CONTEXT_FONT_SIZE = 11
CONTEXT_SEPARATOR = " · "
_CONTEXT_LINE_PX = 15  # one line of the context at 11 px, with its leading
_CONTEXT_CHAR_PX = 6.5  # a character's mean width at 11 px: how many fit across the figure


def _context_text(text: object, limit: int = CONTEXT_PART_LIMIT) -> str:
    """User text for the context line: one line, shortened, and HTML-escaped for plotly.

    Plotly draws a subset of HTML in annotations (``<b>``, ``<a href>``, ``<br>``...): escaped,
    a model called ``<a href=...>`` is drawn as typed, not as a link.
    """
    plain = " ".join(_CONTROL.sub(" ", str(text)).split())
    if len(plain) > limit:
        plain = plain[: limit - 1].rstrip() + "…"
    return html.escape(plain, quote=False)


def export_context_line(
    *,
    model: str | None,
    grouping: str,
    verdict: str | None,
    generated_at: datetime,
    source: str | None,
) -> str:
    """``credit-scoring 1.4.0 · race × sex · verdict FAIL · 2026-12-01 14:03 UTC · data.csv``.

    Parts that are None or blank are left out; user text is escaped (see :func:`_context_text`).
    A naive ``generated_at`` is taken as UTC. ``verdict`` may be a verdict's value (``fail``,
    ``insufficient_data``) or an enum holding one; it is shown in capitals.
    """
    when = generated_at if generated_at.tzinfo else generated_at.replace(tzinfo=UTC)
    verdict_value = getattr(verdict, "value", verdict)
    shown_verdict = _context_text(str(verdict_value or "").replace("_", " ").upper(), 30)
    parts = [
        _context_text(model or ""),
        _context_text(grouping or ""),
        f"verdict {shown_verdict}" if shown_verdict else "",
        when.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        _context_text(source or ""),
    ]
    return " · ".join(p for p in parts if p)  # blank parts (after cleaning) are left out


def _context_lines(line: str, width_px: int) -> list[str]:
    """The context line broken between its parts (never inside one) to fit ``width_px``.

    Plotly does not wrap annotations: a line wider than the figure is cut at its edge.
    """
    chars = max(40, int((width_px - 40) / _CONTEXT_CHAR_PX))
    lines: list[str] = []
    for part in line.split(CONTEXT_SEPARATOR):
        if lines and len(lines[-1]) + len(CONTEXT_SEPARATOR) + len(part) <= chars:
            lines[-1] += CONTEXT_SEPARATOR + part
        else:
            lines.append(part)
    return lines


def with_export_context(
    fig: go.Figure,
    *,
    model: str | None,
    grouping: str,
    verdict: str | None,
    generated_at: datetime,
    source: str | None,
) -> go.Figure:
    """A copy of ``fig`` with a line below it naming what it shows, for exported files.

    An image that leaves the workbench (a PNG in a slide, an SVG in a report) otherwise says
    nothing of the model, the data or when it was assessed. The line (see
    :func:`export_context_line`; broken between its parts when wider than the figure) is an
    annotation in a band added under the plot, so the plot area keeps its size and the
    figure's own title, subtitle and legend stay as they were.
    ``fig`` itself is not changed.
    """
    out = go.Figure(fig)
    margin = out.layout.margin
    bottom = margin.b if margin.b is not None else 80  # plotly's default bottom margin
    height = out.layout.height or DEFAULT_HEIGHT
    line = export_context_line(
        model=model, grouping=grouping, verdict=verdict, generated_at=generated_at, source=source
    )
    lines = _context_lines(line, int(out.layout.width or DEFAULT_WIDTH))
    band = 12 + _CONTEXT_LINE_PX * len(lines)  # added below the figure for the context
    out.update_layout(height=height + band, margin={"b": bottom + band})
    out.add_annotation(
        text="<br>".join(lines),  # our own markup, between escaped parts
        name="export context",
        xref="paper",
        yref="paper",
        x=0,
        y=0,
        xanchor="left",
        yanchor="top",
        # From the bottom of the plot area, past the figure's own bottom margin (tick labels,
        # axis title) into the added band.
        yshift=-(bottom + 4),
        showarrow=False,
        align="left",
        font={"size": CONTEXT_FONT_SIZE, "color": "#555555"},
    )
    return out


def chromium_path() -> Path:
    """The browser kaleido renders with: ``BROWSER_PATH`` if set, else Debian's chromium."""
    return Path(os.environ.get("BROWSER_PATH") or DEFAULT_CHROMIUM)


def image_export_unavailable() -> str | None:
    """Why static images cannot be exported here, or None when they can."""
    browser = chromium_path()
    if not (browser.is_file() and os.access(browser, os.X_OK)):
        return (
            f"Image export (PNG, SVG, PDF) needs the Chromium browser, which is not installed "
            f"on this server (looked for {browser}). An administrator can enable it with "
            "`apt-get install chromium`. Interactive HTML, CSV and Excel exports work without it."
        )
    try:
        import kaleido  # noqa: F401
    except ImportError:
        return (
            "Image export (PNG, SVG, PDF) needs the kaleido package, which is not installed. "
            "An administrator can enable it with `pip install 'kaleido>=1,<2'`."
        )
    return None


async def _cancel_pending() -> None:
    tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


class _Renderer:
    """One kaleido browser on its own event loop thread."""

    def __init__(self, browser: Path) -> None:
        self.browser = browser
        self.pid = os.getpid()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="kaleido-renderer", daemon=True
        )
        self._kaleido: Any = None

    def start(self) -> None:
        self._thread.start()
        try:
            self._call(self._open(), START_TIMEOUT_S)
            self.warm_up()
        except BaseException:
            self.close()
            raise

    def warm_up(self) -> None:
        """Render a probe figure, once more if the first ran before kaleido's page was ready.

        ``Kaleido.open()`` navigates its tab to kaleido's page and waits for a JavaScript context
        and for a ``Page.loadEventFired`` event, subscribed to before the navigation, so an
        event of the tab's previous (blank) document can satisfy it. It can then return while
        the page's ~5 MB of script (plotly.js, ``kaleido_scopes``) is still loading: seen
        under load as a context of kaleido's page in which ``kaleido_scopes`` is undefined. The
        first render then fails with "ReferenceError: kaleido_scopes is not defined"; on an
        idle machine the script wins the race. Kaleido reloads a tab after every render,
        failed or not, and waits for that reload properly, so one more probe runs in a ready
        page. Any other failure, or a second one, is a real start-up failure.
        """
        try:
            self.render(_PROBE_FIGURE, _PROBE_OPTS)
        except Exception as exc:
            if not any(sign in str(exc) for sign in _PAGE_NOT_READY):
                raise
            _log.warning(
                "Chromium's kaleido page was not ready when the browser had started (%s: %s); "
                "kaleido has reloaded it, probing once more.",
                type(exc).__name__,
                str(exc)[:300],
            )
            self.render(_PROBE_FIGURE, _PROBE_OPTS)

    async def _open(self) -> None:
        import kaleido

        # mathjax=False: no CDN fetch; plotly.js comes from the installed plotly package.
        self._kaleido = kaleido.Kaleido(
            path=str(self.browser), n=1, timeout=RENDER_TIMEOUT_S, mathjax=False
        )
        await self._kaleido.open()  # on failure close() still finds the browser to end

    def _call(self, coroutine: Any, timeout: float) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    def render(self, fig: dict[str, Any], opts: dict[str, Any]) -> bytes:
        result = self._call(self._kaleido.calc_fig(fig, opts=opts), RENDER_TIMEOUT_S + 5)
        return bytes(result)

    def close(self) -> None:
        if self._kaleido is not None and self._thread.is_alive():
            # Best effort: this runs at shutdown or after a failure, when the browser may be gone.
            with contextlib.suppress(Exception):
                self._call(self._kaleido.close(), 15)
        self._kaleido = None
        if self._thread.is_alive():
            # Choreographer's watchdog and readers may still be waiting: end them quietly.
            with contextlib.suppress(Exception):
                self._call(_cancel_pending(), 5)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(5)
        if not self._loop.is_running():
            self._loop.close()


_lock = threading.Lock()
# Held for a whole export (start-up included): one render at a time per process.
_render_lock = threading.Lock()
_renderer: _Renderer | None = None


def _get_renderer() -> _Renderer:
    global _renderer
    with _lock:
        if _renderer is not None and _renderer.pid != os.getpid():
            _renderer = None  # a forked child: the parent's browser thread is not ours
        if _renderer is None:
            reason = image_export_unavailable()
            if reason:
                raise ExportUnavailable(reason)
            browser = chromium_path()
            renderer = _Renderer(browser)
            try:
                renderer.start()
            except Exception as exc:
                raise ExportUnavailable(
                    f"Image export could not start the Chromium browser at {browser} "
                    f"({type(exc).__name__}: {exc}). Check that `{browser} --headless "
                    "--version` runs; reinstall with `apt-get install chromium`."
                ) from exc
            _renderer = renderer
        return _renderer


def _discard(renderer: _Renderer) -> None:
    global _renderer
    with _lock:
        if _renderer is renderer:
            _renderer = None
    renderer.close()


def shutdown_renderer() -> None:
    """Close the shared browser, if one was started (also done at interpreter exit)."""
    global _renderer
    with _lock:
        renderer, _renderer = _renderer, None
    if renderer is not None:
        renderer.close()


atexit.register(shutdown_renderer)


def figure_to_image(
    fig: go.Figure,
    fmt: ImageFormat = "png",
    *,
    width: int | None = None,
    height: int | None = None,
    scale: float | None = None,
) -> bytes:
    """The figure as a PNG, SVG or PDF file.

    Parameters
    ----------
    fig:
        The figure to render.
    fmt:
        ``"png"``, ``"svg"`` or ``"pdf"``.
    width, height:
        Size in layout pixels; default the figure's own size, else 900 × 500.
    scale:
        Pixel density for PNG (default 2, sharp on high-resolution screens and in print);
        vector formats ignore it.

    Raises
    ------
    ExportUnavailable
        Chromium (or kaleido) is not installed; the message says how to install it.
    ExportFailed
        The browser could not render this figure.
    """
    if fmt not in IMAGE_FORMATS:
        raise ValidationError(f"Image format {fmt!r} is not offered; choose png, svg or pdf.")
    opts = {
        "format": fmt,
        "width": int(width or fig.layout.width or DEFAULT_WIDTH),
        "height": int(height or fig.layout.height or DEFAULT_HEIGHT),
        "scale": float(scale if scale is not None else (2 if fmt == "png" else 1)),
    }
    spec = fig.to_dict()
    with _render_lock:
        renderer = _get_renderer()
        try:
            return renderer.render(spec, opts)
        except Exception as exc:
            # The browser may be wedged or gone: start afresh on the next export. Logged, as
            # callers such as the PDF report turn the failure into a note and carry on.
            _log.warning(
                "%s export failed, discarding the browser: %s: %s",
                fmt.upper(),
                type(exc).__name__,
                str(exc)[:300],
            )
            _discard(renderer)
            raise ExportFailed(
                f"The {fmt.upper()} export failed ({type(exc).__name__}: {exc}). Try again; if "
                "it keeps failing, export HTML instead and report the problem."
            ) from exc
