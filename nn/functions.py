"""Activation and output functions of chapter 3, one formula per function, as the book names them."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike, NDArray

Array = NDArray[np.floating]


def _as_float(x: ArrayLike) -> Array:
    """x as a float array: float32 and float64 stay as they are, anything else becomes float64."""
    x = np.asarray(x)
    return x if x.dtype in (np.float32, np.float64) else x.astype(np.float64)


def step_function(x: ArrayLike) -> NDArray[np.int64]:
    """Step function (3.2.2): 1 where x > 0, else 0, as integers."""
    return (np.asarray(x) > 0).astype(np.int64)


def sigmoid(x: ArrayLike) -> Array:
    """Sigmoid (3.2.4): 1 / (1 + exp(-x))."""
    x = _as_float(x)
    # The book's formula in one buffer: it runs on every hidden unit of every image of a batch.
    y = np.negative(x, out=np.empty_like(x))
    # Below x = -88 (float32) exp(-x) overflows to inf, and 1 / (1 + inf) = 0 is the right limit: no warning.
    with np.errstate(over="ignore"):
        np.exp(y, out=y)
    y += 1
    return np.reciprocal(y, out=y)


def relu(x: ArrayLike) -> Array:
    """ReLU (3.2.7): max(0, x)."""
    return np.maximum(0, np.asarray(x))


def identity_function(x: ArrayLike) -> Array:
    """Identity (3.5): the output layer of a regression network."""
    return np.asarray(x)


def tanh(x: ArrayLike) -> Array:
    """Hyperbolic tangent: a zero-centred sigmoid (beyond the book's chapter 3)."""
    return np.tanh(np.asarray(x))


def leaky_relu(x: ArrayLike, slope: float = 0.01) -> Array:
    """Leaky ReLU: ReLU with a small slope for x < 0 (beyond the book's chapter 3)."""
    x = np.asarray(x)
    return np.where(x > 0, x, slope * x)


def softmax_naive(a: ArrayLike) -> Array:
    """Softmax as first written in 3.5.1: exp(a) / sum(exp(a)); overflows for large a."""
    a = _as_float(a)
    with np.errstate(over="ignore", invalid="ignore"):
        exp_a = np.exp(a)
        return exp_a / np.sum(exp_a, axis=-1, keepdims=True)


def softmax(a: ArrayLike) -> Array:
    """Softmax (3.5.2) on the last axis; subtracting the max changes nothing but the overflow."""
    a = _as_float(a)
    if a.ndim == 0:
        return softmax(a.reshape(1))[0]  # one value is certain, as the book's softmax(3.0) gives 1.0
    exp_a = a - a.max(axis=-1, keepdims=True)
    np.exp(exp_a, out=exp_a)
    exp_a /= exp_a.sum(axis=-1, keepdims=True)
    return exp_a


def softmax_with_temperature(a: ArrayLike, temperature: float) -> Array:
    """Softmax of a / T: T > 1 flattens, T < 1 sharpens (beyond the book)."""
    if temperature <= 0:
        raise ValueError("temperature must be positive")
    return softmax(np.asarray(a, dtype=float) / temperature)


ACTIVATIONS: dict[str, Callable[[ArrayLike], Array]] = {
    "sigmoid": sigmoid,
    "step": step_function,
    "relu": relu,
    "tanh": tanh,
    "identity": identity_function,
    "leaky_relu": leaky_relu,
}
"""Hidden-layer activations by name, for swapping them on the same weights."""
