"""Training: backpropagation against numerical gradients (5.7.3), augmentation, the shipped weights."""

from __future__ import annotations

import numpy as np
import pytest

from nn.augment import augment, random_affine
from nn.train import ThreeLayerNet, accuracy, held_out_mask, init_params, train
from nn.weights import DEFAULT_WEIGHTS_PATH, default_metadata, default_weights


def tiny_net(seed: int = 0) -> tuple[ThreeLayerNet, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    params = {k: v.astype(np.float64) for k, v in init_params(rng, (12, 5, 4, 10)).items()}
    for key in ("b1", "b2", "b3"):
        params[key] += rng.standard_normal(params[key].shape) * 0.1
    x = rng.random((6, 12))
    t = rng.integers(0, 10, 6)
    return ThreeLayerNet(params), x, t


def test_backprop_matches_numerical_gradient():
    net, x, t = tiny_net()
    _, grads = net.gradient(x, t)
    numerical = net.numerical_gradient(x, t)
    for key in ("W1", "b1", "W2", "b2", "W3", "b3"):
        assert grads[key].shape == net.params[key].shape
        np.testing.assert_allclose(grads[key], numerical[key], atol=1e-7, rtol=1e-4, err_msg=key)


def test_numerical_gradient_leaves_the_parameters_as_they_were():
    net, x, t = tiny_net(1)
    before = {k: v.copy() for k, v in net.params.items()}
    net.numerical_gradient(x, t)
    for key, value in before.items():
        np.testing.assert_array_equal(net.params[key], value)


def test_held_out_mask_takes_the_first_images_of_each_digit():
    labels = np.array([3, 1, 3, 3, 1, 0, 1])
    np.testing.assert_array_equal(held_out_mask(labels, per_digit=2), [1, 1, 1, 0, 1, 1, 0])


def test_training_learns_a_separable_toy_problem():
    rng = np.random.default_rng(0)
    centres = rng.random((10, 784)).astype(np.float32)
    t = rng.integers(0, 10, 600)
    x = np.clip(centres[t] + 0.1 * rng.standard_normal((600, 784)).astype(np.float32), 0, 1)
    params = train(x, t, epochs=3, batch_size=50, augment_share=0.0, seed=1)
    assert accuracy(params, x, t) > 0.95


def test_training_is_reproducible_with_a_seed():
    rng = np.random.default_rng(0)
    x = rng.random((200, 784), dtype=np.float32)
    t = rng.integers(0, 10, 200)
    a = train(x, t, epochs=1, batch_size=50, seed=3)
    b = train(x, t, epochs=1, batch_size=50, seed=3)
    for key in a:
        np.testing.assert_array_equal(a[key], b[key])


def test_augment_keeps_shape_range_and_ink():
    rng = np.random.default_rng(0)
    x = np.zeros((8, 784), dtype=np.float32)
    x.reshape(8, 28, 28)[:, 8:20, 12:16] = 1.0
    y = augment(x, rng)
    assert y.shape == x.shape
    assert y.dtype == np.float32
    assert y.min() >= 0
    assert y.max() <= 1
    assert np.all(y.sum(axis=1) > 0.4 * x.sum(axis=1))
    assert not np.allclose(y, x)


def test_identity_affine_changes_nothing():
    rng = np.random.default_rng(0)
    x = rng.random((3, 28, 28), dtype=np.float32)
    y = random_affine(x, rng, max_degrees=0, scale_range=(1, 1), max_shift=0)
    np.testing.assert_allclose(y, x, atol=1e-6)


def test_shipped_weights_were_trained_here_without_the_offline_sample():
    assert DEFAULT_WEIGHTS_PATH.is_file(), "nn/mnist_weights.npz must ship with the project"
    meta = default_metadata()
    assert meta["architecture"] == [784, 50, 100, 10]
    assert meta["activation"] == "sigmoid"
    provenance = meta["provenance"]
    assert "first 500" in provenance["excluded"]
    assert provenance["train_images"] == 55_000
    assert provenance["test_accuracy"] >= 0.975


def test_shipped_weights_reach_the_target_on_the_test_set(mnist_dir, monkeypatch):
    from dataset.mnist import load_mnist

    monkeypatch.setenv("MNIST_DIR", str(mnist_dir))
    (_, _), (x_test, t_test) = load_mnist()
    score = accuracy(default_weights(), x_test, t_test)
    assert score >= 0.975
    assert score == pytest.approx(default_metadata()["provenance"]["test_accuracy"], abs=5e-5)
