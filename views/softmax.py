"""3.5 The output layer: softmax as written, its overflow and its fix, identity or softmax, temperature."""

from __future__ import annotations

import altair as alt
import numpy as np
import streamlit as st

from nn import identity_function, softmax, softmax_naive, softmax_with_temperature
from ui import book, data
from ui.charts import (
    FONT_SIZE,
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
from ui.diagrams import sub
from ui.i18n import t
from ui.inputs import NumbersError, limits_note, listing, numbers_text, parse_numbers
from ui.once import Content, content_key, from_content, once, shared
from ui.urlstate import choice, from_url, to_url

PRESETS = {"book": "0.3, 2.9, 4.0", "overflow": "1010, 1000, 990"}
TEMPERATURES = (0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0)
DEFAULT_TEMPERATURE = 2.0  # not 1, where both bars would be the same and the control would look idle
NAIVE_FORMULA = r"y_k = \frac{\exp(a_k)}{\sum_{i=1}^{n} \exp(a_i)}"
STABLE_FORMULA = r"y_k = \frac{\exp(a_k - \max a)}{\sum_{i=1}^{n} \exp(a_i - \max a)}"
TEMPERATURE_FORMULA = r"y_k = \frac{\exp(a_k / T)}{\sum_{i=1}^{n} \exp(a_i / T)}"
CHART_HEIGHT = 260  # the first two, beside each other, whole on a 1280 x 720 projector screen
LOGITS_BOX = 320  # pixels: room for 20 numbers' worth of a typical a, and the presets beside it


@template
def bars_template(labels: tuple[tuple[str, str], ...], title: str, probabilities: bool) -> alt.LayerChart:
    """Bars of `values` (k, value, function) over the logits' positions k, one colour per function."""
    names = dict(labels)
    number_format = ".3f" if probabilities else ".4~g"
    base = (
        alt.Chart(alt.NamedData("values"), title=title)
        .transform_calculate(
            shown="isFinite(datum.value) ? datum.value : 0",
            text=f"isFinite(datum.value) ? format(datum.value, '{number_format}') : 'nan'",
        )
        .encode(
            x=alt.X("k:N", title="k", axis=alt.Axis(labelAngle=0), sort=None),
            xOffset=alt.XOffset("function:N", sort=list(names.values())),
            color=alt.Color(
                "function:N",
                scale=function_scale(names),
                legend=top_legend() if len(names) > 1 else None,
            ),
        )
    )
    columns = base.mark_bar().encode(
        y=alt.Y("value:Q", title="y", scale=alt.Scale(domain=[0, 1]) if probabilities else alt.Scale()),
        tooltip=[alt.Tooltip("function:N"), alt.Tooltip("k:N"), alt.Tooltip("value:Q", format=".8g")],
    )
    text = base.mark_text(dy=-10, fontSize=FONT_SIZE - 2).encode(
        y="shown:Q", text="text:N", color=alt.value(TEXT_COLOUR)
    )
    return styled((columns + text).properties(height=CHART_HEIGHT))


def bars(
    series: dict[str, np.ndarray], title: str, probabilities: bool = True, **label_values: object
) -> Spec:
    """Bars over the logits' positions k, one colour per function (key -> values); nan is written as 'nan'.

    Probabilities share the axis 0..1 so that charts compare at a glance; other values get their own axis.
    """
    labels = {key: t(f"softmax.fn_{key}", **label_values) for key in series}
    named = tuple((labels[key], content_key(v)) for key, v in series.items())
    return with_data(bars_template(tuple(labels.items()), title, probabilities), values=bar_values(named))


@once(shared(256))
def bar_values(named: tuple[tuple[str, Content], ...]) -> bytes:
    """The table (k, value, function) of each function's label and values, serialized once per distinct
    content for every session: a class types the book's logits and the presets."""
    series = [(label, from_content(values)) for label, values in named]
    values = table(
        k=np.concatenate([np.arange(len(v)).astype(str) for _, v in series]),
        value=np.concatenate([v for _, v in series]),
        function=np.concatenate([np.full(len(v), label) for label, v in series]),
    )
    return frozen(values)


def set_logits(text: str) -> None:
    """Put a preset into the logits box (runs before the widget is drawn again)."""
    st.session_state["softmax_logits"] = text


def read_logits() -> np.ndarray | None:
    """The logits a typed by the learner, or None after a warning that says what to fix."""
    from_url("softmax_logits", PRESETS["book"], numbers_text)
    # The box and the presets in one row that wraps where the screen is narrow: the buttons at their own
    # width, so that their labels are never cut ("💥 Overflow: 1010, 1000, 990").
    with st.container(horizontal=True, vertical_alignment="bottom"):
        st.text_input(t("softmax.logits"), key="softmax_logits", width=LOGITS_BOX)
        for name, text in PRESETS.items():
            st.button(
                t(f"softmax.preset_{name}"), key=f"softmax_preset_{name}", on_click=set_logits, args=(text,)
            )
    st.caption(limits_note())
    try:
        a = parse_numbers(st.session_state["softmax_logits"])
    except NumbersError as error:
        st.warning(str(error))
        return None
    to_url("softmax_logits")
    return a


def draw_naive_and_stable(a: np.ndarray) -> None:
    """3.5.2: softmax as 3.5.1 writes it and with the largest logit subtracted first, side by side."""
    st.subheader(t("softmax.caution_header"))
    naive, stable = softmax_naive(a), softmax(a)
    left, right = st.columns(2)
    with left:
        st.markdown(f"**{t('softmax.naive')}**")
        st.latex(NAIVE_FORMULA)
        st.vega_lite_chart(bars({"softmax_naive": naive}, t("softmax.naive_chart")), width="stretch")
        st.code(listing([("a", a), ("softmax_naive(a)", naive)]), language=None, wrap_lines=True)
        if not np.all(np.isfinite(naive)):
            st.error(t("softmax.overflow"))
    with right:
        st.markdown(f"**{t('softmax.stable')}**")
        st.latex(STABLE_FORMULA)
        st.vega_lite_chart(bars({"softmax": stable}, t("softmax.stable_chart")), width="stretch")
        st.code(listing([("a", a), ("softmax(a)", stable)]), language=None, wrap_lines=True)
        st.markdown(t("softmax.stable_note"))
    book.softmax(a)
    draw_checks(a, naive, stable)


def draw_checks(a: np.ndarray, naive: np.ndarray, stable: np.ndarray) -> None:
    """3.5.3: the outputs sum to 1 and the largest logit stays the most probable, with the actual numbers."""
    st.subheader(t("softmax.checks"))
    total, top_a, top_y = float(np.sum(stable)), int(np.argmax(a)), int(np.argmax(stable))
    sums, argmax_a, argmax_y = st.columns(3)
    sums.metric(t("softmax.sum"), repr(total))
    sums.caption(t("softmax.sum_naive", total=repr(float(np.sum(naive)))))
    argmax_a.metric(t("softmax.argmax_a"), top_a)
    argmax_y.metric(t("softmax.argmax_y"), top_y)
    st.markdown(t("softmax.sum_check", total=repr(total)))
    order = "softmax.order_check_ok" if top_a == top_y else "softmax.order_check_bad"
    st.markdown(t(order, top_a=top_a, top_y=top_y))


def draw_identity_versus_softmax(a: np.ndarray) -> None:
    """3.5.1: the output layer of regression (identity) and of classification (softmax) on the same a."""
    st.subheader(t("softmax.output_layer"))
    # The two charts first, the words after them: on a 720-pixel projector screen both charts are whole
    # under the logits box; their titles name the two cases.
    left, right = st.columns(2)
    identity, probabilities = identity_function(a), softmax(a)
    left.vega_lite_chart(
        bars({"identity": identity}, t("softmax.identity_chart"), probabilities=False), width="stretch"
    )
    left.code(listing([("identity_function(a)", identity)]), language=None, wrap_lines=True)
    right.vega_lite_chart(bars({"softmax": probabilities}, t("softmax.softmax_chart")), width="stretch")
    right.code(listing([("softmax(a)", probabilities)]), language=None, wrap_lines=True)
    st.markdown(t("softmax.output_layer_intro"))


def draw_output_neurons(a: np.ndarray) -> None:
    """3.5.4: one output neuron per class, for the learner's a and for the MNIST network in use."""
    st.subheader(t("softmax.neurons_header"))
    st.markdown(t("softmax.neurons_intro"))
    classes = data.current_weights().params["W3"].shape[1]
    yours, mnist = st.columns(2)
    yours.metric(t("softmax.neurons_yours"), len(a))
    yours.caption(t("softmax.neurons_yours_note", n=len(a), last=sub(len(a) - 1)))
    mnist.metric(t("softmax.neurons_mnist"), classes)
    mnist.caption(t("softmax.neurons_mnist_note", n=classes, last=sub(classes - 1)))


@st.fragment
def draw_temperature(a: np.ndarray) -> None:
    """Softmax of a / T next to the book's softmax (T = 1): beyond the book, labelled so."""
    st.subheader(t("softmax.temperature"))
    st.markdown(t("softmax.temperature_intro"))
    st.latex(TEMPERATURE_FORMULA)
    from_url("softmax_temperature", DEFAULT_TEMPERATURE, choice(TEMPERATURES))
    temperature = st.select_slider(t("softmax.temperature_slider"), TEMPERATURES, key="softmax_temperature")
    to_url("softmax_temperature")
    tempered = softmax_with_temperature(a, temperature)
    chart = bars(
        {"softmax": softmax(a), "softmax_temperature": tempered},
        t("softmax.temperature_chart", temperature=f"{temperature:g}"),
        temperature=f"{temperature:g}",
    )
    st.vega_lite_chart(chart, width="stretch")
    st.code(
        listing([(f"softmax_with_temperature(a, T={temperature:g})", tempered)]),
        language=None,
        wrap_lines=True,
    )


def main() -> None:
    """The page, top to bottom in the order of section 3.5."""
    st.title(t("softmax.title"))
    st.markdown(t("softmax.intro"))
    a = read_logits()
    if a is None:
        return
    draw_identity_versus_softmax(a)
    draw_naive_and_stable(a)
    draw_output_neurons(a)
    draw_temperature(a)


main()
