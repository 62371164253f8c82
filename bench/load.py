"""A class at once: many students drawing digits and running an evaluation against one server.

`python -m bench.load [--students 30] [--seconds 240]` starts the app (MNIST from MNIST_DIR if it is set,
else from whatever source the app finds) and opens, in ONE headless Chromium, one browser context per
student. The students come in a little apart and open the Draw page (a few pages load at a time: loading
Streamlit's frontend is the browser's heaviest work, and 30 at once on 2 cores would time out); once all are
in, they start together: each draws 3 to 5 digits with the mouse (Clear between them), then follows the
sidebar link to the Batch evaluation page and presses Run, and leaves the page open, as in a class. All
traffic stays on 127.0.0.1; every action has a timeout and the whole class a hard deadline.

It prints the errors (exceptions shown on a page, page errors, timeouts, students unfinished at the deadline,
tracebacks in the server's log; goal: none), mouse-up -> updated "Prediction" and Run -> "Accuracy" (p50,
p95; timed on each page's own clock), the server's peak memory (goal: under 600 MB) and where the CPU time
went: on one machine the browser's share shows how much of a round trip is the browser's own work. Exits 1
when a goal is missed. A benchmark, not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import re
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
from playwright.async_api import Browser, BrowserContext, Page, Request, async_playwright
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import TimeoutError as PlaywrightTimeout

from bench.browser import (
    APP_SELECTOR,
    ROOT,
    SCRIPT_FINISHED,
    SETTLE_MS,
    STROKE_STEPS,
    launch_chromium,
    start_streamlit,
    stop,
    stroke_positions,
)
from bench.latency import METRIC_TEXT, STROKES

ACTION_TIMEOUT_MS = 60_000
CLOSE_TIMEOUT_S = 30.0
MEMORY_GOAL_MB = 600
SAMPLE_INTERVAL_S = 0.2
STILL_MS = 200
POLL_MS = 100  # the observer in WATCH does the timing: polling only picks its result up
DIGITS_PER_STUDENT = (3, 5)
START_SPREAD_S = 3.0  # after the go, each student starts within this many seconds, as people do
VIEWPORT = {"width": 1280, "height": 900}
LOCAL_HOST = "127.0.0.1"
# Every request but those to the app goes to a port where nothing listens, and fails: cheaper than routing
# each request through Playwright.
OFFLINE = {"server": "http://127.0.0.1:9", "bypass": LOCAL_HOST}
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")
# As deployed: no reloading of modules that change on disk (others may be editing this checkout meanwhile).
SERVER_ENV = {"STREAMLIT_SERVER_FILE_WATCHER_TYPE": "none"}
CPU_GROUPS = {
    "server": "server (streamlit, one process)",
    "chromium": "Chromium",
    "rest": "Playwright's driver and this script",
}

CANVAS = "canvas.upper-canvas"
EXCEPTION = '[data-testid="stException"]'
CLEAR_BUTTON = ".st-key-draw_clear button"
RUN_BUTTON = ".st-key-evaluate_run button"
EVALUATE_LINK = '[data-testid="stSidebarNav"] a[href$="/evaluate"]'
ACCURACY_TEXT = METRIC_TEXT.replace("'Prediction'", "'Accuracy'")
# Input and the metrics' changes, timed on the page's own clock when they happen (Python hears of them late
# under load), by an observer that costs nothing while the page is still (polling 30 pages would not).
WATCH = f"""
window.__input = {{}};
window.__metrics = {{}};
for (const kind of ['mouseup', 'click']) {{
    window.addEventListener(kind, () => {{ window.__input[kind] = performance.now(); }}, true);
}}
const probes = {{prediction: {METRIC_TEXT}, accuracy: {ACCURACY_TEXT}}};
new MutationObserver(() => {{
    for (const [name, probe] of Object.entries(probes)) {{
        const text = probe();
        if (window.__metrics[name]?.text !== text) window.__metrics[name] = {{text, at: performance.now()}};
    }}
}}).observe(document, {{subtree: true, childList: true, characterData: true}});
"""
# The time at which metric `name` first showed a text other than `before`, once it has.
METRIC_CHANGED = "([name, before]) => window.__metrics[name]?.text !== before && window.__metrics[name].at"
ERROR_KINDS = ("exception on a page", "page error", "timeout", "unfinished at the deadline", "other")


@dataclass
class Tally:
    """What the students saw, all together."""

    prediction_ms: list[float] = field(default_factory=list)
    evaluation_ms: list[float] = field(default_factory=list)
    accuracies: list[str] = field(default_factory=list)
    errors: list[tuple[str, int, str]] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    arrived: int = 0
    go_after_s: float = 0.0
    finished: int = 0

    def error(self, kind: str, student: int, message: str) -> None:
        """Note an error of one of ERROR_KINDS, with the student who met it."""
        self.errors.append((kind, student, " ".join(message.split())[:300]))


@dataclass
class Roll:
    """The roll call: the go is given once every student has come in or given up."""

    expected: int
    answered: int = 0
    go: asyncio.Event = field(default_factory=asyncio.Event)

    def answer(self) -> None:
        """One more student is in (or has failed to come in)."""
        self.answered += 1
        if self.answered == self.expected:
            self.go.set()


@dataclass(frozen=True)
class Process:
    """What one line of /proc/<pid>/stat says."""

    pid: int
    parent: int
    command: str
    cpu_seconds: float  # its own, and that of its children that have ended
    rss_mb: float


def read_process(pid: int) -> Process | None:
    """The process `pid` from /proc/<pid>/stat (see proc(5)); None once it has gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    head, _, tail = stat.rpartition(")")
    fields = tail.split()  # from field 3, state: field n of proc(5) is fields[n - 3]
    ticks = sum(int(value) for value in fields[11:15])  # utime, stime, cutime, cstime
    rss = int(fields[21]) * PAGE_BYTES / 2**20
    return Process(pid, int(fields[1]), head.partition("(")[2], ticks / CLOCK_TICKS, rss)


def processes() -> dict[int, Process]:
    """Every process on the machine, by pid."""
    found = (read_process(int(entry.name)) for entry in Path("/proc").iterdir() if entry.name.isdigit())
    return {process.pid: process for process in found if process}


def descendants(table: dict[int, Process], root: int) -> list[Process]:
    """`root` and everything it started, directly or not."""
    children: dict[int, list[int]] = {}
    for process in table.values():
        children.setdefault(process.parent, []).append(process.pid)
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        if pid in table:
            found.append(table[pid])
            todo += children.get(pid, [])
    return found


def peak_rss_mb(pid: int) -> float:
    """VmHWM of /proc/<pid>/status: the process's peak resident memory, even between two samples."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    match = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
    return int(match.group(1)) / 1024 if match else 0.0


class Monitor(threading.Thread):
    """The server's resident memory (peak kept) and the CPU time of the server, Chromium and the rest."""

    def __init__(self, server: int, interval: float = SAMPLE_INTERVAL_S) -> None:
        super().__init__(daemon=True)
        self.server, self.interval = server, interval
        self.idle_mb = self.warm_mb = self.arrived_mb = self.peak_mb = self.hwm_mb = 0.0
        self.cpu = dict.fromkeys(CPU_GROUPS, 0.0)
        self._finished = threading.Event()

    def now_mb(self) -> float:
        """RSS of the server and its children right now."""
        return sum(process.rss_mb for process in descendants(processes(), self.server))

    def sample(self) -> None:
        """Update the peak memory and the CPU times (the largest seen: a process that ends takes its own)."""
        table = processes()
        server = {process.pid: process for process in descendants(table, self.server)}
        self.peak_mb = max(self.peak_mb, sum(process.rss_mb for process in server.values()))
        used = dict.fromkeys(CPU_GROUPS, 0.0)
        for process in descendants(table, os.getpid()):
            group = (
                "server" if process.pid in server else "chromium" if process.command == "chromium" else "rest"
            )
            used[group] += process.cpu_seconds
        self.cpu = {group: max(self.cpu[group], used[group]) for group in CPU_GROUPS}

    def run(self) -> None:
        """Sample until stopped."""
        while not self._finished.is_set():
            self.sample()
            self._finished.wait(self.interval)

    def stop(self) -> None:
        """End the sampling (and wait for the last sample)."""
        self._finished.set()
        self.join()


class ServerLog(threading.Thread):
    """Reads the server's stderr (a full pipe would block it) and keeps its tracebacks."""

    def __init__(self, process: subprocess.Popen) -> None:
        super().__init__(daemon=True)
        self.process = process
        self.lines: list[str] = []

    def run(self) -> None:
        """Read to the end."""
        for line in self.process.stderr:
            self.lines.append(line.decode(errors="replace").rstrip())

    def tracebacks(self) -> list[str]:
        """The last line of each traceback (the exception itself)."""
        found, inside = [], False
        for line in self.lines:
            if line.startswith("Traceback"):
                inside = True
            elif inside and line and not line.startswith((" ", "\t")):
                found.append(line)
                inside = False
        return found


async def settled(page: Page) -> None:
    """Wait until the page is up and Streamlit has finished running the script (as bench.browser does)."""
    await page.wait_for_selector(APP_SELECTOR)
    await page.wait_for_function(SCRIPT_FINISHED, polling=POLL_MS)
    await page.wait_for_timeout(SETTLE_MS)


async def open_draw_page(context: BrowserContext, url: str) -> Page:
    """A new tab on the Draw page, its canvas up and its script finished."""
    page = await context.new_page()
    await page.goto(f"{url}/draw", wait_until="domcontentloaded")
    await page.locator(CANVAS).first.wait_for()
    await settled(page)
    return page


async def canvas_box(page: Page, home: dict[str, float] | None = None) -> dict[str, float]:
    """The canvas's box once it stays put and, given `home`, stands there.

    After a Clear a new canvas mounts; under load it shows unstyled and lower down for a while, and a stroke
    begun there misses it once it moves up.
    """
    canvas, previous = page.locator(CANVAS), None
    deadline = time.monotonic() + ACTION_TIMEOUT_MS / 1e3
    while time.monotonic() < deadline:
        box = await canvas.first.bounding_box() if await canvas.count() == 1 else None
        if box and box == previous and box == (home or box):
            return box
        previous = box
        await page.wait_for_timeout(STILL_MS)
    raise PlaywrightTimeout(
        f"the canvas did not stand still at {home or 'one place'} in {ACTION_TIMEOUT_MS} ms"
    )


async def draw(page: Page, points: list[tuple[float, float]], home: dict[str, float]) -> None:
    """One stroke through `points` (fractions of the canvas) as bench.browser.draw draws it, on the canvas
    at `home`."""
    (x, y), *rest = stroke_positions(await canvas_box(page, home), points)
    await page.mouse.move(x, y)
    await page.mouse.down()
    for x, y in rest:
        await page.mouse.move(x, y, steps=STROKE_STEPS)
    await page.mouse.up()


async def metric_text(page: Page, name: str) -> str:
    """The text of metric `name` ("prediction", "accuracy") as WATCH saw it last; '' when none shows."""
    return await page.evaluate("(name) => window.__metrics[name]?.text ?? ''", name)


async def changed(page: Page, name: str, before: str, since: str) -> float:
    """Wait until metric `name` shows a text other than `before`; ms since the last input `since`."""
    at = await page.wait_for_function(METRIC_CHANGED, arg=[name, before], polling=POLL_MS)
    return await at.json_value() - await page.evaluate("(kind) => window.__input[kind]", since)


async def prediction_round_trip(
    page: Page, stroke: list[tuple[float, float]], home: dict[str, float]
) -> float:
    """Draw one stroke on the canvas at `home`; ms from mouse-up until the Prediction metric has changed."""
    before = await metric_text(page, "prediction")
    await draw(page, stroke, home)
    return await changed(page, "prediction", before, "mouseup")


async def clear(page: Page) -> None:
    """Press the Draw page's Clear button and wait for the empty canvas."""
    await page.locator(CLEAR_BUTTON).click()
    await page.wait_for_function(f"() => ({METRIC_TEXT})() === ''", polling=POLL_MS)
    await settled(page)


async def evaluation_round_trip(page: Page) -> tuple[float, str]:
    """Press Run on the Batch evaluation page: ms from the click until "Accuracy" shows, and its value."""
    before = await metric_text(page, "accuracy")
    await page.locator(RUN_BUTTON).click()
    ms = await changed(page, "accuracy", before, "click")
    return ms, (await metric_text(page, "accuracy")).split()[-1]


async def exceptions_shown(page: Page, tally: Tally, student: int, seen: set[str]) -> None:
    """Note each exception box on the page that this student has not reported yet."""
    for text in await page.locator(EXCEPTION).all_inner_texts():
        if text not in seen:
            seen.add(text)
            tally.error("exception on a page", student, text)


def refused(tally: Tally, request: Request) -> None:
    """Note a request that the proxy in OFFLINE refused: one not to the app."""
    if urlsplit(request.url).hostname != LOCAL_HOST:
        tally.refused.append(request.url)


async def student(
    browser: Browser, url: str, number: int, door: asyncio.Semaphore, roll: Roll, tally: Tally
) -> None:
    """One student: come in (open the Draw page); at the go, draw 3-5 digits with Clear between them, then
    run an evaluation. The page stays open afterwards, so the server keeps the session, as in a class."""
    rng = random.Random(number)
    step, seen = "opening the browser", set()
    context = await browser.new_context(viewport=VIEWPORT, locale="en-US", proxy=OFFLINE)
    try:
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        context.on("requestfailed", lambda request: refused(tally, request))
        await context.add_init_script(WATCH)
        try:
            async with door:
                step = "opening /draw"
                page = await open_draw_page(context, url)
                page.on("pageerror", lambda error: tally.error("page error", number, str(error)))
                tally.arrived += 1
        finally:
            roll.answer()
        home = await canvas_box(page)
        step = "waiting for the go"
        await roll.go.wait()
        await asyncio.sleep(rng.uniform(0, START_SPREAD_S))
        for digit in range(rng.randint(*DIGITS_PER_STUDENT)):
            if digit:
                step = f"clearing after digit {digit}"
                await clear(page)
            step = f"drawing digit {digit + 1}"
            tally.prediction_ms.append(await prediction_round_trip(page, rng.choice(STROKES), home))
            await settled(page)
            await exceptions_shown(page, tally, number, seen)
        step = "opening /evaluate"
        await page.locator(EVALUATE_LINK).click()
        await page.locator(RUN_BUTTON).wait_for()
        await settled(page)
        step = "running the evaluation"
        ms, accuracy = await evaluation_round_trip(page)
        tally.evaluation_ms.append(ms)
        tally.accuracies.append(accuracy)
        await settled(page)
        await exceptions_shown(page, tally, number, seen)
        tally.finished += 1
        return
    except PlaywrightTimeout as error:
        tally.error("timeout", number, f"{step}: {str(error).splitlines()[0]}")
    except PlaywrightError as error:
        tally.error("other", number, f"{step}: {str(error).splitlines()[0]}")
    except asyncio.CancelledError:
        tally.error("unfinished at the deadline", number, step)
        raise
    # A student who got stuck leaves: a page still loading would slow everyone else down.
    with contextlib.suppress(PlaywrightError, TimeoutError):
        await asyncio.wait_for(context.close(), CLOSE_TIMEOUT_S)


async def class_session(url: str, args: argparse.Namespace, monitor: Monitor) -> Tally:
    """Warm the server up with one visit, let the students in, give the go; stop at the deadline."""
    tally = Tally()
    started = time.monotonic()
    deadline = started + args.seconds
    door, roll = asyncio.Semaphore(args.loading), Roll(args.students)
    async with async_playwright() as playwright:
        browser = await launch_chromium(playwright)
        try:
            # The first visit loads MNIST and the weights into the server's shared caches.
            warm = await browser.new_context(viewport=VIEWPORT, locale="en-US", proxy=OFFLINE)
            warm.set_default_timeout(ACTION_TIMEOUT_MS)
            await open_draw_page(warm, url)
            await warm.close()
            monitor.warm_mb = monitor.now_mb()
            tasks = []
            for number in range(1, args.students + 1):
                tasks.append(asyncio.create_task(student(browser, url, number, door, roll, tally)))
                await asyncio.sleep(args.stagger)
            # Whoever is not in by half time misses the go, and starts on arrival.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(roll.go.wait(), max(deadline - time.monotonic(), 0) / 2)
            roll.go.set()
            tally.go_after_s = time.monotonic() - started
            monitor.arrived_mb = monitor.now_mb()
            _, late = await asyncio.wait(tasks, timeout=max(deadline - time.monotonic(), 0))
            for task in late:
                task.cancel()
            if late:
                await asyncio.wait(late, timeout=CLOSE_TIMEOUT_S)
        finally:
            await asyncio.wait_for(browser.close(), CLOSE_TIMEOUT_S)
    return tally


def percentiles(values: list[float]) -> str:
    """n, p50, p95 and max of a list of milliseconds, as table cells."""
    if not values:
        return f"{0:>5d} {'-':>9s} {'-':>9s} {'-':>9s}"
    p50, p95 = np.percentile(values, [50, 95])
    return f"{len(values):>5d} {p50:>6.0f} ms {p95:>6.0f} ms {max(values):>6.0f} ms"


def report(args: argparse.Namespace, tally: Tally, monitor: Monitor, log: ServerLog, wall: float) -> bool:
    """Print the summary table; True when every goal is met."""
    source = os.environ.get("MNIST_DIR", "whatever source the app finds")
    print(f"\n{args.students} students in one Chromium; data: {source}")
    print(
        f"in {tally.arrived}/{args.students} (at most {args.loading} pages loading at once, "
        f"{args.stagger:g} s apart), the go after {tally.go_after_s:.0f} s; "
        f"finished {tally.finished}/{args.students} in {wall:.0f} s (deadline {args.seconds:g} s)\n"
    )
    print(f"{'round trip':38s} {'n':>5s} {'p50':>9s} {'p95':>9s} {'max':>9s}")
    print(f"{'mouse-up -> updated Prediction':38s} {percentiles(tally.prediction_ms)}")
    print(f"{'Run -> Accuracy (evaluation)':38s} {percentiles(tally.evaluation_ms)}")

    print(f"\nserver memory (RSS of streamlit and its children, every {monitor.interval:g} s)")
    print(f"  {'started, no session':40s} {monitor.idle_mb:6.0f} MB")
    print(f"  {'one visit (data and weights loaded)':40s} {monitor.warm_mb:6.0f} MB")
    print(f"  {'every student in, on the Draw page':40s} {monitor.arrived_mb:6.0f} MB")
    goal = f"VmHWM {monitor.hwm_mb:.0f} MB; goal < {MEMORY_GOAL_MB} MB"
    print(f"  {'peak':40s} {monitor.peak_mb:6.0f} MB   ({goal})")
    per_student = (monitor.peak_mb - monitor.warm_mb) / max(tally.arrived, 1)
    print(f"  {'peak above one visit, per student in':40s} {per_student:6.1f} MB")

    cores = os.cpu_count() or 1
    print(f"\nCPU time in {wall:.0f} s on {cores} cores ({wall * cores:.0f} CPU s, shared with the machine)")
    for group, label in CPU_GROUPS.items():
        print(f"  {label:40s} {monitor.cpu[group]:6.0f} s")
    accuracies = Counter(tally.accuracies)
    print(f"\naccuracy shown: {', '.join(f'{a} ×{n}' for a, n in accuracies.items()) or '-'}")
    print(f"requests refused (not to {LOCAL_HOST}): {len(tally.refused)}")

    server = log.tracebacks()
    kinds = Counter(kind for kind, _, _ in tally.errors)
    counts = ", ".join(f"{kind} {kinds[kind]}" for kind in ERROR_KINDS)
    total = len(tally.errors) + len(server)
    print(f"\nerrors: {total}   ({counts}, server tracebacks {len(server)}; goal: none)")
    for kind, number, message in sorted(tally.errors)[:20]:
        print(f"  student {number:>2d}  {kind}: {message}")
    for line in server[:10]:
        print(f"  server: {line}")
    return total == 0 and tally.finished == args.students and monitor.peak_mb < MEMORY_GOAL_MB


def main(argv: list[str] | None = None) -> int:
    """Start the app, run the class, print the table."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--students", type=int, default=30, help="browser sessions at once")
    parser.add_argument("--seconds", type=float, default=240.0, help="hard deadline for the whole class")
    parser.add_argument("--stagger", type=float, default=0.5, help="seconds between two students' arrivals")
    parser.add_argument("--loading", type=int, default=3, help="pages that may load at once")
    args = parser.parse_args(argv)

    app, url = start_streamlit(ROOT / "app.py", env=SERVER_ENV)
    log = ServerLog(app)
    log.start()
    monitor = Monitor(app.pid)
    monitor.idle_mb = monitor.now_mb()
    monitor.start()
    started = time.monotonic()
    try:
        tally = asyncio.run(class_session(url, args, monitor))
        wall = time.monotonic() - started
    finally:
        monitor.hwm_mb = peak_rss_mb(app.pid)
        monitor.stop()
        stop(app)
    return 0 if report(args, tally, monitor, log, wall) else 1


if __name__ == "__main__":
    sys.exit(main())
