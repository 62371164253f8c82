"""The Draw page (3.6.2) in AppTest: drawings injected into the canvas, the h() selector, steps, photos."""

from __future__ import annotations

import gzip
import io
from collections.abc import Sequence

import numpy as np
import pytest
from apptest_page import canvas_value, open_page
from PIL import Image, ImageDraw, ImageFilter
from streamlit.testing.v1 import AppTest

from dataset.mnist import parse_idx

CANVAS = "draw_canvas_0"  # ui.canvas: "<prefix>_canvas_<generation>"
Strokes = Sequence[Sequence[tuple[int, int]]]
ONE: Strokes = [[(150, 40), (140, 240)]]
SEVEN: Strokes = [[(70, 50), (210, 50), (120, 240)]]

pytestmark = pytest.mark.usefixtures("mnist_dir_or_offline")


def strokes(lines: Strokes, ink: str = "white", paper: str = "black", size: tuple[int, int] = (280, 280)):
    """Lines drawn with an 18-pixel round brush, as on the canvas."""
    image = Image.new("RGB", size, paper)
    draw = ImageDraw.Draw(image)
    for line in lines:
        draw.line(line, fill=ink, width=18, joint="curve")
    return image


def encoded(image: Image.Image, fmt: str = "PNG") -> bytes:
    """The image as a file's bytes."""
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    return buffer.getvalue()


def on_canvas(image: Image.Image) -> dict[str, dict]:
    """Session state that puts the image on the page's canvas, as the component reports it after a stroke."""
    return {CANVAS: canvas_value(image, [])}


def prediction(at: AppTest, label: str = "Prediction"):
    """The metric with the prediction, or None when the page shows none."""
    return next((metric for metric in at.metric if metric.label == label), None)


def answer(at: AppTest) -> tuple[str, str]:
    """The predicted digit and its probability, as shown."""
    metric = prediction(at)
    return metric.value, metric.delta


def table(at: AppTest, first_column: str):
    """The page's table whose first column is `first_column`, indexed by it."""
    frame = next(df.value for df in at.dataframe if df.value.columns[0] == first_column)
    return frame.set_index(first_column)


def chart_data(at: AppTest) -> list[bytes]:
    """The result charts' datasets, as the Arrow bytes sent to the browser.

    A chart one can select in (the tap grid) is an input, not a result: it is left out.
    """
    charts = [chart for chart in at.get("vega_lite_chart") if not chart.proto.selection_mode]
    return [dataset.data.data for chart in charts for dataset in chart.proto.datasets]


def test_an_empty_canvas_shows_the_hint_and_no_prediction():
    at = open_page("draw")
    assert prediction(at) is None
    assert any("Draw a digit" in info.value for info in at.info)


@pytest.mark.parametrize(("lines", "digit"), [(ONE, "1"), (SEVEN, "7")])
def test_a_drawn_digit_is_read(lines, digit):
    at = open_page("draw", **on_canvas(strokes(lines)))
    assert prediction(at).value == digit
    assert prediction(at).delta.startswith("probability ")


def test_mnist_test_digits_drawn_on_the_canvas_are_read(mnist_dir):
    images = parse_idx(gzip.decompress((mnist_dir / "t10k-images-idx3-ubyte.gz").read_bytes()))
    labels = parse_idx(gzip.decompress((mnist_dir / "t10k-labels-idx1-ubyte.gz").read_bytes()))
    at = open_page("draw")
    for image, label in zip(images[:4], labels[:4], strict=True):
        at.session_state[CANVAS] = canvas_value(Image.fromarray(image).resize((280, 280), Image.BILINEAR), [])
        at.run()
        assert not at.exception
        assert prediction(at).value == str(label)


def test_the_prediction_is_labelled_in_korean():
    at = open_page("draw", lang="ko", **on_canvas(strokes(SEVEN)))
    assert prediction(at, "예측").value == "7"
    assert prediction(at) is None


@pytest.mark.parametrize(
    "lines",
    [[[(140, 140), (141, 141)]], [[(20, 30), (250, 200), (40, 260), (200, 20), (90, 150)]]],
    ids=["dot", "scribble"],
)
def test_a_dot_or_a_scribble_gives_an_answer_not_a_traceback(lines):
    at = open_page("draw", **on_canvas(strokes(lines)))
    assert prediction(at) is not None or any("Draw a digit" in info.value for info in at.info)


def test_clear_empties_the_canvas():
    at = open_page("draw", **on_canvas(strokes(SEVEN)))
    assert prediction(at) is not None
    next(button for button in at.button if "Clear" in button.label).click().run()
    assert not at.exception
    assert prediction(at) is None
    assert "draw_canvas_1" in at.session_state  # a fresh canvas under a new key


def test_the_activation_drives_the_answer_the_heat_maps_and_the_link():
    at = open_page("draw", **on_canvas(strokes(ONE)))
    under_every_h = table(at, "h()")
    before, charts_before = answer(at), chart_data(at)
    at.button_group(key="draw_activation").set_value("relu").run()
    assert not at.exception
    digit, probability = under_every_h.loc["ReLU"]
    assert answer(at) == (str(int(digit)), f"probability {probability:.1%}")
    assert answer(at) != before
    # The probabilities, z1 and z2 all change with h().
    assert all(a != b for a, b in zip(chart_data(at), charts_before, strict=True))
    assert at.query_params["draw_activation"] == "relu"


@pytest.mark.parametrize(("link", "shown"), [("tanh", "tanh"), ("softplus", "sigmoid")])
def test_the_activation_comes_from_the_link_and_a_bad_one_is_ignored(link, shown):
    at = open_page("draw", {"draw_activation": link}, **on_canvas(strokes(ONE)))
    assert at.button_group(key="draw_activation").value == shown
    # Both names are shown as they are in English: the row of the table is the key itself.
    assert table(at, "h()").loc[shown, "prediction"] == int(prediction(at).value)


@pytest.mark.parametrize(
    ("step", "recipe"),
    [("crop", "without cropping"), ("fit", "without the 20×20 fit"), ("center", "without centring")],
)
def test_switching_a_step_off_feeds_the_network_that_input(step, recipe):
    at = open_page("draw", **on_canvas(strokes(SEVEN)))
    recipes = table(at, "steps")
    full = answer(at)
    at.toggle(key=f"draw_{step}").set_value(False).run()
    assert not at.exception
    digit, probability = recipes.loc[recipe]
    assert answer(at) == (str(int(digit)), f"probability {probability:.1%}")
    assert answer(at) != full


def test_without_the_fit_the_network_gets_the_region_squashed_to_28x28():
    at = open_page("draw", **on_canvas(strokes(SEVEN)))
    captions = [image.proto.imgs[0].caption for image in at.get("image")]
    assert "3 · Fitted: 20×15" in captions
    at.toggle(key="draw_fit").set_value(False).run()
    captions = [image.proto.imgs[0].caption for image in at.get("image")]
    assert "3 · Fitted: 28×28" in captions


def photo(frame: float = 1.0) -> bytes:
    """A JPEG 'photo' of a dark 7 on light paper, its edges darkened by `frame` (a shadow, a table)."""
    image = strokes([[(230, 100), (400, 100), (300, 400)]], ink="#28282f", paper="#e1dcd2", size=(640, 480))
    pixels = np.asarray(image.filter(ImageFilter.GaussianBlur(1.5)), dtype=np.float32)
    edges = np.ones(pixels.shape[:2], dtype=bool)
    edges[36:-36, 48:-48] = False
    pixels[edges] *= frame
    return encoded(Image.fromarray(pixels.astype(np.uint8)), "JPEG")


def upload(at: AppTest, name: str, content: bytes) -> AppTest:
    """Give the page's uploader a file, as a person picking it would."""
    at.file_uploader(key="draw_photo").upload(name, content).run()
    assert not at.exception
    return at


def test_a_photo_of_dark_ink_on_paper_is_read():
    at = upload(open_page("draw"), "seven.jpg", photo())
    assert prediction(at).value == "7"
    assert any("reading the photo" in info.value for info in at.info)


def test_a_dark_frame_fools_detection_until_the_paper_is_set_and_shadows_cut():
    at = upload(open_page("draw"), "framed.jpg", photo(frame=0.4))
    assert prediction(at).value != "7"
    at.button_group(key="draw_paper").set_value("light")
    at.slider(key="draw_threshold").set_value(0.7).run()
    assert not at.exception
    assert prediction(at).value == "7"


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("notes.png", b"these are my notes, not a picture", "not an image file"),
        ("cut.png", encoded(strokes(SEVEN))[:200], "damaged or truncated"),
        ("empty.png", b"", "empty"),
    ],
)
def test_a_bad_file_gives_an_error_and_the_drawing_stays_in_use(name, content, reason):
    at = upload(open_page("draw", **on_canvas(strokes(ONE))), name, content)
    errors = [error.value for error in at.error]
    assert any(f"Could not read {name}" in error and reason in error for error in errors), errors
    assert prediction(at).value == "1"


def test_a_photo_without_ink_says_so_instead_of_predicting():
    at = upload(open_page("draw"), "blank.png", encoded(Image.new("RGB", (120, 90), "white")))
    assert prediction(at) is None
    assert any("No ink found in the photo" in info.value for info in at.info)
