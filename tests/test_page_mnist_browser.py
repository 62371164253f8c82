"""The MNIST browser page (3.6.1) in AppTest: counts, the digit filter, paging, the link, load_mnist."""

from __future__ import annotations

import re

import pytest
from apptest_page import open_page
from streamlit.testing.v1 import AppTest

# The genuine MNIST (see ../shared/README.md): images per digit 0-9 in the training set.
TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
PER_PAGE = 40
SAMPLE_PER_DIGIT = 500
SHOWN = re.compile(r"row by row: ([\d ]+)$")

pytestmark = pytest.mark.usefixtures("fresh_data")


def shown_labels(at: AppTest) -> list[int]:
    """The labels of the thumbnails on the page, read from the sheet's alt text."""
    alt = at.image[0].proto.imgs[0].alt
    return [int(label) for label in SHOWN.search(alt).group(1).split()]


def counts(at: AppTest, split: str) -> list[int]:
    """Images per digit 0-9 in a split, from the page's counts table."""
    table = at.table[0].value
    return [int(n) for n in table.loc[split, [str(d) for d in range(10)]]]


def widgets(at: AppTest) -> tuple:
    """Split, digit, page and the large image's index, as the widgets hold them."""
    return (
        at.segmented_control(key="mnist_split").value,
        at.segmented_control(key="mnist_digit").value,
        at.number_input(key="mnist_page").value,
        at.number_input(key="mnist_sample").value,
    )


def test_full_mnist_counts(full):
    at = open_page("mnist_browser")
    assert counts(at, "train") == TRAIN_COUNTS
    table = at.table[0].value
    assert int(table.loc["train", "total"]) == 60_000
    assert int(table.loc["test", "total"]) == 10_000
    assert "offline sample" not in "\n".join(info.value for info in at.info)
    assert "x_train.shape (60000, 784)" in at.code[1].value


def test_the_offline_sample_says_so_and_counts_500_of_each_digit(offline):
    at = open_page("mnist_browser")
    note = "\n".join(info.value for info in at.info)
    assert "Offline sample, 5,000 images" in note
    assert "same" in note
    assert counts(at, "train") == counts(at, "test") == [SAMPLE_PER_DIGIT] * 10
    assert "x_train.shape (5000, 784)" in at.code[1].value


def test_the_first_page_shows_forty_images_and_the_first_large(any_data):
    at = open_page("mnist_browser")
    assert widgets(at) == ("train", "all", 1, 0)
    assert len(shown_labels(at)) == PER_PAGE
    assert at.metric[0].value == str(shown_labels(at)[0])


@pytest.mark.parametrize("digit", [0, 7])
def test_the_digit_filter_shows_only_that_digit(any_data, digit):
    at = open_page("mnist_browser")
    at.segmented_control(key="mnist_digit").set_value(digit).run()
    assert not at.exception
    assert shown_labels(at) == [digit] * PER_PAGE
    assert at.metric[0].value == str(digit)  # the large image follows the filter
    at.number_input(key="mnist_page").set_value(3).run()
    assert shown_labels(at) == [digit] * PER_PAGE
    assert at.query_params["mnist_digit"] == str(digit)
    assert at.query_params["mnist_page"] == "3"


def test_paging_moves_by_forty_and_the_large_image_follows(any_data):
    at = open_page("mnist_browser")
    at.number_input(key="mnist_page").set_value(2).run()
    assert widgets(at) == ("train", "all", 2, PER_PAGE)
    assert at.query_params["mnist_sample"] == str(PER_PAGE)
    assert f"x_train[{PER_PAGE}]" in at.code[0].value


def test_the_test_split_and_an_image_by_its_index(full):
    at = open_page("mnist_browser")
    at.segmented_control(key="mnist_split").set_value("test").run()
    at.number_input(key="mnist_sample").set_value(9_999).run()
    assert not at.exception
    assert widgets(at) == ("test", "all", 1, 9_999)
    assert "x_test[9999]" in at.code[0].value
    assert at.metric[0].value == "6"  # the last test image is a 6


def test_the_link_seeds_every_widget(full):
    at = open_page(
        "mnist_browser", {"mnist_split": "test", "mnist_digit": "3", "mnist_page": "2", "mnist_sample": "123"}
    )
    assert widgets(at) == ("test", 3, 2, 123)
    assert shown_labels(at) == [3] * PER_PAGE
    assert "x_test[123]" in at.code[0].value


@pytest.mark.parametrize(
    "query",
    [
        {"mnist_split": "validation"},
        {"mnist_digit": "x"},
        {"mnist_digit": "10"},
        {"mnist_page": "-4"},
        {"mnist_page": "two"},
        {"mnist_sample": "abc"},
        {"mnist_sample": "99999999"},
        {"mnist_split": "train", "mnist_digit": "all", "mnist_page": "1", "mnist_sample": "1" * 300},
    ],
)
def test_bad_link_values_are_ignored(any_data, query):
    at = open_page("mnist_browser", query)
    assert widgets(at) == ("train", "all", 1, 0)


def test_a_page_past_the_end_shows_the_last_page(full):
    at = open_page("mnist_browser", {"mnist_digit": "5", "mnist_page": "1000"})
    last = -(-TRAIN_COUNTS[5] // PER_PAGE)
    assert widgets(at)[:3] == ("train", 5, last)
    assert shown_labels(at) == [5] * (TRAIN_COUNTS[5] - (last - 1) * PER_PAGE)


def test_load_mnist_options_change_the_shapes_and_types(any_data):
    at = open_page("mnist_browser")
    n = 60_000 if any_data == "full" else 5_000
    code = at.code[1].value
    assert "normalize=True, flatten=True, one_hot_label=False" in code
    assert f"x_train.shape ({n}, 784)" in code
    assert "x_train.dtype float32" in code
    assert "t_train.dtype uint8" in code
    at.checkbox(key="mnist_normalize").uncheck()
    at.checkbox(key="mnist_flatten").uncheck()
    at.checkbox(key="mnist_one_hot_label").check().run()
    code = at.code[1].value
    assert f"x_train.shape ({n}, 1, 28, 28)" in code
    assert "x_train.dtype uint8" in code
    assert f"t_train.shape ({n}, 10)" in code
    assert "x_train[0].max() 255" in code


def test_the_page_speaks_korean(any_data):
    at = open_page("mnist_browser", {"lang": "ko"})
    assert at.title[0].value == "3.6.1 MNIST 데이터셋"
    assert list(at.table[0].value.index) == ["훈련", "시험"]
