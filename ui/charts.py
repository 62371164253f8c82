"""Charts that read well on a projector: one colour per digit on every page, large dark labels.

A chart is written in Altair once and drawn from a cached Vega-Lite dict ever after: building and validating
an Altair chart costs tens of milliseconds, on every rerun, for every session. A builder decorated with
`template` runs once per distinct arguments (titles in the session's language, sizes) on placeholder data
(`alt.NamedData`); each rerun only fills in its own numbers with `with_data`, as Arrow tables.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any, ParamSpec

import altair as alt
import numpy as np
import pyarrow as pa
from numpy.typing import ArrayLike
from PIL import Image, ImageDraw, ImageFont

from ui.once import Content, content_key, from_content, once

Spec = dict[str, Any]
"""A Vega-Lite chart as st.vega_lite_chart takes it."""

# Streamlit draws charts in its own theme; Altair's default theme would add a fixed 300-pixel view size.
alt.theme.enable("none")

# One colour per digit, each at least 3.2 : 1 against white (WCAG's 3 : 1 for graphics, with a margin for
# washed-out projectors), chosen so that any two stay 11.9 or more apart in CAM02-UCS for normal vision and
# for simulated deuteranopia, protanopia and tritanopia (Machado et al. 2009, full severity). Tableau 10, the
# palette before, had five colours under 3 : 1 (the 9 at 2.1 : 1) and its red and green 0.8 apart for
# deuteranopes.
DIGIT_COLOURS = (
    "#1a6b78", "#f35e10", "#10a449", "#c8248b", "#5b83ff",
    "#8d4c00", "#bb7995", "#9e7cbd", "#687a6c", "#0e4ff6",
)  # fmt: skip
DIGITS = [str(d) for d in range(10)]
FONT_SIZE = 16
TEXT_COLOUR = "#0e1117"  # the theme's textColor
PRIMARY_COLOUR = "#b83246"  # the theme's primaryColor
AXIS_COLOUR = "#6b7079"  # axis lines and ticks: 5 : 1 on white
TEMPLATES_PER_BUILDER = 64  # a few languages times a few sizes and options; more is a leak

P = ParamSpec("P")


def template(build: Callable[P, alt.TopLevelMixin]) -> Callable[P, Spec]:
    """A chart builder run once per distinct (hashable) arguments: its chart as a validated Vega-Lite dict.

    A page script runs anew on every rerun, defining its builders anew: the cache belongs to the builder's
    code (`once`), so every rerun of every session shares it.
    """

    def cache(build: Callable[P, alt.TopLevelMixin]) -> Callable[P, Spec]:
        @functools.lru_cache(maxsize=TEMPLATES_PER_BUILDER)
        @functools.wraps(build)
        def cached(*args: P.args, **kwargs: P.kwargs) -> Spec:
            return build(*args, **kwargs).to_dict()

        return cached

    return once(cache)(build)


def with_data(spec: Spec, **datasets: pa.Table | bytes) -> Spec:
    """A cached chart with this rerun's numbers under its placeholders' names (the template untouched)."""
    return {**spec, "datasets": datasets}


def frozen(data: pa.Table) -> bytes:
    """A table serialized once, as Streamlit sends it (Arrow IPC): for a chart whose data never changes."""
    sink = pa.BufferOutputStream()
    with pa.RecordBatchStreamWriter(sink, data.schema) as writer:
        writer.write_table(data)
    return sink.getvalue().to_pybytes()


def table(**columns: ArrayLike) -> pa.Table:
    """Columns (flattened) as an Arrow table: what Streamlit sends to the browser, without pandas between."""
    return pa.table({name: np.asarray(values).ravel() for name, values in columns.items()})


LEGEND_ENTRY_PIXELS = 240  # room for one legend entry: a symbol and a label such as "tanh (beyond the book)"


def top_legend(orient: str = "top") -> alt.Legend:
    """A legend above the chart (or in its top-left corner), its entries side by side as far as the chart's
    width allows: a phone gets one a line, where a single row would run past the chart's edge and lose its
    last labels."""
    return alt.Legend(
        orient=orient,
        title=None,
        labelLimit=LEGEND_ENTRY_PIXELS * 2,
        columns=alt.ExprRef(f"max(1, floor(width / {LEGEND_ENTRY_PIXELS}))"),
        fillColor="white",  # over the lines, in a corner
    )


def digit_scale() -> alt.Scale:
    """The colour of each digit 0-9, the same on every chart."""
    return alt.Scale(domain=DIGITS, range=list(DIGIT_COLOURS))


def luminance(colour: str) -> float:
    """WCAG 2's relative luminance of a #rrggbb colour, 0 (black) to 1 (white)."""
    srgb = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)]) / 255
    linear = np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)
    return float(linear @ [0.2126, 0.7152, 0.0722])


def ink_on(colour: str) -> str:
    """White or the text colour, whichever stands out more on `colour`: for numbers written on a bar."""
    on_white = 1.05 / (luminance(colour) + 0.05)
    on_text = (luminance(colour) + 0.05) / (luminance(TEXT_COLOUR) + 0.05)
    return "white" if on_white >= on_text else TEXT_COLOUR


def digit_ink_scale() -> alt.Scale:
    """For each digit 0-9, the ink that reads on its colour (4.5:1 or more for every digit)."""
    return alt.Scale(domain=DIGITS, range=[ink_on(colour) for colour in DIGIT_COLOURS])


def styled(chart: alt.Chart) -> alt.Chart:
    """Large dark axis, legend and title text for projector distance.

    Streamlit's chart theme draws labels in #808495, 3.7 : 1 on white; a chart's own config comes first.
    """
    text = {"labelColor": TEXT_COLOUR, "titleColor": TEXT_COLOUR}
    return (
        chart.configure_axis(
            labelFontSize=FONT_SIZE,
            titleFontSize=FONT_SIZE,
            domainColor=AXIS_COLOUR,
            tickColor=AXIS_COLOUR,
            **text,
        )
        .configure_legend(labelFontSize=FONT_SIZE, titleFontSize=FONT_SIZE, offset=8, padding=0, **text)
        .configure_title(fontSize=FONT_SIZE, color=TEXT_COLOUR, subtitleColor=TEXT_COLOUR)
    )


WINNER_OUTLINE = 3  # pixels of dark outline around the predicted digit's bar


@template
def probability_bars_template(x_title: str, y_title: str, height: int) -> alt.Chart:
    """Ten bars of softmax output (`probabilities`: digit, p, winner), each in its digit's colour, the
    winner outlined in the text colour and its probability in bold: it stands out whatever its colour."""
    bars = (
        alt.Chart(alt.NamedData("probabilities"))
        .mark_bar(stroke=TEXT_COLOUR)
        .encode(
            x=alt.X("digit:N", title=x_title, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("p:Q", title=y_title, scale=alt.Scale(domain=[0, 1])),
            color=alt.Color("digit:N", scale=digit_scale(), legend=None),
            strokeWidth=alt.condition("datum.winner", alt.value(WINNER_OUTLINE), alt.value(0)),
            tooltip=[alt.Tooltip("digit:N"), alt.Tooltip("p:Q", format=".4f")],
        )
    )
    labels = bars.mark_text(dy=-12, fontSize=FONT_SIZE - 2).encode(
        text=alt.Text("p:Q", format=".2f"), color=alt.value(TEXT_COLOUR)
    )
    others = labels.transform_filter("!datum.winner")
    winner = labels.transform_filter("datum.winner").mark_text(dy=-12, fontSize=FONT_SIZE, fontWeight="bold")
    return styled((bars + others + winner).properties(height=height))


def probability_bars(probabilities: ArrayLike, x_title: str, y_title: str, height: int = 260) -> Spec:
    """Ten bars of softmax output, each in its digit's colour; the winner outlined, its value in bold."""
    p = np.asarray(probabilities, dtype=float)
    data = table(digit=DIGITS[: len(p)], p=p, winner=np.arange(len(p)) == np.argmax(p))
    return with_data(probability_bars_template(x_title, y_title, height), probabilities=data)


@template
def digit_bars_template(
    digit_title: str, value_title: str, height: int, title: str | None = None
) -> alt.Chart:
    """Bars of `bars` (digit, value: a count) in the digit colours, each with its value on top."""
    bars = (
        alt.Chart(alt.NamedData("bars"), **({"title": title} if title else {}))
        .mark_bar()
        .encode(
            x=alt.X("digit:N", title=digit_title, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("value:Q", title=value_title, axis=alt.Axis(tickMinStep=1)),
            color=alt.Color("digit:N", scale=digit_scale(), legend=None),
            tooltip=[
                alt.Tooltip("digit:N", title=digit_title),
                alt.Tooltip("value:Q", title=value_title, format=","),
            ],
        )
    )
    values = bars.mark_text(dy=-10, fontSize=FONT_SIZE - 1).encode(
        text=alt.Text("value:Q", format=","), color=alt.value(TEXT_COLOUR)
    )
    return styled((bars + values).properties(height=height))


def digit_bars(counts: ArrayLike, spec: Spec) -> Spec:
    """One count per digit 0-9 drawn into a digit_bars_template."""
    return with_data(spec, bars=digit_counts_table(tuple(np.asarray(counts).tolist())))


@functools.lru_cache(maxsize=64)
def digit_counts_table(counts: tuple[int, ...]) -> bytes:
    """The bars' table (digit, value), serialized once per distinct counts: MNIST's two splits, a
    handwriting set's counts between two drawings."""
    return frozen(table(digit=DIGITS[: len(counts)], value=np.array(counts)))


@template
def heatmap_template(
    title: str,
    legend_title: str,
    scheme: str = "viridis",
    domain: tuple[float, float] | None = None,
    row_pixels: int | None = None,
) -> alt.Chart:
    """Cells of `cells` (unit, row, col, value) coloured by value; each row `row_pixels` high if given."""
    scale = alt.Scale(scheme=scheme, domain=list(domain)) if domain else alt.Scale(scheme=scheme)
    chart = (
        alt.Chart(alt.NamedData("cells"), title=title)
        .mark_rect()
        .encode(
            x=alt.X("col:O", axis=None),
            y=alt.Y("row:O", axis=None),
            color=alt.Color("value:Q", title=legend_title, scale=scale, legend=alt.Legend(orient="bottom")),
            tooltip=[alt.Tooltip("unit:Q", title="#"), alt.Tooltip("value:Q", format=".4f")],
        )
    )
    # A height per row: a fixed total would be shared with the title and legend and squash few rows flat.
    if row_pixels:
        chart = chart.properties(height=alt.Step(row_pixels))
    return styled(chart)


def heatmap(values: ArrayLike, columns: int, spec: Spec) -> Spec:
    """A vector drawn as a grid of cells `columns` wide into a heatmap_template, each value on hover."""
    v = np.asarray(values, dtype=float).ravel()
    index = np.arange(len(v))
    return with_data(spec, cells=table(unit=index, row=index // columns, col=index % columns, value=v))


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
# Okabe-Ito's orange, sky blue and pink are under 3 : 1 on white: step, leaky ReLU and tanh have darker
# colours of their own, chosen so that the six activation functions, drawn together, stay 11.7 or more apart
# in CAM02-UCS for normal vision and simulated deuteranopia, protanopia and tritanopia.
FUNCTION_COLOURS = {
    "step": "#b35408",
    "sigmoid": "#0072B2",
    "relu": "#009E73",
    "identity": "#666666",
    "tanh": "#d9699f",
    "leaky_relu": "#b245ff",
    "softmax": "#332288",
    "softmax_naive": "#D55E00",
    "softmax_temperature": "#882255",
}


def function_scale(labels: dict[str, str]) -> alt.Scale:
    """Colour scale for functions drawn under translated labels (function key -> label), in their colours."""
    return alt.Scale(domain=list(labels.values()), range=[FUNCTION_COLOURS[key] for key in labels])


# White counts on every coloured cell, 5 : 1 or more: on the green diagonal and on mistakes, light red (one
# mistake) to dark red (the most). Grid lines 3.6 : 1 on white, as they are the only edge of an empty cell.
CORRECT_COLOUR = "#2e7d32"
MISTAKE_COLOURS = ("#c0392b", "#5c0a0a")
GRID_COLOUR = "#80868f"


@template
def confusion_template(
    predicted_title: str, true_title: str, count_title: str, height: int, worst: int, title: str | None = None
) -> alt.LayerChart:
    """A grid of `cells` (true, predicted, count, correct); mistakes shaded up to `worst`, the largest one."""
    base = alt.Chart(alt.NamedData("cells")).encode(
        x=alt.X("predicted:O", title=predicted_title, axis=alt.Axis(orient="top", labelAngle=0)),
        y=alt.Y("true:O", title=true_title),
        tooltip=[
            alt.Tooltip("true:O", title=true_title),
            alt.Tooltip("predicted:O", title=predicted_title),
            alt.Tooltip("count:Q", title=count_title, format=","),
        ],
    )
    # Layers: a white grid, mistakes light to dark red (a single one already visible), the diagonal green.
    grid = base.mark_rect(stroke=GRID_COLOUR, fill="white")
    wrong = (
        base.transform_filter("!datum.correct && datum.count > 0")
        .mark_rect(stroke=GRID_COLOUR)
        .encode(
            color=alt.Color(
                "count:Q", scale=alt.Scale(domain=[1, worst], range=list(MISTAKE_COLOURS)), legend=None
            )
        )
    )
    right = base.transform_filter("datum.correct").mark_rect(stroke=GRID_COLOUR, fill=CORRECT_COLOUR)
    labels = (
        base.transform_filter("datum.count > 0")
        .mark_text(fontSize=FONT_SIZE - 1, color="white")
        .encode(text=alt.Text("count:Q", format=","))
    )
    layers = (grid + wrong + right + labels).properties(height=height)
    return styled(layers.properties(title=title) if title else layers)


def confusion_chart(
    matrix: ArrayLike,
    predicted_title: str,
    true_title: str,
    count_title: str,
    height: int = 520,
    title: str | None = None,
) -> Spec:
    """A confusion matrix as a grid of counts, truth down, prediction across: diagonal green, mistakes red.

    A digit with no example at all (a row of zeros) gets no green cell: there was nothing to read right.
    """
    counts = np.asarray(matrix)
    true, predicted = np.indices(counts.shape)
    correct = (true == predicted) & counts.any(axis=1, keepdims=True)
    worst = max(int(counts[~correct].max(initial=0)), 2)
    spec = confusion_template(predicted_title, true_title, count_title, height, worst, title)
    cells = table(true=true, predicted=predicted, count=counts, correct=correct)
    return with_data(spec, cells=cells)


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


# Ink is white on black as in MNIST: black numbers on cells from grey 118 up, white ones below, each 4.5 : 1
# or more on its cell; zeros grey (4.6 : 1 on black), so that the digit stands out.
ZERO_INK, DARK_INK, LIGHT_INK = "#767676", "black", "white"
DARK_INK_FROM = 118
PIXEL_FONT_SIZE = 12


@template
def pixel_values_template(title: str, rows: int, columns: int, cell: int) -> alt.LayerChart:
    """A grid of `pixels` (row, col, value 0-255, ink: the colour of its number), each cell shaded."""
    # Every row and column numbered: Vega would drop every other label as overlapping.
    axis = {"labelOverlap": False, "labelFontSize": 13, "ticks": False, "domain": False}
    base = alt.Chart(alt.NamedData("pixels"), title=title).encode(
        x=alt.X("col:O", title=None, axis=alt.Axis(labelAngle=0, orient="top", **axis)),
        y=alt.Y("row:O", title=None, axis=alt.Axis(**axis)),
    )
    # Shades mixed in RGB, not Vega's default HCL: a cell's grey is its pixel value, as the ink assumes.
    shade = alt.Scale(domain=[0, 255], range=["black", "white"], interpolate="rgb")
    cells = base.mark_rect().encode(
        color=alt.Color("value:Q", scale=shade, legend=None),
        tooltip=[alt.Tooltip("row:O"), alt.Tooltip("col:O"), alt.Tooltip("value:Q")],
    )
    numbers = base.mark_text(fontSize=PIXEL_FONT_SIZE).encode(
        text="value:Q", color=alt.Color("ink:N", scale=None)
    )
    # Two colour encodings (shade and ink) in one layer chart must not share a scale, or nothing is drawn.
    layers = (cells + numbers).resolve_scale(color="independent")
    return styled(layers.properties(width=cell * columns, height=cell * rows))


def pixel_values(image: ArrayLike, title: str, cell: int = 28) -> Spec:
    """An image as the grid of 0-255 numbers the network reads, each cell shaded like its pixel."""
    pixels = np.asarray(image)
    data = pixel_table(content_key(pixels))
    return with_data(pixel_values_template(title, *pixels.shape, cell), pixels=data)


@functools.lru_cache(maxsize=256)
def pixel_table(image: Content) -> bytes:
    """The cells (row, col, value, ink) of an image, serialized once per image: a class browsing MNIST looks
    at the same few images, and a page rerun for another reason shows the same one."""
    pixels = from_content(image)
    rows, cols = np.indices(pixels.shape)
    values = pixels.ravel()
    ink = np.select([values == 0, values >= DARK_INK_FROM], [ZERO_INK, DARK_INK], LIGHT_INK)
    return frozen(table(row=rows, col=cols, value=values, ink=ink))
