"""Benchmark of chapter 3's inference, side by side in one run: `python -m nn.bench`.

Prints milliseconds and ratios for: the book's per-image loop (neuralnet_mnist.py), the book's batch-100
algorithm (neuralnet_mnist_batch.py), this project's batched path, and the bare matrix-product floor
(the three matmuls alone); then canvas preprocessing and load_mnist cold versus later calls.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from nn.network import Params, predict
from nn.preprocess import canvas_to_mnist
from nn.weights import default_weights, load_weights


def book_sigmoid(x: NDArray) -> NDArray:
    """The book's common/functions.py sigmoid, verbatim."""
    return 1 / (1 + np.exp(-x))


def book_softmax(x: NDArray) -> NDArray:
    """The book's common/functions.py softmax, verbatim (batch via transpose)."""
    if x.ndim == 2:
        x = x.T
        x = x - np.max(x, axis=0)
        y = np.exp(x) / np.sum(np.exp(x), axis=0)
        return y.T
    x = x - np.max(x)
    return np.exp(x) / np.sum(np.exp(x))


def book_predict(network: Params, x: NDArray) -> NDArray:
    """The book's ch03 predict(), verbatim."""
    w1, w2, w3 = network["W1"], network["W2"], network["W3"]
    b1, b2, b3 = network["b1"], network["b2"], network["b3"]
    a1 = np.dot(x, w1) + b1
    z1 = book_sigmoid(a1)
    a2 = np.dot(z1, w2) + b2
    z2 = book_sigmoid(a2)
    a3 = np.dot(z2, w3) + b3
    return book_softmax(a3)


def book_per_image(network: Params, x: NDArray, t: NDArray) -> int:
    """neuralnet_mnist.py: one image at a time."""
    accuracy_cnt = 0
    for i in range(len(x)):
        y = book_predict(network, x[i])
        p = np.argmax(y)
        if p == t[i]:
            accuracy_cnt += 1
    return accuracy_cnt


def book_batch(network: Params, x: NDArray, t: NDArray, batch_size: int = 100) -> int:
    """neuralnet_mnist_batch.py: batches of 100."""
    accuracy_cnt = 0
    for i in range(0, len(x), batch_size):
        y_batch = book_predict(network, x[i : i + batch_size])
        p = np.argmax(y_batch, axis=1)
        accuracy_cnt += np.sum(p == t[i : i + batch_size])
    return int(accuracy_cnt)


def ours_batched(network: Params, x: NDArray, t: NDArray) -> int:
    """This project's path: nn.predict on the whole set at once."""
    return int(np.sum(np.argmax(predict(network, x), axis=1) == t))


def matmul_floor(network: Params, x: NDArray, t: NDArray) -> int:
    """The three matrix products alone: no bias, no activation, no softmax. Nothing can be faster."""
    return int(np.sum(np.argmax(x @ network["W1"] @ network["W2"] @ network["W3"], axis=1) == t))


def timed(fn: Callable[[], object]) -> float:
    """Wall time of one call, in ms."""
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1e3


def interleaved(runs: dict[str, Callable[[], object]], repeats: int) -> dict[str, float]:
    """Median ms of each run, the runs taking turns so that machine noise falls on all of them alike."""
    samples: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeats):
        for name, fn in runs.items():
            samples[name].append(timed(fn))
    return {name: statistics.median(values) for name, values in samples.items()}


def synthetic_canvas(size: int = 280) -> NDArray[np.uint8]:
    """A white '7' on an opaque black canvas, as the Draw page hands it over."""
    canvas = np.zeros((size, size, 4), dtype=np.uint8)
    canvas[..., 3] = 255
    s = size // 10
    canvas[2 * s : 3 * s, 2 * s : 8 * s, :3] = 255
    for row in range(3 * s, 8 * s):
        col = 8 * s - (row - 3 * s) // 2
        canvas[row, col - s // 2 : col + s // 2, :3] = 255
    return canvas


def main(argv: list[str] | None = None) -> int:
    """Run every measurement and print a table."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--weights", type=Path, help="weights file (default: the project's own)")
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args(argv)

    from dataset.mnist import MnistError, clear_cache, load_mnist

    try:
        started = time.perf_counter()
        splits = load_mnist(normalize=True, flatten=True)
        cold_ms = (time.perf_counter() - started) * 1e3
        cached_ms = timed(lambda: load_mnist(normalize=True, flatten=True))
        network = load_weights(args.weights) if args.weights else default_weights()
    except (MnistError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    (_, _), (x, t) = splits
    print(f"data: {splits.source.description}; {len(x):,} test images\n")

    correct = {book_batch(network, x, t), ours_batched(network, x, t)}
    if len(correct) != 1:
        print(f"error: the paths disagree on the number of correct answers: {correct}", file=sys.stderr)
        return 1
    print(f"accuracy {correct.pop() / len(x):.4f} (every path agrees)\n")

    runs = {
        "book batch 100 (neuralnet_mnist_batch.py)": lambda: book_batch(network, x, t),
        "ours, batched (nn.predict, all at once)": lambda: ours_batched(network, x, t),
        "floor: the three matmuls alone": lambda: matmul_floor(network, x, t),
    }
    medians = interleaved(runs, args.repeats)
    per_image_ms = statistics.median(timed(lambda: book_per_image(network, x, t)) for _ in range(3))
    book_ms, ours_ms, floor_ms = medians.values()

    print(f"{'path':48s} {'ms':>9s}  {'vs ours':>8s}")
    loop_name = "book per-image loop (neuralnet_mnist.py)"
    print(f"{loop_name:48s} {per_image_ms:9.1f}  {per_image_ms / ours_ms:7.1f}x")
    for name, ms in medians.items():
        print(f"{name:48s} {ms:9.1f}  {ms / ours_ms:7.2f}x")
    print(f"\nours is {book_ms / ours_ms:.2f}x faster than the book's batch-100 algorithm (target >= 2.3x)")
    print(f"ours takes {ours_ms / floor_ms:.2f}x the matrix-product floor (target <= 1.3x)\n")

    canvas = synthetic_canvas()
    canvas_ms = statistics.median(timed(lambda: canvas_to_mnist(canvas)) for _ in range(50))
    print(f"canvas_to_mnist on a 280x280 canvas: {canvas_ms:.2f} ms")

    clear_cache()
    started = time.perf_counter()
    load_mnist(normalize=True, flatten=True)
    recold_ms = (time.perf_counter() - started) * 1e3
    print(
        f"load_mnist cold: {cold_ms:.0f} ms first call, {recold_ms:.0f} ms after clear_cache(); "
        f"later calls (new arrays from the files kept in memory): {cached_ms:.1f} ms ({splits.source.kind})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
