"""`streamlit run classroom.py`: the app warmed up before anyone is let in, Streamlit's files from memory.

The two middlewares are tested on a stand-in for Streamlit (an ASGI app that counts what reaches it), then the
whole entry in a real server and a real browser, beside `streamlit run app.py`.
"""

from __future__ import annotations

import asyncio
import re
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

import ui.opening
from bench.browser import ROOT, start_streamlit, stop, wait_for_app
from ui.opening import HEADER, TOKEN, HeldUntilWarm
from ui.static_files import StaticFilesFromMemory

FILE = b"console.log('a file Streamlit sends as immutable')"
IMMUTABLE = b"public, immutable, max-age=31536000"
START_TIMEOUT_S = 120.0


class Streamlit:
    """A stand-in for Streamlit's ASGI app: answers every request with `headers` and `body`, and counts."""

    def __init__(self, status: int = 200, cache_control: bytes = IMMUTABLE, body: bytes = FILE) -> None:
        self.status, self.body, self.calls = status, body, 0
        self.headers = [
            (b"content-type", b"application/javascript"),
            (b"content-length", str(len(body)).encode()),
            (b"etag", b'"abc"'),
            (b"cache-control", cache_control),
        ]

    async def __call__(self, scope, receive, send) -> None:
        self.calls += 1
        await send({"type": "http.response.start", "status": self.status, "headers": self.headers})
        # In two pieces, as a file streamed from disk arrives.
        half = len(self.body) // 2
        await send({"type": "http.response.body", "body": self.body[:half], "more_body": True})
        await send({"type": "http.response.body", "body": self.body[half:], "more_body": False})


def request(path: str = "/static/js/index.abc123.js", method: str = "GET", query: bytes = b"", **headers):
    """An HTTP request's ASGI scope."""
    pairs = [(name.replace("_", "-").encode(), value.encode()) for name, value in headers.items()]
    return {"type": "http", "method": method, "path": path, "query_string": query, "headers": pairs}


def answer(app, scope) -> tuple[int, list, bytes]:
    """Status, headers and the whole body that `app` sends for `scope`."""
    sent = []

    async def send(message) -> None:
        sent.append(message)

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    asyncio.run(app(scope, receive, send))
    start = next(message for message in sent if message["type"] == "http.response.start")
    body = b"".join(message.get("body", b"") for message in sent if message["type"] == "http.response.body")
    return start["status"], start["headers"], body


def test_a_file_streamlit_marks_immutable_is_answered_from_memory_the_second_time_exactly_as_the_first():
    streamlit = Streamlit()
    files = StaticFilesFromMemory(streamlit)
    first = answer(files, request())
    second = answer(files, request())
    assert first == (200, streamlit.headers, FILE)
    assert second == first
    assert streamlit.calls == 1
    assert answer(files, request("/static/js/other.def456.js")) == first
    assert streamlit.calls == 2


@pytest.mark.parametrize(
    "scope",
    [
        request(range="bytes=0-9"),
        request(if_none_match='"abc"'),
        request(if_modified_since="Sat, 05 Dec 2026 19:02:06 GMT"),
        request(query=b"v=2"),
        request(method="HEAD"),
        request("/"),
        request("/forward"),
        request("/_stcore/health"),
        request("/media/abc.png"),
    ],
    ids=["range", "if-none-match", "if-modified-since", "query", "head", "home", "page", "health", "media"],
)
def test_anything_but_a_plain_get_of_a_static_file_goes_to_streamlit_every_time(scope):
    streamlit = Streamlit()
    files = StaticFilesFromMemory(streamlit)
    for _ in range(3):
        answer(files, scope)
    assert streamlit.calls == 3


@pytest.mark.parametrize(
    "streamlit",
    [
        Streamlit(cache_control=b"no-cache"),
        Streamlit(status=404),
        Streamlit(status=304),
    ],
    ids=["not-immutable", "not-found", "not-modified"],
)
def test_only_a_complete_200_that_streamlit_marks_immutable_is_kept(streamlit):
    files = StaticFilesFromMemory(streamlit)
    for _ in range(3):
        status, _, body = answer(files, request())
        assert (status, body) == (streamlit.status, FILE)
    assert streamlit.calls == 3


def test_a_truncated_or_compressed_answer_is_not_kept():
    truncated = Streamlit()
    truncated.headers[1] = (b"content-length", str(len(FILE) + 10).encode())
    compressed = Streamlit()
    compressed.headers.append((b"content-encoding", b"gzip"))
    for streamlit in (truncated, compressed):
        files = StaticFilesFromMemory(streamlit)
        answer(files, request())
        answer(files, request())
        assert streamlit.calls == 2


def test_memory_is_bounded_per_file_and_in_all(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr("ui.static_files.MAX_FILE_BYTES", len(FILE) - 1)
    streamlit = Streamlit()
    files = StaticFilesFromMemory(streamlit)
    answer(files, request())
    answer(files, request())
    assert streamlit.calls == 2
    assert files.kept_bytes == 0
    monkeypatch.setattr("ui.static_files.MAX_FILE_BYTES", len(FILE))
    monkeypatch.setattr("ui.static_files.MAX_TOTAL_BYTES", len(FILE) * 2)
    for name in "abcd":
        answer(files, request(f"/static/js/{name}.js"))
    assert len(files.kept) == 2
    assert files.kept_bytes == len(FILE) * 2


def test_requests_wait_until_the_warm_up_is_over_but_the_warm_up_s_own(monkeypatch: pytest.MonkeyPatch):
    streamlit = Streamlit()
    gate = HeldUntilWarm(streamlit)

    async def scenario() -> list[str]:
        opened = asyncio.Event()
        monkeypatch.setattr(ui.opening, "_opened", opened)
        done: list[str] = []

        async def visit(name: str, scope) -> None:
            await gate(scope, None, _ignore)
            done.append(name)

        student = asyncio.create_task(visit("student", request("/forward")))
        health = asyncio.create_task(visit("health", request("/_stcore/health")))
        await visit("warm-up", {**request("/_stcore/stream"), "type": "websocket"} | _token())
        await asyncio.sleep(0.05)  # the held requests had every chance to run, and did not
        assert done == ["warm-up"]
        opened.set()
        await asyncio.wait_for(asyncio.gather(student, health), timeout=10)
        return done

    assert asyncio.run(scenario()) == ["warm-up", "student", "health"]
    assert streamlit.calls == 3


def test_a_request_without_this_process_s_token_is_held():
    assert not ui.opening.warm_up_request(request(x_playground_warm_up="0" * 32))
    assert ui.opening.warm_up_request(request(x_playground_warm_up=TOKEN))


@pytest.mark.parametrize("outcome", ["problems", "exception"])
def test_the_doors_open_whatever_the_warm_up_gave(monkeypatch: pytest.MonkeyPatch, capsys, outcome):
    def warm(url: str, deadline: float, headers: dict[str, str]) -> list[str]:
        assert headers == {HEADER: TOKEN}
        if outcome == "exception":
            raise OSError("connection refused")
        return ["/forward?lang=ko: ValueError"]

    monkeypatch.setattr("serve.warm", warm)

    async def scenario() -> bool:
        opened = asyncio.Event()
        monkeypatch.setattr(ui.opening, "_opened", opened)
        await asyncio.wait_for(ui.opening.open_when_warm(), timeout=30)
        return opened.is_set()

    assert asyncio.run(scenario())
    said = capsys.readouterr().err
    assert "warm-up: open after" in said
    assert ("connection refused" if outcome == "exception" else "/forward?lang=ko: ValueError") in said


async def _ignore(message) -> None:
    """An ASGI send that drops what it is given."""


def _token() -> dict:
    """The headers of this process's warm-up."""
    return {"headers": [(HEADER.encode(), TOKEN.encode())]}


# --- the entry, in a real server ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def classroom(tmp_path_factory: pytest.TempPathFactory, mnist_dir: Path) -> Iterator[tuple[str, Path]]:
    """`streamlit run classroom.py` and its stderr, for this module's tests."""
    log = tmp_path_factory.mktemp("classroom") / "stderr.txt"
    # Its health check is held while it warms up: start_streamlit asks again until it answers.
    process, url = start_streamlit(
        ROOT / "classroom.py", env={"MNIST_DIR": str(mnist_dir)}, timeout=START_TIMEOUT_S, log=log
    )
    yield url, log
    stop(process)


def fetch(url: str) -> tuple[dict[str, str], bytes]:
    """A GET's headers (without the date, which is the moment's) and body."""
    with urllib.request.urlopen(url, timeout=60) as response:
        headers = {name.lower(): value for name, value in response.headers.items() if name.lower() != "date"}
        return headers, response.read()


def test_the_server_lets_the_class_in_once_every_page_has_run_without_a_problem(classroom):
    _, log = classroom
    lines = log.read_text().splitlines()
    # The health check above waited for it: the warm-up was over before anyone was answered.
    assert any(line.startswith("warm-up: open after") for line in lines), lines
    assert not [line for line in lines if line.startswith(("warm-up: /", "warm-up: ?"))]


def test_streamlit_s_files_come_as_streamlit_run_app_py_sends_them(classroom, app_url):
    url, _ = classroom
    with urllib.request.urlopen(f"{app_url}/", timeout=60) as response:
        index = response.read().decode()
    # The scripts and styles the page links: './static/js/index.DormvYxC.js' and the like.
    linked = re.findall(r'(?:src|href)="\.?(/static/[^"]+)"', index)
    assert len(linked) >= 2, index[:1000]
    for path in linked:
        expected = fetch(app_url + path)
        assert fetch(url + path) == expected  # Streamlit's answer, kept
        assert fetch(url + path) == expected  # the one from memory


def test_a_page_works_in_a_browser(classroom, page):
    url, _ = classroom
    page.goto(f"{url}/forward?lang=ko")
    wait_for_app(page)
    expect(page.locator("h1").first).to_contain_text("다차원 배열")
    page.goto(f"{url}/draw")
    wait_for_app(page)
    expect(page.locator("canvas.upper-canvas").first).to_be_visible()
