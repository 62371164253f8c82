"""End-to-end: the drawing canvas as a learner meets it, in Debian's Chromium under Playwright.

What these tests pin down: a stroke that starts anywhere on the canvas, at every corner and edge, draws, by
finger (real touch events) and by mouse pressed the moment it arrives (no hover first); undo and redo sit
above the canvas, not over it; the whole canvas is on screen and drawable from a phone to a desktop, on the
Draw page and on My handwriting; a page switch and back leaves the Draw page and Batch evaluation as they
were; a drawing unlike MNIST gets a note beside its prediction.

A stroke is checked where it lands: the canvas's own pixels, read in the browser, are white where it began.
"""

from __future__ import annotations

import pytest
from conftest import watched_tab
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect
from test_e2e_mobile import PHONE, TABLET, devices, mobile_page, open_page, prediction, touch_stroke

from bench.browser import STROKE_STEPS, wait_for_app

__all__ = ["devices", "mobile_page"]  # test_e2e_mobile's fixtures, used here too

expect.set_options(timeout=30_000)
CANVAS = "canvas.upper-canvas"  # fabric.js takes the pointer here
PIXELS = "canvas.dc-canvas"  # and draws the finished strokes here
INSET = 2  # CSS pixels inside the canvas's edge: the very first pixel a finger or a mouse can land on
# (x, y) as fractions of the canvas: where each stroke starts; each runs halfway to the middle.
STARTS = {
    "top-left": (0, 0),
    "top": (0.5, 0),
    "top-right": (1, 0),
    "right": (1, 0.5),
    "bottom-right": (1, 1),
    "bottom": (0.5, 1),
    "bottom-left": (0, 1),
    "left": (0, 0.5),
}
INK_AT = """([canvas, x, y]) => {
  const box = canvas.getBoundingClientRect();
  const column = Math.floor((x - box.left) * canvas.width / box.width);
  const row = Math.floor((y - box.top) * canvas.height / box.height);
  return canvas.getContext('2d').getImageData(column, row, 1, 1).data[0] > 128;
}"""
# The column the canvas is in (else the page's main area): its left and right edges on the screen.
COLUMN = """canvas => {
  let element = canvas;
  while (element && !(element.matches && element.matches('[data-testid="stColumn"]'))) {
    element = element.parentElement || element.getRootNode().host;
  }
  const box = (element || document.querySelector('[data-testid="stMain"]')).getBoundingClientRect();
  return {left: box.left, right: box.right};
}"""
SEVEN = [(0.25, 0.2), (0.75, 0.2), (0.4, 0.85)]
WIDTHS = [390, 820, 1024, 1400]


def canvas_box(page) -> dict[str, float]:
    """Where the canvas is on the screen, in CSS pixels."""
    canvas = page.locator(CANVAS).first
    canvas.scroll_into_view_if_needed()
    return canvas.bounding_box()


def at(box: dict[str, float], fx: float, fy: float) -> tuple[float, float]:
    """The point at fractions (fx, fy) of the canvas, kept INSET pixels inside its edges."""
    return (
        box["x"] + INSET + fx * (box["width"] - 2 * INSET),
        box["y"] + INSET + fy * (box["height"] - 2 * INSET),
    )


def stroke_from(box: dict[str, float], start: tuple[float, float]) -> list[tuple[float, float]]:
    """Points from `start` (fractions of the canvas) halfway towards its middle."""
    fx, fy = start
    return [at(box, fx + (0.5 - fx) * i / 16, fy + (0.5 - fy) * i / 16) for i in range(9)]


def mouse_stroke(page, points: list[tuple[float, float]]) -> None:
    """The mouse comes from outside the canvas and presses the moment it arrives, then draws and lets go."""
    page.mouse.move(1, 1)
    (x, y), *rest = points
    page.mouse.move(x, y)
    page.mouse.down()
    for x, y in rest:
        page.mouse.move(x, y, steps=STROKE_STEPS)
    page.mouse.up()


def expect_ink(page, point: tuple[float, float], present: bool = True) -> None:
    """Wait until the canvas shows ink (or none) under this point: fabric.js paints a stroke once it ends."""
    handle = page.locator(PIXELS).first.element_handle()
    check = INK_AT if present else f"args => !({INK_AT})(args)"
    page.wait_for_function(check, arg=[handle, *point], timeout=10_000)


def draw_from_every_edge(page, stroke) -> list[tuple[float, float]]:
    """A stroke from each corner and edge in turn, each checked where it starts; the start points."""
    starts = []
    for name, start in STARTS.items():
        box = canvas_box(page)
        points = stroke_from(box, start)
        stroke(page, points)
        try:
            expect_ink(page, points[0])
        except PlaywrightTimeoutError:
            pytest.fail(f"a stroke from the {name} of the canvas drew nothing where it started")
        starts.append(points[0])
    return starts


def check_undo_and_redo(page, last_start: tuple[float, float], press) -> None:
    """Undo takes the last stroke away, redo brings it back; their buttons sit above the canvas, not on it."""
    toolbar, canvas = page.locator(".dc-toolbar").first.bounding_box(), canvas_box(page)
    assert toolbar["y"] + toolbar["height"] <= canvas["y"]
    press(page.get_by_role("button", name="Undo"))
    expect_ink(page, last_start, present=False)
    press(page.get_by_role("button", name="Redo"))
    expect_ink(page, last_start)


def test_a_mouse_stroke_pressed_on_arrival_draws_from_every_corner_and_edge(page, app_url):
    page.goto(f"{app_url}/draw")
    page.locator(CANVAS).first.wait_for(timeout=120_000)
    wait_for_app(page)
    starts = draw_from_every_edge(page, mouse_stroke)
    expect(prediction(page)).to_be_visible()
    check_undo_and_redo(page, starts[-1], lambda button: button.click())


@pytest.mark.parametrize("mobile_page", [PHONE, TABLET], indirect=True)
def test_a_finger_stroke_draws_from_every_corner_and_edge(mobile_page, app_url):
    page = mobile_page
    open_page(page, app_url, "draw")
    starts = draw_from_every_edge(page, touch_stroke)
    expect(prediction(page)).to_be_visible()
    check_undo_and_redo(page, starts[-1], lambda button: button.tap())


@pytest.fixture
def sized_page(browser, request):
    """A fresh tab, `request.param` pixels wide and 900 high, English; no page errors."""
    yield from watched_tab(browser, viewport={"width": request.param, "height": 900}, locale="en-US")


@pytest.mark.parametrize("path", ["draw", "handwriting"])
@pytest.mark.parametrize("sized_page", WIDTHS, indirect=True)
def test_the_whole_canvas_is_on_screen_and_drawable(sized_page, app_url, path):
    # The sidebar is open from 820 pixels up, as a new visitor finds it; on a phone it is closed.
    page = sized_page
    page.goto(f"{app_url}/{path}")
    page.locator(CANVAS).first.wait_for(timeout=120_000)
    wait_for_app(page)
    box = canvas_box(page)
    area = page.locator(CANVAS).first.evaluate(COLUMN)
    assert area["left"] <= box["x"]
    assert box["x"] + box["width"] <= area["right"]
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= page.viewport_size["width"]
    assert box["width"] == pytest.approx(box["height"], abs=1)
    print(f"/{path} at {page.viewport_size['width']} px: the canvas is {box['width']:.0f} px wide")
    # Nothing of it hidden behind a scroll bar.
    assert page.locator(".dc-scroll").first.evaluate("s => s.scrollWidth <= s.clientWidth")
    for start in ((1, 1), (1, 0.5), (0, 1)):
        points = stroke_from(box, start)
        mouse_stroke(page, points)
        expect_ink(page, points[0])


def go_to(page, path: str) -> None:
    """Another page, by its link in the sidebar, as a learner goes there; wait until it has run."""
    page.get_by_test_id("stSidebar").locator(f'a[href$="/{path}"]').click()
    page.wait_for_url(f"**/{path}?**")
    wait_for_app(page)


def test_back_from_another_page_the_draw_page_is_as_it_was_left(page, app_url):
    page.goto(f"{app_url}/draw")
    page.locator(CANVAS).first.wait_for(timeout=120_000)
    wait_for_app(page)
    box = canvas_box(page)
    mouse_stroke(page, [at(box, *point) for point in SEVEN])
    expect(prediction(page)).to_have_text("7")
    wait_for_app(page)
    page.get_by_role("radio", name="ReLU").click()
    wait_for_app(page)
    page.locator(".st-key-draw_center").get_by_text("Centre by mass").click()
    expect(page.get_by_role("switch", name="Centre by mass")).not_to_be_checked()
    wait_for_app(page)
    brush = page.get_by_role("slider", name="Brush width")
    brush.focus()
    for _ in range(7):
        brush.press("ArrowRight")
    expect(brush).to_have_value("25")
    wait_for_app(page)
    answer = page.get_by_test_id("stMetric").filter(has_text="Prediction").text_content()

    go_to(page, "softmax")
    go_to(page, "draw")
    page.locator(CANVAS).first.wait_for()
    # The strokes are back on the canvas, and read as before, without a new stroke.
    expect_ink(page, at(canvas_box(page), *SEVEN[0]))
    expect(page.get_by_test_id("stMetric").filter(has_text="Prediction")).to_have_text(answer)
    expect(page.get_by_role("radio", name="ReLU")).to_be_checked()
    expect(page.get_by_role("switch", name="Centre by mass")).not_to_be_checked()
    expect(page.get_by_role("slider", name="Brush width")).to_have_value("25")

    # The drawing goes on from there; undo takes back the new stroke only.
    box = canvas_box(page)
    bar = [at(box, 0.85, 0.55 + 0.03 * i) for i in range(6)]
    mouse_stroke(page, bar)
    expect_ink(page, bar[0])
    page.get_by_role("button", name="Undo").click()
    expect_ink(page, bar[0], present=False)
    expect_ink(page, at(box, *SEVEN[0]))


def test_back_from_another_page_the_batch_size_matches_the_result(page, app_url):
    page.goto(f"{app_url}/evaluate")
    page.get_by_role("button", name="Run").wait_for(timeout=120_000)
    wait_for_app(page)
    page.get_by_role("button", name="1", exact=True).click()
    wait_for_app(page)
    page.get_by_role("button", name="Run").click()
    expect(page.get_by_text("batch size 1:")).to_be_visible(timeout=120_000)
    wait_for_app(page)
    go_to(page, "softmax")
    go_to(page, "evaluate")
    expect(page.get_by_text("batch size 1:")).to_be_visible()
    expect(page.get_by_role("spinbutton", name="Batch size")).to_have_value("1")


def test_a_drawing_unlike_mnist_gets_a_note_beside_its_prediction(page, app_url):
    page.goto(f"{app_url}/draw")
    page.locator(CANVAS).first.wait_for(timeout=120_000)
    wait_for_app(page)
    box = canvas_box(page)
    mouse_stroke(page, [at(box, 0.5, 0.5), at(box, 0.51, 0.5)])  # a dot
    expect(prediction(page)).to_be_visible()
    expect(page.get_by_test_id("stAlert").filter(has_text="Unlike MNIST")).to_contain_text("blob")

    page.get_by_role("button", name="Clear").click()
    expect(prediction(page)).to_have_count(0)
    brush = page.get_by_role("slider", name="Brush width")
    brush.focus()
    brush.press("Home")
    expect(brush).to_have_value("4")
    wait_for_app(page)
    box = canvas_box(page)
    mouse_stroke(page, [at(box, *point) for point in SEVEN])
    expect(prediction(page)).to_be_visible()
    expect(page.get_by_test_id("stAlert").filter(has_text="Unlike MNIST")).to_contain_text("thin")

    page.get_by_role("button", name="Clear").click()
    expect(prediction(page)).to_have_count(0)
    brush.press("End")
    expect(brush).to_have_value("40")
    wait_for_app(page)
    mouse_stroke(page, [at(canvas_box(page), *point) for point in SEVEN])
    expect(prediction(page)).to_have_text("7")
    expect(page.get_by_test_id("stAlert").filter(has_text="Unlike MNIST")).to_have_count(0)
