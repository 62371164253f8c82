"""End-to-end: the real app in Debian's Chromium, driven as a person would, with the mouse."""

from __future__ import annotations

import math
import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from test_e2e_mobile import MAIN
from test_e2e_screens import CHARTS_PAINTED, TRANSITIONS_OVER

from bench.browser import draw, wait_for_app

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOTS = ROOT / "docs" / "screenshots"
# A page on a busy 2-core machine can take seconds to rerun: wait for what a person waits for.
expect.set_options(timeout=30_000)
PAGES = ["", "perceptron", "activations", "forward", "softmax", "mnist", "evaluate", "draw", "handwriting"]
# Pages whose English screenshot is taken by a test below, in use: a digit drawn, a slider moved, a run done.
SHOWN_IN_USE = {"draw", "perceptron", "evaluate"}
MAX_SHOT = 8000  # pixels: a screenshot's height at most


def screenshot(page, name: str) -> None:
    """Keep a picture of the whole page into docs/screenshots when UPDATE_SCREENSHOTS=1 (the README's images):
    after every chart on it has drawn, the window as tall as the page (Streamlit scrolls its main area, not
    the document, so a full-page shot of a short window would stop at the window's edge)."""
    if os.environ.get("UPDATE_SCREENSHOTS") != "1":
        return
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    window = page.viewport_size
    height = page.locator(MAIN).evaluate("main => main.scrollHeight")
    page.set_viewport_size({"width": window["width"], "height": max(window["height"], min(height, MAX_SHOT))})
    wait_for_app(page)
    page.wait_for_function(CHARTS_PAINTED)
    page.wait_for_function(TRANSITIONS_OVER)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    page.set_viewport_size(window)


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("path", PAGES)
def test_every_page_opens_without_an_exception(page, app_url, path, lang):
    page.goto(f"{app_url}/{path}?lang={lang}")
    expect(page.locator("h1").first).to_be_visible(timeout=60_000)
    wait_for_app(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    name = path or "home"
    if lang == "ko":
        screenshot(page, f"{name}_ko")
    elif name not in SHOWN_IN_USE:
        screenshot(page, name)


# Digits as mouse strokes, in fractions of the canvas: drawn the way a person draws them.
def ellipse(cx: float, cy: float, rx: float, ry: float, points: int = 28) -> list[tuple[float, float]]:
    return [(cx + rx * math.sin(2 * math.pi * i / points), cy - ry * math.cos(2 * math.pi * i / points))
            for i in range(points + 1)]  # fmt: skip


DIGIT_STROKES = {
    0: [ellipse(0.5, 0.5, 0.2, 0.32)],
    1: [[(0.52, 0.15), (0.5, 0.85)]],
    2: [[(0.3, 0.3), (0.4, 0.18), (0.6, 0.18), (0.7, 0.3), (0.65, 0.45), (0.3, 0.82), (0.75, 0.82)]],
    3: [[(0.3, 0.2), (0.6, 0.17), (0.68, 0.32), (0.48, 0.47), (0.7, 0.62), (0.64, 0.8), (0.3, 0.83)]],
    4: [[(0.58, 0.15), (0.25, 0.6), (0.75, 0.6)], [(0.6, 0.35), (0.6, 0.88)]],
    7: [[(0.25, 0.2), (0.75, 0.2), (0.4, 0.85)]],
}


def metric_value(page, label: str) -> str:
    """The value of the st.metric labelled `label`, once it is on screen."""
    metric = page.locator('[data-testid="stMetric"]', has_text=label).first
    metric.wait_for(timeout=30_000)
    return metric.locator('[data-testid="stMetricValue"]').inner_text().strip()


@pytest.mark.parametrize("digit", sorted(DIGIT_STROKES))
def test_a_digit_drawn_with_the_mouse_gets_the_right_prediction(page, app_url, digit):
    page.goto(f"{app_url}/draw")
    wait_for_app(page)
    page.locator("canvas.upper-canvas").first.wait_for()
    assert page.locator('[data-testid="stMetric"]', has_text="Prediction").count() == 0
    for stroke in DIGIT_STROKES[digit]:
        draw(page, stroke)
        page.wait_for_timeout(150)
    metric = page.locator('[data-testid="stMetric"]', has_text="Prediction").first
    # Each stroke reruns the page: wait for the answer to the whole digit, then make sure it stays.
    try:
        expect(metric.locator('[data-testid="stMetricValue"]')).to_have_text(str(digit), timeout=30_000)
    except AssertionError:
        pytest.fail(f"drew a {digit}, the page says {metric_value(page, 'Prediction')}")
    page.wait_for_timeout(1000)
    wait_for_app(page)
    assert metric_value(page, "Prediction") == str(digit)
    assert page.locator('[data-testid="stException"]').count() == 0
    if digit == 7:
        screenshot(page, "draw")


def test_the_neuron_of_31_follows_its_bias_slider(page, app_url):
    page.goto(f"{app_url}/perceptron")
    wait_for_app(page)
    assert metric_value(page, "Inputs where y is AND") == "4 / 4"
    slider = page.locator('[data-testid="stSlider"]', has_text="b (bias)")
    slider.scroll_into_view_if_needed()
    track = slider.locator('[role="group"] > div').first.bounding_box()
    thumb = slider.get_by_test_id("stSliderThumbValue").locator("..").bounding_box()
    # Drag the thumb from b = -1.5 to about -0.4, as a person would: any b in (-1, 0] makes OR's table.
    page.mouse.move(thumb["x"] + thumb["width"] / 2, thumb["y"] + thumb["height"] / 2)
    page.mouse.down()
    page.mouse.move(track["x"] + 0.4 * track["width"], thumb["y"] + thumb["height"] / 2, steps=10)
    page.mouse.up()
    metric = page.locator('[data-testid="stMetric"]', has_text="Inputs where y is AND")
    expect(metric.locator('[data-testid="stMetricValue"]')).to_have_text("2 / 4")
    b = float(slider.locator('input[type="range"]').get_attribute("value"))
    assert -1 < b <= 0
    expect(page).to_have_url(re.compile(rf"perceptron_b={b:g}(&|$)"))
    expect(page.get_by_test_id("stTable").first).to_contain_text("❌")
    assert page.locator('[data-testid="stException"]').count() == 0
    screenshot(page, "perceptron")


def test_the_forward_diagram_text_is_at_least_12_pixels(page, app_url):
    page.goto(f"{app_url}/forward")
    wait_for_app(page)
    diagram = page.locator('[data-testid="stGraphVizChart"] svg').first
    diagram.wait_for()
    expect(diagram.locator("text", has_text="w⁽¹⁾₁₂")).to_have_count(1)
    # Drawn size = CSS font size × how much the SVG is scaled to fit the page.
    sizes = diagram.evaluate(
        """svg => {
            const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
            const texts = [...svg.querySelectorAll('text')];
            return texts.map(text => parseFloat(getComputedStyle(text).fontSize) * scale);
        }"""
    )
    assert len(sizes) > 60
    assert min(sizes) >= 12, sorted(sizes)[:5]


def test_an_evaluation_runs_to_its_accuracy(page, app_url):
    page.goto(f"{app_url}/evaluate")
    wait_for_app(page)
    page.get_by_role("button", name="Run").click()
    accuracy = float(metric_value(page, "Accuracy"))
    wait_for_app(page)
    assert accuracy >= 0.975
    assert page.locator('[data-testid="stException"]').count() == 0
    screenshot(page, "evaluate")


def test_the_language_follows_the_browser_and_the_link_keeps_it(browser, app_url):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ko-KR")
    page = context.new_page()
    page.goto(app_url)
    expect(page.locator("h1").first).to_contain_text("3장 놀이터", timeout=60_000)
    wait_for_app(page)
    assert "lang=ko" in page.url
    page.goto(f"{app_url}/?lang=en")
    expect(page.locator("h1").first).to_contain_text("Chapter 3 Playground", timeout=60_000)
    context.close()


def test_a_shared_link_restores_the_preset_in_a_new_browser(browser, app_url):
    shared = f"{app_url}/softmax?lang=ko&softmax_logits=1010,1000,990"
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    page = context.new_page()
    page.goto(shared)
    expect(page.locator("h1").first).to_contain_text("출력층 설계하기", timeout=60_000)
    wait_for_app(page)
    expect(page.get_by_text("[nan nan nan]").first).to_be_visible()
    expect(page.get_by_text("[9.99954600e-01 4.53978686e-05 2.06106005e-09]").first).to_be_visible()
    assert page.locator('[data-testid="stException"]').count() == 0
    context.close()


def test_hostile_link_values_are_ignored_without_a_crash(page, app_url):
    page.goto(f"{app_url}/evaluate?evaluate_batch=-1e309&lang=<script>&evaluate_batch=abc")
    expect(page.locator("h1").first).to_be_visible(timeout=60_000)
    wait_for_app(page)
    assert page.locator('[data-testid="stException"]').count() == 0
