"""A class without browsers: what one Streamlit server costs per user action, against Streamlit's own floor.

`python -m bench.classroom [--parts sweep,strokes,load,join] [--students 30 60] [--seconds 60]` starts the
app and the bare canvas page (bench/bare_canvas.py: the canvas and one metric, the floor of any Streamlit
page) with `streamlit run`, records once with one real Chromium what the browser sends them, then replays
that from Python over Streamlit's own websocket protocol, with no browser at all:

- record: the page-load `rerun_script` BackMsgs of every page the app's navigation lists (or `--pages`), the
  files each page's first load fetches, and a few mouse strokes on the Draw page and on the bare page (a
  stroke's rerun carries the canvas's new state, and the id of the fragment the canvas lives in, if any);
- sweep: for every widget of every page, reruns that change it, alternating between two valid values as the
  frontend would send them (after a change and back unmeasured: caches filled once are no rerun's cost):
  server CPU per rerun, against the bare page's CPU per stroke measured in turns with it in the same run
  (the Batch evaluation page's Run and speed buttons are slow on purpose: exempt);
- strokes: the Draw page's CPU per replayed stroke against the bare page's, in turns;
- load: N students (one websocket session each) on the Draw page, then as many on the bare page, each class
  on a fresh server; each student loads the page, then sends a recorded stroke every 2 s ± 50 %, but never
  before its previous stroke has been answered: latency to script_finished, errors, lost strokes, CPU per
  answered stroke, peak memory; `--page activations` moves that page's sliders instead of drawing;
- join: N students open a page within 10 s; each fetches the page and the files the browser fetched (six
  connections at most, as Chromium opens), opens the websocket and waits for the first run's end and the
  files and images it asks for: time to first render (server side: the browser's own parsing and painting
  are not in it), per page, each page on a fresh server.

The replayed sessions keep the browser's bookkeeping: cookies (the XSRF cookie goes in the websocket's
subprotocols, as the frontend puts it), every widget's state in every rerun, the forward-message cache
(a cached message is sent once, then referred to by hash), and the images each run shows, fetched once.
Server CPU is utime+stime from /proc/<pid>/stat, in 10 ms ticks: every figure sums enough reruns
(`--min-cpu-ms`, `--min-reruns`); the sweep's and strokes' figures are net of the server's idle background.
Prints plain tables (and `--json PATH`); exits 1 on any error. `--url URL` targets a running app instead
(CPU from `--server-pids`), `--replicas N` starts N replicas behind nginx (serve.cluster), and `--app
classroom.py` serves the app as a class on one process gets it (warmed up, Streamlit's files from memory).
All traffic stays on 127.0.0.1; every wait has a timeout, and the whole run a deadline (`--deadline`). A
benchmark, not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import random
import resource
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import h11
import numpy as np
from google.protobuf.message import Message
from playwright.sync_api import Browser, Page, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ButtonGroup_pb2 import ButtonGroup
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.NumberInput_pb2 import NumberInput
from streamlit.proto.Slider_pb2 import Slider
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake
from websockets.typing import Origin, Subprotocol

from bench.browser import ROOT, draw, launch_chromium, start_streamlit, stop, wait_for_app
from bench.latency import STROKES
from bench.load import SERVER_ENV, ServerLog, descendants, peak_rss_mb, processes

APP = ROOT / "app.py"
BARE_SCRIPT = ROOT / "bench" / "bare_canvas.py"
BARE = "bare"  # the bare page's name in tables and recordings
STROKE_PAGE = "/draw"
PARTS = ("sweep", "strokes", "load", "join")
# A full evaluation of the test set and a speed measurement over batch sizes: slow on purpose.
EXEMPT = frozenset({"evaluate_run", "evaluate_measure"})

# As bench.load runs it (as deployed: no file watcher), and listening on 127.0.0.1 alone.
LOCAL_SERVER_ENV = {**SERVER_ENV, "STREAMLIT_SERVER_ADDRESS": "127.0.0.1"}
VIEWPORT = {"width": 1280, "height": 900}
LOCALE = "en-US"
CANVAS = "canvas.upper-canvas"
STREAM_PATH = "/_stcore/stream"
SUBPROTOCOL = "streamlit"
# The frontend offers ["streamlit", <the _streamlit_xsrf cookie, else this placeholder>, <session to resume>].
XSRF_COOKIE = "_streamlit_xsrf"
NO_XSRF = "PLACEHOLDER_AUTH_TOKEN"
MEDIA_PREFIX = "/media/"
WIDGET_ID_PREFIX = "$$ID-"
NO_KEY = "None"  # what a widget id without a user key ends with
BROWSER_CONNECTIONS = 6  # Chromium's limit of HTTP/1.1 connections to one host
# Request headers the replay sets itself (or that belong to one connection), not copied from the browser.
OWN_HEADERS = frozenset({"host", "cookie", "connection", "content-length", "upgrade"})
OWN_HANDSHAKE_HEADERS = OWN_HEADERS | {"origin", "user-agent"}
READ_BYTES = 1 << 16

FINAL = frozenset(
    {
        ForwardMsg.FINISHED_SUCCESSFULLY,
        ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY,
        ForwardMsg.FINISHED_WITH_COMPILE_ERROR,
    }
)
SUCCESS = frozenset({ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY})
OUTCOMES = ("ok", "error", "lost")  # a run's outcomes, the worst last
# Sent once, for one run: the frontend never repeats them in the next rerun, as it does states.
TRIGGER_FIELDS = frozenset(
    {"trigger_value", "json_trigger_value", "string_trigger_value", "chat_input_value"}
)
# Widget kinds whose state the frontend keeps and sends with every rerun (buttons only when pressed).
VALUE_KINDS = frozenset(
    {
        "slider",
        "checkbox",
        "radio",
        "selectbox",
        "multiselect",
        "button_group",
        "number_input",
        "text_input",
        "text_area",
        "file_uploader",
    }
)
SWEPT_KINDS = (VALUE_KINDS - {"file_uploader"}) | {"button"}
NOT_SWEPT = {
    "file_uploader": "file upload",
    "bidi_component": "custom component; the canvas: see strokes",
    "vega_lite_chart": "chart selection",
    "dataframe": "table selection",
    "download_button": "download",
}

RUN_TIMEOUT_S = 30.0  # a stroke not answered by then is lost
LOAD_TIMEOUT_S = 120.0  # a first run on a cold server loads MNIST and the weights
CONNECT_TIMEOUT_S = 30.0
RECORD_TIMEOUT_MS = 120_000
IDLE_TIMEOUT_MS = 5_000
POLL_MS = 50
SETTLE_S = 0.1  # after a block, for the server's last bookkeeping to land in its own block
IDLE_PROBE_S = 5.0
MAX_BLOCK_S = 120.0
WARM_UP_RERUNS = 2  # a widget's change and back, before its block
BARE_RERUNS_FACTOR = 5
STROKE_INTERVAL_S = (1.0, 3.0)  # 2 s ± 50 %, uniform
# Load: students come in a little apart (this much each, at most ARRIVAL_S in all); all start once all are in.
ARRIVAL_EACH_S = 0.2
ARRIVAL_S = 5.0
RSS_SAMPLE_S = 0.5
PERCENTILES = (50, 95)
T = TypeVar("T")


def own_cpu_s() -> float:
    """CPU seconds this process has used so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def load_average() -> str:
    """The machine's load average over 1, 5 and 15 minutes."""
    return ", ".join(f"{load:.1f}" for load in os.getloadavg())


def progress(text: str) -> None:
    """Say what the benchmark is doing (on stderr: the tables go to stdout)."""
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------------------
# /proc: server CPU and memory


def cpu_ticks(pid: int) -> int:
    """utime + stime of process `pid` (all its threads, those ended included), in clock ticks."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat.rpartition(")")[2].split()  # field n of proc(5) is fields[n - 3]
    return int(fields[11]) + int(fields[12])


class CpuMeter:
    """Server CPU time of a set of processes; `None` readings when their pids are unknown."""

    def __init__(self, pids: list[int], background: float = 0.0) -> None:
        self.pids = pids
        self.background = background  # ms per second the servers use with nobody on them
        self.tick_ms = 1000 / os.sysconf("SC_CLK_TCK")

    def ms(self) -> float | None:
        """CPU milliseconds used so far by all the processes together."""
        if not self.pids:
            return None
        return sum(cpu_ticks(pid) for pid in self.pids) * self.tick_ms


class RssSampler:
    """The largest resident memory of the servers and their children, sampled while it runs."""

    def __init__(self, pids: list[int]) -> None:
        self.pids = pids
        self.peak_mb = 0.0
        self._task: asyncio.Task[None] | None = None

    def now_mb(self) -> float:
        """RSS of the servers and everything they started, right now."""
        table = processes()
        return sum(process.rss_mb for pid in self.pids for process in descendants(table, pid))

    async def _sample(self) -> None:
        while True:
            self.peak_mb = max(self.peak_mb, self.now_mb())
            await asyncio.sleep(RSS_SAMPLE_S)

    def __enter__(self) -> RssSampler:
        if self.pids:
            self._task = asyncio.create_task(self._sample())
        return self

    def __exit__(self, *_: object) -> None:
        if self._task:
            self._task.cancel()
            self.peak_mb = max(self.peak_mb, self.now_mb())


# ---------------------------------------------------------------------------------------------------------
# Servers


@dataclass
class Server:
    """Where the students go, and which processes serve them."""

    url: str
    pids: list[int]
    log: ServerLog | None  # its stderr, when this benchmark started it alone
    fresh: bool  # started for this measurement
    background: float = 0.0  # CPU ms per second with nobody on it, once measured

    def meter(self) -> CpuMeter:
        """A meter of the server's CPU."""
        return CpuMeter(self.pids, self.background)

    def tracebacks(self) -> list[str]:
        """The exceptions the server logged."""
        return self.log.tracebacks() if self.log else []


@contextlib.contextmanager
def local_server(script: Path, cwd: Path = ROOT) -> Iterator[Server]:
    """`streamlit run script` from `cwd` on a free port of 127.0.0.1."""
    process, url = start_streamlit(script, env=LOCAL_SERVER_ENV, cwd=cwd)
    log = ServerLog(process)
    log.start()
    try:
        yield Server(url, [process.pid], log, fresh=True)
    finally:
        stop(process)


@contextlib.contextmanager
def replicated_server(replicas: int) -> Iterator[Server]:
    """The app from `replicas` Streamlit processes behind nginx with cookie affinity (`python -m serve`)."""
    # serve/ is written alongside this benchmark: imported here so that the rest runs without it.
    from serve import cluster

    with cluster(replicas, env={**os.environ, **SERVER_ENV}) as running:
        yield Server(running.url, running.pids, None, fresh=True)


@contextlib.contextmanager
def app_server(args: argparse.Namespace) -> Iterator[Server]:
    """The app: the running one at --url, or --replicas behind nginx, or one fresh `streamlit run --app`."""
    if args.url:
        yield Server(args.url.rstrip("/"), args.server_pids, None, fresh=False)
    elif args.replicas:
        with replicated_server(args.replicas) as server:
            yield server
    else:
        with local_server(args.app) as server:
            yield server


# ---------------------------------------------------------------------------------------------------------
# Recording, with one real Chromium


@dataclass
class Fetch:
    """One HTTP GET the browser made to the server while it loaded a page the first time."""

    path: str  # with the query
    headers: dict[str, str]
    status: int
    after_websocket: bool  # asked for once the page's elements arrived (lazy chunks, component files)
    revalidated: bool  # not cacheable: a returning browser fetches it again (the page, health checks)


@dataclass
class Recording:
    """What Chromium sent for one page: its first rerun, its strokes, the files it fetched."""

    name: str  # the page's path, or BARE
    origin: str
    loads: list[bytes]  # the page-load rerun, then any the page sent by itself (a component's first answer)
    strokes: list[bytes]
    fetches: list[Fetch]
    handshake: dict[str, str]  # the websocket upgrade request's headers
    negotiated: dict[str, str]  # the websocket upgrade response's headers
    sent: Counter[str]  # BackMsg types the browser sent, by type
    pages: list[str]  # the app's pages, as its navigation lists them


class Tap:
    """Listens to one tab: its HTTP requests (CDP gives their full headers), websocket frames and runs."""

    def __init__(self, origin: str) -> None:
        self.origin = origin
        self.requests: dict[str, dict[str, Any]] = {}
        self.extra: dict[str, dict[str, str]] = {}
        self.websocket_open = False
        self.handshake: dict[str, str] = {}
        self.negotiated: dict[str, str] = {}
        self.reruns: list[tuple[bytes, int]] = []  # (BackMsg, runs finished when it was sent)
        self.finished = 0
        self.sent: Counter[str] = Counter()
        self.pages: list[str] = []

    def request(self, event: dict[str, Any]) -> None:
        """Network.requestWillBeSent: a GET to the server, before or after the websocket opened."""
        request = event["request"]
        if request["method"] == "GET" and request["url"].startswith(self.origin + "/"):
            self.requests.setdefault(
                event["requestId"],
                {"url": request["url"], "headers": request["headers"], "after": self.websocket_open},
            )

    def request_extra(self, event: dict[str, Any]) -> None:
        """Network.requestWillBeSentExtraInfo: the headers as sent (Accept-Encoding and cookies included)."""
        self.extra[event["requestId"]] = event["headers"]

    def response(self, event: dict[str, Any]) -> None:
        """Network.responseReceived: the status, and whether the browser may keep the response."""
        if event["requestId"] in self.requests:
            headers = {name.lower(): value for name, value in event["response"]["headers"].items()}
            self.requests[event["requestId"]]["status"] = event["response"]["status"]
            self.requests[event["requestId"]]["cache"] = headers.get("cache-control", "")

    def websocket_created(self, event: dict[str, Any]) -> None:
        """Network.webSocketCreated: what the page fetches from now on, it fetches for its elements."""
        if event["url"].endswith(STREAM_PATH):
            self.websocket_open = True

    def handshake_request(self, event: dict[str, Any]) -> None:
        """Network.webSocketWillSendHandshakeRequest."""
        self.handshake = event["request"]["headers"]

    def handshake_response(self, event: dict[str, Any]) -> None:
        """Network.webSocketHandshakeResponseReceived."""
        self.negotiated = event["response"]["headers"]

    def websocket(self, socket: Any) -> None:
        """Playwright's websocket event: listen to Streamlit's stream."""
        if socket.url.endswith(STREAM_PATH):
            socket.on("framesent", self.frame_sent)
            socket.on("framereceived", self.frame_received)

    def frame_sent(self, payload: bytes | str) -> None:
        """A BackMsg from the browser."""
        if isinstance(payload, bytes):
            message = BackMsg.FromString(payload)
            kind = message.WhichOneof("type") or "none"
            self.sent[kind] += 1
            if kind == "rerun_script":
                self.reruns.append((payload, self.finished))

    def frame_received(self, payload: bytes | str) -> None:
        """A ForwardMsg to the browser: count the runs that end, note the app's pages."""
        if isinstance(payload, bytes):
            message = ForwardMsg.FromString(payload)
            kind = message.WhichOneof("type")
            if kind == "script_finished" and message.script_finished in FINAL:
                self.finished += 1
            elif kind == "navigation":
                listed = [page for page in message.navigation.app_pages if not page.external_url]
                self.pages = [page_path("" if page.is_default else page.url_pathname) for page in listed]

    def answered(self) -> bool:
        """Whether the last rerun the browser sent has finished."""
        return bool(self.reruns) and self.finished > self.reruns[-1][1]

    def stroke_answered(self, before: int) -> Callable[[], bool]:
        """A condition: a rerun has been sent since there were `before`, and has finished."""
        return lambda: len(self.reruns) > before and self.answered()

    def fetches(self) -> list[Fetch]:
        """The GETs so far, with the headers the browser sent (origin-relative, as sent)."""
        found = []
        for request_id, request in self.requests.items():
            if "status" not in request:
                continue
            headers = self.extra.get(request_id, request["headers"])
            found.append(
                Fetch(
                    path=request["url"][len(self.origin) :],
                    headers={n: v for n, v in headers.items() if not n.startswith(":")},
                    status=request["status"],
                    after_websocket=request["after"],
                    revalidated="max-age" not in request["cache"],
                )
            )
        return found


def wait_until(page: Page, condition: Callable[[], bool], what: str) -> None:
    """Let the page's events flow until `condition()` holds."""
    deadline = time.monotonic() + RECORD_TIMEOUT_MS / 1e3
    while not condition():
        if time.monotonic() > deadline:
            raise PlaywrightTimeout(f"{what}: not within {RECORD_TIMEOUT_MS} ms")
        page.wait_for_timeout(POLL_MS)


def record_page(browser: Browser, origin: str, path: str, name: str, strokes: int) -> Recording:
    """Open `path` in a fresh browser context (an empty cache), then draw `strokes` strokes on its canvas."""
    progress(f"recording {name} in Chromium")
    context = browser.new_context(viewport=VIEWPORT, locale=LOCALE)
    try:
        page = context.new_page()
        tap = Tap(origin)
        cdp = context.new_cdp_session(page)
        cdp.on("Network.requestWillBeSent", tap.request)
        cdp.on("Network.requestWillBeSentExtraInfo", tap.request_extra)
        cdp.on("Network.responseReceived", tap.response)
        cdp.on("Network.webSocketCreated", tap.websocket_created)
        cdp.on("Network.webSocketWillSendHandshakeRequest", tap.handshake_request)
        cdp.on("Network.webSocketHandshakeResponseReceived", tap.handshake_response)
        cdp.send("Network.enable")
        page.on("websocket", tap.websocket)
        page.goto(origin + path, wait_until="domcontentloaded", timeout=RECORD_TIMEOUT_MS)
        wait_until(page, tap.answered, f"{name}: the first run")
        wait_for_app(page, RECORD_TIMEOUT_MS)
        # The files the page's elements need come after its first run: wait until the network is quiet.
        with contextlib.suppress(PlaywrightTimeout):
            page.wait_for_load_state("networkidle", timeout=IDLE_TIMEOUT_MS)
        # A component may answer its first run with a rerun of its own: the page's load ends after those.
        wait_until(page, tap.answered, f"{name}: the reruns the page sent by itself")
        wait_for_app(page, RECORD_TIMEOUT_MS)
        fetches = tap.fetches()
        loads = [payload for payload, _ in tap.reruns]
        recorded = []
        for number, stroke in enumerate(STROKES[:strokes], 1):
            page.locator(CANVAS).first.wait_for(timeout=RECORD_TIMEOUT_MS)
            draw(page, stroke, CANVAS)
            wait_until(page, tap.stroke_answered(len(tap.reruns)), f"{name}: stroke {number}")
            wait_for_app(page, RECORD_TIMEOUT_MS)
            # The last rerun after a stroke carries the canvas's final state.
            recorded.append(tap.reruns[-1][0])
        return Recording(
            name, origin, loads, recorded, fetches, tap.handshake, tap.negotiated, tap.sent, tap.pages
        )
    finally:
        context.close()


def record(
    app: Server, bare: Server, pages: list[str] | None, also: list[str], strokes: int
) -> tuple[dict[str, Recording], list[str]]:
    """One Chromium: the bare page, the app's pages (all its navigation lists, unless given) and `also`,
    each page's first load, strokes on the Draw page and on the bare page; the recordings and the pages."""
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            recordings = {BARE: record_page(browser, bare.url, "/", BARE, strokes)}

            def recorded(path: str) -> Recording:
                if path not in recordings:
                    count = strokes if path == STROKE_PAGE else 0
                    recordings[path] = record_page(browser, app.url, path, path, count)
                return recordings[path]

            pages = pages or recorded("/").pages or ["/"]
            for path in [*pages, *also, STROKE_PAGE]:
                recorded(path)
        finally:
            browser.close()
    return recordings, pages


# ---------------------------------------------------------------------------------------------------------
# A browser's network side: cookies and up to six keep-alive HTTP/1.1 connections


class HttpConnection:
    """One keep-alive HTTP/1.1 connection (h11 keeps the protocol straight: chunks, closes)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, host: str) -> None:
        self.reader, self.writer, self.host = reader, writer, host
        self.protocol = h11.Connection(our_role=h11.CLIENT)

    @classmethod
    async def open(cls, host: str, port: int) -> HttpConnection:
        """Connect to host:port."""
        reader, writer = await asyncio.open_connection(host, port)
        return cls(reader, writer, f"{host}:{port}")

    @property
    def reusable(self) -> bool:
        """Whether another request may follow on this connection."""
        return self.protocol.our_state is h11.IDLE

    async def get(self, target: str, headers: list[tuple[str, str]]) -> tuple[int, list[tuple[bytes, bytes]]]:
        """GET target; the status and the response headers (the body is read and dropped)."""
        request = h11.Request(method="GET", target=target, headers=[("Host", self.host), *headers])
        self.writer.write(self.protocol.send(request) + self.protocol.send(h11.EndOfMessage()))
        await self.writer.drain()
        status, response_headers = 0, []
        while True:
            event = self.protocol.next_event()
            if event is h11.NEED_DATA:
                self.protocol.receive_data(await self.reader.read(READ_BYTES))
            elif isinstance(event, h11.Response):
                status, response_headers = event.status_code, list(event.headers)
            elif isinstance(event, h11.EndOfMessage):
                break
            elif isinstance(event, h11.ConnectionClosed):
                raise ConnectionError(f"the server closed the connection during GET {target}")
        if self.protocol.our_state is h11.DONE and self.protocol.their_state is h11.DONE:
            self.protocol.start_next_cycle()
        return status, response_headers

    def close(self) -> None:
        """Close the connection."""
        self.writer.close()


class Client:
    """One student's browser, on the network: a cookie jar and at most six connections to the server."""

    def __init__(self, origin: str, base_headers: dict[str, str]) -> None:
        parts = urlsplit(origin)
        self.origin = origin
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.base_headers = base_headers
        self.cookies: dict[str, str] = {}
        self.idle: list[HttpConnection] = []
        self.slots = asyncio.Semaphore(BROWSER_CONNECTIONS)

    def cookie_header(self) -> str:
        """The Cookie header for the next request."""
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def keep_cookies(self, headers: list[tuple[bytes, bytes]]) -> None:
        """Store the Set-Cookie headers of a response (name and value; this benchmark needs no more)."""
        for name, value in headers:
            if name.lower() == b"set-cookie":
                pair = value.decode("latin-1").split(";", 1)[0]
                cookie, _, content = pair.partition("=")
                self.cookies[cookie.strip()] = content.strip()

    def rebased(self, recorded_origin: str, headers: dict[str, str]) -> list[tuple[str, str]]:
        """The browser's headers for the target server: its own origin in Referer and Origin."""
        found = [(n, v.replace(recorded_origin, self.origin)) for n, v in headers.items()]
        found = [(n, v) for n, v in found if n.lower() not in OWN_HEADERS]
        if self.cookies:
            found.append(("Cookie", self.cookie_header()))
        return found

    async def get(self, path: str, headers: list[tuple[str, str]]) -> int:
        """GET path on one of the (at most six) connections; the status."""
        async with self.slots:
            while True:
                reused = bool(self.idle)
                connection = self.idle.pop() if reused else await HttpConnection.open(self.host, self.port)
                try:
                    async with asyncio.timeout(RUN_TIMEOUT_S):
                        status, response_headers = await connection.get(path, headers)
                except (OSError, h11.ProtocolError) as error:
                    connection.close()
                    # The server closes a kept-alive connection after a while: a browser retries on a new one.
                    if reused and not isinstance(error, TimeoutError):
                        continue
                    raise
                except BaseException:
                    connection.close()
                    raise
                break
            self.keep_cookies(response_headers)
            if connection.reusable:
                self.idle.append(connection)
            else:
                connection.close()
            return status

    async def fetch(self, fetches: list[Fetch], recorded_origin: str) -> list[str]:
        """Fetch the recorded files as the browser did; what went differently (status, failure)."""

        async def one(fetch: Fetch) -> str | None:
            try:
                status = await self.get(fetch.path, self.rebased(recorded_origin, fetch.headers))
            except (OSError, h11.ProtocolError) as error:
                return f"GET {fetch.path}: {type(error).__name__} {error}"
            return None if status == fetch.status else f"GET {fetch.path}: {status}, not {fetch.status}"

        return [error for error in await asyncio.gather(*(one(fetch) for fetch in fetches)) if error]

    async def fetch_media(self, paths: list[str]) -> list[str]:
        """Fetch images the page shows, as the browser does once their elements arrive; the failures."""
        headers = [(n, v) for n, v in self.base_headers.items() if n.lower() not in OWN_HEADERS]
        media = [Fetch(path, dict(headers), 200, after_websocket=True, revalidated=False) for path in paths]
        return await self.fetch(media, self.origin)

    def close(self) -> None:
        """Close every idle connection."""
        for connection in self.idle:
            connection.close()
        self.idle.clear()


# ---------------------------------------------------------------------------------------------------------
# Widgets: the frontend's widget state manager, and another valid value for each kind


def user_key(widget_id: str) -> str:
    """The key a widget id ends with ('$$ID-<hash>-<key>'), NO_KEY for a widget without one."""
    return widget_id.split("-", 2)[-1]


@dataclass
class Widget:
    """A widget element the page drew, with the fragment it lives in."""

    kind: str  # the Element field: "slider", "checkbox", ...
    proto: Any  # the element's message (Slider, Checkbox, ...)
    fragment_id: str

    @property
    def id(self) -> str:
        """The widget id, which the widget states are keyed by."""
        return self.proto.id

    @property
    def name(self) -> str:
        """The user key of the widget, else its label."""
        key = user_key(self.id)
        return key if key != NO_KEY else f'"{getattr(self.proto, "label", "") or self.kind}"'


def string_state(widget_id: str, value: str) -> WidgetState:
    """A string_value state."""
    return WidgetState(id=widget_id, string_value=value)


def initial_state(widget: Widget) -> WidgetState | None:
    """The state the frontend keeps for a widget it draws: the value the server set, else the default."""
    proto, wid = widget.proto, widget.id
    state = WidgetState(id=wid)
    match widget.kind:
        case "slider" if proto.type == Slider.SELECT_SLIDER:
            values = proto.raw_value if proto.set_value and proto.raw_value else None
            values = values or [proto.options[int(index)] for index in proto.default]
            state.string_array_value.data[:] = values
        case "slider":
            state.double_array_value.data[:] = proto.value if proto.set_value else proto.default
        case "checkbox":
            state.bool_value = proto.value if proto.set_value else proto.default
        case "radio" | "selectbox":
            if proto.set_value and proto.HasField("raw_value"):
                return string_state(wid, proto.raw_value)
            return string_state(wid, proto.options[proto.default]) if proto.HasField("default") else None
        case "multiselect":
            values = proto.raw_values if proto.set_value else [proto.options[i] for i in proto.default]
            state.string_array_value.data[:] = values
        case "button_group":
            values = (
                proto.raw_values if proto.set_value else [proto.options[i].content for i in proto.default]
            )
            state.string_array_value.data[:] = values
        case "number_input":
            field_name = "value" if proto.set_value else "default"
            if not proto.HasField(field_name):
                return None
            number = getattr(proto, field_name)
            if proto.data_type == NumberInput.INT:
                state.int_value = int(number)
            else:
                state.double_value = number
        case "text_input" | "text_area":
            field_name = "value" if proto.set_value else "default"
            return string_state(wid, getattr(proto, field_name)) if proto.HasField(field_name) else None
        case "file_uploader":
            state.file_uploader_state_value.SetInParent()
        case _:
            return None
    return state


def stepped(values: list[float], step: float, low: float | None, high: float | None) -> list[float] | None:
    """Values one step away: the last one up if it stays in range, else the first one down (or None)."""
    up, down = values[-1] + step, values[0] - step
    if high is None or up <= high:
        return [*values[:-1], round(up, 10)]
    if (low is None or down >= low) and (len(values) == 1 or down < values[-1]):
        return [round(down, 10), *values[1:]]
    return None


def toggled(chosen: list[str], options: list[str]) -> list[str]:
    """One option more (the first not chosen), or one less when all are."""
    missing = [option for option in options if option not in chosen]
    return [*chosen, missing[0]] if missing else chosen[:-1]


def next_option(current: str, options: list[str]) -> str:
    """The option after `current` (or the first)."""
    return options[(options.index(current) + 1) % len(options)] if current in options else options[0]


def changed_state(widget: Widget, state: WidgetState | None) -> WidgetState | None:
    """Another valid value of the widget as the frontend sends it (a press, for a button); None if none."""
    # Text gets a trailing space: a new value to Streamlit, which whatever parsed the old one still parses.
    proto, new = widget.proto, WidgetState(id=widget.id)
    if widget.kind == "button":
        new.trigger_value = True
        return new
    if state is None:
        return None
    match widget.kind:
        case "checkbox":
            new.bool_value = not state.bool_value
        case "slider" if proto.type == Slider.SELECT_SLIDER:
            options = list(proto.options)
            indices = [float(options.index(value)) for value in state.string_array_value.data]
            moved = stepped(indices, 1, 0, len(options) - 1)
            if moved is None:
                return None
            new.string_array_value.data[:] = [options[int(index)] for index in moved]
        case "slider":
            moved = stepped(list(state.double_array_value.data), proto.step, proto.min, proto.max)
            if moved is None:
                return None
            new.double_array_value.data[:] = moved
        case "radio" | "selectbox":
            if len(proto.options) < 2:
                return None
            new.string_value = next_option(state.string_value, list(proto.options))
        case "multiselect":
            new.string_array_value.data[:] = toggled(list(state.string_array_value.data), list(proto.options))
        case "button_group":
            options = [option.content for option in proto.options]
            chosen = list(state.string_array_value.data)
            if proto.click_mode == ButtonGroup.MULTI_SELECT:
                new.string_array_value.data[:] = toggled(chosen, options)
            elif len(options) < 2:
                return None
            else:
                new.string_array_value.data[:] = [next_option(chosen[0] if chosen else "", options)]
        case "number_input":
            field_name = "int_value" if proto.data_type == NumberInput.INT else "double_value"
            low = proto.min if proto.has_min else None
            high = proto.max if proto.has_max else None
            moved = stepped([getattr(state, field_name)], proto.step or 1, low, high)
            if moved is None:
                return None
            setattr(new, field_name, int(moved[0]) if field_name == "int_value" else moved[0])
        case "text_input" | "text_area":
            text = state.string_value
            new.string_value = text[:-1] if text.endswith(" ") else text + " "
        case _:
            return None
    return new


def media_paths(message: Message) -> Iterator[str]:
    """Every /media/ URL inside a message (the images an element shows)."""
    for descriptor, value in message.ListFields():
        values = value if descriptor.is_repeated else [value]
        for item in values:
            if isinstance(item, Message):
                yield from media_paths(item)
            elif isinstance(item, str) and item.startswith(MEDIA_PREFIX):
                yield item


# ---------------------------------------------------------------------------------------------------------
# A tab: one websocket session, with the frontend's bookkeeping


@dataclass
class CacheEntry:
    """A message in the frontend's forward-message cache."""

    raw: bytes
    run_count: int
    fragment_id: str


@dataclass
class Run:
    """One rerun as a student saw it."""

    seconds: float  # from sending the BackMsg to its run's script_finished
    outcome: str  # "ok", "error" or "lost"
    errors: list[str] = field(default_factory=list)


@dataclass
class Reading:
    """What the messages of one run said so far."""

    status: int | None = None
    errors: list[str] = field(default_factory=list)
    media: list[str] = field(default_factory=list)


@dataclass
class Notes:
    """Protocol facts met on the way, for the report."""

    subprotocols: str = ""
    extensions: str = ""
    cacheable: int = 0
    ref_hits: int = 0
    early: int = 0  # runs ended by the app's own st.rerun
    auto_reruns: int = 0
    fragment_runs: int = 0


class Tab:
    """One student's tab on one page: a websocket session that answers the server as the frontend does.

    It keeps every widget's state and sends them all with each rerun (Streamlit keeps a widget's old value
    when a rerun leaves it out, but the frontend never does); it keeps the forward-message cache and lists
    its hashes in each rerun, so the server refers to what it sent before, as it does for a browser; it
    fetches each new image a run shows.
    """

    def __init__(self, client: Client, recording: Recording, notes: Notes) -> None:
        self.client, self.recording, self.notes = client, recording, notes
        self.socket: ClientConnection | None = None
        self.states: dict[str, WidgetState] = {}
        self.widgets: dict[str, Widget] = {}
        self.seen: set[str] = set()  # widget ids drawn by the current full run
        self.fetched: set[str] = set()
        self.cache: dict[str, CacheEntry] = {}
        self.run_count = 0
        self.max_cache_age = 0
        self.new_session = False
        self.query_string = ""
        self.page_script_hash = ""  # what the reruns name, as the frontend keeps it
        self.page = ""  # the page st.navigation ran at first
        self.context = BackMsg.FromString(recording.loads[0]).rerun_script.context_info
        self.context.url = self.context.url.replace(recording.origin, client.origin)

    async def open(self) -> Run:
        """Open the page as a returning browser: the document and health checks, the websocket, a run."""
        # The document and health checks give the cookies: Streamlit's XSRF one, nginx's affinity one.
        preamble = [
            fetch for fetch in self.recording.fetches if fetch.revalidated and not fetch.after_websocket
        ]
        failed = await self.client.fetch(preamble, self.recording.origin)
        if failed:
            return Run(0.0, "error", failed)
        return await self.connect_and_load()

    async def connect_and_load(self) -> Run:
        """Open the websocket as the frontend does, and run the page."""
        handshake = {
            n: v for n, v in self.recording.handshake.items() if n.lower() not in OWN_HANDSHAKE_HEADERS
        }
        handshake = {n: v for n, v in handshake.items() if not n.lower().startswith("sec-websocket")}
        if self.client.cookies:
            handshake["Cookie"] = self.client.cookie_header()
        user_agent = next((v for n, v in self.recording.handshake.items() if n.lower() == "user-agent"), None)
        token = self.client.cookies.get(XSRF_COOKIE, NO_XSRF)
        url = "ws" + self.client.origin.removeprefix("http") + STREAM_PATH
        try:
            self.socket = await connect(
                url,
                origin=Origin(self.client.origin),
                subprotocols=[Subprotocol(SUBPROTOCOL), Subprotocol(token)],
                additional_headers=handshake,
                user_agent_header=user_agent,
                open_timeout=CONNECT_TIMEOUT_S,
                ping_interval=None,  # the server pings; the browser answers and never pings itself
                max_size=None,
            )
        except (OSError, TimeoutError, InvalidHandshake) as error:
            return Run(0.0, "lost", [f"websocket: {type(error).__name__} {error}"])
        self.notes.subprotocols = (
            f"{SUBPROTOCOL}, <{XSRF_COOKIE} cookie>" if token != NO_XSRF else SUBPROTOCOL
        )
        self.notes.extensions = self.socket.response.headers.get("Sec-WebSocket-Extensions", "none")
        loaded = await self.run(BackMsg.FromString(self.recording.loads[0]), LOAD_TIMEOUT_S)
        # Sent after the first run here: Chromium sends them once the component is up, maybe sooner.
        for follow_up in self.recording.loads[1:]:
            if loaded.outcome == "lost":
                break
            more = await self.run(BackMsg.FromString(follow_up), RUN_TIMEOUT_S)
            outcome = max(loaded.outcome, more.outcome, key=OUTCOMES.index)
            loaded = Run(loaded.seconds + more.seconds, outcome, loaded.errors + more.errors)
        return loaded

    async def close(self) -> None:
        """Leave: close the websocket and the connections."""
        if self.socket:
            with contextlib.suppress(OSError, TimeoutError, ConnectionClosed):
                async with asyncio.timeout(CONNECT_TIMEOUT_S):
                    await self.socket.close()
        self.client.close()

    def message(self, states: list[WidgetState], fragment_id: str) -> BackMsg:
        """A rerun as the frontend sends it: every widget's state, the page, the cache's hashes."""
        message = BackMsg()
        rerun = message.rerun_script
        rerun.query_string = self.query_string
        rerun.widget_states.widgets.extend(states)
        rerun.page_script_hash = self.page_script_hash
        rerun.fragment_id = fragment_id
        rerun.context_info.CopyFrom(self.context)
        return message

    def with_state(self, state: WidgetState) -> list[WidgetState]:
        """Every widget's state, one of them replaced (or added: a pressed button)."""
        states = dict(self.states)
        states[state.id] = state
        return list(states.values())

    async def change(self, widget: Widget, state: WidgetState) -> Run:
        """Set one widget to `state` (press it, for a button) and rerun, as the frontend would."""
        return await self.run(self.message(self.with_state(state), widget.fragment_id), RUN_TIMEOUT_S)

    async def run(self, message: BackMsg, timeout: float) -> Run:
        """Send a rerun; wait for the end of its run (the app's own st.rerun included); fetch new images."""
        if self.socket is None:
            return Run(0.0, "lost", ["no websocket"])
        rerun = message.rerun_script
        del rerun.cached_message_hashes[:]
        rerun.cached_message_hashes.extend(self.cache)
        rerun.context_info.CopyFrom(self.context)
        for state in rerun.widget_states.widgets:
            if state.WhichOneof("value") not in TRIGGER_FIELDS:
                self.states[state.id] = state
        self.new_session = False
        reading = Reading()
        started = time.perf_counter()
        try:
            async with asyncio.timeout(timeout):
                await self.socket.send(message.SerializeToString())
                while reading.status is None:
                    raw = await self.socket.recv()
                    if isinstance(raw, bytes):
                        self.take(raw, reading)
        except TimeoutError:
            # Whatever the server still sends for this run must not pass for the next one's: leave.
            await self.close()
            self.socket = None
            return Run(time.perf_counter() - started, "lost", [f"no script_finished within {timeout:.0f} s"])
        except ConnectionClosed as error:
            self.socket = None
            return Run(time.perf_counter() - started, "lost", [f"connection dropped: {error}"])
        seconds = time.perf_counter() - started
        new_media = [path for path in dict.fromkeys(reading.media) if path not in self.fetched]
        self.fetched.update(new_media)
        reading.errors += await self.client.fetch_media(new_media)
        if reading.status not in SUCCESS:
            reading.errors.append(f"script_finished {ForwardMsg.ScriptFinishedStatus.Name(reading.status)}")
        return Run(seconds, "error" if reading.errors else "ok", reading.errors)

    def take(self, raw: bytes, reading: Reading) -> None:
        """Handle one ForwardMsg as the frontend does (the parts that shape what it sends next)."""
        message = ForwardMsg.FromString(raw)
        kind = message.WhichOneof("type")
        if kind == "ref_hash":
            entry = self.cache.get(message.ref_hash)
            if entry is None:
                reading.errors.append(f"a reference to message {message.ref_hash}, which is not in the cache")
                return
            entry.run_count = self.run_count
            self.notes.ref_hits += 1
            referred = ForwardMsg.FromString(entry.raw)
            referred.metadata.CopyFrom(message.metadata)
            message, kind = referred, referred.WhichOneof("type")
        elif message.metadata.cacheable and message.hash:
            self.keep(message, raw)
        if kind == "new_session":
            self.new_session = True
            self.page_script_hash = message.new_session.page_script_hash
            self.max_cache_age = message.new_session.config.max_cached_message_age
            if not message.metadata.run.fragment_ids:
                self.seen = set()
        elif kind == "navigation":
            # With st.navigation the run starts as the main script's; this names the page it runs.
            page = message.navigation.page_script_hash
            if self.page and page != self.page:
                reading.errors.append(f"the rerun ran another page ({page}), not this tab's ({self.page})")
            self.page = self.page_script_hash = page
        elif kind == "page_info_changed":
            self.query_string = message.page_info_changed.query_string
        elif kind == "delta":
            self.take_delta(message, reading)
        elif kind == "session_event" and message.session_event.HasField("script_compilation_exception"):
            exception = message.session_event.script_compilation_exception
            reading.errors.append(f"{exception.type}: {exception.message}")
        elif kind == "page_not_found":
            reading.errors.append(f"page not found: {message.page_not_found.page_name}")
        elif kind == "auto_rerun":
            self.notes.auto_reruns += 1
        elif kind == "script_finished":
            self.finish(message, reading)

    def keep(self, message: ForwardMsg, raw: bytes) -> None:
        """Cache a cacheable message (or note that it was used again), as ForwardMsgCache does."""
        if message.hash in self.cache:
            self.cache[message.hash].run_count = self.run_count
        else:
            self.notes.cacheable += 1
            fragment_id = message.delta.fragment_id if message.HasField("delta") else ""
            self.cache[message.hash] = CacheEntry(raw, self.run_count, fragment_id)

    def take_delta(self, message: ForwardMsg, reading: Reading) -> None:
        """An element: an exception is an error; a widget gets its state; images are to be fetched."""
        delta = message.delta
        if delta.WhichOneof("type") != "new_element":
            return
        element = delta.new_element
        kind = element.WhichOneof("type")
        if kind is None:
            return
        proto = getattr(element, kind)
        if kind == "exception":
            reading.errors.append(f"{proto.type}: {proto.message}")
        reading.media.extend(media_paths(proto))
        widget_id = getattr(proto, "id", "") if "id" in proto.DESCRIPTOR.fields_by_name else ""
        if not widget_id.startswith(WIDGET_ID_PREFIX):
            return
        widget = Widget(kind, proto, delta.fragment_id)
        self.widgets[widget_id] = widget
        self.seen.add(widget_id)
        if kind in VALUE_KINDS and (getattr(proto, "set_value", False) or widget_id not in self.states):
            state = initial_state(widget)
            if state is not None:
                self.states[widget_id] = state

    def finish(self, message: ForwardMsg, reading: Reading) -> None:
        """script_finished: the run's end (unless the app reran itself); age the cache, drop gone widgets."""
        status = message.script_finished
        if status == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
            self.notes.early += 1
            return
        reading.status = status
        fragment_ids = list(message.metadata.run.fragment_ids)
        if fragment_ids:
            self.notes.fragment_runs += 1
        if status in SUCCESS and self.new_session and message.metadata.HasField("run"):
            self.run_count += 1
            for hash_, entry in list(self.cache.items()):
                if fragment_ids and entry.fragment_id not in fragment_ids:
                    continue
                if self.run_count - entry.run_count > self.max_cache_age:
                    del self.cache[hash_]
        if status in SUCCESS and not fragment_ids:
            self.states = {wid: state for wid, state in self.states.items() if wid in self.seen}
            self.widgets = {wid: widget for wid, widget in self.widgets.items() if wid in self.seen}


async def open_tab(origin: str, recording: Recording, notes: Notes) -> tuple[Tab, Run]:
    """A new student on the page: a fresh browser (no cookies), the page loaded."""
    tab = Tab(Client(origin, browser_headers(recording)), recording, notes)
    return tab, await tab.open()


def browser_headers(recording: Recording) -> dict[str, str]:
    """The browser's own request headers (user agent, languages, encodings), from its websocket upgrade."""
    wanted = {"user-agent", "accept-language", "accept-encoding"}
    return {name: value for name, value in recording.handshake.items() if name.lower() in wanted}


def rerun_differences(tab: Tab, recorded: bytes) -> list[str]:
    """Where the rerun this client would send differs from a stroke's that Chromium sent (canvas aside)."""
    browser = BackMsg.FromString(recorded).rerun_script
    drawn = [state for state in browser.widget_states.widgets if state.WhichOneof("value") == "json_value"]
    ours = tab.message([*tab.states.values(), *drawn], browser.fragment_id).rerun_script
    found = [
        f"{name}: {getattr(ours, name)!r}, the browser {getattr(browser, name)!r}"
        for name in ("query_string", "page_script_hash", "page_name", "fragment_id")
        if getattr(ours, name) != getattr(browser, name)
    ]
    sent = {state.id: state for state in browser.widget_states.widgets}
    synthesized = {state.id: state for state in ours.widget_states.widgets}
    for wid in sent.keys() | synthesized.keys():
        if sent.get(wid) != synthesized.get(wid):
            ours_text, browser_text = (
                " ".join(str(states.get(wid)).split()) for states in (synthesized, sent)
            )
            found.append(f"{user_key(wid)}: {ours_text}, the browser {browser_text}")
    return found


# ---------------------------------------------------------------------------------------------------------
# Measuring: blocks of reruns, their server CPU


@dataclass
class Block:
    """Reruns of one action in a row, and the server CPU they cost."""

    runs: list[Run]
    cpu_ms: float | None

    @property
    def errors(self) -> list[str]:
        """Every error met."""
        return [error for run in self.runs for error in run.errors]


@dataclass
class Tally:
    """Blocks of one page summed up."""

    reruns: int = 0
    cpu_ms: float | None = 0.0
    errors: list[str] = field(default_factory=list)

    def add(self, block: Block) -> None:
        """Add a block's runs and CPU."""
        self.reruns += len(block.runs)
        self.cpu_ms = None if block.cpu_ms is None or self.cpu_ms is None else self.cpu_ms + block.cpu_ms
        self.errors += block.errors

    @property
    def per_run(self) -> float | None:
        """CPU ms per rerun."""
        return None if self.cpu_ms is None or not self.reruns else self.cpu_ms / self.reruns


def tally(blocks: list[Block]) -> Tally:
    """Blocks summed up."""
    total = Tally()
    for measured in blocks:
        total.add(measured)
    return total


@dataclass
class Limits:
    """How long a block goes on: until `cpu_ms` of server CPU or `reruns` reruns, at least two (both ways)."""

    cpu_ms: float
    reruns: int


def quantiles_ms(seconds: list[float]) -> tuple[float | None, float | None]:
    """p50 and p95 in ms, None without data."""
    if not seconds:
        return None, None
    p50, p95 = np.percentile(np.array(seconds) * 1e3, PERCENTILES)
    return float(p50), float(p95)


async def block(act: Callable[[int], Awaitable[Run]], meter: CpuMeter, limits: Limits, even: bool) -> Block:
    """Repeat `act(i)` up to `limits`; the runs and their server CPU, net of the server's idle background."""
    # `even`: alternating values end where they began, so the next widget starts from the same page.
    await asyncio.sleep(SETTLE_S)
    start, began, runs = meter.ms(), time.monotonic(), []
    while True:
        runs.append(await act(len(runs)))
        if runs[-1].outcome == "lost" or time.monotonic() - began > MAX_BLOCK_S:
            break
        now = meter.ms()
        costly = now is not None and start is not None and now - start >= limits.cpu_ms
        enough = costly or len(runs) >= limits.reruns
        if enough and len(runs) >= 2 and (len(runs) % 2 == 0 or not even):
            break
    await asyncio.sleep(SETTLE_S)
    end = meter.ms()
    background = meter.background * (time.monotonic() - began)
    return Block(runs, None if start is None or end is None else end - start - background)


async def warm_up(act: Callable[[int], Awaitable[Run]], count: int) -> list[str]:
    """Act `count` times unmeasured, so that what a first change fills once (caches) is no rerun's cost."""
    errors = []
    for i in range(count):
        errors += (await act(i)).errors
    return errors


def replay(tab: Tab, strokes: list[bytes], offset: int = 0) -> Callable[[int], Awaitable[Run]]:
    """Replay the recorded strokes in turn (each message's drawing differs from the one before)."""
    counter = itertools.count(offset)

    async def act(_: int) -> Run:
        return await tab.run(BackMsg.FromString(strokes[next(counter) % len(strokes)]), RUN_TIMEOUT_S)

    return act


def alternate(
    tab: Tab, widget: Widget, first: WidgetState, second: WidgetState
) -> Callable[[int], Awaitable[Run]]:
    """Set the widget to `second`, back to `first`, and so on; press it again and again if a button."""

    async def act(i: int) -> Run:
        return await tab.change(widget, second if i % 2 == 0 else first)

    return act


# ---------------------------------------------------------------------------------------------------------
# Part 1: the widget sweep


@dataclass
class SweepRow:
    """One widget's reruns."""

    page: str
    widget: str
    kind: str
    fragment: bool
    reruns: int = 0
    cpu_ms: float | None = None
    ms_per_rerun: float | None = None
    bare_ms_per_stroke: float | None = None  # the bare page's, in the blocks just before and just after
    ratio: float | None = None
    exempt: bool = False
    note: str = ""
    errors: list[str] = field(default_factory=list)


@dataclass
class SweepResult:
    """Every widget of every page against the bare page's strokes, in turns."""

    rows: list[SweepRow]
    bare_reruns: int
    bare_ms_per_stroke: float | None
    bare_range: tuple[float, float] | None  # the lowest and highest of its blocks: how the machine drifted
    skipped: list[str]
    errors: list[str]


def sweep_order(tab: Tab) -> tuple[list[Widget], list[str]]:
    """The widgets to sweep, values before buttons (a button may change the page for good: Clear, Run)."""
    chosen, skipped = [], []
    for widget in tab.widgets.values():
        proto = widget.proto
        reason = NOT_SWEPT.get(widget.kind, "" if widget.kind in SWEPT_KINDS else f"{widget.kind}: not swept")
        if not reason and getattr(proto, "disabled", False):
            reason = "disabled"
        if not reason and getattr(proto, "form_id", ""):
            reason = "in a form: no rerun until submitted"
        if not reason and getattr(proto, "ignore_rerun", False):
            reason = "changes without a rerun"
        if reason:
            skipped.append(f"{widget.name} ({reason})")
        else:
            chosen.append(widget)
    chosen.sort(key=lambda widget: widget.kind == "button")
    return chosen, skipped


async def sweep(
    app: Server,
    bare: Server,
    recordings: dict[str, Recording],
    pages: list[str],
    limits: Limits,
    notes: Notes,
) -> SweepResult:
    """Each page in a session of its own; each widget in a block of reruns between blocks of bare strokes."""
    # The Draw page is swept with a drawing on its canvas (the last recorded stroke), as a student has one.
    # A widget is compared with the bare blocks next to it: the load that others put on the machine drifts.
    app_meter, bare_meter = app.meter(), bare.meter()
    rows, measured_rows, skipped, errors, bare_blocks = [], [], [], [], []
    bare_tab, loaded = await open_tab(bare.url, recordings[BARE], notes)
    errors += loaded.errors
    bare_strokes = replay(bare_tab, recordings[BARE].strokes)
    errors += await warm_up(bare_strokes, len(recordings[BARE].strokes))

    # The bare blocks are every ratio's denominator: they run to the CPU limit, past the reruns limit.
    bare_limits = Limits(limits.cpu_ms, limits.reruns * BARE_RERUNS_FACTOR)

    async def bare_block() -> None:
        bare_blocks.append(await block(bare_strokes, bare_meter, bare_limits, even=False))

    try:
        for path in pages:
            progress(f"sweeping {path}")
            recording = recordings[path]
            tab, loaded = await open_tab(app.url, recording, notes)
            try:
                if loaded.outcome != "ok":
                    errors += [f"{path}: {error}" for error in loaded.errors]
                    continue
                for stroke in recording.strokes[-1:]:
                    drawn = await tab.run(BackMsg.FromString(stroke), RUN_TIMEOUT_S)
                    errors += [f"{path} stroke: {error}" for error in drawn.errors]
                widgets, passed = sweep_order(tab)
                skipped += [f"{path} {name}" for name in passed]
                drawn_first = set(tab.widgets)
                for widget in widgets:
                    row = SweepRow(path, widget.name, widget.kind, bool(widget.fragment_id))
                    row.exempt = widget.name in EXEMPT
                    rows.append(row)
                    first = tab.states.get(widget.id)
                    second = changed_state(widget, first)
                    if second is None:
                        row.note = "no other value"
                        continue
                    act = alternate(tab, widget, first or second, second)
                    row.errors = await warm_up(act, WARM_UP_RERUNS)
                    await bare_block()
                    measured = await block(act, app_meter, limits, even=widget.kind != "button")
                    row.reruns, row.cpu_ms = len(measured.runs), measured.cpu_ms
                    row.errors += measured.errors
                    if measured.cpu_ms is not None:
                        row.ms_per_rerun = measured.cpu_ms / len(measured.runs)
                    measured_rows.append(row)
                appeared = [
                    w.name
                    for wid, w in tab.widgets.items()
                    if wid not in drawn_first and w.kind in SWEPT_KINDS
                ]
                skipped += [f"{path} {name} (appeared during the sweep)" for name in appeared]
            finally:
                await tab.close()
        await bare_block()
    finally:
        await bare_tab.close()
    # Each measured widget has its own bare block before it, and the next one after it.
    for number, row in enumerate(measured_rows):
        row.bare_ms_per_stroke = tally(bare_blocks[number : number + 2]).per_run
        if row.ms_per_rerun is not None and row.bare_ms_per_stroke:
            row.ratio = row.ms_per_rerun / row.bare_ms_per_stroke
    whole = tally(bare_blocks)
    per_block = [b.cpu_ms / len(b.runs) for b in bare_blocks if b.cpu_ms is not None and b.runs]
    spread = (min(per_block), max(per_block)) if per_block else None
    return SweepResult(rows, whole.reruns, whole.per_run, spread, skipped, errors + whole.errors)


# ---------------------------------------------------------------------------------------------------------
# Part 2: Draw page strokes against bare page strokes


@dataclass
class StrokeRow:
    """One page's replayed strokes."""

    page: str
    strokes: int
    cpu_ms: float | None
    ms_per_stroke: float | None
    ratio: float | None
    fragment: str  # the fragment id the recorded strokes carry, '' outside any fragment
    errors: list[str]


async def strokes_part(
    app: Server, bare: Server, recordings: dict[str, Recording], rounds: int, limits: Limits, notes: Notes
) -> tuple[list[StrokeRow], list[str]]:
    """`rounds` turns of a block of Draw page strokes and a block of bare page strokes; the state check."""
    progress(f"strokes on {STROKE_PAGE} and on the bare page")
    pages = {STROKE_PAGE: (app, recordings[STROKE_PAGE]), BARE: (bare, recordings[BARE])}
    tabs, tallies, checks = {}, {name: Tally() for name in pages}, []
    try:
        for name, (server, recording) in pages.items():
            tabs[name], loaded = await open_tab(server.url, recording, notes)
            tallies[name].errors += loaded.errors
            differences = rerun_differences(tabs[name], recording.strokes[0])
            checks += [f"{name}: {difference}" for difference in differences]
        strokes = {name: replay(tabs[name], recording.strokes) for name, (_, recording) in pages.items()}
        meters = {name: server.meter() for name, (server, _) in pages.items()}
        for name, (_, recording) in pages.items():
            tallies[name].errors += await warm_up(strokes[name], len(recording.strokes))
        for _ in range(rounds):
            for name in pages:
                tallies[name].add(await block(strokes[name], meters[name], limits, even=False))
    finally:
        for tab in tabs.values():
            await tab.close()
    bare_per = tallies[BARE].per_run
    rows = []
    for name, (_, recording) in pages.items():
        tally = tallies[name]
        fragment = BackMsg.FromString(recording.strokes[0]).rerun_script.fragment_id
        ratio = tally.per_run / bare_per if tally.per_run is not None and bare_per else None
        row = StrokeRow(name, tally.reruns, tally.cpu_ms, tally.per_run, ratio, fragment, tally.errors)
        rows.append(row)
    return rows, checks


# ---------------------------------------------------------------------------------------------------------
# Part 3: a class at work


@dataclass
class LoadRow:
    """N students on one page for a while."""

    page: str
    students: int
    seconds: float
    in_class: int  # students whose page loaded
    sent: int
    answered: int
    errors: int  # actions answered with an error, students who could not take part, server tracebacks
    lost: int  # not answered within RUN_TIMEOUT_S, or the connection dropped
    held_back: int  # sent late: the previous one was still unanswered when this one was due
    p50_ms: float | None
    p95_ms: float | None
    max_ms: float | None
    cpu_ms_per_answer: float | None
    peak_rss_mb: float | None  # sampled: the servers and their children
    vm_hwm_mb: float | None  # the kernel's high-water marks of the servers since they started, summed
    client_cpu_s: float  # this benchmark's own CPU meanwhile (it shares the machine with the server)
    fresh_server: bool
    messages: list[str]


@dataclass
class Lesson:
    """One load run: the go once every student is in, the end, and what the students saw."""

    students: int
    go: asyncio.Event = field(default_factory=asyncio.Event)
    end: float = float("inf")
    arrived: int = 0
    in_class: int = 0
    failed: int = 0  # students who could not take part: the page did not load, or had nothing to move
    sent: int = 0
    latencies: list[float] = field(default_factory=list)
    error_runs: int = 0
    lost: int = 0
    held_back: int = 0
    messages: list[str] = field(default_factory=list)

    @property
    def arrival(self) -> float:
        """The seconds over which the students come in."""
        return min(ARRIVAL_S, ARRIVAL_EACH_S * self.students)

    def arrive(self) -> None:
        """One more student has loaded the page (or failed to): the go comes with the last one."""
        self.arrived += 1
        if self.arrived == self.students:
            self.go.set()

    def note(self, number: int, run: Run) -> None:
        """Count one action's outcome."""
        if run.outcome != "lost":
            self.latencies.append(run.seconds)
        self.error_runs += run.outcome == "error"
        self.lost += run.outcome == "lost"
        self.messages += [f"student {number}: {error}" for error in run.errors]


def slider_moves(tab: Tab) -> Callable[[int], Awaitable[Run]] | None:
    """The page's sliders moved in turn, each there and back (other value widgets if it has no slider)."""
    widgets, _ = sweep_order(tab)
    pairs = []
    for widget in widgets:
        first = tab.states.get(widget.id)
        second = changed_state(widget, first) if widget.kind != "button" else None
        if first is not None and second is not None:
            pairs.append((widget, first, second))
    pairs = [pair for pair in pairs if pair[0].kind == "slider"] or pairs
    if not pairs:
        return None

    async def act(i: int) -> Run:
        widget, first, second = pairs[(i // 2) % len(pairs)]
        return await tab.change(widget, second if i % 2 == 0 else first)

    return act


async def student(number: int, server: Server, recording: Recording, lesson: Lesson, notes: Notes) -> None:
    """Come in at a random time and load the page; at the go, act every 2 s ± 50 % until the end."""
    rng = random.Random(number)
    await asyncio.sleep(rng.uniform(0, lesson.arrival))
    try:
        tab, loaded = await open_tab(server.url, recording, notes)
    finally:
        lesson.arrive()
    try:
        if loaded.outcome != "ok":
            act = None
        elif recording.strokes:
            act = replay(tab, recording.strokes, rng.randrange(len(recording.strokes)))
        else:
            act = slider_moves(tab)
        if act is None:
            lesson.failed += 1
            reasons = loaded.errors or [f"nothing to move on {recording.name}"]
            lesson.messages += [f"student {number} could not take part: {reason}" for reason in reasons]
            return
        lesson.in_class += 1
        await lesson.go.wait()
        due = time.monotonic() + rng.uniform(0, STROKE_INTERVAL_S[1])
        for i in itertools.count():
            if due >= lesson.end:
                break
            if due > time.monotonic():
                await asyncio.sleep(due - time.monotonic())
            else:
                lesson.held_back += 1
            sent_at = time.monotonic()
            lesson.sent += 1
            run = await act(i)
            lesson.note(number, run)
            if run.outcome == "lost":
                return
            due = sent_at + rng.uniform(*STROKE_INTERVAL_S)
    finally:
        await tab.close()


async def class_at_work(
    server: Server, recording: Recording, students: int, seconds: float, notes: Notes
) -> LoadRow:
    """`students` students come in over a few seconds and load the page; then all act for `seconds`."""
    progress(f"{students} students on {recording.name} for {seconds:g} s")
    lesson, meter, client_cpu = Lesson(students), CpuMeter(server.pids), own_cpu_s()
    with RssSampler(server.pids) as memory:
        tasks = [
            asyncio.create_task(student(n, server, recording, lesson, notes)) for n in range(1, students + 1)
        ]
        # Whoever is not in by then misses the go, and starts on arrival.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(lesson.arrival + LOAD_TIMEOUT_S):
                await lesson.go.wait()
        lesson.go.set()
        start = meter.ms()
        lesson.end = time.monotonic() + seconds
        _, late = await asyncio.wait(tasks, timeout=seconds + RUN_TIMEOUT_S + CONNECT_TIMEOUT_S)
        for task in late:
            task.cancel()
        lesson.messages += ["a student was still busy at the end"] * len(late)
        failed = await asyncio.gather(*tasks, return_exceptions=True)
        lesson.messages += [f"{type(e).__name__}: {e}" for e in failed if isinstance(e, Exception)]
        end = meter.ms()
    answered = len(lesson.latencies)
    cpu = (end - start) / answered if start is not None and end is not None and answered else None
    p50, p95 = quantiles_ms(lesson.latencies)
    hwm = sum(peak_rss_mb(pid) for pid in server.pids) or None
    lesson.messages += [f"server: {traceback}" for traceback in server.tracebacks()]
    return LoadRow(
        page=recording.name,
        students=students,
        seconds=seconds,
        in_class=lesson.in_class,
        sent=lesson.sent,
        answered=answered,
        errors=lesson.error_runs + lesson.failed + len(late) + len(server.tracebacks()),
        lost=lesson.lost,
        held_back=lesson.held_back,
        p50_ms=p50,
        p95_ms=p95,
        max_ms=max(lesson.latencies) * 1e3 if lesson.latencies else None,
        cpu_ms_per_answer=cpu,
        peak_rss_mb=memory.peak_mb or None,
        vm_hwm_mb=hwm,
        client_cpu_s=own_cpu_s() - client_cpu,
        fresh_server=server.fresh,
        messages=lesson.messages,
    )


# ---------------------------------------------------------------------------------------------------------
# Part 4: the class opens the page


@dataclass
class JoinRow:
    """N students opening one page within a few seconds."""

    page: str
    students: int
    rendered: int
    errors: int
    lost: int
    p50_ms: float | None
    p95_ms: float | None
    max_ms: float | None
    run_p50_ms: float | None  # the websocket's first run alone
    first_run_s: float | None  # from the first arrival until the server had run the page for someone
    files: int  # fetched per student besides the document (images not counted)
    cpu_s: float | None
    peak_rss_mb: float | None
    client_cpu_s: float  # this benchmark's own CPU meanwhile (it shares the machine with the server)
    fresh_server: bool
    messages: list[str]


async def join_student(
    server: Server, recording: Recording, start_at: float, notes: Notes
) -> tuple[Run, Run, float]:
    """Open the page with an empty cache; (first render, the websocket's first run alone, when it ended)."""
    # As Chromium did: the document, the files it links (six connections at most), the websocket and its
    # first run while the files the elements need arrive, then the run's images.
    await asyncio.sleep(max(0.0, start_at - time.monotonic()))
    began = time.perf_counter()
    client = Client(server.url, browser_headers(recording))
    tab = Tab(client, recording, notes)
    before = [fetch for fetch in recording.fetches if not fetch.after_websocket]
    after = [fetch for fetch in recording.fetches if fetch.after_websocket and MEDIA_PREFIX not in fetch.path]
    try:
        errors = await client.fetch(before[:1], recording.origin)
        errors += await client.fetch(before[1:], recording.origin)
        lazy = asyncio.create_task(client.fetch(after, recording.origin))
        run = await tab.connect_and_load()
        run_ended = time.monotonic()
        errors += await lazy
    finally:
        await tab.close()
    outcome = "lost" if run.outcome == "lost" else "error" if errors or run.errors else "ok"
    return Run(time.perf_counter() - began, outcome, errors + run.errors), run, run_ended


async def join(
    server: Server, recording: Recording, students: int, window: float, seed: int, notes: Notes
) -> JoinRow:
    """`students` students open the page at uniformly random times within `window` seconds."""
    progress(f"{students} students open {recording.name}")
    rng = random.Random(seed)
    meter, client_cpu = CpuMeter(server.pids), own_cpu_s()
    start = meter.ms()
    with RssSampler(server.pids) as memory:
        now = time.monotonic()
        starts = [now + rng.uniform(0, window) for _ in range(students)]
        results = await asyncio.gather(*(join_student(server, recording, at, notes) for at in starts))
    await asyncio.sleep(SETTLE_S)
    end = meter.ms()
    renders = [whole for whole, _, _ in results]
    rendered = [render.seconds for render in renders if render.outcome == "ok"]
    answered = [ended for _, run, ended in results if run.outcome == "ok"]
    p50, p95 = quantiles_ms(rendered)
    tracebacks = server.tracebacks()
    return JoinRow(
        page=recording.name,
        students=students,
        rendered=len(rendered),
        errors=sum(render.outcome == "error" for render in renders) + len(tracebacks),
        lost=sum(render.outcome == "lost" for render in renders),
        p50_ms=p50,
        p95_ms=p95,
        max_ms=max(rendered) * 1e3 if rendered else None,
        run_p50_ms=quantiles_ms([run.seconds for _, run, _ in results if run.outcome != "lost"])[0],
        first_run_s=min(answered) - min(starts) if answered else None,
        files=sum(MEDIA_PREFIX not in fetch.path for fetch in recording.fetches) - 1,
        cpu_s=(end - start) / 1e3 if start is not None and end is not None else None,
        peak_rss_mb=memory.peak_mb or None,
        client_cpu_s=own_cpu_s() - client_cpu,
        fresh_server=server.fresh,
        messages=[error for render in renders for error in render.errors]
        + [f"server: {t}" for t in tracebacks],
    )


# ---------------------------------------------------------------------------------------------------------
# The report


def number(value: float | None, digits: int = 0) -> str:
    """A number with `digits` decimals, or '-' without one."""
    return "-" if value is None else f"{value:.{digits}f}"


def table(header: list[tuple[str, str]], rows: list[list[str]]) -> None:
    """Columns given as (title, format spec): '<12' is 12 wide, left-aligned."""
    print(" ".join(f"{title:{spec}}" for title, spec in header).rstrip())
    for row in rows:
        print(" ".join(f"{value:{spec}}" for value, (_, spec) in zip(row, header, strict=True)).rstrip())


SWEEP_COLUMNS = [
    ("page", "<12"),
    ("widget", "<26"),
    ("kind", "<12"),
    ("reruns", ">6"),
    ("CPU ms", ">7"),
    ("ms/rerun", ">8"),
    ("bare ms", ">7"),
    ("× bare", ">6"),
    ("", ""),
]
STROKE_COLUMNS = [
    ("page", "<12"),
    ("strokes", ">7"),
    ("CPU ms", ">7"),
    ("ms/stroke", ">9"),
    ("× bare", ">6"),
    ("fragment", ""),
]
LOAD_COLUMNS = [
    ("page", "<12"),
    ("N", ">3"),
    ("in", ">3"),
    ("sent", ">5"),
    ("answ", ">5"),
    ("err", ">4"),
    ("lost", ">4"),
    ("late", ">4"),
    ("p50 ms", ">6"),
    ("p95 ms", ">6"),
    ("max ms", ">6"),
    ("CPU ms/answ", ">11"),
    ("RSS MB", ">6"),
    ("VmHWM", ">6"),
    ("client CPU s", ">12"),
]
JOIN_COLUMNS = [
    ("page", "<12"),
    ("ok", ">4"),
    ("err", ">4"),
    ("lost", ">4"),
    ("p50 ms", ">6"),
    ("p95 ms", ">6"),
    ("max ms", ">6"),
    ("run p50", ">7"),
    ("1st run s", ">9"),
    ("files", ">5"),
    ("CPU s", ">6"),
    ("RSS MB", ">6"),
    ("client CPU s", ">12"),
]


def print_sweep(result: SweepResult) -> None:
    """The sweep's table: one row per widget."""
    low, high = result.bare_range or (None, None)
    print(
        "\nWidget sweep: server CPU per rerun that changes one widget (two values in turn; a button pressed),"
        "\nagainst the bare page's CPU per stroke in the blocks just before and after it (bare ms); the bare"
        f" page\nover the whole sweep: {number(result.bare_ms_per_stroke, 1)} ms per stroke,"
        f" {result.bare_reruns} strokes, its blocks from {number(low, 1)} to {number(high, 1)} ms"
    )
    rows = []
    for row in result.rows:
        notes = [row.note, "exempt" if row.exempt else "", "in a fragment" if row.fragment else ""]
        notes += [f"{len(row.errors)} errors: {row.errors[0][:60]}"] if row.errors else []
        rows.append(
            [
                row.page,
                row.widget[:26],
                row.kind,
                str(row.reruns),
                number(row.cpu_ms),
                number(row.ms_per_rerun, 1),
                number(row.bare_ms_per_stroke, 1),
                number(row.ratio, 1),
                "; ".join(n for n in notes if n),
            ]
        )
    table(SWEEP_COLUMNS, rows)
    for line in result.skipped:
        print(f"  not swept: {line}")
    for error in result.errors[:20]:
        print(f"  error: {error}")


def print_strokes(rows: list[StrokeRow], checks: list[str]) -> None:
    """The strokes' table: the Draw page against the bare page."""
    print(
        "\nStrokes: the recorded strokes replayed in turn, in alternating blocks on the Draw and bare pages"
    )
    table(
        STROKE_COLUMNS,
        [
            [
                row.page,
                str(row.strokes),
                number(row.cpu_ms),
                number(row.ms_per_stroke, 1),
                number(row.ratio, 2),
                row.fragment or "none",
            ]
            for row in rows
        ],
    )
    for row in rows:
        for error in row.errors[:5]:
            print(f"  error: {row.page}: {error}")
    verdict = "yes" if not checks else "NO, they differ:"
    print(f"this client's rerun after a stroke equals the one Chromium sent: {verdict}")
    for check in checks:
        print(f"  {check[:300]}")


def print_load(rows: list[LoadRow]) -> None:
    """The load's table: one row per page and class size."""
    low, high = STROKE_INTERVAL_S
    print(
        f"\nClass load: each student acts every {low:g}-{high:g} s (uniform), never before its previous "
        "action is answered\n(late: actions sent after they were due); latency: send -> script_finished; "
        "CPU: from the go, per answer"
    )
    table(
        LOAD_COLUMNS,
        [
            [
                row.page,
                str(row.students),
                str(row.in_class),
                str(row.sent),
                str(row.answered),
                str(row.errors),
                str(row.lost),
                str(row.held_back),
                number(row.p50_ms),
                number(row.p95_ms),
                number(row.max_ms),
                number(row.cpu_ms_per_answer, 1),
                number(row.peak_rss_mb),
                number(row.vm_hwm_mb),
                number(row.client_cpu_s, 1),
            ]
            for row in rows
        ],
    )
    for row in rows:
        for message in row.messages[:5]:
            print(f"  {row.page} N={row.students}: {message[:140]}")


def print_join(rows: list[JoinRow], students: int, window: float) -> None:
    """The join's table: one row per page."""
    fresh = "each page on a fresh server" if all(row.fresh_server for row in rows) else "the running server"
    print(
        f"\nJoin: {students} students open the page within {window:g} s, {fresh}; first render = the "
        "document,\nits files, the first run, the files and images its elements need (server side only);"
        "\nrun p50: the first run alone; 1st run s: from the first arrival until the server had run the page"
        " once"
    )
    table(
        JOIN_COLUMNS,
        [
            [
                row.page,
                str(row.rendered),
                str(row.errors),
                str(row.lost),
                number(row.p50_ms),
                number(row.p95_ms),
                number(row.max_ms),
                number(row.run_p50_ms),
                number(row.first_run_s, 1),
                str(row.files),
                number(row.cpu_s, 1),
                number(row.peak_rss_mb),
                number(row.client_cpu_s, 1),
            ]
            for row in rows
        ],
    )
    for row in rows:
        for message in row.messages[:5]:
            print(f"  {row.page}: {message[:140]}")


def protocol_notes(recordings: dict[str, Recording], notes: Notes, idle: dict[str, float]) -> list[str]:
    """What the recording and the replay showed of the protocol."""
    found = []
    for name, recording in recordings.items():
        offered = next(
            (v for n, v in recording.handshake.items() if n.lower() == "sec-websocket-protocol"), ""
        )
        parts = [part.strip() for part in offered.split(",")]
        shown = ", ".join(parts[:1] + [f"<{XSRF_COOKIE} cookie>" if p != NO_XSRF else p for p in parts[1:]])
        extensions = next(
            (v for n, v in recording.negotiated.items() if n.lower() == "sec-websocket-extensions"), ""
        )
        sent = ", ".join(f"{kind} ×{count}" for kind, count in recording.sent.items())
        fragments = {
            BackMsg.FromString(stroke).rerun_script.fragment_id or "none" for stroke in recording.strokes
        }
        line = (
            f"{name}: Chromium offered subprotocols [{shown}], extensions negotiated: {extensions or 'none'}"
        )
        line += f"; sent {sent} ({len(recording.loads)} to load); {len(recording.fetches)} GETs"
        found.append(
            line + (f"; strokes' fragment_id: {', '.join(sorted(fragments))}" if recording.strokes else "")
        )
    found.append(
        f"replay: subprotocols [{notes.subprotocols}], extensions negotiated: {notes.extensions or 'none'}; "
        f"cacheable messages {notes.cacheable}, answered by reference {notes.ref_hits}; "
        f"fragment runs {notes.fragment_runs}; runs the app restarted itself (st.rerun) {notes.early}; "
        f"auto-rerun requests (st.fragment(run_every), not replayed) {notes.auto_reruns}"
    )
    found.append(
        "idle server CPU (sweep and strokes are net of it): "
        + ", ".join(f"{name} {number(ms, 1)} ms/s" for name, ms in idle.items())
    )
    return found


# ---------------------------------------------------------------------------------------------------------
# The run


def measure_background(servers: list[Server]) -> None:
    """Each server's CPU per second while nobody uses it, which the sweep's and strokes' blocks are net of."""
    meters = [server.meter() for server in servers]
    before = [meter.ms() for meter in meters]
    time.sleep(IDLE_PROBE_S)
    for server, meter, start in zip(servers, meters, before, strict=True):
        end = meter.ms()
        server.background = 0.0 if start is None or end is None else (end - start) / IDLE_PROBE_S


def bounded(coroutine: Coroutine[Any, Any, T], deadline: float) -> T:
    """Run one part to its end, or to the deadline (TimeoutError)."""

    async def part() -> T:
        async with asyncio.timeout(max(0.0, deadline - time.monotonic())):
            return await coroutine

    return asyncio.run(part())


def server_for(name: str, args: argparse.Namespace) -> contextlib.AbstractContextManager[Server]:
    """A fresh server for one page (the running app with --url): the app's, or the bare page's own."""
    return local_server(BARE_SCRIPT) if name == BARE else app_server(args)


def load_part(
    args: argparse.Namespace, recordings: dict[str, Recording], deadline: float, notes: Notes
) -> list[LoadRow]:
    """Each class size on the chosen page, then on the bare page, each on a server of its own."""
    rows = []
    for students in args.students:
        for name in (args.page, BARE):
            with server_for(name, args) as server:
                lesson = class_at_work(server, recordings[name], students, args.seconds, notes)
                rows.append(bounded(lesson, deadline))
    return rows


def join_part(
    args: argparse.Namespace,
    recordings: dict[str, Recording],
    pages: list[str],
    deadline: float,
    notes: Notes,
) -> list[JoinRow]:
    """Every page, then the bare page, opened by the class, each on a server of its own."""
    rows = []
    for name in [*pages, BARE]:
        with server_for(name, args) as server:
            opening = join(server, recordings[name], args.join_students, args.join_window, args.seed, notes)
            rows.append(bounded(opening, deadline))
    return rows


def measure(args: argparse.Namespace, deadline: float, figures: dict[str, Any], failures: list[str]) -> None:
    """Record, then run the parts asked for, printing each table as it is done."""
    limits, notes = Limits(args.min_cpu_ms, args.min_reruns), Notes()
    with app_server(args) as app, local_server(BARE_SCRIPT) as bare:
        pids = " ".join(map(str, app.pids)) or "unknown: no CPU figures"
        logged = "" if app.log else "; its log is not read here: its tracebacks are not counted"
        print(f"app: {app.url} (pids {pids}{logged}), bare page: {bare.url}")
        recordings, pages = record(app, bare, args.pages, [args.page], args.strokes)
        print(f"pages: {' '.join(pages)}")
        figures["recordings"] = {name: recording_figures(recording) for name, recording in recordings.items()}
        measure_background([app, bare])
        if "sweep" in args.parts:
            swept = bounded(sweep(app, bare, recordings, pages, limits, notes), deadline)
            print_sweep(swept)
            figures["sweep"] = asdict(swept)
            failures += swept.errors + [
                f"{row.page} {row.widget}: {e}" for row in swept.rows for e in row.errors
            ]
        if "strokes" in args.parts:
            rows, checks = bounded(strokes_part(app, bare, recordings, args.rounds, limits, notes), deadline)
            print_strokes(rows, checks)
            figures["strokes"] = {"rows": [asdict(row) for row in rows], "rerun_differences": checks}
            failures += [f"strokes {row.page}: {e}" for row in rows for e in row.errors] + checks
        failures += [f"server: {line}" for line in app.tracebacks() + bare.tracebacks()]
    if "load" in args.parts:
        load_rows = load_part(args, recordings, deadline, notes)
        print_load(load_rows)
        figures["load"] = [asdict(row) for row in load_rows]
        failures += [
            f"load {row.page} N={row.students}: {row.errors} errors, {row.lost} lost"
            for row in load_rows
            if row.errors or row.lost or row.in_class < row.students
        ]
    if "join" in args.parts:
        join_rows = join_part(args, recordings, pages, deadline, notes)
        print_join(join_rows, args.join_students, args.join_window)
        figures["join"] = [asdict(row) for row in join_rows]
        failures += [
            f"join {row.page}: {row.errors} errors, {row.lost} lost"
            for row in join_rows
            if row.errors or row.lost
        ]
    figures["protocol"] = protocol_notes(recordings, notes, {"app": app.background, BARE: bare.background})
    print("\nProtocol")
    for line in figures["protocol"]:
        print(f"  {line}")


def recording_figures(recording: Recording) -> dict[str, Any]:
    """What was recorded for one page, without the bytes."""
    return {
        "fetches": len(recording.fetches),
        "after_websocket": sum(fetch.after_websocket for fetch in recording.fetches),
        "strokes": len(recording.strokes),
        "load_reruns": len(recording.loads),
        "sent": dict(recording.sent),
    }


def page_path(text: str) -> str:
    """A page's path from '/draw', 'draw' or '/'."""
    return "/" + text.strip("/")


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add = parser.add_argument
    add("--parts", default=",".join(PARTS), help="comma-separated, from: %(default)s")
    add("--students", type=int, nargs="+", default=[30], help="load: class sizes, one run each")
    add("--seconds", type=float, default=60.0, help="load: how long each class works")
    add("--page", type=page_path, default=STROKE_PAGE, help="load: the page (not the Draw page: its sliders)")
    add("--pages", type=page_path, nargs="+", help="pages to sweep and to join (default: all the app lists)")
    add("--join-students", type=int, default=60, help="join: students opening each page")
    add("--join-window", type=float, default=10.0, help="join: seconds over which they arrive")
    add("--strokes", type=int, default=len(STROKES), help="strokes recorded on each canvas (2 or more)")
    add("--rounds", type=int, default=10, help="strokes: blocks of each page")
    add("--min-cpu-ms", type=float, default=200.0, help="a block ends after this much server CPU ...")
    add("--min-reruns", type=int, default=20, help="... or after this many reruns, whichever comes first")
    add("--url", help="the app already running there (CPU from --server-pids)")
    add("--server-pids", type=int, nargs="*", default=[], help="with --url: the server processes")
    add("--replicas", type=int, help="the app from this many Streamlit processes behind nginx (serve/)")
    add("--app", type=Path, default=APP, help="the script `streamlit run` starts (e.g. classroom.py)")
    add("--deadline", type=float, default=3600.0, help="seconds for the whole run")
    add("--seed", type=int, default=1, help="join: the arrival times")
    add("--json", type=Path, help="also write the figures there")
    args = parser.parse_args(argv)
    args.parts = [part.strip() for part in args.parts.split(",") if part.strip()]
    if unknown := set(args.parts) - set(PARTS):
        parser.error(f"--parts: unknown {', '.join(sorted(unknown))}")
    if not 2 <= args.strokes <= len(STROKES):
        parser.error(f"--strokes: from 2 to {len(STROKES)}")
    if args.url and args.replicas:
        parser.error("--url and --replicas exclude each other")
    args.app = args.app.resolve()
    return args


def main(argv: list[str] | None = None) -> int:
    """Measure, print, and exit 1 on any error."""
    args = parse_arguments(argv)
    began = time.monotonic()
    source = os.environ.get("MNIST_DIR", "whatever source the app finds")
    print(f"data: {source}; book weights: {os.environ.get('BOOK_WEIGHTS', 'not loaded')}")
    # The machine is shared: what else ran shows in its load average (the CPU figures are per process).
    print(f"load average: {load_average()} on {os.cpu_count()} cores")
    arguments = {name: str(value) if isinstance(value, Path) else value for name, value in vars(args).items()}
    figures: dict[str, Any] = {"arguments": arguments}
    failures: list[str] = []
    try:
        measure(args, began + args.deadline, figures, failures)
    except TimeoutError:
        failures.append(f"the deadline ({args.deadline:g} s) came first")
    elapsed = time.monotonic() - began
    print(f"\ntook {elapsed:.0f} s; this benchmark used {own_cpu_s():.0f} s of CPU")
    print(f"load average: {load_average()}")
    print(f"errors: {len(failures)}")
    for failure in failures[:30]:
        print(f"  {failure[:160]}")
    figures.update(seconds=elapsed, failures=failures)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1, ensure_ascii=False))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
