"""Fairness end to end: upload predictions, read the verdict and charts, save, download."""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import (
    create_accounts,
    nav_links,
    open_app,
    register_model,
    sign_in,
    wait_for_run,
)

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]


def _predictions(path: Path) -> None:
    """Decisions that favour one group: a clear fail on the four-fifths rule."""
    rng = np.random.default_rng(11)
    n = 2_000
    race = rng.choice(["Group A", "Group B"], n)
    label = rng.random(n) < 0.4
    approved = rng.random(n) < np.where(race == "Group A", 0.55, 0.30)
    with path.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["label", "prediction", "race"])
        writer.writerows(zip(label.astype(int), approved.astype(int), race, strict=True))


def _download_button(page: Page, label: str):
    """The first of our download buttons with this label (not a table toolbar's)."""
    buttons = page.get_by_test_id("stDownloadButton").filter(has_text=re.compile(rf"{label}$"))
    return buttons.first.get_by_role("button")


def test_data_scientist_assesses_saves_and_downloads(
    app_server: str, page: Page, shot: Callable[[str], Path], tmp_path: Path
) -> None:
    env = create_accounts(tmp_path / "state", ("admin", "admin"), ("dana", "data_scientist"))
    register_model(env, "credit-model", actor="dana")  # evidence names a registered model
    data = tmp_path / "scored.csv"
    _predictions(data)

    open_app(page, app_server, expect_button="Sign in")
    sign_in(page, "dana")
    nav_links(page).filter(has_text=re.compile(r"Fairness$")).click()
    expect(page.get_by_role("heading", name="Fairness assessment", level=1)).to_be_visible()
    wait_for_run(page)

    page.locator("input[type=file]").set_input_files(str(data))
    expect(page.get_by_role("heading", name="1. Confirm the columns")).to_be_visible()
    wait_for_run(page)
    shot("mapping")
    page.get_by_role("button", name="Assess").click()
    banner = page.get_by_text(re.compile(r"FAIL under the policy in force · 2,000 rows"))
    expect(banner).to_be_visible(timeout=30_000)
    expect(
        page.get_by_text(re.compile(r"Selection rate of race=Group B is 0\.\d\d"))
    ).to_be_visible()
    chart = page.get_by_test_id("stPlotlyChart").first
    expect(chart).to_be_visible()
    expect(chart.get_by_text("Selection rate by race")).to_be_visible()
    wait_for_run(page)
    shot("verdict")

    with page.expect_download() as csv_download:
        _download_button(page, "CSV").click()
    text = Path(csv_download.value.path()).read_text()
    assert text.splitlines()[0].startswith("grouping,")
    assert "race" in text and "fail" in text

    with page.expect_download(timeout=60_000) as png_download:
        _download_button(page, "PNG").click()
    png = Path(png_download.value.path()).read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000

    page.get_by_label("Model").fill("credit-model")
    page.get_by_role("button", name="Save assessment").click()
    expect(page.get_by_text("Saved as assessment #1 for credit-model.")).to_be_visible()
    wait_for_run(page)
    page.get_by_role("tab", name="History").click()
    expect(page.get_by_text("Trend of a model")).to_be_visible()
    shot("history")
    stored = list((tmp_path / "state" / "artifacts").rglob("*.parquet"))
    assert len(stored) == 1
