"""The Activation functions page (3.2) in AppTest: the book's values, links, non-linearity, saturation."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from apptest_page import code_line, metric, open_page
from streamlit.testing.v1 import AppTest

from dataset.mnist import clear_cache

# As the book prints them (3.2.3, 3.2.4, 3.2.7) for x = np.array([-1.0, 1.0, 2.0]), in NumPy 2's layout.
BOOK_STEP = "[0 1 1]"
BOOK_SIGMOID = "[0.26894142 0.73105858 0.88079708]"
BOOK_RELU = "[0. 1. 2.]"
SHARE_LABEL = "a1 values with |a| > {limit:g}"

pytestmark = pytest.mark.usefixtures("mnist_dir_or_offline")


def share(at: AppTest, limit: float) -> float:
    """The saturated share of a1 shown on the page, as a fraction."""
    return float(metric(at, SHARE_LABEL.format(limit=limit)).removesuffix("%")) / 100


def points(at: AppTest, text: str) -> AppTest:
    """Type points and rerun."""
    at.text_input(key="activations_points").set_value(text).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_defaults_print_the_books_values():
    at = open_page("activations")
    assert at.multiselect(key="activations_functions").value == ["step", "sigmoid", "relu"]
    assert at.slider(key="activations_range").value == (-5.0, 5.0)
    assert code_line(at, "x") == "[-1.  1.  2.]"
    assert code_line(at, "step_function(x)") == BOOK_STEP
    assert code_line(at, "sigmoid(x)") == BOOK_SIGMOID
    assert code_line(at, "relu(x)") == BOOK_RELU
    assert len(at.latex) >= 3


def test_points_and_functions_change_the_values():
    at = points(open_page("activations"), "0, 100")
    assert code_line(at, "step_function(x)") == "[0 1]"
    assert code_line(at, "sigmoid(x)") == "[0.5 1. ]"
    at.multiselect(key="activations_functions").set_value(["tanh", "leaky_relu"]).run()
    assert code_line(at, "leaky_relu(x)") == "[  0. 100.]"
    assert code_line(at, "tanh(x)") == "[0. 1.]"
    with pytest.raises(AssertionError):
        code_line(at, "sigmoid(x)")


@pytest.mark.parametrize(
    ("text", "reason"),
    [("abc", "“abc” is not a number"), ("1, 2e9", "between -1,000,000 and 1,000,000"), ("", "at least one")],
)
def test_bad_points_warn_without_a_traceback(text: str, reason: str):
    at = points(open_page("activations"), text)
    [warning] = at.warning
    assert reason in warning.value
    assert any("valid points" in i.value for i in at.info)  # the matrices demo waits for valid points
    assert at.query_params["activations_points"] == "-1, 1, 2"


def test_link_seeds_functions_range_and_points():
    query = {
        "activations_functions": "identity,tanh",
        "activations_range": "-2,3",
        "activations_points": "0.5",
    }
    at = open_page("activations", query)
    assert at.multiselect(key="activations_functions").value == ["identity", "tanh"]
    assert at.slider(key="activations_range").value == (-2.0, 3.0)
    assert code_line(at, "identity_function(x)") == "[0.5]"
    assert code_line(at, "tanh(x)") == "[0.46211716]"


def test_widgets_write_the_link():
    at = open_page("activations")
    at.multiselect(key="activations_functions").set_value(["sigmoid"]).run()
    at.slider(key="activations_range").set_value((-8.0, 2.5)).run()
    assert at.query_params["activations_functions"] == "sigmoid"
    assert at.query_params["activations_range"] == "-8,2.5"


def test_bad_link_values_fall_back_to_the_defaults():
    at = open_page("activations", {"activations_functions": "sigmoid,softplus", "activations_range": "3,-3"})
    assert at.multiselect(key="activations_functions").value == ["step", "sigmoid", "relu"]
    assert at.slider(key="activations_range").value == (-5.0, 5.0)
    assert len(at.toast) == 2


def test_overlay_or_one_chart_per_function():
    at = open_page("activations")
    overlaid = len(at.get("vega_lite_chart"))
    at.toggle(key="activations_separate").set_value(True).run()
    assert len(at.get("vega_lite_chart")) == overlaid + 2  # three charts instead of one
    at.multiselect(key="activations_functions").set_value([]).run()
    assert any("at least one function" in i.value for i in at.info)


def test_linear_layers_collapse_into_one():
    at = open_page("activations")
    at.slider(key="activations_c").set_value(2.0).run()
    assert any(r"c^3 x = 8\,x" in formula.value for formula in at.latex)
    gap = re.search(r"two lines over the plotted x: (\S+)\.", " ".join(c.value for c in at.caption))
    assert gap is not None
    assert float(gap.group(1)) == 0.0  # powers of two multiply exactly


def test_weight_matrices_collapse_up_to_rounding():
    at = open_page("activations")
    first = code_line(at, "x·W")
    assert code_line(at, "((x·W1)·W2)·W3") == first
    assert float(metric(at, "max |difference|")) < 1e-14
    broken = re.search(r"the result is (\S+) away from x·W", " ".join(m.value for m in at.markdown))
    assert broken is not None
    assert float(broken.group(1)) > 1e-3  # with sigmoid between the layers, W1·W2·W3 no longer stands in
    at.button(key="activations_new_weights").click().run()
    assert code_line(at, "x·W") != first
    assert float(metric(at, "max |difference|")) < 1e-14


def test_saturation_share_falls_as_the_limit_grows():
    at = open_page("activations")
    shares = []
    for limit in (1.0, 4.0, 8.0):
        at.slider(key="activations_limit").set_value(limit).run()
        shares.append(share(at, limit))
    assert 1 >= shares[0] > shares[1] > shares[2] >= 0
    assert any("below 0.000 or above 1.000" in c.value for c in at.caption)  # sigmoid(±8) to 3 decimals


@pytest.mark.usefixtures("book_weights")
def test_saturation_depends_on_the_weights():
    ours = share(open_page("activations"), 4.0)
    book = share(open_page("activations", weights_kind="book"), 4.0)
    assert ours != book


@pytest.fixture
def sample_only(offline: None, fresh_data: None) -> Iterator[None]:
    """No MNIST folder at all: the offline sample, loaded afresh and dropped afterwards."""
    clear_cache()
    yield
    clear_cache()


@pytest.mark.usefixtures("sample_only")
def test_the_offline_sample_is_named():
    at = open_page("activations")
    assert any("offline sample" in i.value for i in at.info)
    assert 0 < share(at, 4.0) < 1


def test_korean():
    at = open_page("activations", lang="ko")
    assert at.title[0].value == "3.2 활성화 함수"
    assert code_line(at, "sigmoid(x)") == BOOK_SIGMOID
