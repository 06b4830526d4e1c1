"""User text that a renderer could take for markup: one corpus for every test of text on screen.

Each payload is something a person may type as a name, or a file may hold as a column name or a
value, that Streamlit's markdown (GitHub-flavoured, with autolinks, ``$math$``, ``:emoji:``,
``:material/icon:`` and ``:color[...]`` directives), HTML or plotly's HTML subset would
interpret. Shown safely, each reads exactly as typed.

The words inside the markup (``zbold``, ``zlink``…) are :data:`TOKENS`: if any of them is the
whole text of a link, an emphasis, a heading or a code element, some markup was interpreted.
Addresses point at :data:`OUTSIDE_HOSTS`, so a request for one of them means an image or a link
was followed.
"""

from __future__ import annotations

import re

from ui.text import WORD_JOINER

OUTSIDE_HOSTS = ("evil.example", "127.0.0.1:8999")

PAYLOADS: dict[str, str] = {
    # The column name of issue #7 item 7 (bold text, a link and an image fetched from a host).
    "issue": "age **bold**[link](http://evil.example/md)![t](http://127.0.0.1:8999/md.png)",
    "emphasis": "*zital* _zital_ __zbold__ ~~zstrike~~ `zcode`",
    "link": "[zlink](http://evil.example/l) [zref][1] <http://evil.example/angle>",
    "javascript": "[zjs](javascript:alert(1))",
    "image": "![zimg](http://127.0.0.1:8999/img.png)",
    "html": '<b>zbold</b> <a href="http://evil.example/h">zlink</a> '
    '<img src="http://127.0.0.1:8999/h.png">',
    "script": "<script>alert(1)</script><style>*{display:none}</style>",
    "autolink": "www.evil.example http://evil.example/auto HTTPS://EVIL.EXAMPLE/up",
    "email": "mail@evil.example mailto:m@evil.example",
    "math": "$zmath$ $$zmath$$",
    "emoji": ":smile: :+1: :material/home:",
    "colour": ":red[zred] :blue-background[zbg] :small[zsmall]",
    "entity": "AT&amp;T &lt;b&gt; &#x41;",
    "blocks": "# zhead | a | b | > zquote 1. - + ***",
    "backslash": r"C:\temp \*zstar\* 100%",
}

# What some markup would leave as the whole text of an element if it were interpreted.
TOKENS = frozenset(
    {"bold", "link", "t", "zital", "zbold", "zstrike", "zcode", "zlink", "zref", "zjs", "zimg",
     "zmath", "zred", "zbg", "zsmall", "zhead", "zquote", "zstar"}
)  # fmt: skip
# What an interpreted emoji shortcode would show.
EMOJI = ("😄", "👍")

# A username may hold only lower-case letters, digits, dots, dashes and underscores: this one
# is still an autolink to markdown.
LINK_USERNAME = "www.evil.example"
# E-mail addresses are checked for shape only, so markup fits in front of the "@".
MARKUP_EMAIL = "*zital*[x](y)@evil.example"


def join(*names: str) -> str:
    """Several payloads in one text (a display name holds up to 200 characters)."""
    return " ".join(PAYLOADS[name] for name in names)


_ASCII_PUNCTUATION = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")


def as_read(source: str) -> str:
    """What a reader sees of ``source``, markdown meant to show user text literally.

    Raises ``AssertionError`` at the first ASCII punctuation character that is not
    backslash-escaped (it could start a link, emphasis, HTML, math, a directive or an entity)
    and at a backslash that escapes nothing. The invisible word joiners are left out.
    """
    out: list[str] = []
    i = 0
    while i < len(source):
        ch = source[i]
        if ch == "\\":
            nxt = source[i + 1] if i + 1 < len(source) else ""
            assert nxt in _ASCII_PUNCTUATION, f"stray backslash at {i} in {source!r}"
            out.append(nxt)
            i += 2
            continue
        assert ch not in _ASCII_PUNCTUATION, f"unescaped {ch!r} at {i} in {source!r}"
        if ch != WORD_JOINER:
            out.append(ch)
        i += 1
    return "".join(out)


# What Streamlit's markdown finds in the text *after* escapes are resolved (GFM autolink
# literals as in mdast-util-gfm-autolink-literal, remark-emoji, the material-icon shortcode).
TEXT_TRIGGERS = {
    "protocol link": re.compile(r"https?://|(mailto|xmpp):[-.\w+]", re.IGNORECASE),
    "www link": re.compile(r"www\.", re.IGNORECASE),
    "e-mail link": re.compile(r"[-.\w+]@[-\w]"),
    "shortcode": re.compile(r":[\w+-]+[:/]"),
}


def resolved(escaped: str) -> str:
    """``escaped`` as the markdown parser leaves it: escapes resolved, word joiners kept."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", escaped)


def triggers_left(escaped: str) -> list[str]:
    """The autolinks and shortcodes Streamlit would still find in markdown ``escaped``."""
    text = resolved(escaped)
    return [name for name, trigger in TEXT_TRIGGERS.items() if trigger.search(text)]
