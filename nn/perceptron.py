"""The perceptron of 3.1.2 written with its bias b, and the activation function h() of 3.1.3."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike, NDArray

from nn.functions import step_function


def perceptron(
    x: ArrayLike, w: ArrayLike, b: float, h: Callable[[ArrayLike], NDArray] = step_function
) -> NDArray:
    """y = h(b + w1·x1 + w2·x2) (3.1.2): one input x of shape (2,), or one input per row."""
    return h(b + np.dot(x, w))
