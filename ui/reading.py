"""The reading of a drawing: where it goes and what the controls chose (the Draw page), and what is derived
from it once per drawing (`remembered`, also for the canvas's pixels on every canvas page, and for what the
Forward page's typed arrays give).

A stroke changes the drawing, and all is read from it anew. Anything else (the language, a switch, the
activation, a tab) reruns the page or its reading with the same drawing: its pixels, ink, stages, pictures and
answers are then the session's own from the run before, not computed again: on the Draw page a language
switch costs the server 0.77x, the activation 0.78x and a step's switch 0.94x what they cost without.

The two tuples are defined here, not in the page: a page script runs anew on each whole-page rerun, and a
NamedTuple class costs 0.3 ms to make.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple, TypeVar

import numpy as np
import streamlit as st
from numpy.typing import NDArray
from streamlit.delta_generator import DeltaGenerator

T = TypeVar("T")
MEMO = "reading_memo"
PLAIN = (str, bytes, int, float, bool, type(None))


class Places(NamedTuple):
    """Where the reading of a drawing goes: the page's containers, a tab None while it is closed."""

    canvas: DeltaGenerator
    answer: DeltaGenerator
    sees: DeltaGenerator | None
    hidden: DeltaGenerator | None


class Inputs(NamedTuple):
    """What the page's controls chose, for the reading of a drawing."""

    photo: NDArray[np.float32] | None
    taps: NDArray[np.float32] | None
    steps: dict[str, bool]
    activation: str


def same(a: object, b: object) -> bool:
    """What a memo's key compares: the very same object (an array), the same plain value, or dicts of such
    under the same keys (the weights, whose dict each page run makes anew of the same cached arrays)."""
    if a is b:
        return True
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(same(a[name], b[name]) for name in a)
    return isinstance(a, PLAIN) and type(a) is type(b) and a == b


def remembered(name: str, compute: Callable[[], T], *key: object) -> T:
    """compute(), or what it gave the last time this session asked for `name` with the same `key`.

    `key` holds everything compute() reads, compared by `same`. Objects are compared by identity, and the
    memo holds them, so an object is never mistaken for a new one made in its place. One value per name and
    session: a new drawing replaces the old one.
    """
    memo = st.session_state.setdefault(MEMO, {})
    last = memo.get(name)
    if last is not None and len(last[0]) == len(key) and all(map(same, last[0], key)):
        return last[1]
    value = compute()
    memo[name] = (key, value)
    return value
