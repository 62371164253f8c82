"""The book's chapter 3 functions give the book's numbers, and softmax holds its properties on any input."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from nn import (
    ACTIVATIONS,
    identity_function,
    leaky_relu,
    relu,
    sigmoid,
    softmax,
    softmax_naive,
    softmax_with_temperature,
    step_function,
    tanh,
)


def test_step_function_gives_integers_for_arrays_and_scalars():
    result = step_function(np.array([-1.0, 1.0, 2.0]))
    np.testing.assert_array_equal(result, [0, 1, 1])
    assert result.dtype.kind == "i"
    assert step_function(3.0) == 1
    assert step_function(-0.5) == 0
    assert step_function(0.0) == 0


def test_sigmoid_book_values():
    np.testing.assert_allclose(
        sigmoid(np.array([-1.0, 1.0, 2.0])), [0.26894142, 0.73105858, 0.88079708], atol=5e-9
    )
    assert sigmoid(0.0) == 0.5


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_has_no_overflow_warning_and_stays_in_range(dtype):
    x = np.array([-1e4, -1000.0, -100.0, 0.0, 100.0, 1e4], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = sigmoid(x)
    assert y.dtype == dtype
    assert np.all((y >= 0) & (y <= 1))
    assert y[0] < 1e-30
    assert y[-1] == 1.0


def test_sigmoid_does_not_modify_its_input():
    x = np.array([-3.0, 0.0, 3.0])
    sigmoid(x)
    np.testing.assert_array_equal(x, [-3.0, 0.0, 3.0])


def test_relu_identity_tanh_leaky_relu():
    x = np.array([-2.0, 0.0, 3.0])
    np.testing.assert_array_equal(relu(x), [0.0, 0.0, 3.0])
    np.testing.assert_array_equal(identity_function(x), x)
    np.testing.assert_allclose(tanh(x), np.tanh(x))
    np.testing.assert_allclose(leaky_relu(x), [-0.02, 0.0, 3.0])
    assert set(ACTIVATIONS) >= {"sigmoid", "step", "relu", "tanh", "identity"}


def test_softmax_book_values():
    np.testing.assert_allclose(
        softmax(np.array([0.3, 2.9, 4.0])), [0.01821127, 0.24519181, 0.73659691], atol=5e-9
    )


def test_softmax_overflow_case_naive_nan_stable_right():
    a = np.array([1010, 1000, 990])
    assert np.all(np.isnan(softmax_naive(a)))
    np.testing.assert_allclose(softmax(a), [9.99954600e-01, 4.53978686e-05, 2.06106005e-09], rtol=1e-6)


def test_softmax_works_on_the_last_axis_of_a_batch():
    batch = np.array([[0.3, 2.9, 4.0], [1010, 1000, 990]])
    y = softmax(batch)
    assert y.shape == (2, 3)
    np.testing.assert_allclose(y[0], softmax(batch[0]))
    np.testing.assert_allclose(y.sum(axis=1), [1.0, 1.0])


@pytest.mark.parametrize("function", [softmax, softmax_naive])
@pytest.mark.parametrize("a", [3.0, np.array(3.0), np.float32(-2.5), 7])
def test_softmax_of_a_scalar_is_one_like_the_books(function, a):
    y = function(a)
    assert np.ndim(y) == 0
    assert y == 1.0


def test_softmax_of_a_large_scalar_does_not_overflow():
    assert softmax(1010.0) == 1.0


def test_softmax_with_temperature():
    a = np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(softmax_with_temperature(a, 1.0), softmax(a))
    assert softmax_with_temperature(a, 10.0).max() < softmax(a).max() < softmax_with_temperature(a, 0.1).max()
    with pytest.raises(ValueError, match="positive"):
        softmax_with_temperature(a, 0.0)


logits = arrays(
    np.float64,
    st.tuples(st.integers(1, 4), st.integers(1, 12)),
    elements=st.floats(-1e4, 1e4, allow_nan=False, allow_infinity=False),
)


@given(logits)
def test_softmax_properties(a):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = softmax(a)
    assert np.all(np.isfinite(y))
    assert np.all((y >= 0) & (y <= 1))
    np.testing.assert_allclose(y.sum(axis=-1), 1.0, rtol=1e-9)
    # The order is kept: the largest logit has the largest probability.
    assert np.all(y[np.arange(len(a)), np.argmax(a, axis=-1)] == y.max(axis=-1))


@given(logits, st.floats(-1e3, 1e3))
def test_softmax_ignores_a_constant_shift(a, c):
    np.testing.assert_allclose(softmax(a + c), softmax(a), atol=1e-9)
