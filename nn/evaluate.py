"""Batched evaluation of the MNIST network (3.6.3): accuracy, confusion matrix and timing."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from nn.network import Params, predict


@dataclass(frozen=True)
class Evaluation:
    """What a run over a labelled set gives: every probability, the predictions and the time it took."""

    probabilities: NDArray[np.floating]
    labels: NDArray[np.integer]
    seconds: float
    batch_size: int

    @property
    def predictions(self) -> NDArray[np.intp]:
        """The most probable digit of each image."""
        return np.argmax(self.probabilities, axis=1)

    @property
    def correct(self) -> int:
        """How many predictions match their label."""
        return int(np.sum(self.predictions == self.labels))

    @property
    def accuracy(self) -> float:
        """Share of correct predictions."""
        return self.correct / max(len(self.labels), 1)

    def confusion_matrix(self) -> NDArray[np.int64]:
        """Counts of (true digit, predicted digit) pairs: rows are the truth."""
        return confusion_matrix(self.labels, self.predictions)

    def per_digit_accuracy(self) -> NDArray[np.floating]:
        """Accuracy on the images of each true digit (NaN for a digit with no image)."""
        matrix = self.confusion_matrix()
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.diag(matrix) / matrix.sum(axis=1)

    def mistakes(self) -> NDArray[np.intp]:
        """Indices of the misclassified images, the most confidently wrong first."""
        wrong = np.flatnonzero(self.predictions != self.labels)
        confidence = self.probabilities[wrong, self.predictions[wrong]]
        return wrong[np.argsort(-confidence, kind="stable")]


def confusion_matrix(
    labels: NDArray[np.integer], predictions: NDArray[np.integer], n: int = 10
) -> NDArray[np.int64]:
    """n x n counts of (true, predicted) pairs."""
    return np.bincount(np.asarray(labels) * n + np.asarray(predictions), minlength=n * n).reshape(n, n)


def evaluate(
    params: Params,
    x: NDArray[np.floating],
    t: NDArray[np.integer],
    batch_size: int = 1000,
    activation: str = "sigmoid",
    on_batch: Callable[[int, int], None] | None = None,
) -> Evaluation:
    """Predict x in batches of `batch_size` (3.6.3), calling on_batch(done, total) after each batch."""
    if len(x) != len(t):
        raise ValueError(f"{len(x)} images but {len(t)} labels")
    batch_size = max(1, min(int(batch_size), max(len(x), 1)))
    probabilities = np.empty((len(x), params["W3"].shape[1]), dtype=np.float32)
    started = time.perf_counter()
    for start in range(0, len(x), batch_size):
        stop = start + batch_size
        probabilities[start:stop] = predict(params, x[start:stop], activation)
        if on_batch:
            on_batch(min(stop, len(x)), len(x))
    seconds = time.perf_counter() - started
    return Evaluation(probabilities, np.asarray(t), seconds, batch_size)
