"""The book's 3.4.3 forward pass and the MNIST network's predict, on the book's numbers and shapes."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from nn import forward, init_network, load_weights, predict, predict_trace
from nn.evaluate import confusion_matrix, evaluate


def test_forward_gives_the_books_numbers():
    y = forward(init_network(), np.array([1.0, 0.5]))
    np.testing.assert_allclose(y, [0.31682708, 0.69627909], atol=5e-9)


def test_forward_takes_a_plain_list():
    np.testing.assert_allclose(forward(init_network(), [1.0, 0.5]), [0.31682708, 0.69627909], atol=5e-9)


def random_params(rng, sizes=(784, 50, 100, 10)):
    params = {}
    for i, (n_in, n_out) in enumerate(itertools.pairwise(sizes), start=1):
        params[f"W{i}"] = rng.standard_normal((n_in, n_out)).astype(np.float32) * 0.1
        params[f"b{i}"] = rng.standard_normal(n_out).astype(np.float32) * 0.1
    return params


def test_predict_shapes_for_one_image_and_a_batch():
    params = random_params(np.random.default_rng(0))
    x = np.random.default_rng(1).random((5, 784), dtype=np.float32)
    assert predict(params, x[0]).shape == (10,)
    assert predict(params, x).shape == (5, 10)
    np.testing.assert_allclose(predict(params, x).sum(axis=1), 1.0, rtol=1e-5)
    np.testing.assert_allclose(predict(params, x)[0], predict(params, x[0]), rtol=1e-5)


def test_predict_chains_any_hidden_sizes():
    params = random_params(np.random.default_rng(0), (784, 7, 13, 10))
    assert predict(params, np.zeros((3, 784))).shape == (3, 10)


@pytest.mark.parametrize("activation", ["sigmoid", "step", "relu", "tanh", "identity", "leaky_relu"])
def test_trace_keeps_every_intermediate_for_each_activation(activation):
    params = random_params(np.random.default_rng(0))
    x = np.random.default_rng(1).random((4, 784), dtype=np.float32)
    trace = predict_trace(params, x, activation)
    assert trace.a1.shape == trace.z1.shape == (4, 50)
    assert trace.a2.shape == trace.z2.shape == (4, 100)
    assert trace.a3.shape == trace.y.shape == (4, 10)
    np.testing.assert_allclose(trace.a1, x @ params["W1"] + params["b1"], rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(trace.y.sum(axis=1), 1.0, rtol=1e-5)


def test_the_activation_swap_changes_the_hidden_values():
    params = random_params(np.random.default_rng(0))
    x = np.random.default_rng(1).random(784, dtype=np.float32)
    assert not np.allclose(predict_trace(params, x, "sigmoid").z1, predict_trace(params, x, "relu").z1)
    assert set(np.unique(predict_trace(params, x, "step").z1)) <= {0, 1}


def test_evaluate_counts_and_confusion():
    params = random_params(np.random.default_rng(0))
    x = np.random.default_rng(1).random((37, 784), dtype=np.float32)
    t = np.argmax(predict(params, x), axis=1)
    t[:5] = (t[:5] + 1) % 10
    calls = []
    result = evaluate(params, x, t, batch_size=10, on_batch=lambda done, total: calls.append((done, total)))
    assert result.correct == 32
    assert result.accuracy == pytest.approx(32 / 37)
    assert calls == [(10, 37), (20, 37), (30, 37), (37, 37)]
    assert result.confusion_matrix().sum() == 37
    assert np.trace(result.confusion_matrix()) == 32
    assert sorted(result.mistakes()) == [0, 1, 2, 3, 4]
    np.testing.assert_array_equal(
        confusion_matrix([1, 1, 2], [1, 2, 2], n=3), [[0, 0, 0], [0, 1, 1], [0, 0, 1]]
    )


@pytest.mark.parametrize("batch_size", [1, 100, 10_000, 0, -5])
def test_evaluate_accepts_any_batch_size(batch_size):
    params = random_params(np.random.default_rng(0))
    x = np.random.default_rng(1).random((20, 784), dtype=np.float32)
    t = np.zeros(20, dtype=np.uint8)
    assert evaluate(params, x, t, batch_size=batch_size).probabilities.shape == (20, 10)


def test_book_weights_give_the_books_accuracy(book_weights_path, mnist_dir, monkeypatch):
    from dataset.mnist import load_mnist

    monkeypatch.setenv("MNIST_DIR", str(mnist_dir))
    (_, _), (x_test, t_test) = load_mnist(normalize=True, flatten=True)
    result = evaluate(load_weights(book_weights_path), x_test, t_test, batch_size=100)
    assert result.correct == 9352
    assert f"{result.accuracy:.4f}" == "0.9352"
