"""One action on one page, this checkout against another revision, side by side: which costs the server less.

`python -m bench.ab --base REV [--page /draw] [--action stroke|<widget key>] [--rounds 10]` checks REV out
in a temporary git worktree, starts the app of each with `streamlit run`, records the page once on each in
Chromium (as bench.classroom records), then repeats the action over Streamlit's websocket in blocks that
take turns between the two servers, so that whatever else loads the machine falls on both alike. It prints
each one's server CPU per action and their ratio: on this noisy machine, runs of the same code one after the
other differ by 10 % and more, while the ratio of two servers measured in turns holds. `--action stroke`
replays the recorded strokes on the page's canvas; any other action is a widget's key, changed back and
forth (a button: pressed). A benchmark, not a test; 127.0.0.1 only; exits 1 on any error.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import subprocess
import sys
import tempfile
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

from playwright.sync_api import sync_playwright
from streamlit.proto.BackMsg_pb2 import BackMsg

from bench.browser import ROOT, launch_chromium
from bench.classroom import (
    APP,
    RUN_TIMEOUT_S,
    STROKE_PAGE,
    Block,
    Limits,
    Notes,
    Recording,
    Run,
    Server,
    Tab,
    alternate,
    block,
    changed_state,
    local_server,
    measure_background,
    open_tab,
    page_path,
    record_page,
    replay,
    tally,
)

STROKE = "stroke"
STROKES = 3
WARM_UP_ACTIONS = 6  # each side, unmeasured: caches filled once are no action's cost


@contextlib.contextmanager
def checkout(revision: str) -> Iterator[Path]:
    """The project at `revision`, in a temporary git worktree that is removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="bench-ab-")) / "app"
    git = ["git", "-C", str(ROOT), "worktree"]
    subprocess.run([*git, "add", "--detach", str(folder), revision], check=True, capture_output=True)
    try:
        yield folder
    finally:
        subprocess.run([*git, "remove", "--force", str(folder)], check=False, capture_output=True)


def record(servers: list[Server], path: str) -> list[Recording]:
    """The page's first load on each server (and strokes, on a canvas page), in one Chromium."""
    strokes = STROKES if path == STROKE_PAGE else 0
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            return [record_page(browser, server.url, path, path, strokes) for server in servers]
        finally:
            browser.close()


async def action(tab: Tab, recording: Recording, name: str) -> Callable[[int], Awaitable[Run]]:
    """The measured action on an open tab: the recorded strokes in turn, or one widget changed back and forth.

    A canvas page's widgets are changed with a drawing on the canvas (the last stroke), as a student has one.
    """
    if name == STROKE:
        if not recording.strokes:
            raise SystemExit(f"{recording.name} has no canvas: strokes are recorded on {STROKE_PAGE}")
        return replay(tab, recording.strokes)
    for stroke in recording.strokes[-1:]:
        await tab.run(BackMsg.FromString(stroke), RUN_TIMEOUT_S)
    widgets = {widget.name: widget for widget in tab.widgets.values()}
    if name not in widgets:
        raise SystemExit(f"{recording.name} has no widget {name!r}: only {', '.join(sorted(widgets))}")
    widget = widgets[name]
    first = tab.states.get(widget.id)
    second = changed_state(widget, first)
    if second is None:
        raise SystemExit(f"{name}: no second value to change it to")
    return alternate(tab, widget, first or second, second)


async def take_turns(
    servers: list[Server], recordings: list[Recording], name: str, rounds: int, limits: Limits
) -> list[list[Block]]:
    """`rounds` blocks of the action on each server, in turns; each server's blocks."""
    notes, tabs, acts = Notes(), [], []
    try:
        for server, recording in zip(servers, recordings, strict=True):
            tab, loaded = await open_tab(server.url, recording, notes)
            tabs.append(tab)
            if loaded.errors:
                raise SystemExit(f"{server.url}{recording.name}: {'; '.join(loaded.errors)}")
            acts.append(await action(tab, recording, name))
            for i in range(WARM_UP_ACTIONS):
                await acts[-1](i)
        blocks: list[list[Block]] = [[] for _ in servers]
        for _ in range(rounds):
            for server, act, own in zip(servers, acts, blocks, strict=True):
                own.append(await block(act, server.meter(), limits, even=name != STROKE))
        return blocks
    finally:
        for tab in tabs:
            await tab.close()


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add = parser.add_argument
    add("--base", required=True, help="the revision to compare this checkout with (e.g. HEAD, main~3)")
    add("--page", type=page_path, default=STROKE_PAGE, help="the page (default: %(default)s)")
    add("--action", default=STROKE, help="'stroke' or a widget's key (default: %(default)s)")
    add("--rounds", type=int, default=10, help="blocks on each server, in turns")
    add("--min-cpu-ms", type=float, default=300.0, help="a block ends after this much server CPU ...")
    add("--min-reruns", type=int, default=1000, help="... or after this many actions, whichever comes first")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Measure both, print, and exit 1 on any error."""
    args = parse_arguments(argv)
    with (
        checkout(args.base) as base,
        local_server(base / APP.name, cwd=base) as old,
        local_server(APP) as new,
    ):
        servers, names = [old, new], [f"base ({args.base})", "this checkout"]
        recordings = record(servers, args.page)
        measure_background(servers)
        limits = Limits(args.min_cpu_ms, args.min_reruns)
        blocks = asyncio.run(take_turns(servers, recordings, args.action, args.rounds, limits))
        tracebacks = old.tracebacks() + new.tracebacks()
    totals = [tally(own) for own in blocks]
    print(f"\n{args.page} {args.action}: {args.rounds} blocks on each server, in turns")
    print(f"{'':16}{'actions':>8}{'CPU ms':>9}{'ms/action':>10}")
    for name, total in zip(names, totals, strict=True):
        per = "-" if total.per_run is None else f"{total.per_run:.2f}"
        print(f"{name[:16]:16}{total.reruns:>8}{total.cpu_ms or 0:>9.0f}{per:>10}")
    old_ms, new_ms = (total.per_run for total in totals)
    if old_ms and new_ms:
        print(f"this checkout / base: {new_ms / old_ms:.3f}")
    errors = [error for total in totals for error in total.errors] + tracebacks
    print(f"errors: {len(errors)}")
    for error in errors[:20]:
        print(f"  {error[:160]}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
