"""End-to-end on phones and tablets: the real app in Debian's Chromium under Playwright's touch emulation.

What these tests pin down (Chromium 156 emulating a Pixel 7 at 390x844 and an iPad): a finger stroke on the
canvas draws, and the prediction follows as it does after a mouse stroke; the page does not scroll under the
finger (the canvas has `touch-action: none`), while the same swipe beside the canvas scrolls the page. A
photo of paper is read once the ink is inverted and a finger slides the threshold; the tap grid reads a digit
entered one cell at a time; every page fits a phone's width.
"""

from __future__ import annotations

import threading

import numpy as np
import pytest
from conftest import watched_tab
from PIL import Image, ImageDraw
from playwright.sync_api import expect, sync_playwright

from bench.browser import wait_for_app
from ui.tapgrid import CELL_PIXELS

PHONE = "Pixel 7"
TABLET = "iPad (gen 7)"
NARROW = {"width": 390, "height": 844}
"""An iPhone's screen: the narrowest common phone width, for every phone test."""
PAGES = ["", "perceptron", "activations", "forward", "softmax", "mnist", "evaluate", "draw", "handwriting"]
MAIN = '[data-testid="stMain"]'
# Scroll one screen down; true when the end was already reached.
SCROLL_A_SCREEN = "m => { const top = m.scrollTop; m.scrollBy(0, m.clientHeight); return m.scrollTop == top }"
# A "1" drawn from the bottom up: the finger moves as it would to scroll the page down.
STROKE = [(0.5, 0.85 - 0.07 * i) for i in range(11)]
LOAD_MS = 120_000  # the first page of a fresh server loads MNIST
SETTLED_MS = 1_000
ELEMENTS = '[data-testid="stElementContainer"]'


@pytest.fixture(scope="session")
def devices(browser) -> dict[str, dict]:
    """Playwright's device descriptors, read in another thread (this one's Playwright runs `browser`)."""
    found: dict[str, dict] = {}

    def read() -> None:
        with sync_playwright() as playwright:
            found.update(playwright.devices)

    thread = threading.Thread(target=read)
    thread.start()
    thread.join()
    return found


@pytest.fixture
def mobile_page(browser, devices, request):
    """A fresh tab on a touch device (a Pixel 7 at 390x844 unless parametrised), English; no page errors."""
    name = getattr(request, "param", PHONE)
    descriptor = {key: value for key, value in devices[name].items() if key != "default_browser_type"}
    if name == PHONE:
        descriptor.update(viewport=NARROW, screen=NARROW)
    yield from watched_tab(browser, **descriptor, locale="en-US")


def open_page(page, app_url: str, path: str) -> None:
    """Go to a page and wait until its script has run and nothing new appears for a second."""
    page.goto(f"{app_url}/{path}")
    page.wait_for_selector("h1", timeout=LOAD_MS)
    # The title shows before a slow step (loading MNIST) and before Streamlit's "running" widget does.
    count = page.locator(ELEMENTS).count
    before, now = -1, count()
    while now != before:
        wait_for_app(page, LOAD_MS)
        page.wait_for_timeout(SETTLED_MS)
        before, now = now, count()


def touch_stroke(page, points: list[tuple[float, float]]) -> None:
    """One finger down at the first point, moved through the others, lifted: real touch events."""
    cdp = page.context.new_cdp_session(page)
    (x, y), *rest = points
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
    for x, y in rest:
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]})
        page.wait_for_timeout(16)  # one frame between moves, as a finger reports them
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    cdp.detach()


def scrolled(page) -> float:
    """How far the page's content is scrolled down."""
    return page.locator(MAIN).evaluate("main => main.scrollTop")


TWO_FRAMES = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"


def settled_box(page, locator) -> dict[str, float]:
    """Where `locator` is once on screen and still: on a phone the answer above it grows as its chart draws,
    so a touch aimed at where it was would miss (or land below the screen)."""
    before = None
    while True:
        locator.scroll_into_view_if_needed()
        page.evaluate(TWO_FRAMES)
        box = locator.bounding_box()
        if box == before:
            return box
        before = box


def prediction(page):
    """The big predicted digit on the Draw page."""
    return page.get_by_test_id("stMetric").filter(has_text="Prediction").get_by_test_id("stMetricValue")


def scroll_through(page) -> None:
    """Scroll the page to its end and back, so that every chart has been drawn."""
    main = page.locator(MAIN)
    for _ in range(20):
        if main.evaluate(SCROLL_A_SCREEN):
            break
        page.wait_for_timeout(150)
    main.evaluate("m => m.scrollTo(0, 0)")


@pytest.mark.parametrize("mobile_page", [PHONE, TABLET], indirect=True)
def test_a_finger_stroke_draws_on_the_canvas_and_does_not_scroll_the_page(mobile_page, app_url):
    page = mobile_page
    open_page(page, app_url, "draw")
    canvas = page.locator("canvas.upper-canvas").first
    assert canvas.evaluate("c => getComputedStyle(c).touchAction") == "none"
    box = canvas.bounding_box()
    on_canvas = [(box["x"] + fx * box["width"], box["y"] + fy * box["height"]) for fx, fy in STROKE]

    touch_stroke(page, on_canvas)
    expect(prediction(page)).to_have_text("1", timeout=30_000)
    assert scrolled(page) == 0

    # The same swipe beside the canvas does scroll: the check above would have seen a scroll.
    beside = page.viewport_size["width"] - 8
    touch_stroke(page, [(beside, y) for _, y in on_canvas])
    page.wait_for_timeout(300)
    assert scrolled(page) > 100


def test_a_digit_tapped_into_the_grid_is_read(mobile_page, app_url):
    page = mobile_page
    open_page(page, app_url, "draw")
    page.get_by_text("No mouse? Tap the pixels").tap()
    grid = page.get_by_test_id("stExpander").filter(has_text="Tap the pixels").locator(".marks").first
    grid.scroll_into_view_if_needed()

    def tap(row: int, col: int) -> None:
        box = settled_box(page, grid)
        page.touchscreen.tap(box["x"] + (col + 0.5) * CELL_PIXELS, box["y"] + (row + 0.5) * CELL_PIXELS)
        wait_for_app(page)

    tap(3, 3)
    expect(prediction(page)).to_be_visible(timeout=30_000)
    tap(3, 3)  # a second tap turns the cell off again: nothing left to read
    expect(prediction(page)).to_have_count(0, timeout=30_000)
    for row in range(2, 12):
        tap(row, 6)
    expect(prediction(page)).to_have_text("1", timeout=30_000)
    expect(page.get_by_text("The tapped pixels are used instead of the canvas")).to_be_visible(timeout=30_000)

    page.get_by_role("button", name="Clear the pixels").tap()
    expect(prediction(page)).to_have_count(0, timeout=30_000)


def shadowed_seven(path) -> None:
    """A phone photo of a 7 in dark ink on cream paper, a shadow darkening it towards one corner, as JPEG."""
    rows, cols = np.mgrid[0:800, 0:600]
    shade = 225 - 60 * (rows / 800) * (cols / 600)
    paper = Image.fromarray(np.stack([shade, shade * 0.98, shade * 0.92], axis=-1).astype(np.uint8))
    seven = [(150, 200), (450, 200), (280, 640)]
    ImageDraw.Draw(paper).line(seven, fill=(40, 40, 60), width=34, joint="curve")
    paper.save(path, quality=85)


def test_a_photo_of_paper_is_read_on_a_phone(mobile_page, app_url, tmp_path):
    page = mobile_page
    shadowed_seven(tmp_path / "seven.jpg")
    open_page(page, app_url, "draw")
    page.get_by_text("Or read a photo of a digit").tap()
    photo = page.get_by_test_id("stExpander").filter(has_text="Or read a photo")
    photo.locator("input[type=file]").set_input_files(tmp_path / "seven.jpg")
    expect(prediction(page)).to_be_visible(timeout=30_000)

    photo.get_by_text("Dark ink on light paper (invert)").tap()
    wait_for_app(page)
    # A finger along the threshold slider to about 0.6 (of 0.9): the shadow's faint ink is dropped.
    slider = photo.get_by_test_id("stSlider")
    box, thumb = settled_box(page, slider), slider.get_by_role("slider").bounding_box()
    y = thumb["y"] + thumb["height"] / 2
    touch_stroke(page, [(box["x"] + box["width"] * f, y) for f in (0.05, 0.3, 0.5, 0.7)])
    expect(prediction(page)).to_have_text("7", timeout=30_000)


@pytest.mark.parametrize("path", PAGES)
def test_every_page_opens_at_phone_size_and_fits_its_width(mobile_page, app_url, path):
    page = mobile_page
    open_page(page, app_url, path)
    assert page.locator('[data-testid="stException"]').count() == 0
    scroll_through(page)
    # Wide content (the 28x28 pixel values, tables) scrolls sideways in its own box, never the whole page.
    width, content_width = page.locator(MAIN).evaluate("main => [main.clientWidth, main.scrollWidth]")
    assert content_width <= width, f"/{path} is {content_width} px wide on a {width} px screen"
