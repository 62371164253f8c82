"""Charts that read well on a projector: one colour per digit on every page, large labels."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from PIL import Image

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
    """A 28x28 image in [0, 1] (or 0-255) as a crisp enlarged picture (nearest neighbour keeps pixels square)."""
    a = np.asarray(pixels, dtype=float)
    side = int(round(np.sqrt(a.size)))
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
