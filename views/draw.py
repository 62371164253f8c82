"""3.6.2 Draw a digit: the MNIST network reads it live; what it sees, its hidden layers, other activations."""

from __future__ import annotations

import numpy as np
import streamlit as st
from numpy.typing import NDArray

from nn import Params, Trace, predict, predict_trace
from nn.preprocess import (
    MNIST_BOX_SIZE,
    MNIST_CENTRE_OF_MASS,
    MNIST_INK_MASS,
    MNIST_THICKNESS_RANGE,
    Stages,
    ink_image,
    recipe_input,
    stages_from_ink,
    unlike_mnist,
)
from ui import data
from ui.canvas import canvas_controls, canvas_drawing
from ui.charts import heatmap, heatmap_template, probability_bars
from ui.i18n import t
from ui.images import (
    MAX_UPLOAD_MB,
    PAPERS,
    ImageFileError,
    image_file_to_rgba,
    native,
    photo_ink,
    picture_with_box,
    png_data_uri,
    strip_html,
)
from ui.once import once
from ui.reading import Inputs, Places, remembered
from ui.tables import answers_html, figures_html
from ui.tapgrid import tap_grid
from ui.urlstate import choice, from_url, to_url

HIDDEN_ACTIVATIONS = ("sigmoid", "step", "relu", "tanh", "identity")
STEPS = ("crop", "fit", "center")
# Each preprocessing step off alone, then all of them: which one matters for this drawing.
RECIPES = {
    "all": {},
    "no_crop": {"crop": False},
    "no_fit": {"fit": False},
    "no_center": {"center": False},
    "none": {"crop": False, "fit": False, "center": False},
}
LOW_CONFIDENCE = 0.5
# A bounded h() gets a fixed colour scale, so saturated neurons look saturated whatever the drawing.
HEATMAP_DOMAINS = {"sigmoid": (0, 1), "step": (0, 1), "tanh": (-1, 1)}
HEATMAP_COLUMNS = 10
HEATMAP_ROW_PIXELS = 30
BARS_HEIGHT = 240  # chart and axes: the answer beside the canvas is about as tall as the canvas


@once(st.cache_data(max_entries=4, show_spinner=False))
def read_photo(content: bytes) -> NDArray[np.uint8]:
    """An uploaded file's pixels, decoded once however often the page reruns."""
    return image_file_to_rgba(content)


def photo() -> NDArray[np.float32] | None:
    """The photo uploader and its ink controls: the photo's ink, or None without a readable photo."""
    expander = st.expander(t("draw.photo"), key="draw_photo_open", on_change="rerun")
    # Made only while open or holding a photo (an uploader not made forgets its file): a stroke reruns this.
    if not expander.open and st.session_state.get("draw_photo") is None:
        return None
    with expander:
        # Any file: one that is not a picture is refused by image_file_to_rgba with a reason the page words,
        # where the uploader's own refusal of a file type is a red icon without one.
        file = st.file_uploader(
            t("draw.photo_upload"), key="draw_photo", help=t("draw.photo_help"), max_upload_size=MAX_UPLOAD_MB
        )
        if file is None:
            return None
        try:
            rgba = read_photo(file.getvalue())
        except ImageFileError as error:
            st.error(t(f"images.{error.kind}", name=file.name, **error.values))
            return None
        paper = st.segmented_control(
            t("draw.paper"),
            PAPERS,
            default="auto",
            required=True,
            format_func=lambda kind: t(f"draw.paper_{kind}"),
            key="draw_paper",
        )
        threshold = st.slider(
            t("draw.threshold"), 0.0, 0.9, 0.0, 0.05, key="draw_threshold", help=t("draw.threshold_help")
        )
        st.info(t("draw.using_photo"))
        return photo_ink(rgba, paper, threshold)


def winner(probabilities: NDArray[np.floating]) -> tuple[int, float]:
    """The predicted digit and its probability."""
    digit = int(np.argmax(probabilities))
    return digit, float(probabilities[digit])


def show_prediction(probabilities: NDArray[np.floating], stages: Stages) -> None:
    """The big answer, a note if the input is unlike MNIST or the network hesitates, all ten probabilities."""
    digit, probability = winner(probabilities)
    st.metric(
        t("draw.prediction"),
        str(digit),
        delta=t("draw.probability", p=probability),
        delta_color="off",
        delta_arrow="off",
    )
    if unlike := unlike_mnist(stages):
        thinnest, thickest = MNIST_THICKNESS_RANGE
        st.warning(
            t(f"draw.unlike_{unlike}", thickness=stages.thickness, thinnest=thinnest, thickest=thickest)
        )
    if probability < LOW_CONFIDENCE:
        st.warning(t("draw.unsure", limit=LOW_CONFIDENCE))
    bars = probability_bars(probabilities, t("draw.bars_x"), t("draw.bars_y"), BARS_HEIGHT)
    st.vega_lite_chart(bars, width="stretch")


def step_toggles() -> dict[str, bool]:
    """One switch per preprocessing step, all on by default: preprocess_stages' keyword arguments."""
    # One row that wraps, not columns: a stroke reruns this, and each column is a message of its own.
    row = st.container(horizontal=True, gap="medium")
    return {
        step: row.toggle(
            t(f"draw.step_{step}"),
            value=True,
            key=f"draw_{step}",
            help=t(f"draw.step_{step}_help"),
            persist_state="session",
        )
        for step in STEPS
    }


def stage_pictures(stages: Stages) -> tuple[str, ...]:
    """The four pictures from ink to input, as PNG data URIs: the ink with the crop's box, then each stage."""
    pictures = (
        picture_with_box(stages.ink, stages.bbox),
        *map(native, (stages.cropped, stages.fitted, stages.centred)),
    )
    return tuple(map(png_data_uri, pictures))


def show_stages(stages: Stages, below: str) -> None:
    """The four pictures from ink to input, how the input compares with a typical MNIST digit, and the HTML
    `below` them."""
    height, width = stages.fitted.shape
    captions = (
        t("draw.stage_ink"),
        t("draw.stage_cropped"),
        t("draw.stage_fitted", height=height, width=width),
        t("draw.stage_centred"),
    )
    pictures = zip(remembered("draw_pictures", lambda: stage_pictures(stages), stages), captions, strict=True)
    row, col = stages.com_after
    mnist_row, mnist_col = MNIST_CENTRE_OF_MASS
    thinnest, thickest = MNIST_THICKNESS_RANGE
    figures = (
        (t("draw.com"), f"({row:.1f}, {col:.1f})", t("draw.com_delta", row=mnist_row, col=mnist_col), None),
        (
            t("draw.size"),
            f"{stages.box_size[0]} × {stages.box_size[1]}",
            t("draw.size_delta", height=MNIST_BOX_SIZE[0], width=MNIST_BOX_SIZE[1]),
            None,
        ),
        (
            t("draw.ink"),
            f"{stages.ink_mass:.0f}",
            t("draw.ink_delta", ratio=stages.ink_mass_ratio, mnist=MNIST_INK_MASS),
            None,
        ),
        (
            t("draw.thickness"),
            f"{stages.thickness:.1f}",
            t("draw.thickness_delta", thinnest=thinnest, thickest=thickest),
            t("draw.thickness_help"),
        ),
    )
    # The pictures, the figures and what comes below in one block: a stroke sends it as one message.
    st.html(strip_html(pictures) + figures_html(figures) + f'<div style="margin-top:1rem">{below}</div>')


def answers_table(title: str, rows: dict[str, NDArray[np.floating]], first_column: str) -> str:
    """A small table under `title`, as HTML: one labelled row per probability vector, its winner and how sure
    it is."""
    header = (first_column, t("draw.col_prediction"), t("draw.col_probability"))
    return answers_html(title, header, [(label, *winner(p)) for label, p in rows.items()])


def recipes(params: Params, activation: str, all_steps: Stages) -> str:
    """The prediction with each preprocessing step left out in turn (`all_steps`: the drawing with all)."""

    def predictions() -> NDArray[np.floating]:
        inputs = np.stack([recipe_input(all_steps, **steps).ravel() for steps in RECIPES.values()])
        return predict(params, inputs, activation)

    answers = remembered("draw_recipes", predictions, activation, all_steps, params)
    rows = {t(f"draw.recipe_{name}"): answer for name, answer in zip(RECIPES, answers, strict=True)}
    return answers_table(t("draw.recipes"), rows, t("draw.col_steps"))


def show_hidden(trace: Trace, activation: str, params: Params) -> None:
    """Heat-maps of z1 and z2 under the chosen h(), and the answer under every h() on the same weights."""
    st.markdown(t("draw.hidden_intro"))
    layers = st.columns(2)
    domain = HEATMAP_DOMAINS.get(activation)
    hidden = ((trace.z1, "draw.z1_title"), (trace.z2, "draw.z2_title"))
    for column, (values, title) in zip(layers, hidden, strict=True):
        spec = heatmap_template(
            t(title, n=values.size), t("draw.heat_legend"), domain=domain, row_pixels=HEATMAP_ROW_PIXELS
        )
        column.vega_lite_chart(heatmap(values, HEATMAP_COLUMNS, spec), width="stretch")
    answers = remembered(
        "draw_every_activation",
        lambda: [predict(params, trace.x, name) for name in HIDDEN_ACTIVATIONS],
        trace,
        params,
    )
    rows = {t(f"draw.act_{name}"): answer for name, answer in zip(HIDDEN_ACTIVATIONS, answers, strict=True)}
    st.html(answers_table(t("draw.every_activation"), rows, t("draw.col_activation")))


@st.fragment
def playground(params: Params) -> None:
    """The page's controls and the places for what they show: a control changed reruns this, and the reading.

    A stroke reruns only the reading (a fragment in this one): the controls stay as they were sent.
    """
    # A stroke shows its effect without a scroll: the answer beside the canvas, however narrow the columns
    # (the canvas shrinks to fit its own); on a phone, where columns stack, right under the canvas. So the
    # canvas's controls, the photo and the tap grid go in a second row, under the canvas on a wide screen.
    canvas_side, answer_side = st.columns(2, gap="medium")
    controls_side, options_side = st.columns(2, gap="medium")
    with controls_side:
        canvas_controls("draw")
        photographed = photo()
        tapped = tap_grid("draw", overruled=photographed is not None)
    # Only the open tab's pictures and charts are made; its switches stay in either case.
    sees_tab, hidden_tab = st.tabs(
        [t("draw.tab_sees"), t("draw.tab_hidden")], key="draw_tab", on_change="rerun"
    )
    with sees_tab:
        st.markdown(t("draw.sees_intro"))
        steps = step_toggles()
    with options_side:
        activation = st.segmented_control(
            t("draw.activation"),
            HIDDEN_ACTIVATIONS,
            required=True,
            format_func=lambda name: t(f"draw.act_{name}"),
            key="draw_activation",
            help=t("draw.activation_help"),
            wrap=True,
            persist_state="session",
        )
        to_url("draw_activation")
    tabs = (tab if tab.open else None for tab in (sees_tab, hidden_tab))
    reading(params, Places(canvas_side, answer_side, *tabs), Inputs(photographed, tapped, steps, activation))


@st.fragment
def reading(params: Params, places: Places, inputs: Inputs) -> None:
    """What a stroke changes, rerun alone on each stroke: the canvas, the answer, what the network sees.

    Everything else on the page stays as it was sent: a stroke costs the server only what it changes.
    """
    with places.canvas:
        drawn = canvas_drawing("draw")
    # A photo first, then tapped pixels, then the canvas: each of the first two says so while it is in use.
    image = next((source for source in (inputs.photo, inputs.taps, drawn) if source is not None), None)
    # Each step remembered for this session: a rerun for anything but the drawing redoes only what changed.
    ink = None if image is None else remembered("draw_ink", lambda: ink_image(image), image)
    steps = inputs.steps
    stages = (
        None if ink is None else remembered("draw_stages", lambda: stages_from_ink(ink, **steps), ink, steps)
    )
    if stages is None:
        places.answer.info(t("draw.hint" if inputs.photo is None else "draw.no_ink_photo"))
        for tab in (places.sees, places.hidden):
            if tab is not None:
                tab.info(t("draw.nothing_yet"))
        return
    activation = inputs.activation
    trace = remembered(
        "draw_trace",
        lambda: predict_trace(params, stages.centred.ravel(), activation),
        stages,
        activation,
        params,
    )
    with places.answer:
        show_prediction(trace.y, stages)
    if places.sees is not None:
        with places.sees:
            all_steps = (
                stages
                if all(steps.values())
                else remembered("draw_all_steps", lambda: stages_from_ink(ink), ink)
            )
            show_stages(stages, recipes(params, activation, all_steps))
    if places.hidden is not None:
        with places.hidden:
            show_hidden(trace, inputs.activation, params)


st.title(t("draw.title"))
st.markdown(t("draw.intro"))
from_url("draw_activation", "sigmoid", choice(HIDDEN_ACTIVATIONS))
playground(data.current_weights().params)
