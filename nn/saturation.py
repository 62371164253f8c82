"""Where sigmoid saturates: far from 0 its output is pinned near 0 or 1 and hardly moves with its input."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

SATURATION_LIMIT = 4.0
"""Beyond |a| = 4, sigmoid(a) is within 0.018 of 0 or 1 and its slope below 0.018."""


def saturated_share(a: ArrayLike, limit: float = SATURATION_LIMIT) -> float:
    """Share of the values with |a| > limit, where sigmoid is saturated."""
    return float(np.mean(np.abs(np.asarray(a)) > limit))
