"""3.1 From perceptrons to neural networks: layers and their numbers; one neuron, y = h(b + w1·x1 + w2·x2)."""

from __future__ import annotations

import altair as alt
import numpy as np
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from nn import ACTIVATIONS, identity_function, perceptron
from ui.charts import DIGIT_COLOURS, FONT_SIZE, TEXT_COLOUR, Spec, frozen, styled, table, template, with_data
from ui.diagrams import Diagram, Edge, Neuron, draw, network_dot, sub
from ui.i18n import language, t
from ui.inputs import number_between
from ui.once import once, shared
from ui.reading import remembered
from ui.tables import array_rows, show_table
from ui.urlstate import choice, from_url, int_between, to_url

# The four inputs in the order of the book's truth tables (chapter 2): (0, 0), (1, 0), (0, 1), (1, 1).
INPUTS = np.array([[0, 0], [1, 0], [0, 1], [1, 1]])
# Each gate's (b, w1, w2) and its truth table. AND with b = -1.5, w1 = w2 = 1; chapter 2's w1 = w2 = 0.5,
# b = -0.7 draws the same line, halved. XOR starts on OR's line: three inputs of four right, as good as any.
GATES = {
    "and": ((-1.5, 1.0, 1.0), (0, 0, 0, 1)),
    "nand": ((1.5, -1.0, -1.0), (1, 1, 1, 0)),
    "or": ((-0.5, 1.0, 1.0), (0, 1, 1, 1)),
    "xor": ((-0.5, 1.0, 1.0), (0, 1, 1, 0)),
}
PARAMETERS = ("b", "w1", "w2")
LIMIT, STEP = 2.0, 0.1
FUNCTIONS = ("step", "sigmoid")
HIDDEN_LAYERS = (1, 3)
# Neurons of the hidden layers in 3.1.1's diagram; with two of them it is 3.4's network, 2 -> 3 -> 2 -> 2.
HIDDEN_SIZES = {1: [3], 2: [3, 2], 3: [3, 3, 2]}
PLANE = (-0.5, 1.5)
CELLS = 40  # background cells per side of the plane
CHART_HEIGHT = 400
DIAGRAM_WIDTH = 360  # pixels, at most: 3.1.1's network, one hidden layer, is about as tall as wide
ZERO_COLOUR, ONE_COLOUR = DIGIT_COLOURS[1], DIGIT_COLOURS[0]
INPUT_COLOUR, HIDDEN_COLOUR, OUTPUT_COLOUR = DIGIT_COLOURS[0], DIGIT_COLOURS[1], DIGIT_COLOURS[2]
# The centres of the plane's background cells, one (x1, x2) per row.
CELL = (PLANE[1] - PLANE[0]) / CELLS
_AXIS = PLANE[0] + CELL * (np.arange(CELLS) + 0.5)
CENTRES = np.column_stack([grid.ravel() for grid in np.meshgrid(_AXIS, _AXIS)])


def key(name: str) -> str:
    """The session and link key of one of this page's settings."""
    return f"perceptron_{name}"


# --- 3.1.1 the layers -----------------------------------------------------------------------------------


def layers_diagram(hidden: int) -> Diagram:
    """The network of 3.1.1 with `hidden` hidden layers, each layer titled with its number and its name."""
    sizes = [2, *HIDDEN_SIZES[hidden], 2]
    last = len(sizes) - 1
    layers, titles = [], []
    for index, size in enumerate(sizes):
        if index == 0:
            names, colour, title = (
                [f"x{sub(i + 1)}" for i in range(size)],
                INPUT_COLOUR,
                t("perceptron.layer_input"),
            )
        elif index == last:
            names, colour = [f"y{sub(i + 1)}" for i in range(size)], OUTPUT_COLOUR
            title = t("perceptron.layer_output", index=index)
        else:
            names, colour, title = [""] * size, HIDDEN_COLOUR, t("perceptron.layer_hidden", index=index)
        layers.append([Neuron(name, colour) for name in names])
        titles.append(title)
    edges = [
        Edge(index, i, j)
        for index in range(last)
        for i in range(sizes[index])
        for j in range(sizes[index + 1])
    ]
    return network_dot(layers, titles, edges)


@st.fragment
def network_example() -> None:
    """3.1.1: input, hidden and output layers, numbered from 0, and why the book counts the weighted ones."""
    st.header(t("perceptron.example_header"))
    st.markdown(t("perceptron.example_intro"))
    # The slider beside the diagram, the diagram at most DIAGRAM_WIDTH wide: whole on a 720-pixel screen.
    left, right = st.columns(2)
    from_url(key("hidden"), 1, int_between(*HIDDEN_LAYERS))
    hidden = right.slider(t("perceptron.hidden_layers"), *HIDDEN_LAYERS, key=key("hidden"))
    to_url(key("hidden"))
    # One per language: a language switch back and forth draws nothing again.
    diagram = remembered(f"perceptron_layers_{language()}", lambda: layers_diagram(hidden), hidden)
    draw(diagram, left.container(width=DIAGRAM_WIDTH))
    neuron_layers = hidden + 2
    right.markdown(
        t(
            "perceptron.layer_count",
            neuron_layers=neuron_layers,
            last=neuron_layers - 1,
            weight_layers=hidden + 1,
        )
    )
    if hidden == 2:
        right.info(t("perceptron.book_network"))


# --- 3.1.2-3.1.3 one neuron -----------------------------------------------------------------------------


def apply_gate(gate: str) -> None:
    """Make `gate` the target and put its b, w1, w2 on the sliders."""
    st.session_state[key("gate")] = gate
    st.session_state.update(zip(map(key, PARAMETERS), GATES[gate][0], strict=True))


def boundary(b: float, w1: float, w2: float) -> tuple[np.ndarray, np.ndarray]:
    """Two points of the line b + w1·x1 + w2·x2 = 0 across the plane (none without a weight), solved for the
    coordinate with the larger weight so that the points stay near the plane."""
    ends = np.array(PLANE)
    if w1 == w2 == 0:
        return np.array([]), np.array([])
    if abs(w2) >= abs(w1):
        return ends, -(b + w1 * ends) / w2
    return -(b + w2 * ends) / w1, ends


@template
def plane_template(title: str, legend: str) -> alt.LayerChart:
    """The x1-x2 plane: `field` cells (x1, x2, x1_end, x2_end, y) shaded by the output, the `boundary` line
    (x1, x2), and the four `points` (x1, x2, y, label) coloured by their output."""
    axis = alt.Axis(values=[-0.5, 0, 0.5, 1, 1.5], grid=False)
    x = alt.X("x1:Q", title="x₁", scale=alt.Scale(domain=list(PLANE), nice=False), axis=axis)
    y = alt.Y("x2:Q", title="x₂", scale=alt.Scale(domain=list(PLANE), nice=False), axis=axis)
    colour = alt.Color(
        "y:Q",
        title=legend,
        scale=alt.Scale(domain=[0, 1], range=[ZERO_COLOUR, ONE_COLOUR]),
        legend=alt.Legend(orient="right", gradientLength=CHART_HEIGHT // 2),
    )
    field = (
        alt.Chart(alt.NamedData("field"))
        .mark_rect(opacity=0.3)
        .encode(x=x, x2="x1_end:Q", y=y, y2="x2_end:Q", color=colour)
    )
    line = alt.Chart(alt.NamedData("boundary")).mark_line(strokeWidth=4, color=TEXT_COLOUR, clip=True)
    line = line.encode(x=x, y=y)
    points = (
        alt.Chart(alt.NamedData("points"))
        .mark_circle(size=700, opacity=1, stroke=TEXT_COLOUR, strokeWidth=2)
        .encode(x=x, y=y, color=colour, tooltip=["x1:Q", "x2:Q", alt.Tooltip("y:Q", format=".4f")])
    )
    # In the text colour: the points' own colour (the encoding they share) is as light as the shade behind.
    labels = points.mark_text(dy=-28, fontSize=FONT_SIZE, fontWeight="bold").encode(
        text="label:N", color=alt.value(TEXT_COLOUR)
    )
    return styled(alt.layer(field, line, points, labels).properties(title=title, height=CHART_HEIGHT))


def plane(b: float, w: np.ndarray, h_name: str) -> Spec:
    """The plane chart with this neuron's line, its output on every cell and at the four inputs."""
    field, line, points = plane_data(b, float(w[0]), float(w[1]), h_name)
    spec = plane_template(t("perceptron.chart_title"), "y")
    return with_data(spec, field=field, boundary=line, points=points)


@once(shared(256))
def plane_data(b: float, w1: float, w2: float, h_name: str) -> tuple[bytes, ...]:
    """The plane's three tables (field, boundary, points), serialized once per neuron for every session: its
    1,600 cells' outputs are the same whoever sets the sliders there."""
    h, w = ACTIVATIONS[h_name], np.array([w1, w2])
    line_1, line_2 = boundary(b, w1, w2)
    outputs = np.asarray(perceptron(INPUTS, w, b, h), dtype=float)
    field = table(
        x1=CENTRES[:, 0] - CELL / 2,
        x2=CENTRES[:, 1] - CELL / 2,
        x1_end=CENTRES[:, 0] + CELL / 2,
        x2_end=CENTRES[:, 1] + CELL / 2,
        y=np.asarray(perceptron(CENTRES, w, b, h), dtype=float),
    )
    line = table(x1=line_1.astype(float), x2=line_2.astype(float))
    labels = [number(value, h_name) for value in outputs]
    points = table(x1=INPUTS[:, 0], x2=INPUTS[:, 1], y=outputs, label=labels)
    return frozen(field), frozen(line), frozen(points)


def number(value: float, h_name: str) -> str:
    """An output as the table shows it: 0 or 1 from the step function, four decimals from the sigmoid."""
    return str(int(value)) if h_name == "step" else f"{value:.4f}"


def truth_table(
    a: np.ndarray, y: np.ndarray, h_name: str, gate: str, right: np.ndarray, where: DeltaGenerator
) -> None:
    """One row per input: x1, x2, the sum a, the output y, the gate's answer, and whether they agree."""
    columns = ("x₁", "x₂", "a = b + w₁x₁ + w₂x₂", "y = h(a)", t(f"perceptron.gate_{gate}"), "")
    rows = tuple(
        (int(x1), int(x2), f"{a_k:.2f}", number(y_k, h_name), target, "✅" if ok else "❌")
        for (x1, x2), a_k, y_k, target, ok in zip(INPUTS, a, y, GATES[gate][1], right, strict=True)
    )
    show_table(columns, rows, where=where)


def two_layers() -> None:
    """Chapter 2's XOR from three perceptrons in two layers: s1 = NAND(x), s2 = OR(x), y = AND(s1, s2)."""
    (nand_b, *nand_w), _ = GATES["nand"]
    (or_b, *or_w), _ = GATES["or"]
    (and_b, *and_w), _ = GATES["and"]
    s1, s2 = perceptron(INPUTS, nand_w, nand_b), perceptron(INPUTS, or_w, or_b)
    y = perceptron(np.column_stack([s1, s2]), and_w, and_b)
    columns = ("x₁", "x₂", "s₁ = NAND(x₁, x₂)", "s₂ = OR(x₁, x₂)", "y = AND(s₁, s₂)")
    show_table(columns, array_rows(np.column_stack([INPUTS, s1, s2, y])))


def neuron_diagram(x: np.ndarray, b: float, w: np.ndarray, a: float, y: float, h_name: str) -> Diagram:
    """Figures 3-3 and 3-5 with numbers: x1, x2 and the bias neuron 1 into a = b + w1·x1 + w2·x2, then h()."""
    inputs = [Neuron(f"x{sub(i + 1)}\n{int(value)}", INPUT_COLOUR) for i, value in enumerate(x)]
    layers = [
        [*inputs, Neuron("1", bias=True)],
        [Neuron(f"a\n{a:.2f}", HIDDEN_COLOUR)],
        [Neuron(f"y\n{number(y, h_name)}", OUTPUT_COLOUR)],
    ]
    scale = max(abs(b), *np.abs(w)) or 1.0
    edges = [
        *(Edge(0, i, 0, f"w{sub(i + 1)}\n{weight:g}", float(weight), scale) for i, weight in enumerate(w)),
        Edge(0, len(w), 0, f"b\n{b:g}", b, scale),
        Edge(1, 0, 0, "h()"),
    ]
    titles = [t("perceptron.inputs"), "a = b + w₁x₁ + w₂x₂", "y = h(a)"]
    return network_dot(layers, titles, edges)


def function_name(h_name: str) -> str:
    """h()'s name as the book says it: step function, sigmoid function."""
    return t(f"perceptron.h_{h_name}")


def gate_buttons() -> str:
    """The gate the neuron should be, from the link or a button that also sets its b, w1, w2."""
    from_url(key("gate"), "and", choice(list(GATES)))
    gate = st.session_state[key("gate")]
    for column, name in zip(st.columns(len(GATES)), GATES, strict=True):
        column.button(
            t(f"perceptron.gate_{name}"),
            key=key(f"preset_{name}"),
            on_click=apply_gate,
            args=(name,),
            type="primary" if name == gate else "secondary",
            width="stretch",
        )
    to_url(key("gate"))
    return gate


def read_neuron(gate: str) -> tuple[float, np.ndarray, str]:
    """The b, w1, w2 sliders (the gate's values unless the link says otherwise) and the h() switch."""
    for name, value in zip(PARAMETERS, GATES[gate][0], strict=True):
        from_url(key(name), value, number_between(-LIMIT, LIMIT, STEP))
        st.slider(t(f"perceptron.slider_{name}"), -LIMIT, LIMIT, step=STEP, format="%.1f", key=key(name))
        to_url(key(name), lambda value: f"{value:g}")
    from_url(key("h"), "step", choice(FUNCTIONS))
    st.radio(t("perceptron.h"), FUNCTIONS, key=key("h"), horizontal=True, format_func=function_name)
    to_url(key("h"))
    state = st.session_state
    return state[key("b")], np.array([state[key("w1")], state[key("w2")]]), state[key("h")]


@st.fragment
def one_neuron() -> None:
    """3.1.2-3.1.3: b, w1, w2 and h() on sliders; the truth table, the line on the plane, the neuron drawn."""
    st.header(t("perceptron.review_header"))
    st.markdown(t("perceptron.review_intro"))
    st.latex(
        r"y = h(b + w_1 x_1 + w_2 x_2) \qquad h(x) = \begin{cases} 0 & (x \le 0) \\ 1 & (x > 0) \end{cases}"
    )
    gate = gate_buttons()
    controls, chart = st.columns([2, 3], gap="large")
    with controls:
        b, w, h_name = read_neuron(gate)
    a = perceptron(INPUTS, w, b, identity_function)
    y = np.asarray(perceptron(INPUTS, w, b, ACTIVATIONS[h_name]), dtype=float)
    # A sigmoid output counts as 1 above 0.5: on the same side of the line as the step function's 1.
    right = (y > 0.5) == np.array(GATES[gate][1], dtype=bool)
    chart.vega_lite_chart(plane(b, w, h_name), width="stretch")
    chart.caption(t("perceptron.plane_caption"))
    if not w.any():
        chart.caption(t("perceptron.no_line", h_b=number(y[0], h_name)))
    table_column, verdict = st.columns([3, 2], gap="large")
    truth_table(a, y, h_name, gate, right, table_column)
    name = t(f"perceptron.gate_{gate}")
    verdict.metric(t("perceptron.right_inputs", gate=name), f"{right.sum()} / {len(right)}")
    if gate == "xor":
        verdict.warning(t("perceptron.xor_no_line"))
    elif right.all():
        verdict.success(t("perceptron.gate_right", gate=name))
    else:
        verdict.info(t("perceptron.gate_wrong", gate=name))
    if h_name == "sigmoid":
        verdict.info(t("perceptron.sigmoid_note"))
    if gate == "xor":
        st.markdown(t("perceptron.xor_layers"))
        two_layers()

    st.header(t("perceptron.activation_header"))
    diagram, words = st.columns(2, gap="large")
    words.markdown(t("perceptron.activation_intro"))
    # One equation a line: side by side they are wider than half a 1024-pixel screen.
    words.latex(r"\begin{gathered} a = b + w_1 x_1 + w_2 x_2 \\ y = h(a) \end{gathered}")
    chosen = words.radio(
        t("perceptron.input_choice"),
        range(len(INPUTS)),
        index=len(INPUTS) - 1,
        horizontal=True,
        key=key("input"),
        format_func=lambda k: f"({INPUTS[k][0]}, {INPUTS[k][1]})",
    )
    words.caption(t("perceptron.diagram_caption"))
    drawn = remembered(
        f"perceptron_neuron_{language()}",
        lambda: neuron_diagram(INPUTS[chosen], b, w, float(a[chosen]), float(y[chosen]), h_name),
        *(chosen, b, *w.tolist(), h_name),
    )
    draw(drawn, diagram)


st.title(t("perceptron.title"))
st.markdown(t("perceptron.intro"))
network_example()
one_neuron()
