"""Batch evaluation (3.6.2–3.6.3): test-set accuracy, time per image against batch size, the mistakes."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial

import altair as alt
import numpy as np
import pandas as pd
import pyarrow as pa
import streamlit as st
from numpy.typing import NDArray
from streamlit.delta_generator import DeltaGenerator

from nn import Params
from nn.bench import book_batch, book_per_image, interleaved
from nn.evaluate import Evaluation, evaluate
from ui import book, data
from ui.charts import (
    DIGITS,
    FONT_SIZE,
    Spec,
    confusion_chart,
    digit_image,
    digit_ink_scale,
    digit_scale,
    styled,
    table,
    template,
    with_data,
)
from ui.i18n import t
from ui.urlstate import from_url, int_between, to_url

BATCH_PRESETS = (1, 10, 100, 1_000, 10_000)
BOOK_BATCH = 100  # neuralnet_mnist_batch.py
SUBSET = 1_000  # the one-image paths are timed on this many images: the whole set would take seconds
REPEATS = 5  # rounds in which every path runs in turn; other programs only ever slow a run, so keep the best
PROGRESS_INTERVAL = 0.1  # seconds between redraws of the bar: 10,000 redraws would cost more than the work
GALLERY_STEP = 12
GALLERY_COLUMNS = 6
SPEED_CODES = ("ours", "book_loop", "book_batch")
# Ours in the theme's red, the book's two in blue and green: 5.2 : 1 or more on white, as each line's values
# are written in its colour, and distinct for colour-blind viewers.
SPEED_COLOURS = ("#b83246", "#0072b2", "#00785a")


def progress_reporter(bar: DeltaGenerator) -> Callable[[int, int], None]:
    """An on_batch callback that redraws the bar at most every PROGRESS_INTERVAL s, however many batches."""
    next_draw = 0.0

    def on_batch(done: int, total: int) -> None:
        """Move the bar if it has not moved for a while."""
        nonlocal next_draw
        now = time.perf_counter()
        if now >= next_draw:
            next_draw = now + PROGRESS_INTERVAL
            bar.progress(done / total, text=t("evaluate.progress", done=done, total=total))

    return on_batch


def measure_speed(params: Params, x: NDArray[np.floating], labels: NDArray[np.integer]) -> pd.DataFrame:
    """Microseconds per image: ours at every preset batch size, the book's one-image loop and its batches."""
    runs: dict[tuple[str, int, int], Callable[[], object]] = {}
    for size in BATCH_PRESETS:
        n = SUBSET if size == 1 else len(x)
        runs["ours", min(size, n), n] = partial(evaluate, params, x[:n], labels[:n], size)
    runs["book_loop", 1, SUBSET] = partial(book_per_image, params, x[:SUBSET], labels[:SUBSET])
    runs["book_batch", BOOK_BATCH, len(x)] = partial(book_batch, params, x, labels, BOOK_BATCH)
    # The book's sigmoid, kept verbatim, overflows harmlessly to 0 on large negative inputs.
    with np.errstate(over="ignore"):
        rounds = [interleaved(runs, 1) for _ in range(REPEATS)]
    frame = pd.DataFrame(
        [(*run, min(ms[run] for ms in rounds)) for run in runs], columns=["code", "batch", "images", "ms"]
    )
    return frame.assign(us=frame["ms"] * 1e3 / frame["images"])


@template
def speed_template(names: tuple[str, ...], labels: tuple[tuple[str, str], ...]) -> alt.LayerChart:
    """Time per image (`speed`: code, name, batch, images, us) against batch size on log-log axes."""
    title = dict(labels)
    base = alt.Chart(alt.NamedData("speed")).encode(
        x=alt.X(
            "batch:Q",
            title=title["x"],
            scale=alt.Scale(type="log", domain=[0.6, 2 * max(BATCH_PRESETS)]),
            axis=alt.Axis(values=list(BATCH_PRESETS), format=","),
        ),
        y=alt.Y("us:Q", title=title["y"], scale=alt.Scale(type="log", nice=False, padding=24)),
        color=alt.Color(
            "name:N",
            title=title["legend"],
            scale=alt.Scale(domain=list(names), range=list(SPEED_COLOURS)),
            legend=alt.Legend(orient="bottom", direction="vertical", labelLimit=600),
        ),
        tooltip=[
            alt.Tooltip("name:N", title=title["legend"]),
            alt.Tooltip("batch:Q", title=title["batch"], format=","),
            alt.Tooltip("images:Q", title=title["images"], format=","),
            alt.Tooltip("us:Q", title=title["us"], format=".3~g"),
        ],
    )
    lines = base.mark_line(strokeWidth=3, point=alt.OverlayMarkDef(size=160, filled=True))
    # Where two are timed at one batch size (1 and 100), the higher one's value goes above its point and the
    # lower one's below, whichever code is faster this time: a label never lands on the other's point.
    values = base.mark_text(dy=-16, fontSize=FONT_SIZE, fontWeight="bold").encode(
        text=alt.Text("us:Q", format=".3~g")
    )
    higher = values.transform_filter("datum.higher")
    lower = values.transform_filter("!datum.higher").mark_text(dy=22, fontSize=FONT_SIZE, fontWeight="bold")
    return styled((lines + higher + lower).properties(height=560, title=title["title"]))


def speed_chart(speed: pd.DataFrame) -> Spec:
    """Time per image against batch size on log-log axes: ours as a line, the book's code as points."""
    names = {code: t(f"evaluate.speed_{code}") for code in SPEED_CODES}
    labels = {
        "x": t("evaluate.speed_x"),
        "y": t("evaluate.speed_y"),
        "legend": t("evaluate.speed_legend"),
        "batch": t("evaluate.batch_size"),
        "images": t("evaluate.speed_images"),
        "us": t("evaluate.speed_us"),
        "title": t("evaluate.speed_header"),
    }
    spec = speed_template(tuple(names.values()), tuple(labels.items()))
    higher = speed["us"] == speed.groupby("batch")["us"].transform("max")
    shown = speed.assign(name=speed["code"].map(names), higher=higher)
    return with_data(spec, speed=pa.Table.from_pandas(shown))


@template
def per_digit_template(digit_title: str, accuracy_title: str, title: str) -> alt.LayerChart:
    """Accuracy on each true digit (`accuracy`: digit, accuracy) as bars, each with its value at its end."""
    bars = (
        alt.Chart(alt.NamedData("accuracy"))
        .mark_bar()
        .encode(
            y=alt.Y("digit:N", title=digit_title),
            x=alt.X("accuracy:Q", title=accuracy_title, scale=alt.Scale(domain=[0, 1])),
            color=alt.Color("digit:N", scale=digit_scale(), legend=None),
            tooltip=[
                alt.Tooltip("digit:N", title=digit_title),
                alt.Tooltip("accuracy:Q", title=accuracy_title, format=".4f"),
            ],
        )
    )
    # Written on the bar, in the ink that reads on the digit's colour: a scale of its own.
    values = bars.mark_text(align="right", dx=-6, fontSize=FONT_SIZE - 1, fontWeight="bold").encode(
        text=alt.Text("accuracy:Q", format=".3f"),
        color=alt.Color("digit:N", scale=digit_ink_scale(), legend=None),
    )
    layers = (bars + values).resolve_scale(color="independent")
    return styled(layers.properties(height=520, title=title))


def per_digit_chart(accuracy: NDArray[np.floating]) -> Spec:
    """Accuracy on each true digit as bars in the digit colours, each with its value at its end."""
    spec = per_digit_template(t("evaluate.digit"), t("evaluate.accuracy"), t("evaluate.per_digit_header"))
    return with_data(spec, accuracy=table(digit=DIGITS[: len(accuracy)], accuracy=accuracy))


@st.fragment
def batch_controls() -> None:
    """Batch size (kept in the link), quick choices of the book's sizes."""
    from_url("evaluate_batch", BOOK_BATCH, int_between(1, max(BATCH_PRESETS)))
    st.number_input(
        t("evaluate.batch_size"),
        min_value=1,
        max_value=max(BATCH_PRESETS),
        step=1,
        key="evaluate_batch",
        help=t("evaluate.batch_help"),
        # Back from another page the box shows the size it was left at, which the result below names.
        persist_state="session",
    )
    to_url("evaluate_batch")
    # The label in the buttons' row: one row less above Run on a 720-pixel projector screen.
    with st.container(horizontal=True, vertical_alignment="center"):
        st.markdown(t("evaluate.presets"), width="content")
        for size in BATCH_PRESETS:
            st.button(f"{size:,}", key=f"evaluate_preset_{size}", on_click=choose_batch, args=(size,))
    book.evaluation(st.session_state["evaluate_batch"])


def choose_batch(size: int) -> None:
    """A quick choice sets the batch size."""
    st.session_state["evaluate_batch"] = size


def run_evaluation(weights: data.Weights, x: NDArray[np.floating], labels: NDArray[np.integer]) -> None:
    """Evaluate the test set with a progress bar and keep the result for the reruns that follow."""
    bar = st.progress(0.0, text=t("evaluate.progress", done=0, total=len(x)))
    evaluation = evaluate(
        weights.params, x, labels, st.session_state["evaluate_batch"], on_batch=progress_reporter(bar)
    )
    bar.empty()
    st.session_state["evaluate_result"] = data.Run(evaluation, weights.label, weights.fingerprint)
    st.session_state["evaluate_gallery_size"] = GALLERY_STEP


def show_result(run: data.Run, weights: data.Weights) -> None:
    """Accuracy, correct answers and time of the last run, and what it was run with."""
    evaluation = run.evaluation
    n = len(evaluation.labels)
    if run.fingerprint != weights.fingerprint:
        st.info(t("evaluate.stale", label=run.label))
    accuracy, correct, duration, throughput = st.columns(4)
    accuracy.metric(t("evaluate.accuracy"), f"{evaluation.accuracy:.4f}")
    correct.metric(t("evaluate.correct", n=n), f"{evaluation.correct:,}")
    duration.metric(t("evaluate.time"), f"{evaluation.seconds * 1e3:,.0f} ms")
    throughput.metric(t("evaluate.throughput"), f"{n / evaluation.seconds:,.0f}")
    calls = len(range(0, n, evaluation.batch_size))
    st.caption(t("evaluate.run_details", label=run.label, batch=evaluation.batch_size, calls=calls, n=n))


def show_speed(weights: data.Weights, x: NDArray[np.floating], labels: NDArray[np.integer]) -> None:
    """The speed chart of 3.6.3, measured on request and kept per set of weights."""
    st.subheader(t("evaluate.speed_section"))
    st.markdown(t("evaluate.speed_intro"))
    measured = st.session_state.setdefault("evaluate_speed", {})
    if st.button(t("evaluate.measure"), icon=":material/timer:", key="evaluate_measure"):
        with st.spinner(t("evaluate.measuring")):
            measured[weights.fingerprint] = measure_speed(weights.params, x, labels)
    speed = measured.get(weights.fingerprint)
    if speed is None:
        st.markdown(t("evaluate.press_measure"))
        return
    st.vega_lite_chart(speed_chart(speed), width="stretch")
    loop = speed.loc[speed["code"] == "book_loop", "us"].iloc[0]
    fastest = speed.loc[speed.loc[speed["code"] == "ours", "us"].idxmin()]
    st.markdown(t("evaluate.speed_summary", batch=fastest["batch"], ratio=loop / fastest["us"]))
    st.caption(t("evaluate.speed_note", repeats=REPEATS, subset=SUBSET, n=len(x)))


def show_more() -> None:
    """One more page of the gallery."""
    st.session_state["evaluate_gallery_size"] += GALLERY_STEP


def reset_gallery() -> None:
    """Back to the first page of the gallery (a new filter)."""
    st.session_state["evaluate_gallery_size"] = GALLERY_STEP


@st.fragment
def mistakes_gallery(evaluation: Evaluation, x: NDArray[np.floating]) -> None:
    """The misclassified images, most confident first, filtered by true digit, shown a page at a time."""
    st.subheader(t("evaluate.mistakes_header"))
    digit = st.selectbox(
        t("evaluate.true_digit"),
        [None, *range(10)],
        format_func=lambda d: t("evaluate.all_digits") if d is None else str(d),
        key="evaluate_mistakes_digit",
        on_change=reset_gallery,
        persist_state="session",
    )
    wrong = evaluation.mistakes()
    if digit is not None:
        wrong = wrong[evaluation.labels[wrong] == digit]
    if len(wrong) == 0:
        st.success(t("evaluate.no_mistakes"))
        return
    shown = wrong[: st.session_state.setdefault("evaluate_gallery_size", GALLERY_STEP)]
    predictions = evaluation.predictions
    st.caption(t("evaluate.mistakes_count", shown=len(shown), total=len(wrong)))
    for start in range(0, len(shown), GALLERY_COLUMNS):
        row = shown[start : start + GALLERY_COLUMNS]
        for column, i in zip(st.columns(GALLERY_COLUMNS), row, strict=False):
            predicted = predictions[i]
            caption = t(
                "evaluate.mistake_caption",
                true=evaluation.labels[i],
                predicted=predicted,
                p=evaluation.probabilities[i, predicted],
            )
            column.image(digit_image(x[i]), caption=caption, output_format="PNG")
    if len(shown) < len(wrong):
        st.button(t("evaluate.show_more"), key="evaluate_show_more", on_click=show_more)


st.title(t("evaluate.title"))
st.markdown(t("evaluate.intro"))
mnist = data.mnist()
x_test, t_test = mnist.x_test, mnist.t_test
if mnist.source.kind == "sample":
    st.warning(t("evaluate.source_sample", n=len(x_test)))
else:
    st.info(t("evaluate.source_full", n=len(x_test)))

left, right = st.columns([3, 2], gap="large")
with left:
    weights = data.weights_picker()
with right:
    batch_controls()
    if st.button(t("evaluate.run"), type="primary", icon=":material/play_arrow:", key="evaluate_run"):
        run_evaluation(weights, x_test, t_test)

last = st.session_state.get("evaluate_result")
if last is None:
    st.markdown(t("evaluate.press_run"))
else:
    show_result(last, weights)
show_speed(weights, x_test, t_test)
if last is not None:
    st.caption(t("evaluate.confusion_caption"))
    matrix_column, digits_column = st.columns([3, 2], gap="large")
    matrix = confusion_chart(
        last.evaluation.confusion_matrix(),
        t("evaluate.predicted_digit"),
        t("evaluate.true_digit"),
        t("evaluate.images"),
        title=t("evaluate.confusion_header"),
    )
    matrix_column.vega_lite_chart(matrix, width="stretch")
    digits_column.vega_lite_chart(per_digit_chart(last.evaluation.per_digit_accuracy()), width="stretch")
    mistakes_gallery(last.evaluation, x_test)
