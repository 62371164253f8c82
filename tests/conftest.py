"""Shared fixtures: MNIST and the book's weights from ../shared or the offline sample; the app in Chromium."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.browser import CHROMIUM, ROOT, launch_chromium, start_streamlit, stop
from ui import data

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


def watched_tab(browser, **context_options):
    """A fresh tab in a browser context of its own; the test fails on any uncaught error on the page."""
    context = browser.new_context(**context_options)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    yield tab
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture
def page(browser):
    """A fresh browser tab, 1280x900, English, that fails the test on any uncaught page error."""
    yield from watched_tab(browser, viewport={"width": 1280, "height": 900}, locale="en-US")


def no_download(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """An empty MNIST cache, mirrors on a closed port: without MNIST_DIR only the offline sample is left."""
    monkeypatch.setenv("MNIST_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("MNIST_MIRRORS", "http://127.0.0.1:9/")


@pytest.fixture
def mnist_dir_or_offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """MNIST from MNIST_DIR when given, else the offline sample, never a download."""
    if not os.environ.get("MNIST_DIR"):
        no_download(monkeypatch, tmp_path)


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No MNIST folder, an empty cache, mirrors on a closed port: the app falls back to the offline sample."""
    monkeypatch.delenv("MNIST_DIR", raising=False)
    no_download(monkeypatch, tmp_path)


@pytest.fixture
def full(mnist_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The genuine MNIST, both splits."""
    monkeypatch.setenv("MNIST_DIR", str(mnist_dir))


@pytest.fixture(params=["full", "offline"])
def any_data(request: pytest.FixtureRequest) -> str:
    """Each test that holds for any MNIST runs on the genuine set and on the offline sample."""
    request.getfixturevalue(request.param)
    return request.param


@pytest.fixture
def book_weights(book_weights_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The book's sample_weight.pkl on the server."""
    monkeypatch.setenv("BOOK_WEIGHTS", str(book_weights_path))


@pytest.fixture
def fresh_data() -> Iterator[None]:
    """Each test loads the data its environment names; the server-wide cache must not carry it over."""
    data._mnist.clear()
    yield
    data._mnist.clear()
