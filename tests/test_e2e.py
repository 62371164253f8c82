"""End-to-end: the real app in Debian's Chromium, driven as a person would, with the mouse."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bench.browser import wait_for_app

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOTS = ROOT / "docs" / "screenshots"
PAGES = ["home", "activations", "forward", "softmax", "mnist", "draw", "evaluate", "handwriting"]


def screenshot(page, name: str) -> None:
    """Keep a picture of the page: into docs/screenshots when UPDATE_SCREENSHOTS=1 (the README's images)."""
    if os.environ.get("UPDATE_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=False)


@pytest.mark.parametrize("path", PAGES)
def test_every_page_opens_without_an_exception(page, app_url, path):
    page.goto(f"{app_url}/{path}")
    wait_for_app(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.locator("h1").count() >= 1
    screenshot(page, path)
