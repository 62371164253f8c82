"""End-to-end: every screen in the reader's size (issue 9), in Debian's Chromium under Playwright.

What these tests pin down, on every page in English and Korean, on a 390 x 844 phone (touch) and on 1280 x 720
and 1024 x 768 projector screens: the page never scrolls sideways (wide content scrolls in a box of its own);
no text is under 12 px, an SVG's text as drawn after its scaling; no text ends in "…"; every text has 4.5:1 or
more against what is behind it, read from the rendered styles (for an SVG's text, the filled shapes under it);
every chart the server sends sets its axis, legend and title text colours (4.5:1 or more on white) and draws
its marks in colours of 3:1 or more on white; on a projector each page's first figure is whole on the first
screen. On a phone the Prediction is on the first screen after a stroke; on a projector it stands beside the
canvas, the predicted digit's bar outlined and its probability in bold. The tap grid shows no tooltip; the
28x28 pixel values scroll sideways in their own box under a finger.
"""

from __future__ import annotations

import json

import pytest
from colours import GRAPHICS_CONTRAST, TEXT_CONTRAST, contrast, over_white
from conftest import watched_tab
from playwright.sync_api import expect
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from test_e2e_mobile import (
    MAIN,
    NARROW,
    PAGES,
    PHONE,
    SCROLL_A_SCREEN,
    STROKE,
    devices,
    open_page,
    prediction,
    touch_stroke,
)

from bench.browser import draw, wait_for_app
from ui.tapgrid import CELL_PIXELS

__all__ = ["devices"]  # test_e2e_mobile's fixture, used here too

expect.set_options(timeout=30_000)
PROJECTORS = {"1280x720": {"width": 1280, "height": 720}, "1024x768": {"width": 1024, "height": 768}}
SCREENS = ["phone", *PROJECTORS]
LANGUAGES = ["en", "ko"]
MIN_TEXT_PIXELS = 12
# Where a chart's config sets its text colours; unset, they are the chart theme's grey, 3.7:1 on white.
TEXT_COLOURS = (
    ("axis", "labelColor"),
    ("axis", "titleColor"),
    ("legend", "labelColor"),
    ("legend", "titleColor"),
    ("title", "color"),
)
THEME_GREY = "#808495"
# Each page's first figure, whole on the first screen of a projector: (selector, index among its matches).
FIRST_SCREEN = {
    "perceptron": [('[data-testid="stGraphVizChart"]', 0)],
    "activations": [('[data-testid="stVegaLiteChart"]', 0)],
    "forward": [('[data-testid="stTextArea"]', 0), ('[data-testid="stCode"]', 0)],
    "softmax": [
        ('[data-testid="stButton"]', 0),
        ('[data-testid="stButton"]', 1),
        ('[data-testid="stVegaLiteChart"]', 0),
        ('[data-testid="stVegaLiteChart"]', 1),
    ],
    "mnist": [('[data-testid="stImage"]', 1), ('[data-testid="stMetric"]', 0)],
    "evaluate": [('[data-testid="stBaseButton-primary"]', 0)],
    "draw": [("canvas.upper-canvas", 0)],
    "handwriting": [("canvas.upper-canvas", 0), ('[data-testid="stBaseButton-primary"]', 0)],
}
# Every chart on show (not in a closed expander or another tab) drawn.
CHARTS_PAINTED = """() => [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')]
    .filter(chart => chart.getClientRects().length).every(chart => chart.querySelector('svg, canvas'))"""
TRANSITIONS_OVER = """() => document.getAnimations()
    .every(a => a.playState !== 'running' || a.effect.getComputedTiming().endTime === Infinity)"""
# Cut text: its box hides part of it (overflow hidden, an ellipsis), rather than wrapping or scrolling.
CUT_TEXTS = """() => [...document.querySelectorAll('body *')].filter(e => {
  if (!(e instanceof HTMLElement) || !e.textContent.trim()) return false;
  if (e.scrollWidth <= e.clientWidth + 1) return false;
  const s = getComputedStyle(e), box = e.getBoundingClientRect();
  if (s.display === 'none' || s.visibility !== 'visible' || box.width < 2 || box.right <= 0) return false;
  return ['hidden', 'clip'].includes(s.overflowX) || s.textOverflow === 'ellipsis';
}).map(e => e.textContent.trim().slice(0, 60))"""
# Every text on the page: its size as drawn and its contrast with what is behind it.
TEXTS = """() => {
  const parse = c => {
    const m = c && c.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return null;
    const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const NONE = [0, 0, 0, 0];
  // `top` painted on `bottom`, both with alpha (source-over).
  const over = (top, bottom) => {
    const a = top[3] + bottom[3] * (1 - top[3]);
    if (a === 0) return NONE;
    return [0, 1, 2].map(i => (top[i] * top[3] + bottom[i] * bottom[3] * (1 - top[3])) / a).concat(a);
  };
  const channel = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
  const luminance = c => 0.2126 * channel(c[0]) + 0.7152 * channel(c[1]) + 0.0722 * channel(c[2]);
  const contrast = (a, b) => {
    const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05);
  };
  const up = e => e.parentElement || (e.getRootNode() instanceof ShadowRoot ? e.getRootNode().host : null);
  const inside = (e, x, y) => {
    const b = e.getBoundingClientRect();
    return b.left <= x && x <= b.right && b.top <= y && y <= b.bottom;
  };
  // A colour painted inside `element` at (x, y) as it finally shows: over the background of every box
  // around that point, each box's opacity applied to all it holds (a caption fades as a whole), on white.
  const shown = (colour, element, x, y) => {
    let c = colour;
    for (let e = element; e; e = up(e)) {
      const s = getComputedStyle(e);
      if (!(e instanceof SVGElement) || e instanceof SVGSVGElement) {
        const background = parse(s.backgroundColor);
        if (background && background[3] > 0 && inside(e, x, y)) c = over(c, background);
      }
      c = [c[0], c[1], c[2], c[3] * parseFloat(s.opacity)];
    }
    return over(c, [255, 255, 255, 1]);
  };
  const paint = (shape, kind) => {
    const s = getComputedStyle(shape), colour = parse(s[kind]);
    if (!colour) return NONE;
    return [colour[0], colour[1], colour[2], colour[3] * parseFloat(s[kind + 'Opacity'] || 1)];
  };
  // A shape's fill with its own opacity and that of the groups it is in (a shade at 13%).
  const filling = shape => {
    const colour = paint(shape, 'fill');
    for (let e = shape; e !== shape.ownerSVGElement; e = e.parentElement) {
      colour[3] *= parseFloat(getComputedStyle(e).opacity);
    }
    return colour;
  };
  // In an SVG: the filled shapes drawn before the text, under its middle (cells, bars, circles), bottom up;
  // of one mark's shapes only the last, as a point on the edge of two cells is in both.
  const SHAPES = 'path, rect, circle, ellipse, polygon';
  const shapesUnder = (text, x, y) => {
    const last = new Map();
    for (const shape of text.ownerSVGElement.querySelectorAll(SHAPES)) {
      if (!(shape.compareDocumentPosition(text) & Node.DOCUMENT_POSITION_FOLLOWING)) continue;
      if (filling(shape)[3] === 0 || !shape.isPointInFill) continue;
      const point = new DOMPoint(x, y).matrixTransform(shape.getScreenCTM().inverse());
      if (shape.isPointInFill(point)) last.set(shape.parentElement, shape);
    }
    return [...last.values()].reduce((below, shape) => over(filling(shape), below), NONE);
  };
  const hidden = element => {
    for (let e = element; e; e = up(e)) {
      const s = getComputedStyle(e);
      if (s.display === 'none' || s.visibility !== 'visible' || parseFloat(s.opacity) === 0) return true;
      if (s.clip && s.clip !== 'auto') return true;
    }
    return false;
  };
  const found = [];
  const hosts = [...document.querySelectorAll('*')].filter(e => e.shadowRoot);
  const roots = [document, ...hosts.map(e => e.shadowRoot)];
  for (const root of roots) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    const seen = new Set();
    while (walker.nextNode()) {
      const text = walker.currentNode.textContent.replace(/[\\u200b-\\u200d\\ufeff]/g, '').trim();
      const element = walker.currentNode.parentElement;
      if (!text || !element || seen.has(element)) continue;
      if (element.closest('script, style, noscript, title')) continue;
      seen.add(element);
      const box = element.getBoundingClientRect();
      // Left of the screen: the sidebar that a phone keeps closed.
      if (box.width < 2 || box.height < 2 || box.right <= 0 || hidden(element)) continue;
      const s = getComputedStyle(element), x = box.left + box.width / 2, y = box.top + box.height / 2;
      let size = parseFloat(s.fontSize), fg, bg;
      if (element instanceof SVGElement) {
        const m = element.getScreenCTM();
        size *= Math.hypot(m.a, m.b);
        const under = shapesUnder(element, x, y);
        fg = shown(over(paint(element, 'fill'), under), element, x, y);
        bg = shown(under, element, x, y);
      } else {
        fg = shown(parse(s.color), element, x, y);
        bg = shown(NONE, element, x, y);
      }
      found.push({
        text: text.slice(0, 60), size: Math.round(size * 10) / 10,
        icon: !!element.closest('[data-testid="stIconMaterial"]'),
        contrast: Math.round(contrast(fg, bg) * 100) / 100,
        where: (element.closest('[data-testid]') || {}).dataset?.testid || element.tagName,
      });
    }
  }
  return found;
}"""


@pytest.fixture
def tab(browser, devices, request):
    """A fresh tab on a phone (touch, 390 x 844) or a projector's screen; no uncaught page errors."""
    if request.param == "phone":
        descriptor = {key: value for key, value in devices[PHONE].items() if key != "default_browser_type"}
        options = {**descriptor, "viewport": NARROW, "screen": NARROW}
    else:
        options = {"viewport": PROJECTORS[request.param]}
    yield from watched_tab(browser, **options, locale="en-US")


def chart_specs(page) -> list[dict]:
    """Every Vega-Lite spec the server sends this tab from now on, as the chart's element carries it."""
    specs: list[dict] = []

    def read(payload: bytes | str) -> None:
        if isinstance(payload, str):
            return
        message = ForwardMsg.FromString(payload)
        if message.WhichOneof("type") == "delta" and message.delta.WhichOneof("type") == "new_element":
            element = message.delta.new_element
            if element.WhichOneof("type") == "vega_lite_chart":
                specs.append(json.loads(element.vega_lite_chart.spec))

    page.on("websocket", lambda socket: socket.on("framereceived", read))
    return specs


def units(spec: dict, encoding: dict | None = None):
    """(mark, encoding) of each single view of a spec, layers and concatenations included."""
    encoding = {**(encoding or {}), **spec.get("encoding", {})}
    for key in ("layer", "hconcat", "vconcat", "concat"):
        for child in spec.get(key, []):
            yield from units(child, encoding)
    if "mark" in spec:
        mark = spec["mark"]
        yield ({"type": mark} if isinstance(mark, str) else mark), encoding


def channel_colours(definition) -> list[str] | None:
    """The colours a colour channel can take; None for one a quantity shades (a continuous scale)."""
    if not isinstance(definition, dict):
        return []
    colours = [definition["value"]] if isinstance(definition.get("value"), str) else []
    conditions = definition.get("condition", [])
    for condition in conditions if isinstance(conditions, list) else [conditions]:
        colours += channel_colours(condition) or []
    if "field" in definition:
        if definition.get("type") == "quantitative" or definition.get("scale", {}) is None:
            return None  # a sequential shading, or colours the data names (texts, checked as drawn)
        colours += definition.get("scale", {}).get("range", ["(the chart theme's palette)"])
    return colours


def mark_problems(mark: dict, encoding: dict) -> list[str]:
    """How a mark falls short of 3:1 on white: fills and strokes, at the mark's opacity.

    A mark passes by its fill or by its outline (a white cell framed in dark grey passes). Text is checked as
    drawn. A shade at 30% opacity or less is a tint behind the data (the saturated tails), not a mark.
    """
    if mark["type"] == "text":
        return []
    opacity = mark.get("opacity", 1.0)
    if mark["type"] in ("rect", "bar", "area") and opacity <= 0.3:
        return []
    fills = [mark[key] for key in ("color", "fill") if isinstance(mark.get(key), str)]
    for channel in ("color", "fill"):
        colours = channel_colours(encoding.get(channel))
        if colours is None:
            return []
        fills += colours
    strokes = [mark["stroke"]] if isinstance(mark.get("stroke"), str) else []
    strokes += channel_colours(encoding.get("stroke")) or []

    def weak(colours: list[str]) -> list[str]:
        return [
            c for c in colours if c.startswith("(") or contrast(over_white(c, opacity)) < GRAPHICS_CONTRAST
        ]

    if not weak(fills) or (strokes and not weak(strokes)):
        return []
    return [f"{mark['type']} mark in {', '.join(weak(fills))} at opacity {opacity}"]


def spec_problems(spec: dict) -> list[str]:
    """What in a chart's spec falls short: its text colours (set, 4.5:1), its marks' colours (3:1)."""
    config = spec.get("config", {})
    problems = [
        f"config.{part}.{key} is {config.get(part, {}).get(key)}"
        for part, key in TEXT_COLOURS
        if contrast(config.get(part, {}).get(key) or THEME_GREY) < TEXT_CONTRAST
    ]
    for mark, encoding in units(spec):
        problems += mark_problems(mark, encoding)
    return problems


def first_screen_problems(page, path: str) -> list[str]:
    """Which of the page's first figures are not whole on its first screen."""
    height = page.viewport_size["height"]
    problems = []
    for selector, index in FIRST_SCREEN.get(path, []):
        box = page.locator(selector).nth(index).bounding_box()
        if box is None or box["y"] < 0 or box["y"] + box["height"] > height:
            where = box and (round(box["y"]), round(box["y"] + box["height"]))
            problems.append(f"{selector}[{index}] at {where}")
    return problems


def stroke_a_one(page) -> None:
    """A 1 on the page's canvas: by finger on a phone, by mouse on a projector's screen."""
    canvas = page.locator("canvas.upper-canvas").first
    canvas.scroll_into_view_if_needed()
    if page.viewport_size != NARROW:
        draw(page, STROKE)
        return
    box = canvas.bounding_box()
    touch_stroke(page, [(box["x"] + fx * box["width"], box["y"] + fy * box["height"]) for fx, fy in STROKE])


def act(page, path: str) -> None:
    """What a learner does first, which brings out the rest of the page: a drawing read, a drawing saved to
    the set, an evaluation run and its speed measured."""
    if path == "draw":
        stroke_a_one(page)
        expect(page.get_by_test_id("stMetric").first.get_by_test_id("stMetricValue")).to_have_text("1")
    elif path == "handwriting":
        stroke_a_one(page)
        wait_for_app(page)
        page.locator(".st-key-handwriting_label").get_by_role("radio", name="1", exact=True).click()
        wait_for_app(page)
        page.locator(".st-key-handwriting_save button").click()
        expect(page.get_by_test_id("stVegaLiteChart").first).to_be_visible()
    elif path == "evaluate":
        page.get_by_test_id("stBaseButton-primary").click()
        expect(page.get_by_test_id("stMetric").first).to_be_visible()
        page.locator(".st-key-evaluate_measure button").click()
        # The confusion matrix, the accuracy per digit and the speed.
        expect(page.get_by_test_id("stVegaLiteChart")).to_have_count(3)
    wait_for_app(page)


def show_everything(page) -> None:
    """Scroll to the end and back, open every expander on screen, and wait until every chart on show is drawn
    and nothing moves: the mouse rests where it shows nothing on hover (a slider's limits fade in)."""
    main = page.locator(MAIN)
    for _ in range(30):
        if main.evaluate(SCROLL_A_SCREEN):
            break
        page.wait_for_function("() => true")  # one frame for what came into view
    for summary in page.locator('[data-testid="stExpander"] summary').all():
        box = summary.bounding_box()
        if box and box["x"] + box["width"] > 0:  # not in a sidebar slid away off a phone's screen
            summary.click()
    main.evaluate("m => m.scrollTo(0, 0)")
    page.mouse.move(1, page.viewport_size["height"] - 1)
    settle(page)


def settle(page) -> None:
    """Wait until the script has run, every chart on show is drawn and no transition is under way."""
    wait_for_app(page)
    page.wait_for_function(CHARTS_PAINTED)
    page.wait_for_function(TRANSITIONS_OVER)


def reading_problems(page) -> tuple[list[str], int]:
    """What is wrong with the page as it shows now (width, cut text, small text, contrast) and how many texts
    were looked at."""
    problems = []
    width, scrolled = page.evaluate("() => [innerWidth, document.documentElement.scrollWidth]")
    if scrolled > width:
        problems.append(f"the page is {scrolled} px wide on a {width} px screen")
    problems += [f"cut: {text!r}" for text in page.evaluate(CUT_TEXTS)]
    texts = page.evaluate(TEXTS)
    small = [t for t in texts if t["size"] < MIN_TEXT_PIXELS]
    problems += [f"{t['size']} px: {t['text']!r} ({t['where']})" for t in small]
    faint = [t for t in texts if t["contrast"] < (GRAPHICS_CONTRAST if t["icon"] else TEXT_CONTRAST)]
    problems += [f"{t['contrast']}:1 {t['text']!r} ({t['where']})" for t in faint]
    return problems, len(texts)


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("tab", SCREENS, indirect=True)
def test_every_page_reads_well_on_every_screen(tab, app_url, lang, path):
    page = tab
    specs = chart_specs(page)
    open_page(page, app_url, f"{path}?lang={lang}")
    problems = [] if page.viewport_size == NARROW else first_screen_problems(page, path)
    act(page, path)
    show_everything(page)
    checked, texts = reading_problems(page)
    problems += checked
    # Every tab of the page in turn (Draw's hidden layers, My handwriting's evaluation): each shows its own.
    tabs = page.get_by_test_id("stMain").get_by_role("tab")
    for index in range(1, tabs.count()):
        tabs.nth(index).click()
        settle(page)
        checked, _ = reading_problems(page)
        problems += [problem for problem in checked if problem not in problems]
    for spec in specs:
        problems += [f"chart {spec.get('title', '')!r}: {problem}" for problem in spec_problems(spec)]
    assert page.locator('[data-testid="stException"]').count() == 0
    assert texts > 10
    assert len(specs) >= page.get_by_test_id("stVegaLiteChart").count()
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("tab", ["phone"], indirect=True)
def test_on_a_phone_the_prediction_is_on_the_first_screen_after_a_stroke(tab, app_url, lang):
    page = tab
    open_page(page, app_url, f"draw?lang={lang}")
    box = page.locator("canvas.upper-canvas").first.bounding_box()
    touch_stroke(page, [(box["x"] + fx * box["width"], box["y"] + fy * box["height"]) for fx, fy in STROKE])
    answer = page.get_by_test_id("stMetric").first
    expect(answer.get_by_test_id("stMetricValue")).to_have_text("1")
    wait_for_app(page)
    assert page.locator(MAIN).evaluate("main => main.scrollTop") == 0
    shown = answer.bounding_box()
    assert box["y"] >= 0
    assert shown["y"] + shown["height"] <= NARROW["height"], shown


@pytest.mark.parametrize("tab", list(PROJECTORS), indirect=True)
def test_on_a_projector_the_answer_stands_beside_the_canvas_its_bar_outlined(tab, app_url):
    page = tab
    page.goto(f"{app_url}/draw")
    canvas = page.locator("canvas.upper-canvas").first
    canvas.wait_for(timeout=120_000)
    wait_for_app(page)
    draw(page, [(0.52, 0.15), (0.5, 0.85)])
    expect(prediction(page)).to_have_text("1")
    wait_for_app(page)
    page.wait_for_function(CHARTS_PAINTED)
    drawn, answer = canvas.bounding_box(), page.get_by_test_id("stMetric").first.bounding_box()
    assert answer["x"] >= drawn["x"] + drawn["width"]
    assert answer["y"] + answer["height"] <= page.viewport_size["height"]
    # The answer's chart: ten bars, only the predicted digit's outlined, only its probability in bold.
    chart = page.get_by_test_id("stVegaLiteChart").first
    outlines = chart.locator("g.mark-rect path").evaluate_all(
        "bars => bars.map(bar => parseFloat(getComputedStyle(bar).strokeWidth) || 0)"
    )
    assert len(outlines) == 10
    assert [i for i, width in enumerate(outlines) if width >= 3] == [1]
    bold = chart.locator("text").evaluate_all(
        "texts => texts.filter(t => parseInt(getComputedStyle(t).fontWeight) >= 700).map(t => t.textContent)"
    )
    assert bold == ["1.00"]


@pytest.mark.parametrize("tab", ["1280x720"], indirect=True)
def test_the_tap_grid_shows_no_tooltip_over_its_cells(tab, app_url):
    page = tab
    page.goto(f"{app_url}/draw")
    wait_for_app(page)
    page.get_by_text("No mouse? Tap the pixels").click()
    grid = page.get_by_test_id("stExpander").filter(has_text="Tap the pixels").locator(".marks").first
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    cell = (box["x"] + 5.5 * CELL_PIXELS, box["y"] + 5.5 * CELL_PIXELS)
    page.mouse.move(*cell)
    page.mouse.click(*cell)  # the page reruns with the cell on, the mouse resting on it all along
    expect(prediction(page)).to_be_visible()
    wait_for_app(page)
    assert not page.locator(".vg-tooltip.visible").count()


@pytest.mark.parametrize("tab", ["phone"], indirect=True)
def test_on_a_phone_the_pixel_values_scroll_sideways_in_their_own_box(tab, app_url):
    page = tab
    open_page(page, app_url, "mnist")
    box = page.get_by_test_id("stHorizontalBlock").filter(has=page.get_by_test_id("stVegaLiteChart")).last
    box.scroll_into_view_if_needed()
    assert box.evaluate("b => b.scrollWidth > b.clientWidth && getComputedStyle(b).overflowX === 'auto'")
    shown = box.bounding_box()
    y = max(shown["y"], 0) + 100
    touch_stroke(page, [(shown["x"] + shown["width"] - 20 - 25 * i, y) for i in range(12)])
    page.wait_for_function("b => b.scrollLeft > 100", arg=box.element_handle())
    assert page.evaluate("() => document.documentElement.scrollWidth") <= NARROW["width"]
