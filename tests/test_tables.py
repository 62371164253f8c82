"""ui.tables: the Arrow table st.table would make of the same DataFrame, byte for byte, shown as st.table
would show that DataFrame."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from streamlit import dataframe_util

from ui.tables import array_rows, arrow_table, show_table

TABLES = {
    # Forward's 3.3.1 matrix: floats, one named row each.
    "floats, named rows": (
        ("column 0", "column 1"),
        ((1.0, 2.0), (3.0, 4.0), (5.5, -6.0)),
        ("row 0", "row 1", "row 2"),
    ),
    # Forward's steps: text only, no index of its own.
    "text": (
        ("Step", "Shapes", "Values"),
        (("A1 = np.dot(X, W1) + B1", "(2,) · (2, 3) → (3,)", "[0.3 0.7 1.1]"),),
        None,
    ),
    # MNIST's counts per digit and split: integers, named rows.
    "integers, named rows": (
        (*"0123456789", "Total"),
        (tuple(range(11)), tuple(range(11, 22))),
        ("train", "test"),
    ),
    # The perceptron's truth table: integers, text and emoji side by side.
    "mixed": (
        ("x₁", "x₂", "a", "y", "AND", ""),
        ((0, 1, "-0.50", "0", 0, "✅"), (1, 1, "0.50", "1", 1, "❌")),
        None,
    ),
}


@pytest.mark.parametrize(("columns", "rows", "index"), TABLES.values(), ids=TABLES.keys())
def test_the_arrow_table_is_the_one_streamlit_makes_of_the_dataframe(columns, rows, index):
    frame = pd.DataFrame(list(rows), columns=list(columns), index=index)
    sent = dataframe_util.convert_anything_to_arrow_bytes(arrow_table(columns, rows, index))
    assert sent == dataframe_util.convert_anything_to_arrow_bytes(frame)
    assert dataframe_util.has_range_index(frame) == (index is None)  # st.table's hide_index for the DataFrame


def test_one_content_is_built_once():
    columns, rows, index = TABLES["text"]
    assert arrow_table(columns, rows, index) is arrow_table(tuple(columns), tuple(rows), index)


@pytest.mark.parametrize(("columns", "rows", "index"), TABLES.values(), ids=TABLES.keys())
def test_a_shown_table_hides_its_index_exactly_when_streamlit_would(columns, rows, index):
    shown = []

    class Page:
        def table(self, data, hide_index):
            shown.append((data, hide_index))

    show_table(columns, rows, index, where=Page())
    frame = pd.DataFrame(list(rows), columns=list(columns), index=index)
    assert shown == [(arrow_table(columns, rows, index), dataframe_util.has_range_index(frame))]


def test_an_array_s_rows_are_tuples_of_python_numbers():
    assert array_rows(np.array([[1, 2], [3, 4]])) == ((1, 2), (3, 4))
    assert all(type(value) is float for row in array_rows(np.eye(2)) for value in row)
