"""`python -m serve --replicas N [--port 8501] [--host 0.0.0.0]`: the app from N processes behind nginx."""

from __future__ import annotations

import argparse
import signal
import socket
import sys
import time
from types import FrameType
from typing import NoReturn

from serve import ALL_INTERFACES, ServeError, cluster

DEFAULT_PORT = 8501
# Like `streamlit run`: on every interface, so that the students' machines reach it.
DEFAULT_HOST = "0.0.0.0"
WATCH_S = 1.0
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
# A documentation-only address (TEST-NET-1): connecting a UDP socket sends nothing, it only picks a route.
ROUTE_PROBE = ("192.0.2.1", 9)


def interrupt(signum: int, frame: FrameType | None) -> NoReturn:
    """Stop as Ctrl-C does; a second signal must not cut the shutdown short and leave processes behind."""
    for stop_signal in STOP_SIGNALS:
        signal.signal(stop_signal, signal.SIG_IGN)
    raise KeyboardInterrupt


def lan_address() -> str | None:
    """This machine's address on the classroom network, if it has a route to one."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            sock.connect(ROUTE_PROBE)
        except OSError:
            return None
        return sock.getsockname()[0]


def main(argv: list[str] | None = None) -> int:
    """Start the cluster, say where it is, and keep it up until Ctrl-C, SIGTERM or a process's exit."""
    parser = argparse.ArgumentParser(
        prog="python -m serve",
        description="Serve the app from several Streamlit processes behind nginx: one process uses one core.",
    )
    parser.add_argument("--replicas", type=int, required=True, help="Streamlit processes, e.g. one per core")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="nginx's port (default %(default)s)")
    parser.add_argument(
        "--host", default=DEFAULT_HOST, help="nginx's address (default %(default)s: every interface)"
    )
    args = parser.parse_args(argv)
    if args.replicas < 1:
        parser.error("--replicas must be at least 1")
    for stop_signal in STOP_SIGNALS:
        signal.signal(stop_signal, interrupt)
    try:
        with cluster(args.replicas, args.port, args.host) as running:
            print(f"Chapter 3 Playground: {args.replicas} Streamlit processes behind nginx, each warmed up.")
            print(f"  On this machine:   {running.url}")
            address = lan_address() if args.host in ALL_INTERFACES else None
            if address is not None:
                print(f"  For the class:     http://{address}:{args.port}")
            print(f"  Replica pids:      {' '.join(map(str, running.pids))}")
            print("Ctrl-C stops nginx and every replica.", flush=True)
            while (failure := running.failure()) is None:
                time.sleep(WATCH_S)
            print(f"{failure}: stopping everything.", file=sys.stderr)
            return 1
    except ServeError as error:
        print(error, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("Stopped.")
        return 0


if __name__ == "__main__":
    sys.exit(main())
