"""Decorators applied once per function, however often a page script defines it again; a faster cache.

Streamlit runs a page script anew on every whole-page rerun, so a function defined in it is a new object each
time, and its decorator runs again: `st.cache_data` reads the function's source to key its cache (about
0.6 ms a time, for every session). `once` keeps the first decorated function for the function's code (file,
name, bytecode and constants), which every rerun of every session shares.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Hashable
from typing import TypeVar

import numpy as np
import streamlit as st
from numpy.typing import ArrayLike, NDArray

F = TypeVar("F", bound=Callable[..., object])
G = TypeVar("G", bound=Callable[..., object])
T = TypeVar("T")
Content = tuple[bytes, tuple[int, ...], str]
"""An array as a cache can key it: its bytes, shape and dtype (`content_key`, `from_content`)."""

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


def shared(max_entries: int | None = None) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """st.cache_resource, with a plain dict in front for the values already made.

    A hit of st.cache_resource costs about 0.1 ms (it hashes the arguments and looks the function up), and
    the pages ask for the data, the weights and their settings several times a run: 0.4-1 ms of every rerun.
    A value is made by st.cache_resource alone, so that one thread makes it while the others wait (a class
    arriving at once loads MNIST once), and kept in front once made; past `max_entries` arguments, the
    others go the slow way. `.clear()` empties both.
    """

    def decorate(function: Callable[..., T]) -> Callable[..., T]:
        made = st.cache_resource(show_spinner=False, max_entries=max_entries)(function)
        kept: dict[tuple[Hashable, ...], T] = {}

        @functools.wraps(function)
        def get(*args: Hashable) -> T:
            try:
                return kept[args]
            except KeyError:
                value = made(*args)
                if max_entries is None or len(kept) < max_entries:
                    kept[args] = value
                return value

        def clear() -> None:
            kept.clear()
            made.clear()

        get.clear = clear  # type: ignore[attr-defined]
        return get

    return decorate


def content_key(array: ArrayLike) -> Content:
    """An array as a hashable key of what it holds, for a cache of what is made from it."""
    array = np.asarray(array)
    return array.tobytes(), array.shape, array.dtype.str


def from_content(key: Content) -> NDArray:
    """The array a content_key was made of (read-only: it is the key's bytes)."""
    content, shape, dtype = key
    return np.frombuffer(content, dtype=dtype).reshape(shape)
