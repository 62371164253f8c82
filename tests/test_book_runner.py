"""The runner of the book's code (ui.book_runner) and the code it is given (ui.book_code): printed output,
figures as PNG, the book's np.int caught, errors kept, one run at a time, Korean text in a Korean font."""

from __future__ import annotations

import io
import threading
import warnings

import numpy as np
import pytest
from matplotlib import font_manager
from PIL import Image

from nn import init_network
from ui import book_code, book_runner
from ui.book_runner import run

PLOT = """
import numpy as np
import matplotlib.pylab as plt

x = np.arange(-5.0, 5.0, 0.1)
plt.plot(x, x > 0)
plt.show()
"""


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG, which must open as one."""
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    return image.size


def test_a_script_prints_into_its_output_not_to_stdout(capsys):
    output = run("print('hello')\nprint(np.array([1.0, 2.0]) * 2)")
    assert output.text == "hello\n[2. 4.]\n"
    assert output.error is None
    assert output.images == ()
    assert capsys.readouterr().out == ""


def test_a_session_echoes_expressions_and_numpys_warnings_like_the_interpreter():
    session = "a = np.array([1010, 1000, 990])\nnp.exp(a) / np.sum(np.exp(a))\nnp.max(a) - a"
    output = run(session, session=True)
    assert output.text == (
        ">>> a = np.array([1010, 1000, 990])\n"
        ">>> np.exp(a) / np.sum(np.exp(a))\n"
        "RuntimeWarning: overflow encountered in exp\n"
        "RuntimeWarning: invalid value encountered in divide\n"
        "array([nan, nan, nan])\n"
        ">>> np.max(a) - a\n"
        "array([ 0, 10, 20])\n"
    )


def test_a_session_shows_a_def_as_typed_and_goes_on_after_an_error():
    session = "def f(x):\n    return x + 1\nf(1)\nf('a')\nf(2)"
    output = run(session, session=True)
    assert output.text.startswith(">>> def f(x):\n...     return x + 1\n...\n>>> f(1)\n2\n")
    traceback = 'Traceback (most recent call last):\n  File "<stdin>", line 1, in <module>\nTypeError:'
    assert traceback in output.text
    assert output.text.endswith(">>> f(2)\n3\n")
    assert output.error.kind == "TypeError"


def test_plt_show_gives_the_figure_as_png_and_closes_it():
    plt = book_runner.pyplot()
    output = run(PLOT)
    [figure] = output.images
    assert png_size(figure) == (640, 480)  # matplotlib's default 6.4 x 4.8 inches at 100 dpi, as in the book
    assert plt.get_fignums() == []


def test_a_figure_never_shown_is_closed_with_the_run():
    plt = book_runner.pyplot()
    output = run("plt.plot([1, 2])\nraise ValueError('stopped before plt.show()')")
    assert output.images == ()
    assert str(output.error) == "ValueError: stopped before plt.show()"
    assert plt.get_fignums() == []


def test_pils_show_gives_the_image_enlarged_pixel_by_pixel():
    code = "from PIL import Image\nImage.fromarray(np.eye(28, dtype=np.uint8) * 255).show()"
    [image] = run(code).images
    assert png_size(image) == (280, 280)
    pixels = np.asarray(Image.open(io.BytesIO(image)))
    # Each pixel became a 10x10 block, without blur: the diagonal is white, beside it black.
    assert pixels[5, 5] == pixels[9, 9] == pixels[15, 15] == 255
    assert pixels[5, 15] == pixels[15, 5] == 0


def test_outside_a_run_pils_show_is_left_to_its_own_viewers():
    book_runner.pyplot()
    assert book_runner._CapturingViewer().show(Image.new("L", (28, 28))) == 0


def test_the_books_np_int_is_caught_with_its_line():
    snippet = book_code.step_script((-5.0, 5.0), "step")
    output = run(snippet.code, filename=snippet.filename)
    assert output.error.kind == "AttributeError"
    assert output.error.message.startswith("module 'numpy' has no attribute 'int'")
    assert output.error.source == "return np.array(x > 0, dtype=np.int)"
    assert snippet.code.splitlines()[output.error.line - 1].strip() == output.error.source
    assert output.images == ()


def test_the_book_functions_of_nn_are_in_the_namespace():
    output = run("print(step_function(np.array([-1.0, 1.0])), softmax(3.0), identity_function(2))")
    assert output.text == "[0 1] 1.0 2\n"


def test_a_failing_snippet_returns_its_error_and_what_it_printed_before():
    output = run("print('before')\nundefined_name + 1\nprint('after')", filename="broken.py")
    assert output.text == "before\n"
    assert str(output.error) == "NameError: name 'undefined_name' is not defined"
    assert (output.error.line, output.error.source) == (2, "undefined_name + 1")


def test_code_that_does_not_compile_is_an_error_too_and_the_next_run_is_unharmed():
    output = run("def broken(:\n    pass", filename="broken.py")
    assert output.error.kind == "SyntaxError"
    assert output.error.line == 1
    assert run("print(1)").text == "1\n"
    assert not book_runner.LOCK.locked()


def test_values_enter_the_namespace_and_each_run_starts_afresh():
    assert run("print(len(x))", values={"x": [1, 2, 3]}).text == "3\n"
    assert run("y = 1").error is None
    assert str(run("print(y)").error) == "NameError: name 'y' is not defined"


def test_the_code_runs_while_the_lock_is_held():
    assert run("print(locked())", values={"locked": book_runner.LOCK.locked}).text == "True\n"
    assert not book_runner.LOCK.locked()


def test_runs_at_once_from_many_threads_keep_their_own_output_and_figures():
    """pyplot is global: without the lock, one thread's plt.show() would take another's figure."""
    results: dict[int, book_runner.Output] = {}

    def draw(n: int) -> None:
        code = f"plt.figure(figsize=({n}, 2))\nplt.plot(np.arange({n}))\n"
        code += f"for _ in range(50): print({n})\nplt.show()"
        results[n] = run(code)

    threads = [threading.Thread(target=draw, args=(n,)) for n in range(2, 10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for n, output in results.items():
        assert output.text == f"{n}\n" * 50
        [figure] = output.images
        assert png_size(figure) == (n * 100, 200)
    assert len(results) == 8
    assert book_runner.pyplot().get_fignums() == []


def test_korean_text_is_drawn_in_a_korean_font_not_dejavu():
    """Fails when no Korean font is installed (Debian: fonts-noto-cjk, also in packages.txt)."""
    book_runner.pyplot()
    sans_serif = font_manager.FontProperties(family=["sans-serif"])
    path = font_manager.findfont(sans_serif, fallback_to_default=False)
    assert "DejaVu" not in path
    font = font_manager.get_font(path)
    assert all(font.get_char_index(ord(letter)) for letter in "계단함수시그모이드"), path
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        output = run("plt.title('계단 함수와 시그모이드 함수')\nplt.xlabel('입력 x')\nplt.show()")
    assert len(output.images) == 1
    missing = [str(w.message) for w in caught if "missing from font" in str(w.message)]
    assert not missing


@pytest.mark.parametrize(
    ("value", "whole", "written"),
    [
        (1.0, False, "1.0"),
        (1010.0, True, "1010"),
        (0.3, True, "0.3"),
        (-2, False, "-2"),
        (1e-7, True, "1e-07"),
    ],
)
def test_numbers_become_literals(value, whole, written):
    assert book_code.literal(value, whole=whole) == written


@pytest.mark.parametrize("value", [float("nan"), float("inf"), "1); import os; (", True, None])
def test_only_finite_numbers_become_code(value):
    with pytest.raises((TypeError, ValueError)):
        book_code.literal(value)


def test_arrays_are_written_as_the_book_writes_them():
    assert book_code.array(np.array([[0.1, 0.3], [0.2, 0.4]])) == "np.array([[0.1, 0.3], [0.2, 0.4]])"
    assert book_code.array(np.array([1010.0, 1000.0]), whole=True) == "np.array([1010, 1000])"
    with pytest.raises(TypeError):
        book_code.array(np.array(["x"]))


def test_a_split_is_one_of_two_names():
    assert "img = x_test[7]" in book_code.mnist_show("test", 7).code
    with pytest.raises(ValueError, match="no split"):
        book_code.mnist_show("train[0]; import os; x_train", 0)


def test_the_books_network_prints_the_books_numbers():
    snippet = book_code.network_script(np.array([1.0, 0.5]), init_network())
    assert run(snippet.code).text == "[0.31682708 0.69627909]\n"
