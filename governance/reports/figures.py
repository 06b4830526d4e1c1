"""Figure exports: self-contained HTML, and PNG, SVG or PDF rendered by kaleido in Chromium.

Kaleido 1.x renders in a headless Chrome that it drives through choreographer. We never let it
download one: it is pointed at Debian's ``/usr/bin/chromium`` (or ``BROWSER_PATH`` when set,
the variable kaleido and choreographer themselves honour), runs without MathJax (which it would
otherwise fetch from a CDN) and with plotly.js from the installed plotly package.

Starting Chromium takes seconds, so one renderer per process is started on the first export and
reused; it runs its own event loop in a daemon thread, so callers (Streamlit script threads, the
CLI) stay synchronous, and it is closed at interpreter exit. A renderer that fails is discarded
and the next export starts a fresh one.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import html
import os
import threading
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
        except BaseException:
            self.close()
            raise

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
    renderer = _get_renderer()
    try:
        return renderer.render(spec, opts)
    except Exception as exc:
        # The browser may be wedged or gone: start afresh on the next export.
        _discard(renderer)
        raise ExportFailed(
            f"The {fmt.upper()} export failed ({type(exc).__name__}: {exc}). Try again; if it "
            "keeps failing, export HTML instead and report the problem."
        ) from exc
