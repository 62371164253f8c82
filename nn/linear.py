"""Layers without a non-linearity (3.2.6): however many are stacked, they amount to a single one."""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

Array = NDArray[np.floating]
Layer = Callable[[ArrayLike], Array]


def linear(w: ArrayLike) -> Layer:
    """The layer x -> x·w; a number w = c is the book's h(x) = cx."""
    w = np.asarray(w, dtype=float)

    def layer(x: ArrayLike) -> Array:
        """x·w."""
        return np.dot(x, w)

    return layer


def stack(x: ArrayLike, layers: Sequence[Layer]) -> Array:
    """x through the layers in turn: h3(h2(h1(x))) for three layers."""
    return functools.reduce(lambda value, layer: layer(value), layers, np.asarray(x, dtype=float))


def collapse(weights: Sequence[ArrayLike]) -> Array:
    """The one weight W1·W2·…·Wn that linear layers with these weights amount to (c·c·c = c³)."""
    return functools.reduce(np.dot, [np.asarray(w, dtype=float) for w in weights])


def random_weights(sizes: Sequence[int], seed: int) -> list[Array]:
    """Gaussian weights between layers of the given widths, scaled by 1/sqrt(inputs) to keep values near 1."""
    rng = np.random.default_rng(seed)
    return [rng.standard_normal((m, n)) / np.sqrt(m) for m, n in itertools.pairwise(sizes)]


def max_abs_difference(a: ArrayLike, b: ArrayLike) -> float:
    """Largest |a − b|: how far apart two results that should agree are."""
    return float(np.max(np.abs(np.asarray(a, dtype=float) - np.asarray(b, dtype=float))))
