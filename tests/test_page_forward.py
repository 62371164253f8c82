"""The Forward pass page (3.3–3.4, 3.6.3) in AppTest, and nn.forward_trace under it."""

from __future__ import annotations

import numpy as np
import pytest
from apptest_page import open_page
from streamlit.testing.v1 import AppTest

from nn import ShapeError, forward, forward_trace, init_network

BOOK_X = [1.0, 0.5]
# Printed in the book, 3.4.2-3.4.3.
BOOK_A1 = [0.3, 0.7, 1.1]
BOOK_Z1 = [0.57444252, 0.66818777, 0.75026011]
BOOK_Y = "[0.31682708 0.69627909]"

pytestmark = pytest.mark.usefixtures("mnist_dir_or_offline", "fresh_data")


def errors(at: AppTest) -> str:
    """Every error box on the page, as one text."""
    return "\n".join(error.value for error in at.error)


def button(at: AppTest, label: str):
    """The button whose label contains `label`."""
    return next(button for button in at.button if label in button.label)


def steps(at: AppTest):
    """The table of 3.4.2-3.4.3's steps: one row per step, the values as NumPy prints them."""
    return next(table.value for table in at.table if "Step (book code)" in table.value.columns)


def lab_session(at: AppTest) -> str:
    """The Python session the shape lab (3.3.2-3.3.3) prints."""
    return next(block.value for block in at.code if "np.dot(A, B)" in block.value)


def dimensions_session(at: AppTest) -> str:
    """The Python session of 3.3.1: the array, np.ndim and its shape."""
    return next(block.value for block in at.code if "np.ndim(" in block.value)


# --- nn.forward_trace ------------------------------------------------------------------------------------


def test_forward_trace_keeps_the_books_intermediate_values():
    trace = forward_trace(init_network(), BOOK_X)
    np.testing.assert_allclose(trace.a1, BOOK_A1, atol=1e-12)
    np.testing.assert_allclose(trace.z1, BOOK_Z1, atol=5e-9)
    np.testing.assert_array_equal(trace.y, trace.a3)  # the identity output layer
    np.testing.assert_array_equal(trace.y, forward(init_network(), BOOK_X))
    assert np.array2string(trace.y) == BOOK_Y


def test_forward_trace_names_the_layer_whose_shapes_do_not_fit():
    network = init_network() | {"W2": np.ones((2, 2))}
    with pytest.raises(ShapeError, match=r"Layer 2: np.dot\(Z1, W2\)") as caught:
        forward_trace(network, BOOK_X)
    assert (caught.value.operation, caught.value.left, caught.value.right) == ("dot", (3,), (2, 2))
    assert "not aligned" in caught.value.numpy


def test_forward_trace_refuses_a_bias_of_the_wrong_length():
    with pytest.raises(ShapeError, match="b3") as caught:
        forward_trace(init_network() | {"b3": np.zeros(3)}, BOOK_X)
    assert (caught.value.layer, caught.value.operation, caught.value.right) == (3, "bias", (3,))


def test_a_batch_of_inputs_gives_one_output_row_each():
    batch = forward_trace(init_network(), [BOOK_X, [0.0, 0.0], BOOK_X])
    assert batch.y.shape == (3, 2)
    np.testing.assert_array_equal(batch.y[0], batch.y[2])


# --- dimensions (3.3.1) ----------------------------------------------------------------------------------


def test_the_books_matrix_b_with_its_ndim_and_shape():
    at = open_page("forward")
    session = dimensions_session(at)
    assert ">>> B = np.array([[1, 2], [3, 4], [5, 6]])" in session
    assert ">>> print(B)\n[[1 2]\n [3 4]\n [5 6]]" in session
    assert ">>> np.ndim(B)\n2" in session
    assert ">>> B.shape\n(3, 2)" in session
    assert ">>> B.shape[0]\n3" in session
    assert ">>> B.shape[1]\n2" in session
    grid = at.table[0].value
    assert list(grid.index) == ["row 0", "row 1", "row 2"]
    assert list(grid.columns) == ["column 0", "column 1"]


def test_the_books_vector_a_has_a_shape_of_one_number():
    at = open_page("forward")
    button(at, "1-D: [1, 2, 3, 4]").click().run()
    session = dimensions_session(at)
    assert ">>> np.ndim(A)\n1" in session
    assert ">>> A.shape\n(4,)" in session
    assert ">>> A.shape[0]\n4" in session
    assert "B.shape[1]" not in session


def test_an_array_the_learner_writes_is_measured_or_explained():
    at = open_page("forward")
    at.text_area(key="forward_dims").input("np.array([[0.1, 0.3, 0.5], [0.2, 0.4, 0.6]])").run()
    assert ">>> B.shape\n(2, 3)" in dimensions_session(at)
    at.text_area(key="forward_dims").input("[[1, 2], [3, 4, 5]]").run()
    assert not at.exception
    assert "different lengths (2, 3)" in errors(at)


# --- the shape lab (3.3) ---------------------------------------------------------------------------------


def test_the_lab_starts_with_the_books_2x3_times_3x2():
    at = open_page("forward")
    session = lab_session(at)
    assert "array([[22, 28],\n       [49, 64]])" in session
    assert "(2, 2)" in at.success[0].value


def test_shapes_that_do_not_align_show_numpys_own_message():
    at = open_page("forward")
    at.number_input(key="forward_b_rows").set_value(2).run()
    assert not at.exception
    assert "shapes (2,3) and (2,2) not aligned: 3 (dim 1) != 2 (dim 0)" in errors(at)
    assert "ValueError: shapes (2,3) and (2,2) not aligned" in lab_session(at)


def test_the_vector_preset_is_the_33_3_example():
    at = open_page("forward")
    button(at, "3.3.3").click().run()
    assert at.checkbox(key="forward_a_vector").value
    assert "(2,) · (2, 3) → (3,)" in at.success[0].value
    assert "A = np.array([1, 2])" in lab_session(at)


# --- the 3-layer network (3.4) --------------------------------------------------------------------------


def test_the_book_network_ends_at_the_books_numbers():
    at = open_page("forward")
    assert at.metric[0].value == BOOK_Y
    table = steps(at)
    assert table.iloc[0, 2] == np.array2string(np.array(BOOK_A1))
    assert table.iloc[-1, 2] == BOOK_Y
    assert table.iloc[0, 1] == "(2,) · (2, 3) + (3,) → (3,)"


def test_an_edited_input_changes_every_step():
    at = open_page("forward")
    at.text_area(key="forward_X").input("[0. 0.]").run()
    expected = np.array2string(forward(init_network(), [0.0, 0.0]))
    assert at.metric[0].value == expected != BOOK_Y


def test_a_weight_matrix_of_the_wrong_shape_gives_a_message_not_a_traceback():
    at = open_page("forward")
    at.text_area(key="forward_W2").input("0.1 0.4\n0.2 0.5").run()
    assert not at.exception
    message = errors(at)
    assert "Layer 2" in message
    assert "(3,)" in message
    assert "(2, 2)" in message
    assert "shapes (3,) and (2,2) not aligned" in message
    assert not at.metric


@pytest.mark.parametrize(
    ("text", "reason"),
    [("0.1 zero", "not a number"), ("0.1 0.2\n0.3", "different lengths"), ("", "at least one number")],
)
def test_unreadable_text_is_explained(text, reason):
    at = open_page("forward")
    at.text_area(key="forward_W1").input(text).run()
    assert not at.exception
    assert reason in errors(at)


def test_arrays_written_as_the_books_code_gives_the_books_output():
    at = open_page("forward")
    at.text_area(key="forward_X").input("X = np.array([1.0, 0.5])").run()
    at.text_area(key="forward_W1").input("[[0.1, 0.3, 0.5], [0.2, 0.4, 0.6]]").run()
    at.text_area(key="forward_b1").input("np.array([0.1, 0.2, 0.3])").run()
    at.text_area(key="forward_W2").input("array([[0.1, 0.4], [0.2, 0.5], [0.3, 0.6]])").run()
    assert not at.error
    assert at.metric[0].value == BOOK_Y


def test_an_unclosed_bracket_is_explained():
    at = open_page("forward")
    at.text_area(key="forward_W1").input("[[0.1, 0.3, 0.5], [0.2, 0.4, 0.6]").run()
    assert "W1: A “[” is never closed: 1 “]” missing at the end." in errors(at)
    assert any("appears once the arrays below are readable" in info.value for info in at.info)


def test_the_diagram_names_every_weight_and_bias_with_its_value():
    at = open_page("forward")
    [chart] = at.get("graphviz_chart")
    dot = chart.proto.spec
    assert "w⁽¹⁾₁₂\\n0.2" in dot  # from x₂ to the first neuron of layer 1: W1[1, 0]
    assert "w⁽¹⁾₂₁\\n0.3" in dot  # from x₁ to the second: W1[0, 1]
    assert "b⁽¹⁾₁\\n0.1" in dot
    assert "b⁽³⁾₂\\n0.2" in dot
    assert dot.count('class="weight"') == 6 + 3 + 6 + 2 + 4 + 2
    assert dot.count('label="1"') == 3  # a bias neuron in every layer but the output
    assert "z⁽¹⁾₁\\n0.574" in dot
    assert "y₂\\n0.696" in dot
    [equation] = [latex.value for latex in at.latex if "a^{(1)}_1 =" in latex.value]
    assert "= 0.1 \\cdot 1 + 0.2 \\cdot 0.5 + 0.1 = 0.3" in equation  # a⁽¹⁾₁ of 3.4.2


def test_a_batch_of_inputs_has_no_diagram_but_its_steps():
    at = open_page("forward")
    at.text_area(key="forward_X").input("[[1.0, 0.5], [0.0, 0.0]]").run()
    assert not at.get("graphviz_chart")
    assert any("a batch of inputs" in info.value for info in at.info)
    assert steps(at).iloc[-1, 1] == "(2, 2) → (2, 2)"


def test_the_reset_button_brings_back_the_books_values():
    at = open_page("forward")
    at.text_area(key="forward_b1").input("1 1 1").run()
    assert at.metric[0].value != BOOK_Y
    button(at, "book's values").click().run()
    assert at.metric[0].value == BOOK_Y


# --- the MNIST network's shapes (3.6.3) -------------------------------------------------------------------


def test_the_mnist_shapes_come_from_the_real_weights_and_a_batch_from_the_link():
    at = open_page("forward", {"forward_batch": "7"})
    assert at.number_input(key="forward_batch").value == 7
    text = "\n".join(block.value for block in at.markdown)
    assert "X (**:green[784]**,) · W1 (**:green[784]**, 50) → A1 (50,)" in text
    assert "X (7, **:green[784]**) · W1 (**:green[784]**, 50) → A1 (7, 50)" in text
    assert "Y = softmax(A3) → **(7, 10)**" in text
    assert at.query_params["forward_batch"] == "7"


@pytest.mark.parametrize("value", ["abc", "0", "-3", "10001", "1e9"])
def test_a_bad_batch_in_the_link_is_ignored(value):
    at = open_page("forward", {"forward_batch": value})
    assert at.number_input(key="forward_batch").value == 100
