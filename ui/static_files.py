"""Streamlit's own files (its scripts, styles and fonts) answered from memory: for a class on one process.

Every new browser fetches 76 to 147 of them before its page can draw, the same files for every page and every
student, each named by its content and sent as `immutable`. Streamlit answers each through its whole stack of
middleware and reads the file from disk in a worker thread: 60 students opening the Forward page cost its one
process 15 s of CPU, where the page's own runs took 1.3 s. This middleware keeps each such answer as Streamlit
gave it the first time (status, headers, bytes) and gives it again to the next browser.

Only plain GETs of files Streamlit marks immutable are kept; a request with a range, a condition or a query,
and every other answer (the page itself, health checks, media, the websocket), go to Streamlit as before.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

STATIC = "/static/"
# A request with any of these is not a plain "send me the file": Streamlit answers it itself.
CONDITIONS = frozenset({b"range", b"if-none-match", b"if-modified-since", b"if-range"})
MAX_FILE_BYTES = 8 * 2**20
MAX_TOTAL_BYTES = 32 * 2**20  # more than Streamlit 1.67's whole static folder (26 MB on disk)


class Answer:
    """One answer as Streamlit sent it: its status line's headers and its body."""

    __slots__ = ("body", "headers")

    def __init__(self, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
        self.headers, self.body = headers, body


class StaticFilesFromMemory:
    """ASGI middleware in front of Streamlit: its immutable static files from memory once fetched."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.kept: dict[str, Answer] = {}
        self.kept_bytes = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self.plain_static_get(scope):
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        answer = self.kept.get(path)
        if answer is not None:
            await send({"type": "http.response.start", "status": 200, "headers": answer.headers})
            await send({"type": "http.response.body", "body": answer.body})
            return
        await self.app(scope, receive, self.recorder(path, send))

    @staticmethod
    def plain_static_get(scope: Scope) -> bool:
        """A GET of a file under /static/, without a query, a range or a condition."""
        if scope["type"] != "http" or scope["method"] != "GET" or STATIC not in scope["path"]:
            return False
        if scope.get("query_string"):
            return False
        return not any(name.lower() in CONDITIONS for name, _ in scope.get("headers", ()))

    def recorder(self, path: str, send: Send) -> Send:
        """`send`, keeping the answer for `path` once it is complete, if it may be kept."""
        start: Message = {}
        chunks: list[bytes] = []

        async def record(message: Message) -> None:
            await send(message)
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    self.keep(path, start, b"".join(chunks))

        return record

    def keep(self, path: str, start: Message, body: bytes) -> None:
        """Keep a complete answer: a 200 that Streamlit marked immutable, as it is, within the limits."""
        headers = list(start.get("headers", ()))
        named = {name.lower(): value for name, value in headers}
        immutable = b"immutable" in named.get(b"cache-control", b"")
        whole = named.get(b"content-length") == str(len(body)).encode()
        # A compressed answer depends on what the browser accepts: not kept (Streamlit's gzip middleware
        # leaves its static files out anyway).
        if start.get("status") != 200 or not immutable or not whole or b"content-encoding" in named:
            return
        if len(body) > MAX_FILE_BYTES or self.kept_bytes + len(body) > MAX_TOTAL_BYTES or path in self.kept:
            return
        self.kept[path] = Answer(headers, body)
        self.kept_bytes += len(body)
