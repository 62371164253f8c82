"""Start the app with `streamlit run` on a free port, and Debian's Chromium under Playwright, offline."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
# Offline and as root: no sandbox, and no background calls to Google's hosts that this network refuses.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Streamlit shows its status widget ("Running...") while a script runs.
SCRIPT_FINISHED = "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
APP_SELECTOR = '[data-testid="stApp"]'
SETTLE_MS = 300  # after the script has finished, for the last elements to be painted
STROKE_STEPS = 4  # mouse-move events between two points of a stroke


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_streamlit(
    script: Path,
    env: dict[str, str] | None = None,
    timeout: float = 90.0,
    port: int | None = None,
    cwd: Path = ROOT,
    log: Path | None = None,
) -> tuple[subprocess.Popen, str]:
    """`streamlit run script` from `cwd` (whose packages it imports) on `port` (or a free one), once
    /_stcore/health answers: (process, url). Its stderr goes to `log` if given."""
    port = port or free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port),
         "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=cwd, env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL, stderr=log.open("wb") if log else subprocess.PIPE,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            said = log.read_text() if log else process.stderr.read().decode()
            raise RuntimeError(f"streamlit exited: {said[-2000:]}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return process, url
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise RuntimeError(f"streamlit did not answer on {url} within {timeout:.0f} s")


def stop(process: subprocess.Popen) -> None:
    """End a server started by start_streamlit."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


def launch_chromium(playwright):
    """Debian's Chromium (never a downloaded browser), headless."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


def wait_for_app(page, timeout_ms: int = 60_000) -> None:
    """Wait until the page is up and Streamlit has finished running the script."""
    page.wait_for_selector(APP_SELECTOR, timeout=timeout_ms)
    page.wait_for_function(SCRIPT_FINISHED, timeout=timeout_ms)
    page.wait_for_timeout(SETTLE_MS)


def stroke_positions(box: dict[str, float], points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Page coordinates of `points`, given as fractions (0..1) of the width and height of the box `box`."""
    return [(box["x"] + fx * box["width"], box["y"] + fy * box["height"]) for fx, fy in points]


def draw(page, points: list[tuple[float, float]], canvas: str = "canvas.upper-canvas") -> None:
    """One mouse stroke through `points`, given as fractions (0..1) of the canvas's width and height."""
    (x, y), *rest = stroke_positions(page.locator(canvas).first.bounding_box(), points)
    page.mouse.move(x, y)
    page.mouse.down()
    for x, y in rest:
        page.mouse.move(x, y, steps=STROKE_STEPS)
    page.mouse.up()
