"""Backpropagation layers of the book's chapter 5, used only to train the chapter 3 network."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from nn.functions import sigmoid, softmax

Array = NDArray[np.floating]


class Affine:
    """Affine layer (5.6.2): out = x W + b; backward gives dW, db and dx."""

    def __init__(self, W: Array, b: Array) -> None:
        self.W, self.b = W, b
        self.x: Array | None = None
        self.dW: Array | None = None
        self.db: Array | None = None

    def forward(self, x: Array) -> Array:
        """Keep x for the backward pass."""
        self.x = x
        return x @ self.W + self.b

    def backward(self, dout: Array) -> Array:
        """Gradients of the loss with respect to W, b and the input."""
        self.dW = self.x.T @ dout
        self.db = dout.sum(axis=0)
        return dout @ self.W.T


class Sigmoid:
    """Sigmoid layer (5.5.2): dy/dx = y (1 - y)."""

    def __init__(self) -> None:
        self.out: Array | None = None

    def forward(self, x: Array) -> Array:
        """Keep the output: the derivative needs only y."""
        self.out = sigmoid(x)
        return self.out

    def backward(self, dout: Array) -> Array:
        """Local gradient y (1 - y) times the upstream gradient."""
        return dout * self.out * (1.0 - self.out)


class SoftmaxWithLoss:
    """Softmax with cross-entropy loss (5.6.3): the gradient is simply (y - t) / N."""

    def __init__(self) -> None:
        self.y: Array | None = None
        self.t: NDArray[np.integer] | None = None

    def forward(self, x: Array, t: NDArray[np.integer]) -> float:
        """Mean cross-entropy of label indices t under softmax(x)."""
        self.t = t
        self.y = softmax(x)
        picked = self.y[np.arange(len(t)), t]
        return float(-np.mean(np.log(picked + 1e-7)))

    def backward(self) -> Array:
        """(y - t) / N with t as one-hot."""
        dx = self.y.copy()
        dx[np.arange(len(self.t)), self.t] -= 1.0
        return dx / len(self.t)
