"""serve: nginx in front of 2 Streamlit replicas; each browser stays on one replica; a whole session works.

Which replica holds a session is asked of each replica directly, around nginx: Streamlit takes an upload only
for a session whose websocket is connected to that very process, and answers 400 "Invalid session_id" on any
other. A reconnect that names its old session gets that session back only from the process that holds it.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from conftest import IN_CI
from playwright.sync_api import expect
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.sync.client import ClientConnection, connect

import serve
from bench.browser import draw, wait_for_app
from serve import AFFINITY_COOKIE, HEALTH_PATH, LOCALHOST, Cluster, NginxNotFoundError, ServeError

REPLICAS = 2
# Each new browser is placed by a random cookie, half and half: all 16 on one replica has odds of 1 in 32,768.
MAX_BROWSERS = 16
RECONNECTS = 3
STREAM_PATH = "/_stcore/stream"
UPLOAD_PATH = "/_stcore/upload_file"
XSRF_COOKIE = "_streamlit_xsrf"
UPLOADED, NOT_MY_SESSION = 204, 400
# Over nginx's default request limit (1 MB), under the app's server.maxUploadSize (20 MB).
UPLOAD_BYTES = 3 * 1024 * 1024
# The first session on a replica loads MNIST; a cold, busy 2-core machine is slow at it.
SCRIPT_TIMEOUT_S = 90.0
HTTP_TIMEOUT_S = 30.0
SERVER_NAME = "classroom-server.example"
# The 7 that test_e2e draws, and the Prediction it gets.
SEVEN = [(0.25, 0.2), (0.75, 0.2), (0.4, 0.85)]
PREDICTION = '[data-testid="stMetric"]:has-text("Prediction") [data-testid="stMetricValue"]'
MEDIA_PICTURES = '[data-testid="stImage"] img[src*="/media/"]'
# The Draw page shows its pictures inline; the MNIST page's come from /media/, kept by the session's replica.
MNIST_LINK = '[data-testid="stSidebarNav"] a[href$="/mnist"]'
LOAD_MS = 120_000
ANSWER_MS = 60_000


@pytest.fixture(scope="session")
def nginx() -> str:
    """Debian's nginx; skip without it, but fail in CI, which installs it (.ci/run)."""
    try:
        return serve.find_nginx()
    except NginxNotFoundError as error:
        if IN_CI:
            pytest.fail(f"{error}; CI must install it (see .ci/run)")
        pytest.skip(str(error))


@pytest.fixture(scope="module")
def proxied(nginx: str, mnist_dir: Path) -> Iterator[Cluster]:
    """The app from 2 replicas behind nginx, for this module's tests."""
    with serve.cluster(REPLICAS, env={"MNIST_DIR": str(mnist_dir)}) as running:
        yield running


def home_page_run() -> bytes:
    """The frontend's first message: run the app's script for the home page."""
    message = BackMsg()
    message.rerun_script.page_name = ""
    return message.SerializeToString()


def run_script(websocket: ClientConnection) -> str:
    """Run the home page over an open websocket, wait until the script finishes; the session's id."""
    websocket.send(home_page_run())
    session_id = ""
    deadline = time.monotonic() + SCRIPT_TIMEOUT_S
    while True:
        message = ForwardMsg.FromString(websocket.recv(timeout=deadline - time.monotonic()))
        kind = message.WhichOneof("type")
        if kind == "new_session":
            session_id = message.new_session.initialize.session_id
        elif kind == "script_finished":
            assert session_id, "the script finished without a new_session message"
            return session_id


class Student:
    """A browser without the browser: its own cookie jar, the app's HTML, then Streamlit's websocket."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.http = requests.Session()
        self.http.trust_env = False  # straight to 127.0.0.1, whatever proxy the environment names

    def open(self) -> requests.Response:
        """The HTML GET, then the health check the frontend makes before its websocket (the XSRF cookie)."""
        page = self.http.get(f"{self.url}/", timeout=HTTP_TIMEOUT_S)
        page.raise_for_status()
        self.http.get(self.url + HEALTH_PATH, timeout=HTTP_TIMEOUT_S).raise_for_status()
        return page

    @contextmanager
    def session(self, existing: str | None = None) -> Iterator[str]:
        """Streamlit's websocket as the frontend opens it (reconnecting to `existing`); the session's id."""
        cookies = "; ".join(f"{name}={value}" for name, value in self.http.cookies.items())
        subprotocols = ["streamlit", self.http.cookies[XSRF_COOKIE], *([existing] if existing else [])]
        address = urlsplit(self.url)
        with connect(
            self.url.replace("http", "ws", 1) + STREAM_PATH,
            # A socket of our own: straight to the server, whatever proxy the environment names.
            sock=socket.create_connection((address.hostname, address.port), timeout=HTTP_TIMEOUT_S),
            origin=self.url,
            subprotocols=subprotocols,
            additional_headers={"Cookie": cookies},
            max_size=None,
            open_timeout=HTTP_TIMEOUT_S,
        ) as websocket:
            yield run_script(websocket)

    def upload(self, server: str, session_id: str, content: bytes) -> int:
        """PUT a file to `server` for the session, as st.file_uploader does; the HTTP status."""
        response = self.http.put(
            f"{server}{UPLOAD_PATH}/{session_id}/probe",
            files={"file": ("digit.png", content, "image/png")},
            headers={"X-Xsrftoken": self.http.cookies[XSRF_COOKIE]},
            timeout=HTTP_TIMEOUT_S,
        )
        return response.status_code


def holder(cluster: Cluster, student: Student, session_id: str) -> int:
    """The replica (0, 1, ...) whose process has the session connected, asked of each replica directly."""
    answers = [student.upload(replica, session_id, b"probe") for replica in cluster.replica_urls]
    assert sorted(answers) == [UPLOADED] + [NOT_MY_SESSION] * (len(answers) - 1), answers
    return answers.index(UPLOADED)


def test_the_first_page_sets_the_cookie_and_the_class_spreads_over_every_replica(proxied):
    replicas: list[int] = []
    for _ in range(MAX_BROWSERS):
        student = Student(proxied.url)
        page = student.open()
        set_cookie = page.headers.get("Set-Cookie", "")
        assert f"{AFFINITY_COOKIE}=" in set_cookie
        assert "HttpOnly" in set_cookie
        assert "SameSite=Lax" in set_cookie
        with student.session() as session_id:
            replicas.append(holder(proxied, student, session_id))
            later = student.http.get(proxied.url + HEALTH_PATH, timeout=HTTP_TIMEOUT_S)
            assert AFFINITY_COOKIE not in later.headers.get("Set-Cookie", ""), "a browser with the cookie"
        if len(set(replicas)) == REPLICAS:
            break
    assert set(replicas) == set(range(REPLICAS)), f"{len(replicas)} browsers, all on replica {replicas[0]}"


def test_a_browser_stays_on_its_replica_its_reconnects_and_its_uploads_too(proxied):
    student = Student(proxied.url)
    student.open()
    with student.session() as session_id:
        replica = holder(proxied, student, session_id)
        assert student.upload(proxied.url, session_id, bytes(UPLOAD_BYTES)) == UPLOADED
    for _ in range(RECONNECTS):
        student.open()
        with student.session(existing=session_id) as resumed:
            assert resumed == session_id, "the reconnect reached a replica without its session"
            assert holder(proxied, student, resumed) == replica


def test_every_page_runs_in_both_languages_when_a_replica_warms_up(proxied):
    """What serve.cluster does to each new replica before nginx starts: no page may raise there."""
    for replica in proxied.replica_urls:
        assert serve.warm(replica, time.monotonic() + SCRIPT_TIMEOUT_S) == []


def test_nginx_sends_streamlits_own_files_itself(proxied):
    """The scripts every new browser fetches come from the folder, not from a replica's one core."""
    page = requests.get(proxied.url + "/", timeout=HTTP_TIMEOUT_S)
    # Named relative to the page ("./static/js/index.….js"), so under /static/ from every page's path.
    scripts = re.findall(r'src="\./static/(js/[^"]+\.js)"', page.text)
    assert scripts, "the page names no script under static/"
    for name in scripts:
        response = requests.get(f"{proxied.url}/static/{name}", timeout=HTTP_TIMEOUT_S)
        on_disk = serve.streamlit_static_dir() / name
        assert response.status_code == 200
        assert response.content == on_disk.read_bytes()
        assert response.headers["Content-Type"] == "text/javascript"
        assert "immutable" in response.headers["Cache-Control"]
        # nginx's own ETag, made from the file's time and size (a replica's is a digest).
        stat = on_disk.stat()
        assert response.headers["ETag"] == f'"{int(stat.st_mtime):x}-{stat.st_size:x}"'
    missing = requests.get(proxied.url + "/static/js/no-such-file.js", timeout=HTTP_TIMEOUT_S)
    assert missing.status_code == 404


def test_a_class_that_opens_the_server_by_its_name_gets_its_websocket(proxied):
    """Streamlit admits a websocket whose Origin is its Host: nginx must pass the Host, port included."""
    port = urlsplit(proxied.url).port
    assert port is not None
    address = f"{SERVER_NAME}:{port}"
    with connect(
        f"ws://{address}{STREAM_PATH}",
        sock=socket.create_connection((LOCALHOST, port), timeout=HTTP_TIMEOUT_S),
        origin=f"http://{address}",
        subprotocols=["streamlit"],
        max_size=None,
        open_timeout=HTTP_TIMEOUT_S,
    ) as websocket:
        assert run_script(websocket)


def test_a_drawing_session_works_through_nginx(page, proxied):
    # Chromium's own record of the websocket handshake: Playwright does not show its headers.
    devtools = page.context.new_cdp_session(page)
    devtools.send("Network.enable")
    handshakes: list[dict[str, str]] = []
    devtools.on(
        "Network.webSocketWillSendHandshakeRequest",
        lambda event: handshakes.append(event["request"]["headers"]),
    )
    sent = []
    page.on("request", lambda request: sent.append(request))

    document = page.goto(f"{proxied.url}/draw", timeout=LOAD_MS)
    assert document is not None
    cookie = (document.header_value("set-cookie") or "").split(";")[0]
    assert cookie.startswith(f"{AFFINITY_COOKIE}=")
    wait_for_app(page, LOAD_MS)
    page.locator("canvas.upper-canvas").first.wait_for(timeout=LOAD_MS)
    draw(page, SEVEN)
    expect(page.locator(PREDICTION).first).to_have_text("7", timeout=ANSWER_MS)
    page.locator(MNIST_LINK).click()  # the same session, over the same websocket
    pictures = page.locator(MEDIA_PICTURES)
    expect(pictures.first).to_be_visible(timeout=LOAD_MS)
    wait_for_app(page, LOAD_MS)
    for picture in pictures.all():
        expect(picture).to_have_js_property("complete", True, timeout=ANSWER_MS)
        assert picture.evaluate("image => image.naturalWidth") > 0, "a /media/ picture did not load"

    later = [request for request in sent[1:] if request.url.startswith(proxied.url)]
    assert any("/media/" in request.url for request in later)
    without = [request.url for request in later if cookie not in (request.header_value("cookie") or "")]
    assert not without, f"requests without the affinity cookie: {without}"
    assert handshakes, "no websocket was opened"
    assert all(cookie in headers.get("Cookie", "") for headers in handshakes)

    # The pictures live in the memory of one replica: the one this browser's cookie leads to.
    media = {urlsplit(picture.get_attribute("src") or "").path for picture in pictures.all()}
    keepers = {
        number
        for number, replica in enumerate(proxied.replica_urls)
        for path in media
        if requests.get(replica + path, timeout=HTTP_TIMEOUT_S).status_code == requests.codes.ok
    }
    student = Student(proxied.url)
    student.http.cookies.set(*cookie.split("=", 1))
    student.open()
    with student.session() as session_id:
        assert keepers == {holder(proxied, student, session_id)}


def test_the_command_stops_nginx_and_every_replica_on_sigterm(nginx, mnist_dir):
    [port] = serve.free_ports(1)
    command = subprocess.Popen(
        [sys.executable, "-m", "serve", "--replicas", "1", "--port", str(port), "--host", LOCALHOST],
        cwd=serve.ROOT, env={**os.environ, "MNIST_DIR": str(mnist_dir)}, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://{LOCALHOST}:{port}"
    try:
        serve.wait_healthy(url, command, "python -m serve", time.monotonic() + serve.START_TIMEOUT_S)
        children = Path(f"/proc/{command.pid}/task/{command.pid}/children").read_text().split()
        assert len(children) == 2, f"nginx and one replica, not {children}"
        command.send_signal(signal.SIGTERM)
        assert command.wait(timeout=serve.STOP_TIMEOUT_S * 3) == 0
        assert not [pid for pid in children if Path(f"/proc/{pid}").exists()]
    finally:
        serve.stop(command)
    with pytest.raises(requests.ConnectionError):
        requests.get(url + HEALTH_PATH, timeout=HTTP_TIMEOUT_S)


def test_a_port_in_use_is_refused_before_anything_starts(nginx):
    with socket.socket() as taken:
        taken.bind((LOCALHOST, 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(ServeError, match=f"cannot listen on {LOCALHOST}:{port}"), serve.cluster(1, port):
            pytest.fail("the cluster started on a port in use")
