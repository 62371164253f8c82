"""The server process, set up once, before any session's own work: app.py imports this module first.

A class arrives at once: on a cold server, many sessions run their first script at the same moment, each in a
thread of its own. Whatever they would load lazily and in parallel is loaded here, in one thread; the other
sessions wait at `import ui.server` until it is done (Python locks a module while it is imported).
"""

from __future__ import annotations

import contextlib
import os
import socket
from pathlib import Path

# Loaded here, not on first use: Altair looks pandas up in sys.modules without importing it, and found it
# half-imported by another session ("partially initialized module 'pandas' has no attribute 'Timestamp'",
# 3 cold starts in 5 with a class opening the Activations page).
import altair  # noqa: F401
import pandas  # noqa: F401
import pyarrow  # noqa: F401
import streamlit as st
from PIL import Image  # noqa: F401
from threadpoolctl import threadpool_limits

from ui.once import shared

OPEN_FILES = Path("/proc/self/fd")


@shared()
def tune() -> None:
    """One BLAS thread, and no Nagle delay on the server's connections: once per server process.

    Streamlit runs each session's script in a thread of its own, so OpenBLAS's threads on top of those only
    wait for cores that other sessions hold: on 2 cores, a 10,000-image evaluation in batches of 100 took
    2x longer with 2 BLAS threads than with one on an idle machine, and 10-45x longer on a busy one.
    """
    threadpool_limits(1, user_api="blas")
    no_nagle(int(st.get_option("server.port")))


def no_nagle(port: int) -> int:
    """Set TCP_NODELAY on this process's TCP sockets on `port`; how many it set (0 where /proc is not).

    Streamlit 1.67 binds its listening socket itself, as protocol 0, and asyncio turns Nagle's algorithm off
    only on sockets of protocol IPPROTO_TCP: every reply of several small messages (a rerun's deltas, a file)
    then waited about 40 ms for the browser's delayed acknowledgement. On Linux, connections accepted later
    take the option from the listening socket, so setting it there once covers every session to come.
    """
    if not OPEN_FILES.is_dir():
        return 0
    done = 0
    for entry in OPEN_FILES.iterdir():
        # A descriptor of another kind, or one closed meanwhile, is not ours to change.
        with contextlib.suppress(OSError, ValueError):
            if not os.readlink(entry).startswith("socket:"):
                continue
            with socket.socket(fileno=os.dup(int(entry.name))) as sock:
                if sock.type != socket.SOCK_STREAM or sock.family not in (socket.AF_INET, socket.AF_INET6):
                    continue
                if sock.getsockname()[1] == port:
                    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                    done += 1
    return done
