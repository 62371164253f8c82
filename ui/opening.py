"""A server that lets nobody in before every page has run once (`streamlit run classroom.py`).

A page's first run on a new server builds what every later run shares (its imports, its charts' templates,
the compiled page): with 60 students arriving within 10 s, the server first finished a page 3.4-5.5 s after
the first of them came (this 2-core machine, `bench.classroom --parts join`), and they all waited for it.
Instead the server opens each page once in each language itself (`serve.warm`, over its own websocket),
holding every other request until that is done; a warm-up that fails or takes too long opens the doors
anyway (and says so), so the class gets the same pages it would have.
"""

from __future__ import annotations

import asyncio
import secrets
import sys
import time

import streamlit as st
from starlette.types import ASGIApp, Receive, Scope, Send

HEADER = "x-playground-warm-up"
TOKEN = secrets.token_hex(16)  # this process's own: a student's request cannot pass for the warm-up's
WARM_UP_TIMEOUT_S = 120.0
_opened = asyncio.Event()


class HeldUntilWarm:
    """ASGI middleware: every request but the warm-up's waits until the warm-up is over."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and not _opened.is_set() and not warm_up_request(scope):
            await _opened.wait()
        await self.app(scope, receive, send)


def warm_up_request(scope: Scope) -> bool:
    """Whether a request comes from this process's warm-up."""
    name, token = HEADER.encode(), TOKEN.encode()
    return any(key.lower() == name and value == token for key, value in scope.get("headers", ()))


def own_url() -> str | None:
    """Where this server answers itself (None on a Unix socket)."""
    address = st.get_option("server.address") or "127.0.0.1"
    if address.startswith("unix://"):
        return None
    host = "127.0.0.1" if address in ("0.0.0.0", "::", "localhost") else address
    host = f"[{host}]" if ":" in host else host
    return f"http://{host}:{st.get_option('server.port')}"


async def open_when_warm() -> None:
    """Run every page once in each language on this server, then let everyone in (whatever happened)."""
    began = time.monotonic()
    try:
        # serve/ is the classroom's: imported here, so that app.py's own runs never load it.
        from serve import warm

        url = own_url()
        if url is not None:
            headers = {HEADER: TOKEN}
            problems = await asyncio.to_thread(warm, url, began + WARM_UP_TIMEOUT_S, headers)
            for problem in problems:
                print(f"warm-up: {problem}", file=sys.stderr)
    except Exception as error:
        # Whatever it was, the class is let in: each page says what goes wrong with it, as it would have.
        print(f"warm-up: failed: {error!r}", file=sys.stderr)
    finally:
        _opened.set()
        print(f"warm-up: open after {time.monotonic() - began:.1f} s", file=sys.stderr)
