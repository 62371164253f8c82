"""The Draw page (3.6.2) in AppTest: drawings injected into the canvas, the h() selector, steps, photos."""

from __future__ import annotations

import gzip
import html
import io
import json
import re
import struct
import zlib
from collections.abc import Sequence

import numpy as np
import pandas as pd
import pytest
from apptest_page import canvas_value, open_page
from PIL import Image, ImageDraw, ImageFilter
from streamlit.testing.v1 import AppTest

import nn
from dataset.mnist import parse_idx
from nn import preprocess

CANVAS = "draw_canvas_0"  # ui.canvas: "<prefix>_canvas_<generation>"
HIDDEN_TAB = "🧠 Hidden layers and h()"
Strokes = Sequence[Sequence[tuple[int, int]]]
ONE: Strokes = [[(150, 40), (140, 240)]]
SEVEN: Strokes = [[(70, 50), (210, 50), (120, 240)]]

pytestmark = pytest.mark.usefixtures("mnist_dir_or_offline")


def strokes(
    lines: Strokes,
    ink: str = "white",
    paper: str = "black",
    size: tuple[int, int] = (280, 280),
    width: int = 18,
):
    """Lines drawn with a round brush, 18 pixels wide unless told, as on the canvas."""
    image = Image.new("RGB", size, paper)
    draw = ImageDraw.Draw(image)
    for line in lines:
        draw.line(line, fill=ink, width=width, joint="curve")
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


def table(at: AppTest, first_column: str) -> pd.DataFrame:
    """The page's table of answers whose first column is `first_column`, indexed by it: each row's predicted
    digit and its probability as shown ("87.3%")."""
    for element in at.get("html"):
        head = re.findall(r"<th(?: [^>]*)?>(.*?)</th>", element.proto.body)
        if head and html.unescape(head[0]) == first_column:
            cells = [
                html.unescape(re.sub(r"<[^>]+>", "", cell))
                for cell in re.findall(r"<td[^>]*>(.*?)</td>", element.proto.body)
            ]
            rows = [cells[i : i + 3] for i in range(0, len(cells), 3)]
            frame = pd.DataFrame(rows, columns=["label", "prediction", "probability"]).set_index("label")
            return frame.astype({"prediction": int})
    raise AssertionError(f"no table of answers headed {first_column!r}")


def figure(at: AppTest, label: str) -> tuple[str, str]:
    """The value and the note under it of the figure labelled `label` (one HTML block with the pictures)."""
    for element in at.get("html"):
        for cell in re.findall(r'<div style="min-width[^"]*">(.*?)</div></div>', element.proto.body):
            parts = [
                html.unescape(re.sub(r"<[^>]+>", "", part))
                for part in re.findall(r"<div[^>]*>(.*?)</div>", cell + "</div>")
            ]
            if parts and parts[0].removesuffix(" ⓘ") == label:
                return parts[1], parts[2]
    raise AssertionError(f"no figure labelled {label!r}")


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


def test_back_from_another_page_the_drawing_h_the_switches_and_the_brush_are_as_left():
    objects = [{"type": "path", "path": [["M", 70, 50], ["L", 210, 50], ["L", 120, 240]]}]
    at = open_page("draw", **{CANVAS: canvas_value(strokes(SEVEN), objects)})
    at.button_group(key="draw_activation").set_value("relu").run()
    at.toggle(key="draw_center").set_value(False).run()
    at.slider(key="draw_brush").set_value(30).run()
    left = answer(at), table(at, "steps").to_dict()
    at.switch_page("views/softmax.py").run()
    # What the browser does on a page switch: the canvas's drawing, its widget value, is gone with the canvas.
    del at.session_state[CANVAS]
    at.switch_page("views/draw.py").run()
    assert not at.exception
    assert at.button_group(key="draw_activation").value == "relu"
    assert at.toggle(key="draw_center").value is False
    assert at.slider(key="draw_brush").value == 30
    assert (answer(at), table(at, "steps").to_dict()) == left
    # The canvas mounted afresh is given its strokes back, and the brush width.
    sent = json.loads(at.get("bidi_component")[0].proto.json)
    assert sent["initialDrawing"]["objects"] == objects
    assert sent["strokeWidth"] == 30


def pictures(at: AppTest) -> list[str]:
    """The stage pictures shown, as the PNG data URIs sent."""
    return [
        uri for element in at.get("html") for uri in re.findall(r'<img src="([^"]+)"', element.proto.body)
    ]


def test_a_language_switch_shows_the_same_reading_without_reading_the_drawing_again(monkeypatch):
    at = open_page("draw", **on_canvas(strokes(SEVEN)))
    english = answer(at), table(at, "steps")["prediction"].to_list(), pictures(at)
    reads = []
    counted = [(preprocess, "ink_image"), (preprocess, "stages_from_ink"), (preprocess, "recipe_input")]
    for module, name in [*counted, (nn, "predict_trace"), (nn, "predict")]:
        original = getattr(module, name)
        monkeypatch.setattr(
            module, name, lambda *a, _f=original, _n=name, **k: reads.append(_n) or _f(*a, **k)
        )
    at.session_state["lang"] = "ko"
    at.run()
    assert not at.exception
    korean = prediction(at, "예측"), table(at, "단계")["prediction"].to_list(), pictures(at)
    assert (korean[0].value, korean[1], korean[2]) == (english[0][0], english[1], english[2])
    assert reads == []
    # A new drawing is read: nothing of the last one is shown for it.
    at.session_state[CANVAS] = canvas_value(strokes(ONE), [])
    at.run()
    assert prediction(at, "예측").value == "1"
    assert set(reads) == {"ink_image", "stages_from_ink", "recipe_input", "predict_trace", "predict"}
    assert pictures(at) != english[2]


def test_the_activation_drives_the_answer_the_heat_maps_and_the_link():
    # The heat-maps and the table of every h() are made only while their tab is open.
    at = open_page("draw", draw_tab=HIDDEN_TAB, **on_canvas(strokes(ONE)))
    under_every_h = table(at, "h()")
    before, charts_before = answer(at), chart_data(at)
    at.button_group(key="draw_activation").set_value("relu").run()
    assert not at.exception
    digit, probability = under_every_h.loc["ReLU"]
    assert answer(at) == (str(digit), f"probability {probability}")
    assert answer(at) != before
    # The probabilities, z1 and z2 all change with h().
    assert all(a != b for a, b in zip(chart_data(at), charts_before, strict=True))
    assert at.query_params["draw_activation"] == "relu"


@pytest.mark.parametrize(("link", "shown"), [("tanh", "tanh"), ("softplus", "sigmoid")])
def test_the_activation_comes_from_the_link_and_a_bad_one_is_ignored(link, shown):
    at = open_page("draw", {"draw_activation": link}, draw_tab=HIDDEN_TAB, **on_canvas(strokes(ONE)))
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
    assert answer(at) == (str(digit), f"probability {probability}")
    assert answer(at) != full


def stage_captions(at: AppTest) -> list[str]:
    """The captions under the preprocessing pictures (one HTML block of figures)."""
    bodies = [element.proto.body for element in at.get("html")]
    return [
        html.unescape(caption) for body in bodies for caption in re.findall(r"<figcaption[^>]*>(.*?)</", body)
    ]


def test_without_the_fit_the_network_gets_the_region_squashed_to_28x28():
    at = open_page("draw", **on_canvas(strokes(SEVEN)))
    captions = stage_captions(at)
    assert "3 · Fitted: 20×15" in captions
    at.toggle(key="draw_fit").set_value(False).run()
    captions = stage_captions(at)
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
    """Give the page's uploader a file, as a person picking it would: the photo's expander opened first (its
    content is made only while it is open)."""
    at.session_state["draw_photo_open"] = True
    at.run()
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


def with_size(png: bytes, width: int, height: int) -> bytes:
    """The PNG with its header claiming another size, as a picture of that size has it."""
    header = b"IHDR" + struct.pack(">II", width, height) + png[24:29]
    return png[:12] + header + struct.pack(">I", zlib.crc32(header)) + png[33:]


def photo_controls(at: AppTest) -> list[str]:
    """The keys of the photo's ink controls on the page."""
    keys = [widget.key for widget in [*at.button_group, *at.slider]]
    return [key for key in keys if key in ("draw_paper", "draw_threshold")]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "notes.png",
            b"these are my notes, not a picture",
            "notes.png is not a picture that can be read here",
        ),
        ("cut.png", encoded(strokes(SEVEN))[:200], "cut.png is damaged or cut short"),
        ("empty.png", b"", "empty.png is empty (0 bytes)"),
        (
            "seven.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><path d="M1 1h9"/></svg>',
            "is an SVG drawing",
        ),
        (
            "huge.png",
            with_size(encoded(strokes(SEVEN)), 12_000, 12_000),
            "huge.png is 12,000 × 12,000 pixels (144 megapixels); the largest picture read here has 50 mega",
        ),
    ],
    ids=["text", "truncated", "empty", "svg", "12000x12000"],
)
def test_a_bad_file_says_what_is_wrong_hides_the_photo_controls_and_the_drawing_stays(name, content, message):
    at = upload(open_page("draw", **on_canvas(strokes(ONE))), name, content)
    errors = [error.value for error in at.error]
    assert len(errors) == 1, errors
    assert message in errors[0]
    assert photo_controls(at) == []
    assert prediction(at).value == "1"


def test_upload_errors_are_in_the_pages_language():
    at = upload(open_page("draw", lang="ko"), "huge.png", with_size(encoded(strokes(SEVEN)), 12_000, 12_000))
    assert [error.value for error in at.error] == [
        "huge.png은(는) 12,000 × 12,000 픽셀(144메가픽셀)입니다. "
        "여기서 읽는 가장 큰 그림은 50메가픽셀입니다. "
        "사진 앱으로 크기를 줄이거나 숫자만 남도록 잘라서 다시 올리세요."
    ]


def test_a_readable_photo_shows_its_controls():
    at = upload(open_page("draw"), "seven.jpg", photo())
    assert photo_controls(at) == ["draw_paper", "draw_threshold"]


def dot() -> Image.Image:
    """One dab of the 18-pixel brush in the middle of the canvas."""
    image = Image.new("RGB", (280, 280), "black")
    ImageDraw.Draw(image).ellipse((131, 131, 149, 149), fill="white")
    return image


def notes(at: AppTest) -> list[str]:
    """The page's warnings that the input is unlike MNIST."""
    return [warning.value for warning in at.warning if "Unlike MNIST" in warning.value]


# A 3 drawn small with a thick brush: fitted into 20x20, its strokes run into one another.
SMALL_THICK_THREE: Strokes = [
    [(120, 110), (145, 108), (152, 120), (135, 133), (153, 145), (148, 160), (120, 162)]
]


@pytest.mark.parametrize(
    ("drawing", "note"),
    [
        (dot(), "run into a blob"),
        (strokes(SMALL_THICK_THREE, width=32), "run into a blob"),
        (strokes(SEVEN, width=4), "strokes this thin"),
    ],
    ids=["dot", "small-thick-3", "thin-7"],
)
def test_a_note_says_when_the_input_is_unlike_mnist_and_the_prediction_stays(drawing, note):
    at = open_page("draw", **on_canvas(drawing))
    assert prediction(at) is not None
    found = notes(at)
    assert len(found) == 1, found
    assert note in found[0]


@pytest.mark.parametrize("lines", [ONE, SEVEN], ids=["1", "7"])
@pytest.mark.parametrize("width", [18, 25, 32])
def test_digits_drawn_with_a_usual_brush_get_no_note(lines, width):
    at = open_page("draw", **on_canvas(strokes(lines, width=width)))
    assert prediction(at) is not None
    assert notes(at) == []


def test_the_thickness_is_shown_beside_mnists_range():
    at = open_page("draw", **on_canvas(dot()))
    value, note = figure(at, "Stroke thickness")
    assert float(value) > 5.25
    assert note == "MNIST's: 1.25 to 5.25"


def test_a_photo_without_ink_says_so_instead_of_predicting():
    at = upload(open_page("draw"), "blank.png", encoded(Image.new("RGB", (120, 90), "white")))
    assert prediction(at) is None
    assert any("No ink found in the photo" in info.value for info in at.info)


def test_a_photo_stays_in_use_when_its_expander_is_folded_and_an_unused_one_is_not_made():
    at = open_page("draw", **on_canvas(strokes(ONE)))
    assert not at.get("file_uploader")  # folded and empty: nothing in it is made on a stroke
    upload(at, "seven.jpg", photo())
    at.session_state["draw_photo_open"] = False
    at.run()
    assert not at.exception
    assert prediction(at).value == "7"
    assert any("photo" in info.value for info in at.info)
