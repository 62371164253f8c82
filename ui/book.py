"""The book's code beside each demo: the page's values in the book's code, run, with its output and figure.

Each page calls one function here per demo. It draws a closed expander "The book's code"; only while it is
open does anything run, and then each piece of code runs once per distinct text (the page's values are in
the text) and set of data: a rerun with the same values is a cache hit.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
import streamlit as st
from numpy.typing import ArrayLike, NDArray
from streamlit.delta_generator import DeltaGenerator

from ui import book_code, data
from ui.book_code import Fix, Snippet
from ui.i18n import t

if TYPE_CHECKING:
    from ui.book_runner import Failure, Output

MAX_RUNS = 256  # a few figures per page times the values a class tries; a figure's PNG is about 30 kB


@st.cache_data(max_entries=MAX_RUNS, show_spinner=False)
def _run(
    code: str, session: bool, filename: str, data_key: str, _values: Mapping[str, object] | None
) -> Output:
    """The runner's output for this code text; `data_key` names what `_values` holds (not hashed).

    The runner is imported on the first run: matplotlib takes a server 1.4 s and 40 MB, which a server
    whose visitors never open the book's code does not spend.
    """
    from ui import book_runner

    return book_runner.run(code, session=session, filename=filename, values=_values)


def fixed(code: str, fix: Fix) -> str:
    """The code with today's word for the book's; a comment on each changed line says what the book wrote."""
    pattern = re.compile(rf"{re.escape(fix.old)}\b")
    note = t("book.fix_comment", old=fix.old)
    lines = [
        f"{pattern.sub(fix.new, line)}  # {note}" if pattern.search(line) else line
        for line in code.splitlines()
    ]
    return "\n".join(lines) + "\n"


def headline(error: Failure) -> str:
    """The error as the last line of Python's traceback begins: `AttributeError: module 'numpy' has no ...`.

    NumPy follows some messages with lines of advice; the fix shown below the error says the same in short.
    """
    return f"`` {str(error).splitlines()[0]} ``"  # two backticks: the message may hold one


def show(snippet: Snippet, data_key: str = "", values: Mapping[str, object] | None = None) -> None:
    """The snippet's code, what it printed and what it drew. Where today's NumPy refuses the book's code:
    the real error, the one-word fix, and the fixed code's run."""
    code = snippet.code
    output = _run(code, snippet.session, snippet.filename, data_key, values)
    st.caption(f"`{snippet.source}`")
    if snippet.fix and output.error:
        broken = t("book.breaks", numpy=np.__version__, source=output.error.source)
        st.error(f"{broken}\n\n{headline(output.error)}")
        fix = snippet.fix
        st.markdown(t("book.fix", old=fix.old, new=fix.new, removed_in=fix.removed_in))
        code = fixed(code, fix)
        output = _run(code, snippet.session, snippet.filename, data_key, values)
    if snippet.session:
        st.code(output.text, language="python")
    else:
        st.code(code, language="python")
        if output.text:
            st.caption(t("book.output"))
            st.code(output.text, language=None)
        if output.error:
            stops = t("book.stops", line=output.error.line, source=output.error.source)
            st.error(f"{stops}\n\n{headline(output.error)}")
    for image in output.images:
        st.image(image, output_format="PNG")


def expander(name: str, popover: bool = False) -> DeltaGenerator | None:
    """The closed expander "The book's code" (key book_<name>); the container while it is open, else None.

    In a narrow column, a popover instead: it opens wider than the column, so the code's lines fit.
    """
    container = st.popover if popover else st.expander
    box = container(t("book.expander"), key=f"book_{name}", on_change="rerun", icon=":material/menu_book:")
    if not box.open:
        return None
    box.caption(t("book.intro", numpy=np.__version__))
    return box


def tabs(name: str, labels: Sequence[str], draw: Sequence[Callable[[], None]]) -> None:
    """Tabs labelled with the book's file names; only the open one runs its code."""
    for tab, show_tab in zip(st.tabs(labels, key=f"book_{name}_tab", on_change="rerun"), draw, strict=True):
        if tab.open:
            with tab:
                show_tab()


# --- one function per demo ---------------------------------------------------------------------------------


def activations(x_range: tuple[float, float], points: NDArray[np.floating] | None) -> None:
    """3.2.3–3.2.7: step_function, sigmoid and relu at the prompt with the typed points, and their figures."""
    box = expander("activations")
    if box is None:
        return
    with box:
        st.caption(t("book.activations_values"))

        def step() -> None:
            if points is not None:
                show(book_code.step_session(points))
            show(book_code.step_script(x_range, t("book.title_step")))

        def sigmoid() -> None:
            if points is not None:
                show(book_code.sigmoid_session(points))
            show(book_code.sigmoid_script(x_range, t("book.title_sigmoid")))

        def relu() -> None:
            show(book_code.relu_script(x_range, t("book.title_relu")))

        tabs("activations", ("step_function.py", "sigmoid.py", "relu.py"), (step, sigmoid, relu))


def comparison(x_range: tuple[float, float]) -> None:
    """3.2.5: sigmoid and the step function on one figure, as sig_step_compare.py draws them."""
    box = expander("comparison")
    if box is not None:
        with box:
            show(book_code.compare_script(x_range, t("book.title_compare")))


def softmax(a: NDArray[np.floating]) -> None:
    """3.5.1–3.5.2: softmax as first written, its overflow, and the fix, with the typed logits."""
    box = expander("softmax")
    if box is None:
        return
    with box:
        st.caption(t("book.softmax_values"))
        tabs(
            "softmax",
            ("3.5.1", "3.5.2"),
            (lambda: show(book_code.softmax_session(a)), lambda: show(book_code.overflow_session(a))),
        )


def dot(A: ArrayLike, B: ArrayLike) -> None:
    """3.3.2–3.3.3: the chosen arrays, their shapes and np.dot (or NumPy's ValueError) at the prompt."""
    box = expander("dot")
    if box is not None:
        with box:
            st.caption(t("book.dot_values"))
            show(book_code.dot_session(A, B))


def network(x: ArrayLike, arrays: Mapping[str, ArrayLike]) -> None:
    """3.4.3: init_network() with the typed arrays, forward() and what it prints."""
    box = expander("network")
    if box is not None:
        with box:
            st.caption(t("book.network_values"))
            show(book_code.network_script(x, arrays))


def mnist_show(split: str, index: int) -> None:
    """3.6.1: mnist_show.py for the image chosen on the page, its picture where img_show() opens a window."""
    box = expander("mnist")
    if box is not None:
        source = data.mnist().source
        with box:
            st.caption(t("book.mnist_values", split=split, index=index, source=data.data_phrase(source)))
            show(book_code.mnist_show(split, index), data_key=source.description)


def evaluation(batch_size: int) -> None:
    """3.6.2–3.6.3: the book's accuracy loop, one image at a time and in batches of the page's size, on this
    page's test set and weights (each run once per batch size, weights and data)."""
    box = expander("evaluation", popover=True)
    if box is None:
        return
    mnist = data.mnist()
    weights = data.current_weights()
    x, labels, params = mnist.x_test, mnist.t_test, weights.params
    values = {"get_data": lambda: (x, labels), "init_network": lambda: params}
    data_key = f"{mnist.source.description} {weights.fingerprint}"
    with box:
        st.caption(t("book.evaluation_values", n=len(x), weights=weights.label))

        def run(snippet: Snippet) -> None:
            with st.spinner(t("book.running", n=len(x))):
                show(snippet, data_key, values)

        tabs(
            "evaluation",
            ("neuralnet_mnist.py", "neuralnet_mnist_batch.py"),
            (
                lambda: run(book_code.neuralnet_mnist()),
                lambda: run(book_code.neuralnet_mnist_batch(batch_size)),
            ),
        )
