"""User text on screen: the one way to put a name, a column or a message into Streamlit.

Text that people type or files carry (display names, usernames, e-mail addresses, file and
column names, group values, model names, error messages quoting any of them) must read as
typed, never as markup. What Streamlit 1.67 does with a string depends on where it goes
(observed in Chromium; ``tests/e2e/test_user_text_flow.py`` keeps checking it):

**Markdown bodies** — GitHub-flavoured markdown with bare-URL and e-mail autolinks, ``$math$``,
``:emoji:`` and ``:material/icon:`` shortcodes and ``:color[...]`` directives (raw HTML is shown
as text, but an address inside it is still autolinked): ``st.markdown``, ``st.write`` of a
string, ``st.caption``, ``st.title``/``header``/``subheader``, ``st.info``/``success``/
``warning``/``error``, ``st.toast``, ``st.spinner``, and our ``flash`` and ``submit`` success
messages, which end in one of these. Use :func:`markdown_text`.

**Labels** — a markdown subset (bold, italics, strikethrough, code, links, images, math,
shortcodes, directives; block syntax is shown literally): the label of every widget and button,
``st.tabs``, ``st.expander``, ``st.metric`` (its label, and also its value and delta), and the
options of ``st.segmented_control``, ``st.pills`` and ``st.radio``. Use :func:`label_text`.

**Help tooltips** — the ``help=`` of widgets, buttons and metrics: full markdown. Use
:func:`help_text`.

**Plain text, nothing to do** — options of ``st.selectbox`` and ``st.multiselect`` (what
``format_func`` returns included), ``st.dataframe`` cells and headers, ``column_config`` labels,
``placeholder=``, ``st.text``, ``st.code``, ``st.json``. Never escape there: the backslashes
would show. Download file names go through :func:`ui.downloads.safe_filename`. Plotly draws its
own HTML subset: charts escape user text with :func:`governance.charts.fairness.display_text`.

The three functions do the same, so that the call site says where the text goes: user text
becomes one line (line breaks would start a heading or a list), every ASCII punctuation
character is backslash-escaped (CommonMark shows ``\\*`` as ``*``: no backslash is visible),
and a word joiner (U+2060, invisible) goes after ``:`` and ``@`` and inside ``www.``. The
joiner is needed because Streamlit finds autolinks (``http://``, ``www.``, ``a@b.c``) and
``:material/…:`` shortcodes in the text *after* escapes are resolved, which a backslash cannot
prevent.
"""

from __future__ import annotations

import re

WORD_JOINER = "\u2060"
_LINE_BREAKS = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]+")
_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
# Where an autolink or a shortcode would start: after a colon ("http:", ":smile:",
# ":material/"), after "@" (e-mail addresses) and between "www" and its dot.
_LINK_STARTS = re.compile(r"(?<=[:@])|(?<=www)(?=\.)", re.IGNORECASE)


def _inert(value: object) -> str:
    one_line = _LINE_BREAKS.sub(" ", str(value))
    return _PUNCTUATION.sub(r"\\\1", _LINK_STARTS.sub(WORD_JOINER, one_line))


def markdown_text(value: object) -> str:
    """``value`` shown as typed inside a markdown body (``st.markdown``, ``st.caption``, alerts)."""
    return _inert(value)


def label_text(value: object) -> str:
    """``value`` shown as typed inside a label (widget, button, tab, expander, metric, pill)."""
    return _inert(value)


def help_text(value: object) -> str:
    """``value`` shown as typed inside a ``help=`` tooltip."""
    return _inert(value)
