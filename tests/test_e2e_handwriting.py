"""End-to-end: My handwriting keeps the set in the browser, on this device (IndexedDB), in Debian's Chromium.

A browser context is one browser profile: its tabs share the storage of each origin (scheme, host and port);
another context is another browser. A server restart is a new process serving the same URL.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import pytest
from conftest import watched_tab
from playwright.sync_api import expect

from bench.browser import ROOT, draw, free_port, start_streamlit, stop, wait_for_app
from dataset.handwriting import Handwriting, handwriting_bytes
from ui.storage import DATABASE, STORE

expect.set_options(timeout=60_000)
VIEWPORT = {"viewport": {"width": 1280, "height": 900}, "locale": "en-US"}
SET_SIZE = "Drawings in my set"
EMPTY = "Your set is empty"
# What the browser keeps under the page's name: the text, or null.
KEPT_TEXT = f"""() => new Promise((resolve, reject) => {{
  const opening = indexedDB.open("{DATABASE}");
  opening.onerror = () => reject(opening.error);
  opening.onsuccess = () => {{
    const database = opening.result;
    if (!database.objectStoreNames.contains("{STORE}")) {{ database.close(); resolve(null); return; }}
    const request = database.transaction("{STORE}").objectStore("{STORE}").get("handwriting");
    request.onsuccess = () => {{ database.close(); resolve(request.result ?? null); }};
    request.onerror = () => reject(request.error);
  }};
}})"""
# Set on every page of a context before its scripts run: whether "Your set is empty" was ever on the page.
WATCH_EMPTY = f"""
window.sawEmpty = false;
new MutationObserver(() => {{
  if (document.body?.textContent.includes("{EMPTY}")) window.sawEmpty = true;
}}).observe(document, {{ subtree: true, childList: true, characterData: true }});
"""
STROKES = [[(0.52, 0.15), (0.5, 0.85)], [(0.3, 0.2), (0.7, 0.2), (0.45, 0.85)]]
WAIT_S = 60


def until(page, condition: Callable[[], bool], what: str) -> None:
    """Wait for a condition that Python checks (the storage, the messages seen), however long it takes."""
    deadline = time.monotonic() + WAIT_S
    while not condition():
        assert time.monotonic() < deadline, f"waited {WAIT_S} s for {what}"
        page.wait_for_timeout(100)


def set_size(page):
    """The value of the 'Drawings in my set' metric."""
    metric = page.locator('[data-testid="stMetric"]', has_text=SET_SIZE)
    return metric.locator('[data-testid="stMetricValue"]')


def kept_caption(page, n: int):
    """The note that the browser holds the set of n drawings."""
    return page.get_by_text(f"Kept in this browser, on this device: {n:,} drawing(s)")


def answered(page) -> None:
    """Wait until the browser has said what it kept, and the page has shown it."""
    expect(set_size(page)).not_to_have_text("…")
    wait_for_app(page)


def open_page(page, url: str) -> None:
    """The My handwriting page, once the browser has said what it kept."""
    page.goto(f"{url}/handwriting")
    answered(page)


def save_drawing(page, digit: int) -> None:
    """Draw on the canvas, pick `digit` as its label, press Save, wait for the set to grow."""
    before = int(set_size(page).inner_text())
    draw(page, STROKES[digit % 2])
    wait_for_app(page)
    page.locator(".st-key-handwriting_label button", has_text=str(digit)).click()
    wait_for_app(page)
    page.locator(".st-key-handwriting_save button").click()
    expect(set_size(page)).to_have_text(str(before + 1))
    wait_for_app(page)


def upload(page, handwriting: Handwriting) -> None:
    """Merge a set into the page's through the Share and pool tab's file uploader."""
    page.get_by_role("tab", name="Share and pool").click()
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        {
            "name": "class.npz",
            "mimeType": "application/octet-stream",
            "buffer": handwriting_bytes(handwriting),
        }
    )
    expect(page.get_by_text(f"Added {len(handwriting):,} drawing(s) from class.npz")).to_be_visible()
    page.get_by_role("tab", name="Collect").click()
    wait_for_app(page)


def bars(n: int) -> Handwriting:
    """n drawings of a vertical bar, labelled 0, 1, 2, ..."""
    images = np.zeros((n, 28, 28), np.uint8)
    images[:, 4:24, 12:16] = 255
    return Handwriting(images, np.arange(n, dtype=np.uint8) % 10)


@pytest.fixture
def context(browser):
    """One browser profile, watching every page for 'Your set is empty'; the test fails on a page error."""
    context = browser.new_context(**VIEWPORT)
    context.add_init_script(WATCH_EMPTY)
    errors: list[str] = []
    context.on("weberror", lambda error: errors.append(str(error.error)))
    yield context
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def test_saved_drawings_outlive_a_reload_and_a_new_tab_but_stay_in_this_browser(browser, context, app_url):
    page = context.new_page()
    open_page(page, app_url)
    expect(set_size(page)).to_have_text("0")
    expect(page.get_by_text(EMPTY)).to_be_visible()
    for digit in range(5):
        save_drawing(page, digit)
    expect(kept_caption(page, 5)).to_be_visible()
    assert page.evaluate(KEPT_TEXT)

    page.reload()
    answered(page)
    expect(set_size(page)).to_have_text("5")
    expect(page.get_by_text("Restored 5 drawing(s) kept in this browser.")).to_be_visible()
    expect(kept_caption(page, 5)).to_be_visible()
    assert not page.evaluate("window.sawEmpty"), (
        "the reloaded page said the set was empty before restoring it"
    )

    tab = context.new_page()
    open_page(tab, app_url)
    expect(set_size(tab)).to_have_text("5")
    assert not tab.evaluate("window.sawEmpty"), "a new tab said the set was empty before restoring it"

    for other in watched_tab(browser, **VIEWPORT):
        open_page(other, app_url)
        expect(set_size(other)).to_have_text("0")
        expect(other.get_by_text(EMPTY)).to_be_visible()
        assert other.evaluate(KEPT_TEXT) is None


def test_start_over_asks_first_then_empties_the_browsers_copy(context, app_url):
    page = context.new_page()
    open_page(page, app_url)
    upload(page, bars(5))
    expect(kept_caption(page, 5)).to_be_visible()
    page.get_by_role("tab", name="Share and pool").click()
    page.get_by_role("button", name="Start over").click()
    expect(
        page.get_by_text("Delete all 5 drawings of this set, here and in this browser's storage?")
    ).to_be_visible()
    assert page.evaluate(KEPT_TEXT), "opening the question already deleted the set"
    page.get_by_role("button", name="Yes, delete them all").click()
    expect(set_size(page)).to_have_text("0")
    until(page, lambda: page.evaluate(KEPT_TEXT) is None, "the browser to delete its copy")
    page.reload()
    answered(page)
    expect(set_size(page)).to_have_text("0")
    expect(page.get_by_text(EMPTY)).to_be_visible()


def test_the_set_goes_to_the_browser_only_when_it_changes(context, app_url):
    page = context.new_page()
    frames: list[bytes] = []
    page.on("websocket", lambda socket: socket.on("framereceived", lambda frame: frames.append(frame)))
    open_page(page, app_url)
    upload(page, bars(40))
    expect(kept_caption(page, 40)).to_be_visible()
    wait_for_app(page)

    def seen(text: bytes) -> bool:
        return any(text in (frame if isinstance(frame, bytes) else frame.encode()) for frame in frames)

    frames.clear()
    draw(page, STROKES[0])  # reruns the drawing desk alone, which draws the canvas anew
    until(page, lambda: seen(b"handwriting_canvas"), "the server's answer to the stroke")
    wait_for_app(page)
    assert not seen(b"handwriting_storage"), "a stroke on the canvas reached the browser's storage"
    page.locator(".st-key-handwriting_filter button", has_text="3").click()  # reruns the whole page
    expect(page.get_by_text("Newest first: 4 of 4 shown.")).to_be_visible()
    wait_for_app(page)
    assert seen(b"handwriting_storage"), "the whole page ran without its storage component"
    assert not seen(b'"write"'), "the set went to the browser again, unchanged"


@pytest.fixture
def restartable():
    """Start the app on one port, again and again: a server restart, at the same URL."""
    port, processes = free_port(), []

    def start() -> str:
        if processes:
            stop(processes[-1])
        process, url = start_streamlit(ROOT / "app.py", port=port)
        processes.append(process)
        return url

    yield start
    stop(processes[-1])


def test_a_server_restart_keeps_the_drawings(context, restartable):
    url = restartable()
    page = context.new_page()
    open_page(page, url)
    upload(page, bars(5))
    expect(kept_caption(page, 5)).to_be_visible()
    assert restartable() == url
    page = context.new_page()
    open_page(page, url)
    expect(set_size(page)).to_have_text("5")
