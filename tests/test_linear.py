"""nn.linear (3.2.6: linear layers collapse into one) and nn.saturation (where sigmoid goes flat)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from nn import sigmoid
from nn.linear import collapse, linear, max_abs_difference, random_weights, stack
from nn.saturation import SATURATION_LIMIT, saturated_share


def test_three_scalar_layers_are_c_cubed():
    x = np.linspace(-5, 5, 11)
    h = linear(1.5)
    assert collapse([1.5, 1.5, 1.5]) == pytest.approx(3.375)
    np.testing.assert_allclose(stack(x, [h, h, h]), 3.375 * x, rtol=1e-15)


@given(st.lists(st.integers(1, 6), min_size=2, max_size=5), st.integers(0, 2**32 - 1))
def test_matrix_layers_equal_their_product(sizes: list[int], seed: int):
    weights = random_weights(sizes, seed)
    assert [w.shape for w in weights] == [(sizes[i], sizes[i + 1]) for i in range(len(sizes) - 1)]
    x = np.random.default_rng(seed).standard_normal((3, sizes[0]))
    layer_by_layer = stack(x, [linear(w) for w in weights])
    assert max_abs_difference(layer_by_layer, linear(collapse(weights))(x)) < 1e-12


def test_sigmoid_between_layers_breaks_the_shortcut():
    weights = random_weights((3, 4, 4, 2), seed=0)
    x = np.array([-1.0, 1.0, 2.0])
    h1, h2, h3 = (linear(w) for w in weights)
    with_sigmoid = stack(x, [h1, sigmoid, h2, sigmoid, h3])
    assert max_abs_difference(with_sigmoid, linear(collapse(weights))(x)) > 0.01


def test_random_weights_are_reproducible_and_scaled():
    first, again = random_weights((400, 300), 7), random_weights((400, 300), 7)
    np.testing.assert_array_equal(first[0], again[0])
    assert first[0].std() == pytest.approx(1 / np.sqrt(400), rel=0.05)


def test_stack_of_nothing_is_the_input():
    np.testing.assert_array_equal(stack([1, 2], []), [1.0, 2.0])


def test_saturated_share():
    a = np.array([-5.0, -4.0, 0.0, 3.9, 4.5, 100.0])
    assert saturated_share(a) == pytest.approx(3 / 6)  # |a| > 4, strictly
    assert saturated_share(a, limit=1.0) == pytest.approx(5 / 6)
    assert sigmoid(SATURATION_LIMIT) > 0.98  # the limit is where sigmoid is already flat
