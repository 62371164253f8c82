"""Mouse-up to updated "Prediction" in real Chromium: the Draw page against a bare page with the same canvas.

`python -m bench.latency [--strokes 20]` starts both apps, draws the same strokes with the mouse on each,
taking turns, and prints the median and p95 round trip of each and their difference (target: the Draw page
within 100 ms of the bare page). Also prints the cold start to a rendered home page and the time a
full evaluation of the test set takes in the browser, charts included. A benchmark, not a test.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from playwright.sync_api import sync_playwright

from bench.browser import ROOT, SCRIPT_FINISHED, draw, launch_chromium, start_streamlit, stop, wait_for_app

CHARTS_PAINTED = """() => {
  const charts = [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')];
  return charts.length >= 2 && charts.every(c => c.querySelector('canvas, svg'));
}"""
METRIC_TEXT = """() => [...document.querySelectorAll('[data-testid="stMetric"]')]
    .filter(m => m.innerText.includes('Prediction')).map(m => m.innerText).join('|')"""

# Single strokes that read as digits, as fractions of the canvas.
STROKES = [
    [(0.5, 0.15), (0.5, 0.85)],
    [(0.3, 0.2), (0.7, 0.2), (0.45, 0.85)],
    [(0.5, 0.15), (0.3, 0.5), (0.5, 0.85), (0.7, 0.5), (0.5, 0.15)],
    [(0.3, 0.3), (0.5, 0.15), (0.7, 0.3), (0.3, 0.85), (0.75, 0.85)],
]


def clear_canvas(page) -> None:
    """Press the Draw page's Clear button, so the next stroke makes a fresh "Prediction" appear."""
    page.get_by_role("button", name="Clear").click()
    page.wait_for_function(f"() => ({METRIC_TEXT})() === ''", timeout=30_000)
    wait_for_app(page)


def round_trip(page, stroke: list[tuple[float, float]]) -> float:
    """Draw one stroke; ms from mouse-up until the Prediction metric's text has changed."""
    before = page.evaluate(METRIC_TEXT)
    draw(page, stroke)
    released = page.evaluate("() => performance.now()")
    page.wait_for_function(f"(before) => ({METRIC_TEXT})() !== before", arg=before, timeout=30_000, polling=5)
    changed = page.evaluate("() => performance.now()")
    wait_for_app(page)
    return changed - released


def main(argv: list[str] | None = None) -> int:
    """Measure and print."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--strokes", type=int, default=20, help="strokes drawn on each page")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    app, app_url = start_streamlit(ROOT / "app.py")
    bare, bare_url = start_streamlit(ROOT / "bench" / "bare_canvas.py")
    try:
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
            home = context.new_page()
            home.goto(app_url)
            wait_for_app(home)
            home.get_by_text("Chapter 3").first.wait_for()
            cold_ms = (time.perf_counter() - started) * 1e3

            pages = {"draw page": context.new_page(), "bare canvas": context.new_page()}
            pages["draw page"].goto(f"{app_url}/draw")
            pages["bare canvas"].goto(bare_url)
            for page in pages.values():
                wait_for_app(page)
            samples: dict[str, list[float]] = {name: [] for name in pages}
            for i in range(args.strokes):
                stroke = STROKES[i % len(STROKES)]
                clear_canvas(pages["draw page"])
                for name, page in pages.items():
                    page.bring_to_front()
                    samples[name].append(round_trip(page, stroke))
            evaluation = context.new_page()
            evaluation.goto(f"{app_url}/evaluate")
            wait_for_app(evaluation)
            clicked = time.perf_counter()
            evaluation.get_by_role("button", name="Run").click()
            evaluation.locator('[data-testid="stMetric"]', has_text="Accuracy").first.wait_for(timeout=60_000)
            accuracy_ms = (time.perf_counter() - clicked) * 1e3
            evaluation.wait_for_function(SCRIPT_FINISHED, timeout=60_000)
            # The charts are drawn by the browser after the script has sent them: wait until they are painted.
            evaluation.wait_for_function(CHARTS_PAINTED, timeout=60_000)
            charts_ms = (time.perf_counter() - clicked) * 1e3
            browser.close()
    finally:
        stop(app)
        stop(bare)

    print(f"cold start to a rendered home page (both servers started): {cold_ms:.0f} ms\n")
    print(f"{'mouse-up -> updated Prediction':32s} {'median':>8s} {'p95':>8s}   (n={args.strokes})")
    for name, values in samples.items():
        p95 = statistics.quantiles(values, n=20)[-1]
        print(f"{name:32s} {statistics.median(values):6.0f} ms {p95:6.0f} ms")
    print(
        f"full evaluation of the test set: Accuracy on screen {accuracy_ms:.0f} ms after the click, "
        f"every chart painted after {charts_ms:.0f} ms"
    )
    extra = statistics.median(samples["draw page"]) - statistics.median(samples["bare canvas"])
    print(f"\nthe Draw page takes {extra:.0f} ms more than the bare canvas (median; target: within 100 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
