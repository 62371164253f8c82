"""The book's networks: the 3.4.3 toy network and the MNIST network of 3.6 (784-50-100-10)."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

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


class Trace(NamedTuple):
    """Every intermediate of one forward pass, for the pages to draw (a tuple: cheap to build per image)."""

    x: NDArray[np.floating]
    a1: NDArray[np.floating]
    z1: NDArray[np.floating]
    a2: NDArray[np.floating]
    z2: NDArray[np.floating]
    a3: NDArray[np.floating]
    y: NDArray[np.floating]


class ShapeError(ValueError):
    """A layer whose arrays do not fit: which layer, which operation, the two shapes and NumPy's own words."""

    def __init__(self, layer: int, operation: str, left: tuple[int, ...], right: tuple[int, ...], numpy: str):
        """`operation` is "dot" (inner dimensions differ) or "bias" (the bias does not fit np.dot)."""
        self.layer, self.operation, self.left, self.right, self.numpy = layer, operation, left, right, numpy
        source = layer_input(layer)
        if operation == "dot":
            what = f"np.dot({source}, W{layer}) needs matching inner dimensions, got {left} and {right}"
        else:
            what = f"b{layer} {right} must have one value per neuron of np.dot({source}, W{layer}) {left}"
        super().__init__(f"Layer {layer}: {what}. NumPy says: {numpy}")


def layer_input(layer: int) -> str:
    """The book's name of a layer's input: X for the first, then Z1, Z2."""
    return "X" if layer == 1 else f"Z{layer - 1}"


def affine(z: NDArray, W: NDArray, b: NDArray, layer: int) -> NDArray:
    """A layer's weighted sum np.dot(z, W) + b (3.4.2); a ShapeError names the layer if shapes do not fit."""
    try:
        a = np.dot(z, W)
    except ValueError as error:
        raise ShapeError(layer, "dot", np.shape(z), np.shape(W), str(error).strip()) from None
    try:
        # In place: a batch of 10,000 images spends measurable time in temporary arrays.
        a += b
    except ValueError as error:
        raise ShapeError(layer, "bias", np.shape(a), np.shape(b), str(error).strip()) from None
    return a


def _layers(
    params: Params, x: NDArray, h: Callable[[NDArray], NDArray], sigma: Callable[[NDArray], NDArray]
) -> Trace:
    """Three layers with the hidden activation h() and the output function sigma(), every step kept."""
    a1 = affine(x, params["W1"], params["b1"], 1)
    z1 = h(a1)
    a2 = affine(z1, params["W2"], params["b2"], 2)
    z2 = h(a2)
    a3 = affine(z2, params["W3"], params["b3"], 3)
    return Trace(x=x, a1=a1, z1=z1, a2=a2, z2=z2, a3=a3, y=sigma(a3))


def forward_trace(network: Params, x: ArrayLike) -> Trace:
    """The forward pass of 3.4.3 with every intermediate kept: two sigmoid layers, then the identity."""
    return _layers(network, np.asarray(x, dtype=float), sigmoid, identity_function)


def forward(network: Params, x: ArrayLike) -> NDArray[np.floating]:
    """The forward pass of 3.4.3: two sigmoid layers, then the identity."""
    return forward_trace(network, x).y


def predict_trace(params: Params, x: ArrayLike, activation: str = "sigmoid") -> Trace:
    """The MNIST network of 3.6.1 with every intermediate kept; `activation` swaps the hidden h()."""
    return _layers(params, np.asarray(x, dtype=params["W1"].dtype), ACTIVATIONS[activation], softmax)


def predict(params: Params, x: ArrayLike, activation: str = "sigmoid") -> NDArray[np.floating]:
    """Softmax probabilities of the MNIST network: x (784,) -> (10,), (N, 784) -> (N, 10)."""
    return predict_trace(params, x, activation).y
