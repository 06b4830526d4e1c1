"""The escaping helper of ``ui.text``: every payload reads as typed and can start no markup.

Streamlit resolves backslash escapes first and only then looks for autolinks (``http://``,
``www.``, ``a@b.c``) and ``:material/…:`` shortcodes in the text, so these checks run on the
text as the parser leaves it: escapes resolved, word joiners still in place.
"""

from __future__ import annotations

import pytest

from tests.payloads import PAYLOADS, TEXT_TRIGGERS, as_read, resolved, triggers_left
from ui.text import WORD_JOINER, help_text, label_text, markdown_text

HELPERS = [markdown_text, label_text, help_text]
CORPUS = [*PAYLOADS.values(), " ".join(PAYLOADS.values())]


@pytest.mark.parametrize("helper", HELPERS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("text", CORPUS, ids=[*PAYLOADS, "all"])
def test_each_payload_reads_as_typed(helper, text):
    assert as_read(helper(text)) == text


@pytest.mark.parametrize("helper", HELPERS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("text", CORPUS, ids=[*PAYLOADS, "all"])
def test_no_autolink_or_shortcode_survives_the_parser(helper, text):
    assert triggers_left(helper(text)) == [], resolved(helper(text))


def test_the_triggers_find_what_the_corpus_holds():
    # Without the word joiners every trigger fires on the corpus: the check above can fail.
    unjoined = resolved(markdown_text(CORPUS[-1])).replace(WORD_JOINER, "")
    assert all(trigger.search(unjoined) for trigger in TEXT_TRIGGERS.values())


@pytest.mark.parametrize("helper", HELPERS, ids=lambda f: f.__name__)
def test_line_breaks_become_spaces(helper):
    # A column name from a file may hold line breaks: in a sentence, a label or a bullet they
    # would start a new block (a heading, a list, a setext underline).
    text = "age\n# heading\r\n===\u2028- item\tend"

    assert as_read(helper(text)) == "age # heading === - item end"


def test_text_that_needs_nothing_is_left_alone():
    assert markdown_text("Ada Lovelace 1815") == "Ada Lovelace 1815"
    assert markdown_text("Zoë Ünal – 東京") == "Zoë Ünal – 東京"
