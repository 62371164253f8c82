"""ui.inputs.parse_array: arrays as the book writes them and as NumPy prints them; hostile text never runs."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from ui.inputs import MAX_CHARS, NumbersError, number_between, parse_array
from ui.urlstate import LinkValueError

BOOK_W1 = [[0.1, 0.3, 0.5], [0.2, 0.4, 0.6]]


@pytest.mark.parametrize(
    "text",
    [
        "[[0.1, 0.3, 0.5], [0.2, 0.4, 0.6]]",  # 3.4.2, as a Python list
        "np.array([[0.1, 0.3, 0.5], [0.2, 0.4, 0.6]])",
        "W1 = np.array([[0.1, 0.3, 0.5], [0.2, 0.4, 0.6]])",  # the book's whole line
        "array([[0.1, 0.3, 0.5], [0.2, 0.4, 0.6]])",  # without np.
        "numpy.array([[0.1, 0.3, 0.5],[0.2, 0.4, 0.6],])",
        "[[0.1 0.3 0.5]\n [0.2 0.4 0.6]]",  # print(W1)
        "array([[0.1, 0.3, 0.5],\n       [0.2, 0.4, 0.6]])",  # W1 at the prompt
        "0.1 0.3 0.5\n0.2 0.4 0.6",  # one row per line
        "0.1, 0.3, 0.5\n\n0.2, 0.4, 0.6\n",
    ],
)
def test_the_books_matrix_in_every_way_it_is_written(text):
    array = parse_array(text)
    assert array.dtype == np.float64
    np.testing.assert_array_equal(array, BOOK_W1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("np.array([1.0, 0.5])", [1.0, 0.5]),  # X of 3.4.2
        ("[1.  0.5]", [1.0, 0.5]),  # print(X)
        ("1.0 0.5", [1.0, 0.5]),
        ("[-1e-3, +2.5E2]", [-0.001, 250.0]),
    ],
)
def test_vectors(text, expected):
    array = parse_array(text)
    assert array.shape == (len(expected),)
    np.testing.assert_array_equal(array, expected)


def test_a_one_by_n_matrix_keeps_its_two_dimensions():
    assert parse_array("[[1.0, 0.5]]").shape == (1, 2)
    assert parse_array("[[1.0], [0.5]]").shape == (2, 1)


def test_integers_make_an_integer_array_as_numpy_does():
    array = parse_array("np.array([[1, 2], [3, 4], [5, 6]])")  # B of 3.3.1
    assert array.dtype == np.int64
    assert str(array) == "[[1 2]\n [3 4]\n [5 6]]"
    assert parse_array("[1, 2.0]").dtype == np.float64


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "at least one number"),
        ("[]", "at least one number"),
        ("[[], []]", "at least one number"),
        ("[[1, 2], [3]]", "different lengths (2, 1)"),
        ("1 2\n3", "different lengths (2, 1)"),
        ("[1, [2, 3]]", "Numbers and rows side by side"),
        ("[[1, 2], [3, 4]", "never closed: 1 “]” missing"),
        ("[[1, 2", "never closed: 2 “]” missing"),
        ("[1, 2]]", "a “]” too many"),
        ("1 2]", "a “]” too many"),
        ("[1, 2] 3", "but “3” follows"),
        ("[1 2]\n[3 4]", "put all the rows inside one pair of brackets"),
        ("[1,, 2]", "“,” does not belong here"),
        ("[, 1]", "“,” does not belong here"),
        ("np.array([1, 2]", "add “)” at the end"),
        ("np.array(1, 2)", "write a list in brackets"),
        ("(1, 2)", "“(” does not belong here"),
        ("[[[1]]]", "At most 2 levels of brackets"),
        ("[0.1, zero]", "“zero” is not a number"),
        ("[0.5]]", "a “]” too many"),
        ("[1e400]", "outside the range"),
        ("[nan, 1]", "outside the range"),
        ("[inf]", "outside the range"),
    ],
)
def test_what_cannot_be_read_is_explained(text, message):
    with pytest.raises(NumbersError) as caught:
        parse_array(text)
    assert message in str(caught.value)


@pytest.mark.parametrize(
    "text",
    [
        "np.array(__import__('os').listdir('.'))",
        "[__import__('os')]",
        "[1, 2] + [open('/etc/passwd').read()]",
        "exec('1')",
        "lambda: 0",
        "[1, 2]; import os",
        "np.array([1, 2]).tolist()",
        "np.zeros((3, 3))",
        "[float('nan')]",
        "[0x10]",
        "{1: 2}",
    ],
)
def test_code_is_never_run_only_refused(text):
    with pytest.raises(NumbersError):
        parse_array(text)


@pytest.mark.parametrize(
    "template",
    ["__import__('os').system('touch {path}')", "np.array([__import__('os').system('touch {path}')])"],
)
def test_a_command_in_the_text_does_not_run(tmp_path, template):
    witness = tmp_path / "ran"
    with pytest.raises(NumbersError):
        parse_array(template.format(path=witness))
    assert not witness.exists()


def test_deep_nesting_is_refused_at_the_third_bracket():
    with pytest.raises(NumbersError, match="At most 2 levels"):
        parse_array("[" * (MAX_CHARS - 1))


def test_huge_input_is_refused_before_it_is_read():
    with pytest.raises(NumbersError, match="10,000"):
        parse_array("1 " * MAX_CHARS)
    with pytest.raises(NumbersError, match="More than 20 numbers in a row"):
        parse_array("[" + ", ".join(["1"] * 21) + "]")
    with pytest.raises(NumbersError, match="More than 20 rows"):
        parse_array("[" + ", ".join(["[1]"] * 21) + "]")
    with pytest.raises(NumbersError, match="More than 20 rows"):
        parse_array("\n".join(["1"] * 21))


def test_many_threads_parse_at_once():
    # The server runs every session in a thread of its own; the parser keeps no state between calls.
    results, errors = [], []

    def work(seed: int) -> None:
        try:
            for k in range(200):
                text = f"[[{seed}, {k}], [{k}, {seed}]]"
                results.append(parse_array(text).sum() == 2 * (seed + k))
        except Exception as error:  # any failure at all is what this test reports
            errors.append(error)

    threads = [threading.Thread(target=work, args=(seed,)) for seed in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(results) == 1600
    assert all(results)


@pytest.mark.parametrize(("raw", "value"), [("-1.5", -1.5), ("0.25", 0.2), ("2", 2.0), ("-0.04", 0.0)])
def test_a_slider_value_from_a_link_is_rounded_to_its_step(raw, value):
    parsed = number_between(-2.0, 2.0, 0.1)(raw)
    assert parsed == value
    assert f"{parsed:g}" == f"{value:g}"  # written back into the link as typed: 0, not -0


@pytest.mark.parametrize("raw", ["abc", "2.1", "-9", "nan", "inf", "1,2", ""])
def test_a_slider_value_out_of_range_is_refused(raw):
    with pytest.raises(LinkValueError) as caught:
        number_between(-2.0, 2.0, 0.1)(raw)
    # from_url ignores it with a note that says what would have been valid.
    assert (caught.value.kind, caught.value.values) == ("number", {"low": "-2", "high": "2"})
