"""The Softmax page (3.5) in AppTest: the book's printed numbers, the overflow and its fix, checks, links."""

from __future__ import annotations

import numpy as np
import pytest
from apptest_page import code_line, metric, open_page
from streamlit.testing.v1 import AppTest

# As the book prints them (3.5.1, 3.5.2), in the NumPy 2 layout of print(y).
BOOK_SOFTMAX = "[0.01821127 0.24519181 0.73659691]"
BOOK_OVERFLOW_NAIVE = "[nan nan nan]"
BOOK_OVERFLOW_STABLE = "[9.99954600e-01 4.53978686e-05 2.06106005e-09]"
SOFTMAX_123 = "[0.09003057 0.24472847 0.66524096]"  # softmax([1, 2, 3]), the usual worked example

pytestmark = pytest.mark.usefixtures("mnist_dir_or_offline")  # the sidebar loads MNIST on every page


def logits(at: AppTest, text: str) -> AppTest:
    """Type into the logits box and rerun."""
    at.text_input(key="softmax_logits").set_value(text).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def printed(at: AppTest, name: str) -> np.ndarray:
    """A printed array read back as numbers."""
    return np.array([float(v) for v in code_line(at, name).strip("[]").split()])


def test_defaults_print_the_books_numbers():
    at = open_page("softmax")
    assert at.text_input(key="softmax_logits").value == "0.3, 2.9, 4.0"
    assert code_line(at, "a") == "[0.3 2.9 4. ]"
    assert code_line(at, "softmax(a)") == BOOK_SOFTMAX
    assert code_line(at, "softmax_naive(a)") == BOOK_SOFTMAX
    assert code_line(at, "identity_function(a)") == "[0.3 2.9 4. ]"
    assert not at.error
    assert not at.warning


def test_checks_show_the_sum_and_the_argmax():
    at = open_page("softmax")
    assert metric(at, "sum of softmax(a)") == "1.0"
    assert metric(at, "argmax of a") == "2"
    assert metric(at, "argmax of softmax(a)") == "2"
    texts = " ".join(m.value for m in at.markdown)
    assert "The order is kept" in texts
    assert "(here 1.0)" in texts


def test_overflow_preset_breaks_the_naive_formula_but_not_the_stable_one():
    at = open_page("softmax")
    at.button(key="softmax_preset_overflow").click().run()
    assert not at.exception
    assert at.text_input(key="softmax_logits").value == "1010, 1000, 990"
    assert code_line(at, "softmax_naive(a)") == BOOK_OVERFLOW_NAIVE
    assert code_line(at, "softmax(a)") == BOOK_OVERFLOW_STABLE
    [error] = at.error
    assert "RuntimeWarning: overflow encountered in exp" in error.value
    assert at.query_params["softmax_logits"] == "1010, 1000, 990"
    at.button(key="softmax_preset_book").click().run()
    assert code_line(at, "softmax(a)") == BOOK_SOFTMAX
    assert not at.error


def test_typing_logits_changes_every_output_and_the_link():
    at = logits(open_page("softmax"), "1, 2, 3")
    assert code_line(at, "softmax(a)") == SOFTMAX_123
    assert code_line(at, "identity_function(a)") == "[1. 2. 3.]"
    assert at.query_params["softmax_logits"] == "1, 2, 3"


def test_underflow_also_breaks_the_naive_formula():
    at = logits(open_page("softmax"), "-1000, -1001")
    assert code_line(at, "softmax_naive(a)") == "[nan nan]"
    assert code_line(at, "softmax(a)") == "[0.73105858 0.26894142]"
    assert len(at.error) == 1


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("abc", "“abc” is not a number"),
        ("1, 2, x3", "“x3” is not a number"),
        ("", "at least one number"),
        ("1e7, 1", "between -1,000,000 and 1,000,000"),
        ("nan", "between -1,000,000 and 1,000,000"),
        (", ".join(["1"] * 21), "at most 20"),
    ],
)
def test_bad_input_warns_without_a_traceback(text: str, reason: str):
    at = logits(open_page("softmax"), text)
    [warning] = at.warning
    assert reason in warning.value
    assert not at.code
    assert at.query_params["softmax_logits"] == "0.3, 2.9, 4.0"  # the link keeps the last good numbers


def test_the_limits_are_stated_and_the_largest_allowed_values_work():
    at = open_page("softmax")
    assert any("Up to 20 numbers" in c.value and "1,000,000" in c.value for c in at.caption)
    at = logits(at, ", ".join(["1e6"] * 10 + ["-1e6"] * 10))
    assert not at.warning
    assert metric(at, "sum of softmax(a)") in ("1.0", "0.9999999999999999", "1.0000000000000002")


def test_ties_that_rounding_creates_are_explained():
    at = logits(open_page("softmax"), "0, 1e-17")
    assert metric(at, "argmax of a") == "1"
    assert metric(at, "argmax of softmax(a)") == "0"
    assert any("argmax differs" in m.value for m in at.markdown)


def test_link_seeds_the_logits_and_the_temperature():
    at = open_page("softmax", {"softmax_logits": "1,2,3", "softmax_temperature": "10.0"})
    assert at.text_input(key="softmax_logits").value == "1,2,3"
    assert code_line(at, "softmax(a)") == SOFTMAX_123
    assert at.select_slider(key="softmax_temperature").value == 10.0
    assert printed(at, "softmax_with_temperature(a, T=10)").max() < printed(at, "softmax(a)").max()


def test_bad_link_values_fall_back_to_the_defaults():
    at = open_page("softmax", {"softmax_logits": "abc", "softmax_temperature": "3.7"})
    assert at.text_input(key="softmax_logits").value == "0.3, 2.9, 4.0"
    assert at.select_slider(key="softmax_temperature").value == 2.0
    assert len(at.toast) == 2


def test_temperature_one_is_the_books_softmax_and_high_temperature_flattens():
    at = open_page("softmax")
    at.select_slider(key="softmax_temperature").set_value(1.0).run()
    assert code_line(at, "softmax_with_temperature(a, T=1)") == BOOK_SOFTMAX
    at.select_slider(key="softmax_temperature").set_value(0.1).run()
    sharp = printed(at, "softmax_with_temperature(a, T=0.1)")
    at.select_slider(key="softmax_temperature").set_value(10.0).run()
    flat = printed(at, "softmax_with_temperature(a, T=10)")
    assert sharp.argmax() == flat.argmax() == 2  # the order never changes
    assert sharp.max() > 0.99 > 0.5 > flat.max()
    assert at.query_params["softmax_temperature"] == "10.0"
    assert any("beyond the book" in s.value for s in at.subheader)


def test_charts_are_drawn_and_the_page_speaks_korean():
    at = open_page("softmax", lang="ko")
    assert at.title[0].value == "3.5 출력층 설계하기"
    assert len(at.get("vega_lite_chart")) == 5
    assert code_line(at, "softmax(a)") == BOOK_SOFTMAX
