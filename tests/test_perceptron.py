"""nn.perceptron (3.1.2-3.1.3): the gates of chapter 2 with a bias b, h() switched, and XOR out of reach."""

from __future__ import annotations

import numpy as np
import pytest

from nn import identity_function, perceptron, sigmoid

# (x1, x2) in the order of the book's truth tables.
INPUTS = np.array([[0, 0], [1, 0], [0, 1], [1, 1]])


@pytest.mark.parametrize(
    ("b", "w", "table"),
    [
        (-1.5, [1.0, 1.0], [0, 0, 0, 1]),  # AND, the page's preset
        (-0.7, [0.5, 0.5], [0, 0, 0, 1]),  # AND as chapter 2 writes it (theta = 0.7)
        (1.5, [-1.0, -1.0], [1, 1, 1, 0]),  # NAND
        (0.7, [-0.5, -0.5], [1, 1, 1, 0]),  # NAND, chapter 2
        (-0.5, [1.0, 1.0], [0, 1, 1, 1]),  # OR
        (-0.2, [0.5, 0.5], [0, 1, 1, 1]),  # OR, chapter 2
    ],
)
def test_the_gates_truth_tables(b, w, table):
    y = perceptron(INPUTS, w, b)
    np.testing.assert_array_equal(y, table)
    assert y.dtype.kind == "i"
    assert [int(perceptron(x, w, b)) for x in INPUTS] == table  # one input at a time, as the book loops


def test_the_sum_before_h_is_b_plus_w_dot_x():
    np.testing.assert_allclose(
        perceptron(INPUTS, [1.0, 1.0], -1.5, identity_function), [-1.5, -0.5, -0.5, 0.5]
    )


def test_sigmoid_turns_the_output_smooth_but_keeps_the_side_of_the_line():
    a = perceptron(INPUTS, [1.0, 1.0], -1.5, identity_function)
    y = perceptron(INPUTS, [1.0, 1.0], -1.5, sigmoid)
    np.testing.assert_allclose(y, 1 / (1 + np.exp(-a)))
    assert np.all((y > 0) & (y < 1))
    np.testing.assert_array_equal(y > 0.5, perceptron(INPUTS, [1.0, 1.0], -1.5) == 1)


def test_no_single_perceptron_computes_xor():
    # Every b, w1, w2 on the sliders' grid (-2 to 2 by 0.1) at once, one neuron per column as in W1:
    # three inputs of four at best, never four.
    grid = np.round(np.linspace(-2, 2, 41), 1)
    b, w1, w2 = (axis.ravel() for axis in np.meshgrid(grid, grid, grid, indexing="ij"))
    right = sum(
        perceptron(x, np.vstack([w1, w2]), b) == target
        for x, target in zip(INPUTS, [0, 1, 1, 0], strict=True)
    )
    assert right.max() == 3
    assert right.min() == 1
