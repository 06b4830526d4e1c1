"""The model card: gathered from the records of one version, escaped for Markdown and HTML."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest

from governance.auth.roles import Role
from governance.registry import performance
from governance.registry.card import model_card
from governance.reports.model_card import card_html, card_markdown
from tests.factories import make_model, make_version
from tests.payloads import PAYLOADS

HOSTILE = "**zbold** [zlink](http://evil.example/x) <script>alert(1)</script> | pipe"


@pytest.fixture
def card(workbench, make_user):
    dana = make_user(Role.DATA_SCIENTIST, "dana")
    olga = make_user(Role.COMPLIANCE_OFFICER, "olga")
    model = make_model(workbench, by=dana, name=f"credit {HOSTILE}"[:200])
    version = make_version(workbench, model.name, maker=dana, checkers=(olga,), to="deployed",
                           version="1.2.0")  # fmt: skip
    now = datetime.now(UTC)
    workbench.run(performance.record_points, actor=dana.actor(), model=model.name, points=[
        {"metric": "accuracy", "value": 0.80, "timestamp": (now - timedelta(days=1)).isoformat()},
        {"metric": "accuracy", "value": 0.84, "timestamp": (now - timedelta(days=2)).isoformat()},
        {"metric": "latency_ms", "value": 200, "timestamp": now.isoformat()},
    ])  # fmt: skip
    with workbench.unit() as uow:
        return model_card(uow, actor=olga.actor(), model=model.name, version="1.2.0"), version


def test_the_card_gathers_the_records(card):
    got, version = card
    assert got.version.id == version.id and got.version.status == "deployed"
    accuracy, latency = got.metrics
    assert accuracy.metric == "accuracy" and accuracy.points == 2
    assert accuracy.mean == pytest.approx(0.82) and accuracy.met is False  # baseline >= 0.85
    assert latency.met is True and latency.points == 1
    assert [a.decision for a in got.approvals] == ["approved"]
    assert [t.to_status for t in got.history][-1] == "deployed"
    assert [d.environment for d in got.deployments] == ["production"]
    assert got.validations and got.validations[0].passed


def test_markdown_keeps_user_text_as_text(card):
    text = card_markdown(card[0])
    assert text.startswith("# Model card: credit ")
    assert "**zbold**" not in text and "](http" not in text and "<script>" not in text
    assert "\\*\\*zbold\\*\\*" in text and "\\<script\\>" in text
    # A pipe in a name does not split a table row: every row has the header's cell count.
    for table in re.findall(r"((?:^\|.*\|\n)+)", text, flags=re.M):
        widths = {len(re.split(r"(?<!\\)\|", row)) for row in table.splitlines() if row}
        assert len(widths) == 1, table
    assert "| accuracy | accuracy \\>= 0\\.85 | 0\\.82 | 2 | NO |" in text


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        self.tags.append(tag)

    def handle_data(self, data):  # type: ignore[no-untyped-def]
        self.text.append(data)


def test_html_escapes_everything_and_fetches_nothing(card):
    page = card_html(card[0]).decode()
    parsed = _Collect()
    parsed.feed(page)
    assert "script" not in parsed.tags and "a" not in parsed.tags and "img" not in parsed.tags
    assert HOSTILE.replace("  ", " ") in "".join(parsed.text)  # shown exactly as typed
    assert "default-src 'none'" in page
    assert html.escape("<script>") in page


@pytest.mark.parametrize("key", sorted(PAYLOADS))
def test_every_payload_stays_inert(workbench, make_user, key):
    dana = make_user(Role.DATA_SCIENTIST, f"d{abs(hash(key)) % 10_000}")
    name = f"m {PAYLOADS[key]}"[:200].strip()
    model = make_model(workbench, by=dana, name=name)
    make_version(workbench, model.name, maker=dana, version="0.1.0")
    with workbench.unit() as uow:
        got = model_card(uow, actor=dana.actor(), model=model.name, version="0.1.0")
    parsed = _Collect()
    parsed.feed(card_html(got).decode())
    assert set(parsed.tags) <= {"html", "head", "meta", "title", "style", "body", "h1", "h2",
                                "dl", "dt", "dd", "p", "table", "thead", "tbody", "tr", "th",
                                "td"}  # fmt: skip


def test_the_pdf_carries_the_card_as_text(card, tmp_path):
    import shutil
    import subprocess

    from governance.reports.model_card import card_pdf

    data = card_pdf(card[0])
    assert data.startswith(b"%PDF-")
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "card.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout  # fmt: skip
    flat = " ".join(text.split())
    assert "Model card: credit **zbold**" in flat  # drawn as typed, not as formatting
    assert "<script>alert(1)</script>" in flat
    for heading in ("Model details", "Metrics", "Fairness results", "Approvals",
                    "Lifecycle history", "Caveats"):  # fmt: skip
        assert heading in flat
    assert "accuracy >= 0.85" in flat and "NO" in flat
