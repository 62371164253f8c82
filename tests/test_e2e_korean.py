"""End-to-end: every page in Korean (`?lang=ko`) writes Korean, with MNIST on disk and offline, in Chromium.

What a learner reads is collected from the page as drawn (what is visible, with the notes for the teacher
opened) and searched for runs of English words. Left out: code (the book's code, commands, file names and
folders are set as code), formulas, charts and diagrams, numbers, names (MNIST, NumPy, ReLU...), and the few
strings that Streamlit draws itself and an app cannot change (listed in the README).
"""

from __future__ import annotations

import re

import pytest
from conftest import require_env, watched_tab
from language import english_runs
from playwright.sync_api import expect

from bench.browser import ROOT, start_streamlit, stop, wait_for_app

expect.set_options(timeout=60_000)
PAGES = ["", "perceptron", "activations", "forward", "softmax", "mnist", "evaluate", "draw", "handwriting"]
# And a box left empty, which shows its placeholder.
LINKS = [*PAGES, "activations?activations_functions="]
TEACHER = "선생님께"
# Elements whose text is not the app's prose: code, formulas, charts, and what Streamlit draws itself.
NOT_PROSE = ", ".join(
    [
        "pre",
        "code",
        ".katex",
        "svg",
        "canvas",
        '[data-testid="stVegaLiteChart"]',
        '[data-testid="stGraphVizChart"]',
        '[data-testid="stDataFrame"]',
        # Streamlit's own: icons (drawn from a font by their names), the uploader's button and its limit line,
        # the status widget, the toolbar, the skip link for the keyboard.
        '[data-testid="stIconMaterial"]',
        '[data-testid="stFileUploaderDropzone"] button',
        '[data-testid="stFileUploaderDropzoneInstructions"]',
        '[data-testid="stStatusWidget"]',
        '[data-testid="stToolbar"]',
        '[data-testid="stSkipToContent"]',
    ]
)
# Each visible piece of text outside the elements above, and the placeholder of each empty box, one per line.
VISIBLE_TEXT = """notProse => {
  const lines = [];
  const shown = element => !element.closest(notProse) && element.checkVisibility({visibilityProperty: true});
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.trim();
    if (text && node.parentElement && shown(node.parentElement)) lines.push(text);
  }
  for (const box of document.querySelectorAll("input[placeholder], textarea[placeholder]")) {
    if (!box.value && shown(box)) lines.push(box.placeholder);
  }
  return lines.join("\\n");
}"""


@pytest.fixture(scope="module", params=["full", "offline"])
def korean_app(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """The app served with MNIST from MNIST_DIR, or offline: no MNIST_DIR, an empty cache, no mirror that
    answers (so the sidebar has a download failure to tell)."""
    if request.param == "full":
        env = {"MNIST_DIR": str(require_env("MNIST_DIR"))}
    else:
        env = {
            "MNIST_DIR": "",
            "MNIST_CACHE_DIR": str(tmp_path_factory.mktemp("empty-cache")),
            "MNIST_MIRRORS": "http://127.0.0.1:9/",
        }
    process, url = start_streamlit(ROOT / "app.py", env=env)
    yield request.param, url
    stop(process)


@pytest.fixture
def korean_tab(browser):
    """A fresh tab of a Korean browser, 1280x900, that fails the test on any uncaught page error."""
    yield from watched_tab(browser, viewport={"width": 1280, "height": 900}, locale="ko-KR")


@pytest.mark.parametrize("link", LINKS)
def test_every_page_in_korean_writes_korean(korean_app, korean_tab, link):
    data, url = korean_app
    page = korean_tab
    page.goto(f"{url}/{link}{'&' if '?' in link else '?'}lang=ko")
    expect(page.locator("h1").first).to_be_visible()
    wait_for_app(page)
    # The notes for the teacher too: open every one (the sidebar's, and the home page's).
    teacher = page.locator('[data-testid="stExpander"] summary', has_text=TEACHER)
    expect(teacher.first).to_be_visible()
    for summary in teacher.all():
        summary.click()
    expect(page.get_by_text("MNIST_CACHE_DIR", exact=True).first).to_be_visible()
    if data == "offline":
        expect(page.get_by_text("연결이 거부되었습니다").first).to_be_visible()
    text = page.locator("body").evaluate(f"() => ({VISIBLE_TEXT})({NOT_PROSE!r})")
    assert len(re.findall(r"[가-힣]", text)) > 100, text
    assert english_runs(text) == [], text
    assert english_runs(page.title()) == []
    assert re.search(r"[가-힣]", page.title())
    assert page.locator('[data-testid="stException"]').count() == 0
