"""Decorators applied once per function, however often a page script defines it again.

Streamlit runs a page script anew on every whole-page rerun, so a function defined in it is a new object each
time, and its decorator runs again: `st.cache_data` reads the function's source to key its cache (about
0.6 ms a time, for every session). `once` keeps the first decorated function for the function's code (file,
name, bytecode and constants), which every rerun of every session shares.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

F = TypeVar("F", bound=Callable[..., object])
G = TypeVar("G", bound=Callable[..., object])

_decorated: dict[tuple[str, str, bytes, tuple[object, ...]], Callable[..., object]] = {}
_lock = threading.Lock()


def once(decorate: Callable[[F], G]) -> Callable[[F], G]:
    """`decorate`, applied to a function the first time its code is seen; the same result ever after."""

    def apply(function: F) -> G:
        code = function.__code__
        key = (code.co_filename, code.co_qualname, code.co_code, code.co_consts)
        with _lock:
            if key not in _decorated:
                _decorated[key] = decorate(function)
            return _decorated[key]  # type: ignore[return-value]

    return apply
