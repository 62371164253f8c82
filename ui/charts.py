"""Charts that read well on a projector: one colour per digit on every page, large labels."""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from PIL import Image, ImageDraw, ImageFont

# Tableau 10: ten hues that stay distinct for most colour-blind viewers and on washed-out projectors.
DIGIT_COLOURS = (
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
    "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
)  # fmt: skip
FONT_SIZE = 16


def digit_scale() -> alt.Scale:
    """The colour of each digit 0-9, the same on every chart."""
    return alt.Scale(domain=[str(d) for d in range(10)], range=list(DIGIT_COLOURS))


def styled(chart: alt.Chart) -> alt.Chart:
    """Large axis and title fonts for projector distance."""
    return chart.configure_axis(labelFontSize=FONT_SIZE, titleFontSize=FONT_SIZE).configure_legend(
        labelFontSize=FONT_SIZE, titleFontSize=FONT_SIZE
    )


def probability_bars(probabilities: ArrayLike, x_title: str, y_title: str, height: int = 260) -> alt.Chart:
    """Ten bars of softmax output, each in its digit's colour; the winner solid, the rest faded."""
    p = np.asarray(probabilities, dtype=float)
    frame = pd.DataFrame(
        {"digit": [str(d) for d in range(len(p))], "p": p, "winner": np.arange(len(p)) == np.argmax(p)}
    )
    bars = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("digit:N", title=x_title, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("p:Q", title=y_title, scale=alt.Scale(domain=[0, 1])),
            color=alt.Color("digit:N", scale=digit_scale(), legend=None),
            opacity=alt.condition("datum.winner", alt.value(1.0), alt.value(0.45)),
            tooltip=[alt.Tooltip("digit:N"), alt.Tooltip("p:Q", format=".4f")],
        )
    )
    labels = bars.mark_text(dy=-10, fontSize=FONT_SIZE - 2).encode(
        text=alt.Text("p:Q", format=".2f"), color=alt.value("#333")
    )
    return styled((bars + labels).properties(height=height))


def heatmap(values: ArrayLike, columns: int, title: str, scheme: str = "viridis", domain=None) -> alt.Chart:
    """A vector drawn as a grid of cells, `columns` wide, with each cell's value on hover."""
    v = np.asarray(values, dtype=float).ravel()
    index = np.arange(len(v))
    frame = pd.DataFrame({"unit": index, "row": index // columns, "col": index % columns, "value": v})
    scale = alt.Scale(scheme=scheme, domain=domain) if domain else alt.Scale(scheme=scheme)
    return (
        alt.Chart(frame, title=title)
        .mark_rect()
        .encode(
            x=alt.X("col:O", axis=None),
            y=alt.Y("row:O", axis=None),
            color=alt.Color("value:Q", scale=scale, legend=alt.Legend(orient="bottom")),
            tooltip=[alt.Tooltip("unit:Q", title="#"), alt.Tooltip("value:Q", format=".4f")],
        )
    )


def digit_image(pixels: ArrayLike, size: int = 140) -> Image.Image:
    """A 28x28 image in [0, 1] (or 0-255), enlarged crisply: nearest neighbour keeps the pixels square."""
    a = np.asarray(pixels, dtype=float)
    side = round(np.sqrt(a.size))
    a = a.reshape(side, -1) if a.ndim == 1 else a
    if a.max(initial=0) <= 1.0:
        a = a * 255
    image = Image.fromarray(np.clip(a, 0, 255).astype(np.uint8), mode="L")
    return image.resize((size, size * a.shape[0] // a.shape[1]), Image.NEAREST)


# Okabe-Ito hues (colour-blind safe) plus grey: each function of chapter 3 keeps its colour on every chart.
FUNCTION_COLOURS = {
    "step": "#E69F00",
    "sigmoid": "#0072B2",
    "relu": "#009E73",
    "identity": "#666666",
    "tanh": "#CC79A7",
    "leaky_relu": "#56B4E9",
    "softmax": "#332288",
    "softmax_naive": "#D55E00",
    "softmax_temperature": "#882255",
}


def function_scale(labels: dict[str, str]) -> alt.Scale:
    """Colour scale for functions drawn under translated labels (function key -> label), in their colours."""
    return alt.Scale(domain=list(labels.values()), range=[FUNCTION_COLOURS[key] for key in labels])


CORRECT_COLOUR = "#59a14f"
MISTAKE_COLOURS = ("#f4a582", "#a50f15")
TEXT_COLOUR = "#1b1f24"


def confusion_chart(
    matrix: ArrayLike, predicted_title: str, true_title: str, count_title: str, height: int = 520
) -> alt.LayerChart:
    """A confusion matrix as a grid of counts, truth down, prediction across: diagonal green, mistakes red."""
    counts = np.asarray(matrix)
    true, predicted = np.indices(counts.shape)
    frame = pd.DataFrame({"true": true.ravel(), "predicted": predicted.ravel(), "count": counts.ravel()})
    frame["correct"] = frame["true"] == frame["predicted"]
    worst = max(int(frame.loc[~frame["correct"], "count"].max()), 2)
    base = alt.Chart(frame).encode(
        x=alt.X("predicted:O", title=predicted_title, axis=alt.Axis(orient="top", labelAngle=0)),
        y=alt.Y("true:O", title=true_title),
        tooltip=[
            alt.Tooltip("true:O", title=true_title),
            alt.Tooltip("predicted:O", title=predicted_title),
            alt.Tooltip("count:Q", title=count_title, format=","),
        ],
    )
    # Layers: a white grid, mistakes light to dark red (a single one already visible), the diagonal green.
    grid = base.mark_rect(stroke="#c9ced6", fill="white")
    wrong = (
        base.transform_filter("!datum.correct && datum.count > 0")
        .mark_rect(stroke="#c9ced6")
        .encode(
            color=alt.Color(
                "count:Q", scale=alt.Scale(domain=[1, worst], range=list(MISTAKE_COLOURS)), legend=None
            )
        )
    )
    right = base.transform_filter("datum.correct").mark_rect(stroke="#c9ced6", fill=CORRECT_COLOUR)
    # Dark cells take white digits: the diagonal, and mistakes past half the worst.
    dark = f"datum.correct || datum.count > {worst / 2}"
    labels = (
        base.transform_filter("datum.count > 0")
        .mark_text(fontSize=FONT_SIZE - 1)
        .encode(
            text=alt.Text("count:Q", format=","),
            color=alt.when(dark).then(alt.value("white")).otherwise(alt.value(TEXT_COLOUR)),
        )
    )
    return (grid + wrong + right + labels).properties(height=height)


SHEET_FONT_SIZE = 15
SHEET_GAP = 8


def thumbnail_sheet(
    images: ArrayLike, captions: Sequence[str], labels: ArrayLike, columns: int, size: int = 84
) -> Image.Image:
    """Many digits on one picture, each captioned, with a bar in its label's colour: one file, not dozens."""
    pictures = [digit_image(image, size) for image in np.asarray(images)]
    rows = -(-len(pictures) // columns)
    cell_w, cell_h = size + SHEET_GAP, size + SHEET_FONT_SIZE + 3 * SHEET_GAP
    sheet = Image.new("RGB", (columns * cell_w - SHEET_GAP, max(rows, 1) * cell_h), "white")
    draw = ImageDraw.Draw(sheet)
    font = ImageFont.load_default(size=SHEET_FONT_SIZE)
    for index, (picture, caption, label) in enumerate(zip(pictures, captions, labels, strict=True)):
        x, y = index % columns * cell_w, index // columns * cell_h
        sheet.paste(picture, (x, y))
        draw.rectangle((x, y + size, x + size - 1, y + size + 4), fill=DIGIT_COLOURS[int(label)])
        draw.text((x + size // 2, y + size + 6), caption, fill="black", font=font, anchor="ma")
    return sheet


def pixel_values(image: ArrayLike, title: str, cell: int = 32) -> alt.LayerChart:
    """An image as the grid of 0-255 numbers the network reads, each cell shaded like its pixel."""
    pixels = np.asarray(image)
    rows, cols = np.indices(pixels.shape)
    frame = pd.DataFrame({"row": rows.ravel(), "col": cols.ravel(), "value": pixels.ravel()})
    # Ink is white on black as in MNIST: dark numbers on bright cells, zeros faint so the digit stands out.
    frame["ink"] = np.select([frame["value"] == 0, frame["value"] > 127], ["#4a4f57", "black"], "white")
    # Every row and column numbered: Vega would drop every other label as overlapping.
    axis = {"labelOverlap": False, "labelFontSize": 13, "ticks": False, "domain": False}
    base = alt.Chart(frame, title=title).encode(
        x=alt.X("col:O", title=None, axis=alt.Axis(labelAngle=0, orient="top", **axis)),
        y=alt.Y("row:O", title=None, axis=alt.Axis(**axis)),
    )
    cells = base.mark_rect().encode(
        color=alt.Color("value:Q", scale=alt.Scale(domain=[0, 255], range=["black", "white"]), legend=None),
        tooltip=[alt.Tooltip("row:O"), alt.Tooltip("col:O"), alt.Tooltip("value:Q")],
    )
    numbers = base.mark_text(fontSize=max(cell // 3, 8)).encode(
        text="value:Q", color=alt.Color("ink:N", scale=None)
    )
    # Two colour encodings (shade and ink) in one layer chart must not share a scale, or nothing is drawn.
    layers = (cells + numbers).resolve_scale(color="independent")
    return layers.properties(width=cell * pixels.shape[1], height=cell * pixels.shape[0])
