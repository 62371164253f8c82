"""ui.charts' colours: every mark 3:1 on white, digits and functions told apart by colour-blind readers too,
pixel values readable on their own cells, the thumbnails' colour bars in the digit colours."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest
from colours import GRAPHICS_CONTRAST, TEXT_CONTRAST, closest_pair, contrast, rgb

from ui.charts import (
    CORRECT_COLOUR,
    DIGIT_COLOURS,
    FUNCTION_COLOURS,
    MISTAKE_COLOURS,
    SHEET_GAP,
    TEXT_COLOUR,
    ink_on,
    pixel_values,
    thumbnail_sheet,
)

VISIONS = [None, "protanopia", "deuteranopia", "tritanopia"]
# Side by side, two colours this far apart in CIELAB (ΔE*ab) are told apart at a glance.
DISTINCT = 10.0
ACTIVATIONS = ("step", "sigmoid", "relu", "identity", "tanh", "leaky_relu")  # drawn together on one chart
SOFTMAX = ("softmax", "softmax_naive", "softmax_temperature")  # the Softmax page's three softmaxes


@pytest.mark.parametrize("colour", DIGIT_COLOURS + tuple(FUNCTION_COLOURS.values()) + (CORRECT_COLOUR,))
def test_every_mark_colour_stands_out_on_white(colour):
    assert contrast(colour) >= GRAPHICS_CONTRAST


@pytest.mark.parametrize("vision", VISIONS)
@pytest.mark.parametrize(
    "colours",
    [DIGIT_COLOURS, [FUNCTION_COLOURS[f] for f in ACTIVATIONS], [FUNCTION_COLOURS[f] for f in SOFTMAX]],
    ids=["digits", "activations", "softmax"],
)
def test_colours_drawn_together_are_told_apart_with_any_colour_vision(colours, vision):
    assert len(set(colours)) == len(colours)
    assert closest_pair(colours, vision) >= DISTINCT


def test_a_number_written_on_a_digits_bar_is_readable():
    for colour in DIGIT_COLOURS:
        assert contrast(ink_on(colour), colour) >= TEXT_CONTRAST


def test_counts_are_readable_on_every_cell_of_the_confusion_matrix():
    # White counts, on the diagonal and on the lightest and the darkest mistake cell.
    for cell in (CORRECT_COLOUR, *MISTAKE_COLOURS):
        assert contrast("white", cell) >= TEXT_CONTRAST
    assert contrast(TEXT_COLOUR) >= TEXT_CONTRAST


def test_every_pixel_value_is_readable_on_its_own_cell():
    spec = pixel_values(np.arange(256, dtype=np.uint8).reshape(16, 16), "")
    # Serialized once per image, as Streamlit sends it: Arrow IPC.
    pixels = pa.ipc.open_stream(spec["datasets"]["pixels"]).read_all().to_pydict()
    for value, ink in zip(pixels["value"], pixels["ink"], strict=True):
        cell = np.full(3, value / 255)  # the cell's grey, its shades mixed in RGB
        assert contrast(ink, cell) >= TEXT_CONTRAST, (value, ink)


def test_a_thumbnails_bar_is_its_digits_colour():
    size, digits = 20, range(10)
    sheet = thumbnail_sheet(np.zeros((10, 28, 28)), [str(d) for d in digits], digits, columns=10, size=size)
    for digit, colour in enumerate(DIGIT_COLOURS):
        pixel = np.array(sheet.getpixel((digit * (size + SHEET_GAP) + size // 2, size + 2))) / 255
        assert np.allclose(pixel, rgb(colour), atol=1 / 255)
