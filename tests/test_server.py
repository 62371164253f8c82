"""ui.server: the server process's one-time set-up."""

from __future__ import annotations

import socket

import pytest

from ui.server import OPEN_FILES, no_nagle

pytestmark = pytest.mark.skipif(not OPEN_FILES.is_dir(), reason="needs Linux's /proc/self/fd")


def nodelay(sock: socket.socket) -> bool:
    """Whether Nagle's algorithm is off on the socket."""
    return bool(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))


def test_the_listening_socket_and_the_connections_it_accepts_send_without_delay():
    # Bound as Streamlit 1.67 binds it: protocol 0, which asyncio does not recognise as TCP.
    with socket.socket(socket.AF_INET) as listening, socket.socket(socket.AF_INET) as other:
        listening.bind(("127.0.0.1", 0))
        listening.listen()
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = listening.getsockname()[1]
        early = socket.create_connection(("127.0.0.1", port))
        accepted_early, _ = listening.accept()
        assert listening.proto == 0
        assert not nodelay(accepted_early)

        assert no_nagle(port) >= 2  # the listening socket and the connection already accepted

        late = socket.create_connection(("127.0.0.1", port))
        accepted_late, _ = listening.accept()
        assert nodelay(listening)
        assert nodelay(accepted_early)
        assert nodelay(accepted_late)
        assert not nodelay(other)  # another port's socket is left as it was
        for sock in (early, accepted_early, late, accepted_late):
            sock.close()
