"""Checks that user text on a page stayed text: no link, image, formatting or outside request.

:class:`Inertness` watches every request the page makes and, at each :meth:`Inertness.check`,
reads the DOM for what the payloads of :mod:`tests.payloads` would become if some markup in
them were interpreted anywhere on the page (Streamlit markdown, HTML, plotly's SVG text).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from playwright.sync_api import Locator, Page, Request, expect

from tests.e2e.helpers import TIMEOUT_MS
from tests.payloads import EMOJI, TOKENS

# The zero-width word joiner that the escaping helper puts inside "http://", "www." and "@":
# invisible to a reader, so left out of every comparison of what a reader sees.
WORD_JOINER = "\u2060"

_PROBLEMS = """([tokens, emoji, origin]) => {
  const problems = [];
  const own = (url) => url.startsWith(origin) || url.startsWith("data:") || url.startsWith("blob:");
  for (const a of document.querySelectorAll("a")) {
    const href = a.getAttribute("href") ?? a.getAttribute("xlink:href");
    // The navigation, and our own page links (the notifications bell): fixed labels, own pages.
    const nav = a.closest("[data-testid=stSidebarNav], [data-testid^=stPageLink]") !== null;
    const anchor = href !== null && href.startsWith("#");  // a heading's own anchor
    const plotlyButton = href === null && a.closest(".modebar") !== null;
    if (!(nav || anchor || plotlyButton) || (href !== null && !anchor && !own(a.href))) {
      problems.push(`link ${JSON.stringify(href)}: ${JSON.stringify(a.textContent.slice(0, 80))}`);
    }
  }
  for (const img of document.querySelectorAll("img, image")) {
    const src = img.getAttribute("src") ?? img.getAttribute("href") ?? "";
    if (src && !own(new URL(src, document.baseURI).href)) problems.push(`image ${src}`);
  }
  if (document.querySelector(".katex")) problems.push("math rendered by KaTeX");
  for (const el of document.querySelectorAll("body *")) {
    const text = (el.textContent ?? "").trim();
    if (tokens.includes(text) && !["SCRIPT", "STYLE"].includes(el.tagName)) {
      problems.push(`<${el.tagName.toLowerCase()}> made of markup: ${JSON.stringify(text)}`);
    }
    if (el.matches("span[role=img][aria-label$=' icon']") && text === "home") {
      problems.push("material icon from a shortcode");
    }
  }
  for (const el of document.querySelectorAll("script, style")) {
    const own = !/alert\\(1\\)|\\*\\{display:none\\}/.test(el.textContent ?? "");
    if (!own) problems.push(`a <${el.tagName.toLowerCase()}> from user text`);
  }
  const text = document.body.innerText;
  for (const e of emoji) if (text.includes(e)) problems.push(`emoji ${e} from a shortcode`);
  return problems;
}"""


@dataclass
class Inertness:
    """Every request of ``page`` outside ``base_url``, and the DOM checks of each page visited."""

    page: Page
    base_url: str
    outside: list[str] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.page.on("request", self._seen)

    def _seen(self, request: Request) -> None:
        if urlsplit(request.url).netloc != urlsplit(self.base_url).netloc:
            self.outside.append(request.url)

    def check(self, where: str) -> None:
        """Nothing on the page is markup made from user text, and nothing left for another host."""
        problems = self.page.evaluate(
            _PROBLEMS, [sorted(TOKENS), list(EMOJI), self.base_url.rstrip("/")]
        )
        assert not problems, f"{where}: {json.dumps(problems, ensure_ascii=False, indent=1)}"
        assert not self.outside, f"{where}: requests to other hosts: {self.outside}"
        self.checked.append(where)


def shown_text(scope: Locator) -> str:
    """What a reader sees of ``scope`` (its rendered text, the invisible joiners left out)."""
    return scope.inner_text().replace(WORD_JOINER, "")


def expect_shown(scope: Locator, text: str, timeout_s: float = TIMEOUT_MS / 1000) -> None:
    """``scope`` shows ``text`` exactly as typed: no backslash, markup character or letter lost.

    Retried until ``timeout_s``, as Playwright's own ``expect`` is (the text may still render).
    """
    expect(scope.first).to_be_attached()
    deadline = time.monotonic() + timeout_s
    while text not in (seen := shown_text(scope.first)):
        if time.monotonic() > deadline:
            raise AssertionError(f"{text!r} is not shown as typed in {seen!r}")
        time.sleep(0.2)
