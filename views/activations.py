"""3.2 Activation functions: the book's three and three more, why non-linear, where sigmoid saturates."""

from __future__ import annotations

import altair as alt
import numpy as np
import streamlit as st

from nn import ACTIVATIONS, Params, predict_trace, sigmoid
from nn.linear import collapse, linear, max_abs_difference, random_weights, stack
from nn.saturation import SATURATION_LIMIT, saturated_share
from ui import book, data
from ui.charts import (
    FONT_SIZE,
    FUNCTION_COLOURS,
    TEXT_COLOUR,
    Spec,
    frozen,
    function_scale,
    styled,
    table,
    template,
    top_legend,
    with_data,
)
from ui.i18n import t
from ui.inputs import NumbersError, interval, limits_note, listing, names, numbers_text, parse_numbers
from ui.once import once, shared
from ui.reading import remembered
from ui.urlstate import from_url, to_url

# h(x) in the book's notation, in the order the options are offered (the book's three first).
FORMULAS = {
    "step": r"h(x) = \begin{cases} 0 & (x \le 0) \\ 1 & (x > 0) \end{cases}",
    "sigmoid": r"h(x) = \frac{1}{1 + \exp(-x)}",
    "relu": r"h(x) = \begin{cases} x & (x > 0) \\ 0 & (x \le 0) \end{cases}",
    "identity": r"h(x) = x",
    "tanh": r"h(x) = \tanh(x) = \frac{\exp(x) - \exp(-x)}{\exp(x) + \exp(-x)}",
    "leaky_relu": r"h(x) = \begin{cases} x & (x > 0) \\ 0.01\,x & (x \le 0) \end{cases}",
}
BEYOND_BOOK = ("tanh", "leaky_relu")
DEFAULT_FUNCTIONS = ["step", "sigmoid", "relu"]
X_LIMITS = (-10.0, 10.0)
DEFAULT_RANGE = (-5.0, 5.0)
DEFAULT_POINTS = "-1, 1, 2"
GRID_POINTS = 801  # dense enough that the step function's jump draws as a vertical line
HIDDEN_SIZES = (4, 4, 2)  # the widths after the input in the random-matrices demo
N_IMAGES = 2000
HISTOGRAM_BINS = 60
CHART_HEIGHT = 420
HISTOGRAM_COLOUR = "#7a8591"  # neutral grey (3.8 : 1 on white): the data, under the coloured function
SATURATED_TEXT = "#a84300"  # softmax_naive's vermillion, darkened for text: 5.5 : 1 on its shaded tail
SEPARATE_HEIGHT = 260
MAIN_HEIGHT = 360  # the page's first chart: whole on a 1280 x 720 projector screen


def label(key: str) -> str:
    """A function's name as the legend shows it, flagged when chapter 3 does not cover it."""
    name = t(f"activations.fn_{key}")
    return f"{name} {t('activations.beyond_book')}" if key in BEYOND_BOOK else name


def python_name(key: str) -> str:
    """The function's name in nn/ and in the book's code: step_function, sigmoid, relu, ..."""
    return ACTIVATIONS[key].__name__


@once(shared(256))
def curves(named: tuple[tuple[str, str], ...], low: float, high: float) -> bytes:
    """The functions (key, legend label) on GRID_POINTS from low to high, as one long table (x, y, function)
    for a lines_template: computed and serialized once per choice, for every rerun of every session."""
    x = np.linspace(low, high, GRID_POINTS)
    return frozen(
        table(
            x=np.tile(x, len(named)),
            y=np.concatenate([np.asarray(ACTIVATIONS[key](x), dtype=float) for key, _ in named]),
            function=np.repeat([name for _, name in named], len(x)),
        )
    )


@template
def lines_template(
    labels: tuple[tuple[str, str], ...],
    title: str,
    height: int = CHART_HEIGHT,
    legend: bool = True,
    zero: bool = True,
    y_title: str = "h(x)",
) -> alt.Chart:
    """Thick lines of `curves` (x, y, function), one colour per function key -> label, the legend in the
    top-left corner, which every activation function leaves empty as it rises from left to right (or no
    legend: a lone function is in the title); zero=False lets the y axis leave out 0."""
    chart = (
        alt.Chart(alt.NamedData("curves"), title=title)
        .mark_line(strokeWidth=4)
        .encode(
            x=alt.X("x:Q", title="x"),
            y=alt.Y("y:Q", title=y_title, scale=alt.Scale() if zero else alt.Scale(zero=False)),
            color=alt.Color(
                "function:N",
                scale=function_scale(dict(labels)),
                legend=top_legend("top-left") if legend else None,
            ),
            tooltip=[
                alt.Tooltip("function:N"),
                alt.Tooltip("x:Q", format=".2f"),
                alt.Tooltip("y:Q", format=".4f"),
            ],
        )
        .properties(height=height)
    )
    return styled(chart)


def lines(
    keys: list[str], x: np.ndarray, title: str, height: int = CHART_HEIGHT, legend: bool = True
) -> Spec:
    """The functions `keys` on the grid x as thick lines in their colours."""
    named = tuple((key, label(key)) for key in keys)
    spec = lines_template(named, title, height, legend)
    return with_data(spec, curves=curves(named, float(x[0]), float(x[-1])))


def cells(count: int) -> list:
    """Up to three columns a row, in as many rows as count needs."""
    return [column for start in range(0, count, 3) for column in st.columns(3)][:count]


def read_points() -> np.ndarray | None:
    """The points typed by the learner, or None after a warning that says what to fix."""
    from_url("activations_points", DEFAULT_POINTS, numbers_text)
    st.text_input(t("activations.points"), key="activations_points", help=limits_note())
    try:
        points = parse_numbers(st.session_state["activations_points"])
    except NumbersError as error:
        st.warning(str(error))
        return None
    to_url("activations_points")
    return points


@st.fragment
def draw_functions(keys: list[str], x: np.ndarray) -> None:
    """The chosen functions overlaid on one chart, or one chart each."""
    if not keys:
        st.info(t("activations.none_chosen"))
        return
    if st.toggle(t("activations.separate"), key="activations_separate"):
        for column, key in zip(cells(len(keys)), keys, strict=True):
            chart = lines([key], x, label(key), SEPARATE_HEIGHT, legend=False)
            column.vega_lite_chart(chart, width="stretch")
    else:
        st.vega_lite_chart(lines(keys, x, t("activations.chart_title"), MAIN_HEIGHT), width="stretch")
    for column, key in zip(cells(len(keys)), keys, strict=True):
        column.markdown(f"**{label(key)}** · `{python_name(key)}`")
        column.latex(FORMULAS[key])


def draw_comparison(x: np.ndarray) -> None:
    """3.2.5: sigmoid and the step function on one chart, and what they share."""
    st.subheader(t("activations.compare"))
    left, right = st.columns([3, 2])
    left.vega_lite_chart(lines(["step", "sigmoid"], x, t("activations.compare_chart")), width="stretch")
    right.markdown(t("activations.compare_points"))


@st.fragment
def draw_linear_stack(x: np.ndarray) -> None:
    """3.2.6 with numbers: h(x) = cx three times is c³x; sigmoid three times is not a line."""
    st.subheader(t("activations.nonlinear"))
    st.markdown(t("activations.nonlinear_intro"))
    c = st.slider(t("activations.c"), 0.5, 2.0, 1.5, 0.1, key="activations_c")
    c3 = collapse([c, c, c])
    st.latex(rf"y(x) = h(h(h(x))) = c^3 x = {c3:.4g}\,x")
    series = (t("activations.three_layers"), t("activations.one_layer", c3=f"{c3:.4g}"))
    low, high = float(x[0]), float(x[-1])
    line_data, difference = linear_stack_lines(c, low, high, series)
    left, right = st.columns(2)
    spec = linear_template(series, t("activations.linear_chart"))
    left.vega_lite_chart(with_data(spec, lines=line_data), width="stretch")
    left.caption(t("activations.linear_difference", difference=f"{difference:.1e}"))
    name = t("activations.sigmoid_three")
    title = t("activations.sigmoid_chart")
    spec = lines_template((("sigmoid", name),), title, legend=False, zero=False, y_title="y(x)")
    right.vega_lite_chart(with_data(spec, curves=sigmoid_stack_curve(low, high, name)), width="stretch")
    right.caption(t("activations.sigmoid_note"))


@once(shared(256))
def linear_stack_lines(c: float, low: float, high: float, series: tuple[str, str]) -> tuple[bytes, float]:
    """h(x) = cx three times and c³x once on GRID_POINTS from low to high, as one table (x, y, line) for
    linear_template, and their largest difference: once per c, range and wording, for every session."""
    x = np.linspace(low, high, GRID_POINTS)
    h = linear(c)
    three, one = stack(x, [h, h, h]), linear(collapse([c, c, c]))(x)
    lines = table(x=np.tile(x, 2), y=np.concatenate([three, one]), line=np.repeat(series, len(x)))
    return frozen(lines), max_abs_difference(three, one)


@once(shared(256))
def sigmoid_stack_curve(low: float, high: float, name: str) -> bytes:
    """sigmoid three times on GRID_POINTS from low to high, as a table (x, y, function) for lines_template."""
    x = np.linspace(low, high, GRID_POINTS)
    return frozen(table(x=x, y=stack(x, [sigmoid] * 3), function=np.repeat(name, len(x))))


@template
def linear_template(series: tuple[str, str], title: str) -> alt.LayerChart:
    """Two lines of `lines` (x, y, line): three layers wide and paler, the one layer dashed on top of it."""
    colour = alt.Color(
        "line:N",
        # The one layer in the text colour: it is "the same line", not another function.
        scale=alt.Scale(domain=list(series), range=[FUNCTION_COLOURS["identity"], TEXT_COLOUR]),
        legend=top_legend(),
    )
    base = alt.Chart(alt.NamedData("lines"), title=title).encode(
        x=alt.X("x:Q", title="x"), y=alt.Y("y:Q", title="y(x)"), color=colour
    )
    wide = base.transform_filter(alt.datum.line == series[0]).mark_line(strokeWidth=10, opacity=0.75)
    dashed = base.transform_filter(alt.datum.line == series[1]).mark_line(strokeWidth=3, strokeDash=[8, 6])
    return styled((wide + dashed).properties(height=CHART_HEIGHT))


def new_seed() -> None:
    """Draw other random weights on the next run."""
    st.session_state["activations_seed"] = st.session_state.get("activations_seed", 0) + 1


@st.fragment
def draw_matrices(points: np.ndarray | None) -> None:
    """W1·W2·W3 is one matrix W: the learner's points through three linear layers, and through W."""
    st.markdown(f"#### {t('activations.matrices')}")
    if points is None:
        st.info(t("activations.needs_points"))
        return
    weights = random_weights((len(points), *HIDDEN_SIZES), st.session_state.get("activations_seed", 0))
    h1, h2, h3 = (linear(w) for w in weights)
    layer_by_layer = stack(points, [h1, h2, h3])
    W = collapse(weights)
    one_matrix = linear(W)(points)
    with_sigmoid = stack(points, [h1, sigmoid, h2, sigmoid, h3])
    st.markdown(t("activations.matrices_intro", n=len(points)))
    st.button(t("activations.new_weights"), on_click=new_seed, key="activations_new_weights")
    left, right = st.columns([3, 1])

    def printed() -> str:
        rows = [("x", points), ("((x·W1)·W2)·W3", layer_by_layer), ("x·W", one_matrix)]
        return f"{listing(rows)}\n\nW = W1·W2·W3 =\n{np.array2string(W)}"

    seed = st.session_state.get("activations_seed", 0)
    listed = remembered("activations_matrices", printed, st.session_state["activations_points"], seed)
    left.code(listed, language=None, wrap_lines=True)
    right.metric(t("activations.max_difference"), f"{max_abs_difference(layer_by_layer, one_matrix):.1e}")
    right.caption(t("activations.difference_note", eps=f"{np.finfo(float).eps:.1e}"))
    gap = max_abs_difference(with_sigmoid, one_matrix)
    st.markdown(t("activations.with_sigmoid", difference=f"{gap:.3f}"))


@once(st.cache_resource(show_spinner=False, max_entries=8))
def first_layer_inputs(
    weights_kind: str, weights_fingerprint: str, data_kind: str, _params: Params, _x_test: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every a1 value of N_IMAGES test images under the weights, and their histogram (counts, edges).

    Keyed by names and a digest, not by the arrays. The images are spread over the whole set: the offline
    sample is sorted by digit, so its first images are all zeros. Shared read-only, not copied for each run
    as st.cache_data would (100,000 values).
    """
    x = _x_test[np.linspace(0, len(_x_test) - 1, N_IMAGES).astype(int)]
    a1 = predict_trace(_params, x).a1.ravel()
    counts, edges = np.histogram(a1, bins=HISTOGRAM_BINS)
    for array in (a1, counts, edges):
        array.flags.writeable = False
    return a1, counts, edges


@template
def saturation_template(
    low: float, high: float, saturated: str, count_title: str, title: str
) -> alt.LayerChart:
    """`bins` (left, right, count) of a1 on the right axis under the sigmoid `curve` (a, y) on the left,
    the saturated `tails` (from, to, edge: the limit, text) shaded, bounded by a line and named."""
    x_scale = alt.Scale(domain=[low, high], nice=False)
    shade = (
        alt.Chart(alt.NamedData("tails"))
        .mark_rect(color=FUNCTION_COLOURS["softmax_naive"], opacity=0.13)
        .encode(x=alt.X("from:Q", scale=x_scale, title="a1"), x2="to:Q")
    )
    # The shade is a faint tint: the limit itself is drawn as a line that stands out (3.9 : 1 on white).
    limits = (
        alt.Chart(alt.NamedData("tails"))
        .mark_rule(strokeWidth=2, strokeDash=[6, 4], color=FUNCTION_COLOURS["softmax_naive"])
        .encode(x=alt.X("edge:Q", scale=x_scale))
    )
    # Placed in pixels, so the words need neither of the two y-scales.
    words = (
        alt.Chart(alt.NamedData("tails"))
        .transform_calculate(middle="(datum.from + datum.to) / 2")
        .mark_text(fontSize=FONT_SIZE, fontWeight="bold", color=SATURATED_TEXT)
        .encode(x=alt.X("middle:Q", scale=x_scale), y=alt.value(18), text="text:N")
    )
    bars = (
        alt.Chart(alt.NamedData("bins"))
        .mark_rect(color=HISTOGRAM_COLOUR)
        .encode(
            x=alt.X("left:Q", scale=x_scale),
            x2="right:Q",
            y=alt.Y("count:Q", title=count_title, axis=alt.Axis(orient="right")),
            tooltip=[alt.Tooltip("left:Q", format=".2f"), alt.Tooltip("right:Q", format=".2f"), "count:Q"],
        )
    )
    line = (
        alt.Chart(alt.NamedData("curve"))
        .mark_line(strokeWidth=5, color=FUNCTION_COLOURS["sigmoid"])
        .encode(
            x=alt.X("a:Q", scale=x_scale), y=alt.Y("y:Q", title="sigmoid(a)", scale=alt.Scale(domain=[0, 1]))
        )
    )
    chart = alt.layer(shade, limits, words, bars, line).resolve_scale(y="independent")
    return styled(chart.properties(height=CHART_HEIGHT, title=title))


def saturation_chart(counts: np.ndarray, edges: np.ndarray, limit: float) -> Spec:
    """Histogram of a1 (right axis) under the sigmoid curve (left axis), the saturated tails shaded."""
    low, high = float(edges[0]), float(edges[-1])
    saturated = t("activations.saturated")
    spec = saturation_template(low, high, saturated, t("activations.hist_axis"), t("activations.hist_chart"))
    bins, curve = histogram_tables(tuple(counts.tolist()), tuple(edges.tolist()))
    return with_data(spec, tails=tails_table(low, high, limit, saturated), bins=bins, curve=curve)


@once(shared(16))
def histogram_tables(counts: tuple[int, ...], edges: tuple[float, ...]) -> tuple[bytes, bytes]:
    """The histogram's bins (left, right, count) and the sigmoid curve (a, y) across it, serialized once per
    histogram (per weights and data set) for every session."""
    count, edge = np.array(counts), np.array(edges)
    grid = np.linspace(edge[0], edge[-1], GRID_POINTS)
    bins = table(left=edge[:-1], right=edge[1:], count=count)
    return frozen(bins), frozen(table(a=grid, y=sigmoid(grid)))


@once(shared(256))
def tails_table(low: float, high: float, limit: float, saturated: str) -> bytes:
    """The saturated tails beyond ±limit within [low, high] (from, to, edge, text), once per limit and
    wording for every session."""
    starts, ends = np.array([low, limit]), np.array([-limit, high])
    shown = starts < ends
    return frozen(
        table(
            **{"from": starts[shown], "to": ends[shown]},
            edge=np.array([-limit, limit])[shown],
            text=np.repeat(saturated, shown.sum()),
        )
    )


@st.fragment
def draw_saturation() -> None:
    """Where the first layer's inputs a1 fall on the sigmoid curve, for real images and the weights in use."""
    st.subheader(t("activations.mnist"))
    mnist = data.mnist()
    weights = data.current_weights()
    key = (weights.kind, weights.fingerprint, mnist.source.kind)
    # The session's own from its run before: even a hit of st.cache_resource hashes its arguments.
    a1, counts, edges = remembered(
        "activations_a1", lambda: first_layer_inputs(*key, weights.params, mnist.x_test), *key
    )
    st.markdown(t("activations.mnist_intro", count=a1.size, images=N_IMAGES, weights=weights.label))
    if mnist.source.kind == "sample":
        st.info(t("activations.sample_note"))
    left, right = st.columns([3, 1])
    with right:
        limit = st.slider(t("activations.limit"), 1.0, 8.0, SATURATION_LIMIT, 0.5, key="activations_limit")
        st.metric(t("activations.share", limit=limit), f"{saturated_share(a1, limit):.1%}")
        low, high = sigmoid(np.array([-limit, limit]))
        st.caption(t("activations.share_help", limit=limit, low=low, high=high))
    left.vega_lite_chart(saturation_chart(counts, edges, limit), width="stretch")


@st.fragment
def functions_and_values() -> None:
    """3.2.1-3.2.6: the chosen functions on the chosen range, their values at the points, and the sections
    that draw them again. The functions, the range and the points change all of these, and only these: they
    rerun this part of the page, not the sidebar nor the saturation section below (st.fragment)."""
    options = list(FORMULAS)
    from_url("activations_functions", DEFAULT_FUNCTIONS, names(options))
    from_url("activations_range", DEFAULT_RANGE, interval(*X_LIMITS))
    left, right = st.columns([3, 2])
    keys = left.multiselect(
        t("activations.functions"),
        options,
        format_func=label,
        key="activations_functions",
        placeholder=t("common.choose_options"),
    )
    low, high = right.slider(t("activations.range"), *X_LIMITS, step=0.5, key="activations_range")
    to_url("activations_functions", ",".join)
    to_url("activations_range", lambda pair: f"{pair[0]:g},{pair[1]:g}")
    x = np.linspace(low, high, GRID_POINTS)
    draw_functions(keys, x)

    st.subheader(t("activations.values"))
    points = read_points()
    if points is not None:
        rows = [("x", points)] + [(f"{python_name(key)}(x)", ACTIVATIONS[key](points)) for key in keys]
        st.code(listing(rows), language=None, wrap_lines=True)
        st.markdown(t("activations.values_note"))
    book.activations((low, high), points)

    draw_comparison(x)
    book.comparison((low, high))
    draw_linear_stack(x)
    draw_matrices(points)


def main() -> None:
    """The page, top to bottom in the order of section 3.2: each section whose own widget changes (one chart
    or all, c, new weights, the saturation limit) reruns alone (st.fragment)."""
    st.title(t("activations.title"))
    st.markdown(t("activations.intro"))
    functions_and_values()
    draw_saturation()


main()
