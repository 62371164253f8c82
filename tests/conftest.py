"""Shared fixtures: real MNIST and the book's weights from ../shared, and the real app in Chromium."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bench.browser import CHROMIUM, ROOT, launch_chromium, start_streamlit, stop

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require_env(name: str) -> Path:
    """Path named by an environment variable; skip without it, but fail in CI, where a skip hides a gap."""
    value = os.environ.get(name)
    if value and Path(value).exists():
        return Path(value)
    reason = f"{name} is not set to an existing path" if not value else f"{name}={value} does not exist"
    if IN_CI:
        pytest.fail(f"{reason}; CI must provide it (see .ci/run)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def mnist_dir() -> Path:
    """Folder with the four genuine MNIST IDX .gz files (MNIST_DIR)."""
    return require_env("MNIST_DIR")


@pytest.fixture(scope="session")
def book_weights_path() -> Path:
    """The book's sample_weight.pkl (BOOK_WEIGHTS)."""
    return require_env("BOOK_WEIGHTS")


@pytest.fixture(scope="session")
def app_url():
    """The real app, served by `streamlit run app.py` for the whole test session."""
    process, url = start_streamlit(ROOT / "app.py")
    yield url
    stop(process)


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (never a downloaded browser)."""
    if not CHROMIUM.exists():
        if IN_CI:
            pytest.fail("/usr/bin/chromium is missing: .ci/run must install Debian's chromium")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """A fresh browser tab, 1280x900, English, that fails the test on any uncaught page error."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    yield tab
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"
