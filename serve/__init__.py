"""A larger class: nginx in front of N `streamlit run app.py` processes, one browser always on one of them."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import websockets
import websockets.sync.client
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from ui.i18n import LANGUAGES
from ui.pages import URL_PATHS

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app.py"
TEMPLATE = Path(__file__).with_name("nginx.conf.template")
# Debian's nginx lives in /usr/sbin, which is not on every user's PATH.
NGINX_FALLBACK = Path("/usr/sbin/nginx")
LOCALHOST = "127.0.0.1"
ALL_INTERFACES = ("0.0.0.0", "::")
HEALTH_PATH = "/_stcore/health"
STREAM_PATH = "/_stcore/stream"
AFFINITY_COOKIE = "c3_replica"
# N Streamlits importing NumPy, pandas and Altair at once on a cold, busy 2-core machine take a while.
START_TIMEOUT_S = 120.0
POLL_S = 0.2
HEALTH_REQUEST_TIMEOUT_S = 2.0
STOP_TIMEOUT_S = 10.0
# Every page in both languages on a cold, busy machine: the first loads MNIST.
WARM_TIMEOUT_S = 120.0
STDERR_OPTION_VERSION = (1, 19, 5)
PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")


class ServeError(RuntimeError):
    """The cluster cannot start: the message says why, for the person who started it."""


class NginxNotFoundError(ServeError):
    """nginx is not installed."""


class Cluster:
    """A running cluster: the address to give the class, and the replicas behind it."""

    def __init__(
        self, url: str, proxy: subprocess.Popen, replicas: list[subprocess.Popen], replica_urls: list[str]
    ) -> None:
        self.url = url
        self.replica_urls = replica_urls
        self._proxy = proxy
        self._replicas = replicas

    @property
    def pids(self) -> list[int]:
        """The Streamlit replicas' process ids (for CPU and memory monitoring)."""
        return [process.pid for process in self._replicas]

    def failure(self) -> str | None:
        """Which process has exited, if one has: nginx, or a replica whose students lost their sessions."""
        named = [("nginx", self._proxy)] + [
            (f"replica {number} (streamlit)", process) for number, process in enumerate(self._replicas, 1)
        ]
        for name, process in named:
            if process.poll() is not None:
                return f"{name} exited with code {process.returncode}"
        return None


def find_nginx() -> str:
    """The nginx executable, or NginxNotFoundError saying how to install it."""
    found = shutil.which("nginx") or (str(NGINX_FALLBACK) if NGINX_FALLBACK.exists() else None)
    if found is None:
        raise NginxNotFoundError("nginx is not installed: on Debian or Ubuntu, `apt-get install nginx`")
    return found


def free_ports(count: int) -> list[int]:
    """`count` different local TCP ports that nobody listens on right now."""
    with ExitStack() as stack:
        sockets = [stack.enter_context(socket.socket()) for _ in range(count)]
        for sock in sockets:
            sock.bind((LOCALHOST, 0))
        return [sock.getsockname()[1] for sock in sockets]


def check_port(host: str, port: int) -> None:
    """Fail early and plainly when nginx could not listen on host:port (in use, or privileged)."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
        # As nginx binds: a port whose last connections are in TIME_WAIT is free.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as error:
            raise ServeError(
                f"cannot listen on {bracketed(host)}:{port}: {error.strerror}; choose another port"
            ) from error


def bracketed(host: str) -> str:
    """A host as it is written before ":port" (an IPv6 address in brackets)."""
    return f"[{host}]" if ":" in host else host


def url_host(host: str) -> str:
    """How a client on this machine reaches a server listening on `host`."""
    return LOCALHOST if host in ALL_INTERFACES else bracketed(host)


def nginx_version(nginx: str) -> tuple[int, ...]:
    """nginx's version, from `nginx -v` ("nginx version: nginx/1.22.1" on stderr)."""
    output = subprocess.run([nginx, "-v"], capture_output=True, text=True, check=True).stderr
    found = re.search(r"nginx/(\d+(?:\.\d+)*)", output)
    if found is None:
        raise ServeError(f"cannot read the version of {nginx}: {output.strip()!r}")
    return tuple(int(part) for part in found[1].split("."))


def nginx_command(nginx: str, tmpdir: Path, conf: Path) -> list[str]:
    """The command that runs nginx on `conf` with every path inside `tmpdir`."""
    command = [nginx, "-p", str(tmpdir), "-c", str(conf)]
    # Before the configuration is read nginx opens its built-in log, /var/log/nginx/error.log, which only
    # root may write; -e (nginx 1.19.5, not in Ubuntu 22.04's 1.18) avoids that one harmless alert.
    if nginx_version(nginx) >= STDERR_OPTION_VERSION:
        command += ["-e", "stderr"]
    return command


def streamlit_static_dir() -> Path:
    """The folder of the files Streamlit's pages fetch under /static/, in the Streamlit the replicas run."""
    spec = importlib.util.find_spec("streamlit")
    if spec is None or not spec.submodule_search_locations:
        raise ServeError("Streamlit is not installed: pip install -r requirements.txt")
    folder = Path(spec.submodule_search_locations[0]) / "static" / "static"
    if not folder.is_dir():
        raise ServeError(f"Streamlit's static files are not where this Streamlit keeps them: {folder}")
    return folder


def nginx_config(tmpdir: Path, host: str, port: int, replica_ports: list[int]) -> str:
    """The nginx configuration: the template with the listening address, the replicas and Streamlit's static
    files filled in."""
    values = {
        "tmpdir": str(tmpdir),
        "static": str(streamlit_static_dir()),
        "user": "user root;" if os.geteuid() == 0 else "",
        "listen": f"{bracketed(host)}:{port}",
        "servers": "\n".join(f"        server {LOCALHOST}:{p};" for p in replica_ports),
    }
    return PLACEHOLDER.sub(lambda match: values[match[1]], TEMPLATE.read_text())


def start_replica(port: int, env: Mapping[str, str]) -> subprocess.Popen:
    """One `streamlit run app.py` on 127.0.0.1:port; its banner (a URL nobody should use) is dropped."""
    return subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(APP), "--server.port", str(port),
         "--server.headless", "true", "--server.address", LOCALHOST],
        cwd=ROOT, env=dict(env), stdout=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip


def wait_healthy(url: str, process: subprocess.Popen, name: str, deadline: float) -> None:
    """Wait until `url`/_stcore/health answers 200; fail if `process` exits or the deadline passes."""
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServeError(f"{name} exited with code {process.returncode} (its messages are above)")
        try:
            with urllib.request.urlopen(url + HEALTH_PATH, timeout=HEALTH_REQUEST_TIMEOUT_S) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(POLL_S)
    raise ServeError(f"{name} did not answer on {url}{HEALTH_PATH} within {START_TIMEOUT_S:.0f} s")


def warm(replica_url: str, deadline: float, headers: Mapping[str, str] | None = None) -> list[str]:
    """Open every page once in each language on a new replica, as its first visitor would; what went wrong.

    A replica's first run of a page imports the libraries, loads MNIST and the weights and builds the page's
    charts, about 1-1.5 s on this 2-core machine: done here, before the class arrives, not while the first
    students of a class that opens the app at once wait. A page that fails is reported, not fatal: its
    students get the same error as they would have. `headers` go with the websocket's opening request.
    """
    problems = []
    address = urlsplit(replica_url)
    for language in LANGUAGES:
        try:
            with websockets.sync.client.connect(
                f"ws://{address.netloc}{STREAM_PATH}",
                origin=replica_url,
                subprotocols=[websockets.Subprotocol("streamlit")],
                max_size=None,
                additional_headers=headers,
                open_timeout=max(deadline - time.monotonic(), 1.0),
                # A socket of our own: straight to the replica, whatever proxy the environment names.
                sock=socket.create_connection(
                    (address.hostname, address.port), timeout=HEALTH_REQUEST_TIMEOUT_S
                ),
            ) as websocket:
                for path in URL_PATHS:
                    problem = _run_page(websocket, path, f"lang={language}", deadline)
                    if problem:
                        problems.append(f"/{path}?lang={language}: {problem}")
        except (OSError, TimeoutError, websockets.WebSocketException) as error:
            problems.append(f"?lang={language}: {error or type(error).__name__}")
    return problems


def _run_page(
    websocket: websockets.sync.client.ClientConnection, path: str, query: str, deadline: float
) -> str:
    """Run one page in an open session, as a browser's link would, until its script ends; '' or a problem."""
    message = BackMsg()
    message.rerun_script.page_name = path
    message.rerun_script.query_string = query
    websocket.send(message.SerializeToString())
    problem = ""
    while True:
        reply = ForwardMsg.FromString(websocket.recv(timeout=max(deadline - time.monotonic(), 0.0)))
        kind = reply.WhichOneof("type")
        if kind == "delta" and reply.delta.new_element.WhichOneof("type") == "exception":
            problem = problem or reply.delta.new_element.exception.message
        elif kind == "script_finished":
            return problem


def stop(process: subprocess.Popen) -> None:
    """End a process: SIGTERM (a fast, clean shutdown for nginx and Streamlit), SIGKILL if it hangs."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def cluster(
    replicas: int,
    port: int | None = None,
    host: str = LOCALHOST,
    env: dict[str, str] | None = None,
) -> Iterator[Cluster]:
    """Serve app.py from `replicas` Streamlit processes behind nginx on host:port (a free port if None), each
    replica having opened every page once (`warm`) before nginx lets the class in."""
    if replicas < 1:
        raise ValueError(f"replicas must be at least 1, not {replicas}")
    nginx = find_nginx()
    *replica_ports, spare = free_ports(replicas + 1)
    port = spare if port is None else port
    check_port(host, port)
    replica_env = {**os.environ, **(env or {})}
    started: list[subprocess.Popen] = []
    with tempfile.TemporaryDirectory(prefix="c3-serve-") as tmp:
        tmpdir = Path(tmp)
        try:
            replica_urls = [f"http://{LOCALHOST}:{p}" for p in replica_ports]
            for replica_port in replica_ports:
                started.append(start_replica(replica_port, replica_env))
            processes = list(started)
            deadline = time.monotonic() + START_TIMEOUT_S
            for number, (url, process) in enumerate(zip(replica_urls, processes, strict=True), start=1):
                wait_healthy(url, process, f"replica {number} (streamlit)", deadline)
            for number, url in enumerate(replica_urls, start=1):
                for problem in warm(url, time.monotonic() + WARM_TIMEOUT_S):
                    print(f"serve: replica {number}, warming up {problem}", file=sys.stderr)

            conf = tmpdir / "nginx.conf"
            conf.write_text(nginx_config(tmpdir, host, port, replica_ports))
            # In a session of its own, like the replicas: Ctrl-C reaches only this process, which stops
            # nginx before the replicas so no student is sent to a replica that is going away.
            proxy = subprocess.Popen(nginx_command(nginx, tmpdir, conf), start_new_session=True)
            started.insert(0, proxy)
            url = f"http://{url_host(host)}:{port}"
            wait_healthy(url, proxy, "nginx", time.monotonic() + START_TIMEOUT_S)
            yield Cluster(url, proxy, processes, replica_urls)
        finally:
            for process in started:
                stop(process)
