"""The book's networks: the 3.4.3 toy network and the MNIST network of 3.6 (784-50-100-10)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from nn.functions import ACTIVATIONS, identity_function, sigmoid, softmax

Params = dict[str, NDArray[np.floating]]
"""Weights by the book's names: W1, b1, W2, b2, W3, b3."""

LAYERS = (1, 2, 3)


def init_network() -> Params:
    """The fixed weights of the book's 3-layer example (3.4.3)."""
    return {
        "W1": np.array([[0.1, 0.3, 0.5], [0.2, 0.4, 0.6]]),
        "b1": np.array([0.1, 0.2, 0.3]),
        "W2": np.array([[0.1, 0.4], [0.2, 0.5], [0.3, 0.6]]),
        "b2": np.array([0.1, 0.2]),
        "W3": np.array([[0.1, 0.3], [0.2, 0.4]]),
        "b3": np.array([0.1, 0.2]),
    }


def forward(network: Params, x: ArrayLike) -> NDArray[np.floating]:
    """The forward pass of 3.4.3: two sigmoid layers, then the identity."""
    W1, W2, W3 = network["W1"], network["W2"], network["W3"]
    b1, b2, b3 = network["b1"], network["b2"], network["b3"]

    a1 = np.dot(x, W1) + b1
    z1 = sigmoid(a1)
    a2 = np.dot(z1, W2) + b2
    z2 = sigmoid(a2)
    a3 = np.dot(z2, W3) + b3
    return identity_function(a3)


@dataclass(frozen=True)
class Trace:
    """Every intermediate of one forward pass, for the pages to draw."""

    x: NDArray[np.floating]
    a1: NDArray[np.floating]
    z1: NDArray[np.floating]
    a2: NDArray[np.floating]
    z2: NDArray[np.floating]
    a3: NDArray[np.floating]
    y: NDArray[np.floating]


def predict_trace(params: Params, x: ArrayLike, activation: str = "sigmoid") -> Trace:
    """The MNIST network of 3.6.1 with every intermediate kept; `activation` swaps the hidden h()."""
    h = ACTIVATIONS[activation]
    x = np.asarray(x, dtype=params["W1"].dtype)
    # Biases are added in place: a batch of 10,000 images spends measurable time in temporary arrays.
    a1 = x @ params["W1"]
    a1 += params["b1"]
    z1 = h(a1)
    a2 = z1 @ params["W2"]
    a2 += params["b2"]
    z2 = h(a2)
    a3 = z2 @ params["W3"]
    a3 += params["b3"]
    return Trace(x=x, a1=a1, z1=z1, a2=a2, z2=z2, a3=a3, y=softmax(a3))


def predict(params: Params, x: ArrayLike, activation: str = "sigmoid") -> NDArray[np.floating]:
    """Softmax probabilities of the MNIST network: x (784,) -> (10,), (N, 784) -> (N, 10)."""
    return predict_trace(params, x, activation).y
