"""Each page's "The book's code" in AppTest, in both languages: the book's code with the page's values,
what it prints, its figure; the np.int break and its fix; nothing runs while it is closed or unchanged."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from apptest_page import metric, open_page
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Block, Node

from ui import book, book_runner

NP_INT_ERROR = "AttributeError: module 'numpy' has no attribute 'int'."
FIX_COMMENT = {"en": "# the book: np.int", "ko": "# 책: np.int"}
STEP_TITLE = {"en": "Step function", "ko": "계단 함수"}
OUTPUT = {"en": "Output", "ko": "출력"}
BOOK_Y = "[0.31682708 0.69627909]"  # 3.4.3
BOOK_SIGMOID = "array([0.26894142, 0.73105858, 0.88079708])"  # 3.2.4, x = np.array([-1.0, 1.0, 2.0])
BOOK_ACCURACY = "Accuracy:0.9352"  # 3.6.2 and 3.6.3, with sample_weight.pkl

pytestmark = pytest.mark.usefixtures("mnist_dir_or_offline")


def blocks(node: Node) -> Iterator[Block]:
    """Every block (container) under node, node first."""
    if isinstance(node, Block):
        yield node
        for child in node.children.values():
            yield from blocks(child)


def book_box(at: AppTest, name: str) -> Block:
    """The open expander (or popover) "The book's code" of a demo: the one with the key book_<name>."""
    assert not at.exception, [e.value for e in at.exception]
    found = [block for block in blocks(at.main) if getattr(block.proto, "id", "").endswith(f"-book_{name}")]
    assert len(found) == 1, f"no book_{name} on the page"
    return found[0]


def codes(box: Block) -> list[str]:
    """The code blocks in the box, in order."""
    return [element.value for element in box.code]


def pictures(box: Block) -> int:
    """How many images the box shows (their PNG is checked in test_book_runner)."""
    return len(box.get("image"))


@pytest.fixture
def runs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The code texts the runner ran during the test, with the cache of runs emptied first."""
    ran: list[str] = []
    original = book_runner.run

    def counting(code: str, **options: object) -> book_runner.Output:
        ran.append(code)
        return original(code, **options)

    monkeypatch.setattr(book_runner, "run", counting)
    book._run.clear()
    yield ran
    book._run.clear()


def open_book(page: str, name: str, lang: str = "en", **state: object) -> AppTest:
    """The page with the book's code of one demo open (and its tab, if given as state)."""
    return open_page(page, lang=lang, **{f"book_{name}": True}, **state)


# --- 3.2 activation functions ------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_step_function_shows_the_np_int_break_its_fix_and_the_figure(lang):
    at = open_book("activations", "activations", lang)
    box = book_box(at, "activations")
    assert [error.value.endswith(f"`` {NP_INT_ERROR} ``") for error in box.error] == [True, True]
    assert "`y = y.astype(np.int)`" in box.error[0].value
    assert "`return np.array(x > 0, dtype=np.int)`" in box.error[1].value
    session, script = codes(box)
    assert ">>> x = np.array([-1.0, 1.0, 2.0])" in session  # the page's points, the book's x
    assert f">>> y = y.astype(int)  {FIX_COMMENT[lang]}\n>>> y\narray([0, 1, 1])" in session
    assert f"return np.array(x > 0, dtype=int)  {FIX_COMMENT[lang]}" in script
    assert "x = np.arange(-5.0, 5.0, 0.1)" in script  # the page's range, the book's grid
    assert f"plt.title('{STEP_TITLE[lang]}')" in script
    assert pictures(box) == 1


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_sigmoid_and_relu_tabs_print_and_draw(lang):
    at = open_book("activations", "activations", lang, book_activations_tab="sigmoid.py")
    box = book_box(at, "activations")
    session, script = codes(box)
    assert session.endswith(f">>> sigmoid(x)\n{BOOK_SIGMOID}")
    assert "def sigmoid(x):\n    return 1 / (1 + np.exp(-x))" in script
    assert (pictures(box), len(box.error)) == (1, 0)
    at.session_state["book_activations_tab"] = "relu.py"
    box = book_box(at.run(), "activations")
    [script] = codes(box)
    assert "plt.ylim(-1.0, 5.5)" in script
    assert (pictures(box), len(box.error)) == (1, 0)


def test_the_typed_points_and_the_range_enter_the_books_code():
    at = open_book("activations", "activations")
    at.text_input(key="activations_points").set_value("0, 100").run()
    at.slider(key="activations_range").set_value((-2.0, 3.5)).run()
    session, script = codes(book_box(at, "activations"))
    assert ">>> x = np.array([0.0, 100.0])" in session
    assert "array([0, 1])" in session
    assert "x = np.arange(-2.0, 3.5, 0.1)" in script


def test_unreadable_points_leave_only_the_figure():
    at = open_book("activations", "activations")
    at.text_input(key="activations_points").set_value("abc").run()
    box = book_box(at, "activations")
    [script] = codes(box)
    assert script.startswith("import numpy as np")
    assert pictures(box) == 1


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_comparison_draws_sig_step_compare(lang):
    box = book_box(open_book("activations", "comparison", lang), "comparison")
    [script] = codes(box)
    assert "plt.plot(x, y2, 'k--')" in script
    assert FIX_COMMENT[lang] in script
    assert len(box.error) == 1
    assert pictures(box) == 1


# --- 3.5 softmax -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_softmax_prints_the_books_numbers(lang):
    [session] = codes(book_box(open_book("softmax", "softmax", lang), "softmax"))
    assert ">>> a = np.array([0.3, 2.9, 4.0])" in session
    assert ">>> print(sum_exp_a)\n74.1221542101633\n" in session
    assert ">>> print(y)\n[0.01821127 0.24519181 0.73659691]\n" in session
    assert session.endswith(">>> softmax(a)\narray([0.01821127, 0.24519181, 0.73659691])")


def test_the_overflow_and_its_fix_with_the_books_1010():
    at = open_book("softmax", "softmax")
    at.button(key="softmax_preset_overflow").click().run()
    at.session_state["book_softmax_tab"] = "3.5.2"
    [session] = codes(book_box(at.run(), "softmax"))
    assert ">>> a = np.array([1010, 1000, 990])" in session  # whole numbers as the book writes them
    assert (
        ">>> np.exp(a) / np.sum(np.exp(a))\n"
        "RuntimeWarning: overflow encountered in exp\n"
        "RuntimeWarning: invalid value encountered in divide\n"
        "array([nan, nan, nan])\n"
    ) in session
    assert ">>> a - c\narray([  0, -10, -20])\n" in session
    assert session.endswith(">>> softmax(a)\narray([9.99954600e-01, 4.53978686e-05, 2.06106005e-09])")


# --- 3.3–3.4 forward pass -----------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_np_dot_of_the_chosen_shapes_and_numpys_error(lang):
    at = open_book("forward", "dot", lang)
    [session] = codes(book_box(at, "dot"))
    assert ">>> A.shape\n(2, 3)\n" in session
    assert session.endswith(">>> np.dot(A, B)\narray([[22, 28],\n       [49, 64]])")
    [mismatch] = [button for button in at.button if button.label.startswith("3.3.2: (2, 3) · (2, 2)")]
    mismatch.click().run()
    [session] = codes(book_box(at, "dot"))
    assert session.endswith("ValueError: shapes (2,3) and (2,2) not aligned: 3 (dim 1) != 2 (dim 0)")


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_three_layer_network_prints_the_books_y(lang):
    box = book_box(open_book("forward", "network", lang), "network")
    script, output = codes(box)
    assert "network['W1'] = np.array([[0.1, 0.3, 0.5], [0.2, 0.4, 0.6]])" in script
    assert "x = np.array([1.0, 0.5])" in script
    assert output == BOOK_Y
    assert OUTPUT[lang] in [caption.value for caption in box.caption]


def test_arrays_that_do_not_fit_show_the_books_error_not_a_traceback():
    at = open_book("forward", "network")
    at.text_area(key="forward_W2").input("0.1 0.4\n0.2 0.5").run()
    box = book_box(at, "network")
    [error] = box.error
    [script] = codes(box)  # the code, and no output
    line = script.splitlines().index("    a2 = np.dot(z1, W2) + b2") + 1
    assert f"line {line}, `a2 = np.dot(z1, W2) + b2`" in error.value
    assert "ValueError: shapes (3,) and (2,2) not aligned" in error.value


# --- 3.6 MNIST ----------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("fresh_data")
@pytest.mark.parametrize("lang", ["en", "ko"])
def test_mnist_show_prints_the_books_lines_for_the_chosen_image(any_data, lang):
    at = open_book("mnist_browser", "mnist", lang)
    box = book_box(at, "mnist")
    script, output = codes(box)
    assert "(x_train, t_train), (x_test, t_test) = load_mnist(flatten=True, normalize=False)" in script
    assert "img = x_train[0]" in script
    assert output == "5\n(784,)\n(28, 28)"  # as the book prints them
    assert pictures(box) == 1
    at.number_input(key="mnist_sample").set_value(3).run()
    script, output = codes(book_box(at, "mnist"))
    assert "img = x_train[3]" in script
    assert output.splitlines()[0] == metric(at, {"en": "Label", "ko": "레이블"}[lang])


# --- 3.6.2–3.6.3 batch evaluation ---------------------------------------------------------------------------


@pytest.mark.usefixtures("fresh_data", "full", "book_weights")
@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_books_loops_give_the_books_accuracy(lang):
    at = open_book("evaluate", "evaluation", lang, weights_kind="book")
    box = book_box(at, "evaluation")
    script, output = codes(box)
    assert "for i in range(len(x)):" in script
    assert output == BOOK_ACCURACY
    at.session_state["book_evaluation_tab"] = "neuralnet_mnist_batch.py"
    at.button(key="evaluate_preset_1000").click().run()
    script, output = codes(book_box(at, "evaluation"))
    assert "batch_size = 1000" in script
    assert output == BOOK_ACCURACY


# --- cost ---------------------------------------------------------------------------------------------------


def test_nothing_runs_while_the_book_is_closed(runs):
    at = open_page("activations")
    open_page("softmax")
    assert runs == []
    assert not at.code or all(">>>" not in block.value for block in at.code)


def test_a_rerun_with_the_same_values_runs_nothing_again(runs):
    at = open_book("activations", "activations")
    first = len(runs)
    assert first == 4  # the book's session and script, each as the book wrote it and with the fix
    at.run()
    at.toggle(key="activations_separate").set_value(True).run()
    assert len(runs) == first
    at.text_input(key="activations_points").set_value("3").run()
    assert len(runs) == first + 2  # the session with the new points, the book's and the fixed
    assert all("np.array([3.0])" in code for code in runs[first:])
