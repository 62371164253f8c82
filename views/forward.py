"""3.3–3.4 Forward pass: np.dot's shape rule, the book's 3-layer network step by step, MNIST's shapes."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from types import MappingProxyType

import numpy as np
import streamlit as st
from numpy.typing import NDArray

from nn import ShapeError, Trace, forward_trace, init_network, predict_trace
from nn.network import layer_input
from ui import book, data
from ui.charts import DIGIT_COLOURS
from ui.diagrams import Diagram, Edge, Neuron, draw, network_dot, sub, sup
from ui.i18n import language, t
from ui.inputs import NumbersError, parse_array
from ui.once import once
from ui.reading import remembered
from ui.tables import array_rows, show_table
from ui.urlstate import from_url, int_between, to_url

BOOK_X = np.array([1.0, 0.5])
# The two arrays of 3.3.1, written as the book writes them.
DIMENSION_EXAMPLES = {"vector": "[1, 2, 3, 4]", "matrix": "[[1, 2], [3, 4], [5, 6]]"}
NAMES = ("X", "W1", "b1", "W2", "b2", "W3", "b3")
SHAPE_KEYS = ("forward_a_vector", "forward_a_rows", "forward_a_cols", "forward_b_rows", "forward_b_cols")
# (A is 1-D, A rows, A cols, B rows, B cols): the three examples of 3.3.2-3.3.3.
PRESETS = {
    "preset_match": (False, 2, 3, 3, 2),
    "preset_mismatch": (False, 2, 3, 2, 2),
    "preset_vector": (True, 1, 2, 2, 3),
}
LAYER_COLOURS = (DIGIT_COLOURS[0], DIGIT_COLOURS[1], DIGIT_COLOURS[4], DIGIT_COLOURS[2])


# --- 3.3.1 dimensions -----------------------------------------------------------------------------------


def set_dimensions_array(text: str) -> None:
    """Put one of the book's two arrays of 3.3.1 into the text area."""
    st.session_state["forward_dims"] = text


@st.fragment
def dimensions_lab() -> None:
    """3.3.1: an array the learner writes, with np.ndim, shape and shape[0] as the book prints them."""
    st.header(t("forward.dims_header"))
    st.session_state.setdefault("forward_dims", DIMENSION_EXAMPLES["matrix"])
    # NumPy's answer beside the words, from the top: whole on a 1024 x 768 projector screen.
    left, right = st.columns(2)
    with left:
        st.markdown(t("forward.dims_intro"))
        # Rows of buttons and of number inputs are horizontal containers, not columns: each column is a
        # message of its own on every run of the page.
        buttons = st.container(horizontal=True)
        for name, text in DIMENSION_EXAMPLES.items():
            label = t(f"forward.dims_{name}", text=text)
            buttons.button(label, on_click=set_dimensions_array, args=(text,), width="stretch")
        st.text_area(t("forward.dims_array"), key="forward_dims", height="content", help=t("forward.syntax"))
        try:
            array = parse_array(st.session_state["forward_dims"])
        except NumbersError as error:
            st.error(str(error))
            return
        # As in the book: A for the vector, B for the matrix.
        name = "A" if array.ndim == 1 else "B"
        if array.ndim == 1:
            st.markdown(t("forward.dims_is_vector", name=name, count=array.shape[0]))
        else:
            st.markdown(t("forward.dims_is_matrix", name=name, rows=array.shape[0], cols=array.shape[1]))
            rows = tuple(t("forward.row_number", index=i) for i in range(array.shape[0]))
            cols = tuple(t("forward.col_number", index=j) for j in range(array.shape[1]))
            show_table(cols, array_rows(array), rows)
    # NumPy's printing once per array typed: a language switch, or another section's rerun, reuses it.
    printed = remembered("forward_dims_printed", lambda: str(array), st.session_state["forward_dims"])
    session = [
        (f"{name} = np.array({array.tolist()})", ""),
        (f"print({name})", printed),
        (f"np.ndim({name})", str(np.ndim(array))),
        (f"{name}.shape", str(array.shape)),
        (f"{name}.shape[0]", str(array.shape[0])),
    ]
    if array.ndim == 2:
        session.append((f"{name}.shape[1]", str(array.shape[1])))
    right.code(repl(session), language="python", wrap_lines=True)


# --- 3.3.2-3.3.3 the shape lab ----------------------------------------------------------------------------


def book_matrix(shape: tuple[int, ...]) -> NDArray[np.int64]:
    """1, 2, 3 ... filled row by row, as the book writes its examples (np.array([[1, 2, 3], [4, 5, 6]]))."""
    return np.arange(1, int(np.prod(shape)) + 1).reshape(shape)


def shape_markup(shape: tuple[int, ...], inner: int, colour: str, latex: bool = False) -> str:
    """A shape as the book prints it, (2, 3), with the dimension np.dot pairs up coloured and bold, in
    Streamlit's markdown or in LaTeX."""

    def mark(n: int) -> str:
        return rf"\mathbf{{\color{{{colour}}}{{{n}}}}}" if latex else f"**:{colour}[{n}]**"

    parts = [mark(n) if i == inner % len(shape) else str(n) for i, n in enumerate(shape)]
    return f"({', '.join(parts)}{',' if len(shape) == 1 else ''})"


def repl(lines: list[tuple[str, str]]) -> str:
    """A Python session as the book shows it: `>>> code` and the printed answer under it."""
    return "\n".join(f">>> {code}" + (f"\n{answer}" if answer else "") for code, answer in lines)


def apply_preset(name: str) -> None:
    """Set the shape inputs to one of the book's examples."""
    st.session_state.update(zip(SHAPE_KEYS, PRESETS[name], strict=True))


@st.fragment
def shape_lab() -> None:
    """3.3.2-3.3.3: pick two shapes, see np.dot's result shape or NumPy's own error."""
    st.header(t("forward.lab_header"))
    st.markdown(t("forward.lab_intro"))
    for key, value in zip(SHAPE_KEYS, PRESETS["preset_match"], strict=True):
        st.session_state.setdefault(key, value)
    presets = st.container(horizontal=True)
    for name in PRESETS:
        presets.button(t(f"forward.{name}"), on_click=apply_preset, args=(name,), width="stretch")

    left, right = st.columns(2)
    with left:
        st.markdown(f"**{t('forward.matrix_a')}**")
        sizes = st.container(horizontal=True)
        vector = st.session_state["forward_a_vector"]
        sizes.number_input(t("forward.rows"), 1, 6, key="forward_a_rows", disabled=vector)
        sizes.number_input(t("forward.cols"), 1, 6, key="forward_a_cols")
        st.checkbox(t("forward.a_vector"), key="forward_a_vector")
    with right:
        st.markdown(f"**{t('forward.matrix_b')}**")
        sizes = st.container(horizontal=True)
        sizes.number_input(t("forward.rows"), 1, 6, key="forward_b_rows")
        sizes.number_input(t("forward.cols"), 1, 6, key="forward_b_cols")

    state = st.session_state
    a_shape = (state.forward_a_cols,) if vector else (state.forward_a_rows, state.forward_a_cols)
    b_shape = (state.forward_b_rows, state.forward_b_cols)
    A, B = book_matrix(a_shape), book_matrix(b_shape)
    session = [(f"A = np.array({A.tolist()})", ""), (f"B = np.array({B.tolist()})", "")]
    session.append(("A.shape, B.shape", str((A.shape, B.shape))))
    try:
        product = np.dot(A, B)
    except ValueError as error:
        product, message = None, str(error)
    matches = product is not None
    colour = "green" if matches else "red"
    # Large, as a formula: a heading would be one without a section of the book.
    left, right = shape_markup(a_shape, -1, colour, latex=True), shape_markup(b_shape, 0, colour, latex=True)
    rule = rf"{left} \cdot {right}"
    if matches:
        st.latex(rf"{rule} \rightarrow {shape_text(product)}")
        printed = remembered("forward_dot_printed", lambda: repr(product), *a_shape, *b_shape)
        session.append(("np.dot(A, B)", printed))
        session.append(("np.dot(A, B).shape", str(product.shape)))
        st.success(t("forward.dot_ok", a=A.shape, b=B.shape, result=product.shape))
    else:
        st.latex(rf"{rule} \rightarrow \color{{red}}{{\times}}")
        session.append(("np.dot(A, B)", f"ValueError: {message}"))
        st.error(t("forward.dot_error", message=message))
    st.code(repl(session), language="python", wrap_lines=True)
    st.info(t("forward.rule"))
    book.dot(A, B)


# --- 3.4 the 3-layer network ----------------------------------------------------------------------------


@once(cache)
def book_texts() -> Mapping[str, str]:
    """The book's X and init_network() as NumPy prints them: the text areas' starting values (once per
    server: NumPy's printing of the seven arrays cost each rerun of the page 0.3-1 ms; a bare @cache here is
    made anew with the page script on every whole run)."""
    arrays = {"X": BOOK_X, **init_network()}
    return MappingProxyType({name: np.array2string(arrays[name]) for name in NAMES})


def reset_network() -> None:
    """Put the book's values back into every text area."""
    st.session_state.update({f"forward_{name}": text for name, text in book_texts().items()})


def network_inputs() -> dict[str, NDArray[np.float64]] | None:
    """X and the six arrays as typed, one column per layer; None (the reasons shown) if any is unreadable."""
    for name, text in book_texts().items():
        st.session_state.setdefault(f"forward_{name}", text)
    columns = st.columns(4)
    layout = (("X",), ("W1", "b1"), ("W2", "b2"), ("W3", "b3"))
    arrays, readable = {}, True
    for column, names in zip(columns, layout, strict=True):
        for name in names:
            key = f"forward_{name}"
            # Labelled as 3.4.2 writes them (B1 = np.array([0.1, 0.2, 0.3])); init_network() says b1.
            label = name.upper()
            column.text_area(label, key=key, height="content", help=t("forward.syntax"))
            try:
                arrays[name] = parse_array(st.session_state[key])
            except NumbersError as error:
                column.error(f"{label}: {error}")
                readable = False
    st.button(t("forward.reset"), on_click=reset_network, icon="↩️")
    return arrays if readable else None


def shape_text(array: NDArray) -> str:
    """A shape as NumPy prints it: (2,), (2, 3)."""
    return str(tuple(np.shape(array)))


def one_line(array: NDArray) -> str:
    """NumPy's printout of an array on one line, rows side by side, as a table cell."""
    return np.array2string(np.asarray(array), max_line_width=10**6).replace("\n", "")


def step_rows(network: dict[str, NDArray], trace: Trace) -> tuple[tuple[str, str, str], ...]:
    """Each step of 3.4.3 as the book writes it, with the shapes that meet and the values that come out."""
    rows = []
    layers = ((trace.x, trace.a1, trace.z1), (trace.z1, trace.a2, trace.z2), (trace.z2, trace.a3, trace.y))
    for layer, (source, a, z) in enumerate(layers, start=1):
        name = layer_input(layer)
        weights, bias = network[f"W{layer}"], network[f"b{layer}"]
        shapes = f"{shape_text(source)} · {shape_text(weights)} + {shape_text(bias)} → {shape_text(a)}"
        rows.append((f"A{layer} = np.dot({name}, W{layer}) + B{layer}", shapes, one_line(a)))
        out = "Y = identity_function(A3)" if layer == 3 else f"Z{layer} = sigmoid(A{layer})"
        rows.append((out, f"{shape_text(a)} → {shape_text(z)}", one_line(z)))
    return tuple(rows)


def network_diagram(trace: Trace, network: dict[str, NDArray]) -> Diagram:
    """The network in the notation of 3.4.1: each neuron with its output, each weight w⁽¹⁾₁₂ and bias b⁽¹⁾₁
    on its arrow with its value, the bias node "1" at the foot of every layer but the last."""
    outputs = (trace.x, trace.z1, trace.z2, trace.y)
    layers = []
    for index, (values, colour) in enumerate(zip(outputs, LAYER_COLOURS, strict=True)):
        neurons = [Neuron(f"{neuron_name(index, unit)}\n{v:.3f}", colour) for unit, v in enumerate(values)]
        layers.append(neurons + ([Neuron("1", bias=True)] if index < len(outputs) - 1 else []))
    edges = []
    for layer in (1, 2, 3):
        weights, bias = network[f"W{layer}"], network[f"b{layer}"]
        scale = max(np.abs(weights).max(), np.abs(bias).max()) or 1.0
        for (i, j), weight in np.ndenumerate(weights):
            label = f"w{sup_layer(layer)}{sub(j + 1)}{sub(i + 1)}\n{weight:.3g}"
            edges.append(Edge(layer - 1, i, j, label, float(weight), scale))
        for j, value in enumerate(bias):
            label = f"b{sup_layer(layer)}{sub(j + 1)}\n{value:.3g}"
            edges.append(Edge(layer - 1, len(weights), j, label, float(value), scale))
    titles = [t(f"forward.layer_{index}") for index in range(len(outputs))]
    return network_dot(layers, titles, edges)


def sup_layer(layer: int) -> str:
    """The book's layer mark, a superscript in parentheses: ⁽¹⁾."""
    return f"⁽{sup(layer)}⁾"


def neuron_name(layer: int, unit: int) -> str:
    """A neuron's output as 3.4.1 names it: x₁ in the input layer, z⁽¹⁾₁ in layer 1, y₁ at the output."""
    if layer == 0:
        return f"x{sub(unit + 1)}"
    if layer == 3:
        return f"y{sub(unit + 1)}"
    return f"z{sup_layer(layer)}{sub(unit + 1)}"


@st.fragment
def three_layer_network() -> None:
    """3.4.1-3.4.3: the book's network in its notation, every array editable and every step shown."""
    st.header(t("forward.net_header"))
    st.markdown(t("forward.net_intro"))
    st.subheader(t("forward.notation_header"))
    st.markdown(t("forward.notation_intro"))
    # Drawn above the arrays it is computed from: the notation first, as in the book.
    diagram = st.container()
    st.subheader(t("forward.signal_header"))
    network = network_inputs()
    if network is None:
        diagram.info(t("forward.diagram_waits"))
        return
    x = network.pop("X")
    book.network(x, network)
    # What the arrays give is worked out once per text typed (and language): the session's own from the run
    # before on a language switch or another section's rerun.
    texts = tuple(st.session_state[f"forward_{name}"] for name in NAMES)
    try:
        trace = remembered("forward_trace", lambda: forward_trace(network, x), *texts)
    except ShapeError as error:
        key = "forward.shape_dot" if error.operation == "dot" else "forward.shape_bias"
        shapes = {"left": error.left, "right": error.right, "numpy": error.numpy}
        st.error(t(key, layer=error.layer, source=layer_input(error.layer), **shapes))
        diagram.info(t("forward.diagram_waits"))
        return
    # The diagram draws one input vector through matrices; a batch or a 1-D W has no such picture.
    if trace.x.ndim == 1 and all(network[f"W{layer}"].ndim == 2 for layer in (1, 2, 3)):
        # One per language: a language switch back and forth draws nothing again.
        drawn = remembered(f"forward_diagram_{language()}", lambda: network_diagram(trace, network), trace)
        draw(drawn, diagram)
        diagram.caption(t("forward.diagram_caption"))
        diagram.latex(remembered("forward_first_neuron", lambda: first_neuron(trace, network), trace))
    else:
        diagram.info(t("forward.diagram_batch"))
    columns = (t("forward.step"), t("forward.shapes"), t("forward.values"))
    rows = remembered("forward_steps", lambda: step_rows(network, trace), trace)
    show_table(columns, rows)
    st.metric(t("forward.output"), remembered("forward_output", lambda: np.array2string(trace.y), trace))


def first_neuron(trace: Trace, network: dict[str, NDArray]) -> str:
    """Equation 3.8 with this network's numbers: a⁽¹⁾₁ = w⁽¹⁾₁₁x₁ + w⁽¹⁾₁₂x₂ + b⁽¹⁾₁ = ... (LaTeX)."""
    weights, bias = network["W1"][:, 0], network["b1"][0]
    symbols = " + ".join(f"w^{{(1)}}_{{1{i + 1}}} x_{i + 1}" for i in range(len(weights)))
    numbers = " + ".join(f"{w:.4g} \\cdot {x:.4g}" for w, x in zip(weights, trace.x, strict=True))
    return f"a^{{(1)}}_1 = {symbols} + b^{{(1)}}_1 = {numbers} + {bias:.4g} = {trace.a1[0]:.4g}"


# --- 3.6.3 the MNIST network's shapes ----------------------------------------------------------------


def chain(trace: Trace, params: dict[str, NDArray]) -> str:
    """Each layer's np.dot as shapes, the dimensions that meet in green: X (N, 784) · W1 (784, 50) → ..."""
    lines = []
    for layer, (z, a) in enumerate(
        ((trace.x, trace.a1), (trace.z1, trace.a2), (trace.z2, trace.a3)), start=1
    ):
        inputs = f"{layer_input(layer)} {shape_markup(z.shape, -1, 'green')}"
        weights = f"W{layer} {shape_markup(params[f'W{layer}'].shape, 0, 'green')}"
        lines.append(f"{inputs} · {weights} → A{layer} {shape_text(a)}")
    lines.append(f"Y = softmax(A3) → **{shape_text(trace.y)}**")
    return "  \n".join(lines)


@st.fragment
def mnist_shapes() -> None:
    """3.6.3: the MNIST network's arrays for one image and for a batch, read from real weights and images."""
    st.header(t("forward.mnist_header"))
    st.markdown(t("forward.mnist_intro"))
    x_test = data.mnist().x_test
    weights = data.current_weights()
    from_url("forward_batch", min(100, len(x_test)), int_between(1, len(x_test)))
    st.number_input(t("forward.batch_size"), 1, len(x_test), key="forward_batch")
    to_url("forward_batch")
    size = st.session_state["forward_batch"]

    def chains() -> tuple[str, str]:
        one, batch = predict_trace(weights.params, x_test[0]), predict_trace(weights.params, x_test[:size])
        return chain(one, weights.params), chain(batch, weights.params)

    one, batch = remembered("forward_chains", chains, weights.params, x_test, size)
    left, right = st.columns(2)
    left.markdown(f"**{t('forward.one_image')}**")
    left.markdown(one)
    right.markdown(f"**{t('forward.batch_column', size=size)}**")
    right.markdown(batch)
    st.caption(t("forward.mnist_caption", weights=weights.label, size=size))


st.title(t("forward.title"))
st.markdown(t("forward.intro"))
dimensions_lab()
shape_lab()
three_layer_network()
mnist_shapes()
