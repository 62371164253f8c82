"""Drawing -> MNIST input: drawn strokes, odd canvases, bad input, and a round trip through the real MNIST."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from PIL import Image, ImageDraw

from nn import canvas_to_mnist
from nn.preprocess import (
    FIT,
    MNIST_BOX_SIZE,
    MNIST_CENTRE_OF_MASS,
    MNIST_INK_MASS,
    MNIST_THICKNESS_RANGE,
    NOISE_FRACTION,
    PreprocessError,
    _resize,
    centre_of_mass,
    ink_box,
    ink_image,
    preprocess_stages,
    recipe_input,
    stages_from_ink,
    unlike_mnist,
)

BLACK, WHITE, CLEAR = (0, 0, 0, 255), (255, 255, 255, 255), (0, 0, 0, 0)
ONE = [(150, 50), (150, 235)], [(150, 50), (118, 85)]
SEVEN = [(70, 60), (210, 60), (120, 240)], [(110, 150), (190, 150)]


def draw(*strokes, size=(280, 280), background=BLACK, ink=WHITE, width=18) -> np.ndarray:
    """A read-only RGBA canvas (H, W, 4) uint8 with polyline strokes (x, y), like the Draw page gives."""
    image = Image.new("RGBA", (size[1], size[0]), background)
    pen = ImageDraw.Draw(image)
    for points in strokes:
        pen.line(points, fill=ink, width=width, joint="curve")
    return np.asarray(image)


def read_idx_images(path: Path) -> np.ndarray:
    """(N, 28, 28) uint8 from an IDX3 .gz file: a 16-byte big-endian header, then the pixels."""
    with gzip.open(path) as f:
        data = f.read()
    count, rows, cols = np.frombuffer(data, ">i4", count=3, offset=4)
    return np.frombuffer(data, np.uint8, offset=16).reshape(count, rows, cols)


def as_rgba(grey: np.ndarray) -> np.ndarray:
    """Grey uint8 (H, W) as opaque white-on-black RGBA, the canvas' format."""
    return np.dstack([grey, grey, grey, np.full_like(grey, 255)])


def assert_mnist_like(x: np.ndarray | None) -> None:
    """None, or the network's input: (784,) float32, finite, 0..1."""
    if x is not None:
        assert x.shape == (784,)
        assert x.dtype == np.float32
        assert np.isfinite(x).all()
        assert x.min() >= 0
        assert x.max() <= 1


sizes = st.tuples(st.integers(1, 12), st.integers(1, 40))
pixels = st.integers(0, 255) | st.sampled_from([0, 255])
grey_or_rgb = sizes.flatmap(lambda s: st.sampled_from([s, (*s, 1), (*s, 2), (*s, 3)]))


@settings(max_examples=150, deadline=None)
@given(arrays(np.uint8, sizes.map(lambda s: (*s, 4)), elements=pixels))
def test_any_rgba_gives_none_or_an_mnist_input_and_leaves_the_canvas_alone(rgba):
    original = rgba.copy()
    rgba.flags.writeable = False
    assert_mnist_like(canvas_to_mnist(rgba))
    np.testing.assert_array_equal(rgba, original)


@settings(max_examples=60, deadline=None)
@given(arrays(np.uint8, grey_or_rgb, elements=pixels))
def test_grey_and_rgb_images_are_accepted(image):
    assert_mnist_like(canvas_to_mnist(image))


@settings(max_examples=60, deadline=None)
@given(arrays(np.uint8, sizes.map(lambda s: (*s, 4)), elements=pixels))
def test_centring_cuts_no_ink_off(rgba):
    stages = preprocess_stages(rgba)
    if stages is not None:
        assert stages.centred.sum() == pytest.approx(stages.fitted.sum(), rel=1e-5)


def test_canvas_to_mnist_is_the_flattened_final_stage():
    canvas = draw(*SEVEN)
    np.testing.assert_array_equal(canvas_to_mnist(canvas), preprocess_stages(canvas).centred.ravel())


def test_a_drawn_one_lands_on_mnists_centre_of_mass():
    stages = preprocess_stages(draw(*ONE))
    assert np.abs(np.subtract(stages.com_after, MNIST_CENTRE_OF_MASS)).max() <= 0.5
    assert centre_of_mass(stages.centred) == stages.com_after
    assert stages.box_size[0] == FIT


def test_the_stages_describe_the_canvas():
    stages = preprocess_stages(draw(*SEVEN))
    top, left, bottom, right = stages.bbox
    assert stages.ink.shape == (280, 280)
    assert stages.cropped.shape == (bottom - top, right - left)
    assert stages.cropped.max() == 1
    assert max(stages.fitted.shape) == FIT
    assert stages.ink_mass == pytest.approx(float(stages.centred.sum()))
    assert stages.ink_mass_ratio == pytest.approx(stages.ink_mass / MNIST_INK_MASS)
    assert stages.box_ratio == pytest.approx(np.divide(stages.box_size, MNIST_BOX_SIZE))
    assert ink_box(stages.ink) == stages.bbox


def test_a_tall_thin_stroke_stays_thin():
    stages = preprocess_stages(draw([(140, 40), (140, 240)], width=20))
    assert stages.fitted.shape == (FIT, 2)
    assert stages.box_size == (FIT, 2)
    assert preprocess_stages(draw([(140, 40), (140, 240)], width=20), fit=False).box_size == (28, 28)


def test_dark_ink_on_white_reads_like_white_ink_on_black():
    dark_on_light = canvas_to_mnist(draw(*SEVEN, background=WHITE, ink=BLACK))
    np.testing.assert_allclose(dark_on_light, canvas_to_mnist(draw(*SEVEN)), atol=1e-6)


def test_grey_paper_with_grey_ink_reads_like_the_canvas():
    paper = canvas_to_mnist(draw(*SEVEN, background=(200, 200, 200, 255), ink=(30, 30, 30, 255)))
    np.testing.assert_allclose(paper, canvas_to_mnist(draw(*SEVEN)), atol=1e-6)


@pytest.mark.parametrize("ink", [BLACK, WHITE, (200, 30, 30, 255)])
def test_ink_on_a_transparent_background_is_read_from_the_alpha(ink):
    transparent = canvas_to_mnist(draw(*SEVEN, background=CLEAR, ink=ink))
    np.testing.assert_allclose(transparent, canvas_to_mnist(draw(*SEVEN)), atol=1e-6)


@pytest.mark.parametrize("size", [(280, 280), (1, 1), (3, 500), (1000, 1000)])
def test_a_single_dot_gives_an_input(size):
    rgba = np.zeros((*size, 4), np.uint8)
    rgba[..., 3] = 255
    rgba[size[0] // 2, size[1] // 3, :3] = 255
    x = canvas_to_mnist(rgba)
    assert_mnist_like(x)
    assert x is not None or size == (1, 1)


@pytest.mark.parametrize("size", [(280, 280), (3, 500), (1000, 1000), (500, 40)])
def test_a_stroke_gives_an_input_on_any_canvas_size(size):
    height, width = size
    x = canvas_to_mnist(draw([(width // 4, height // 5), (width // 2, 4 * height // 5)], size=size, width=3))
    assert_mnist_like(x)
    assert x is not None


def test_a_stroke_touching_the_edges_reads_like_the_same_stroke_inside():
    inside = draw(*SEVEN)
    top, left, _, _ = preprocess_stages(inside).bbox
    touching = inside[top:, left:]
    assert touching[0].any()
    assert touching[:, 0].any()
    np.testing.assert_allclose(canvas_to_mnist(touching), canvas_to_mnist(inside), atol=1e-6)


@pytest.mark.parametrize(
    "rgba",
    [
        np.zeros((280, 280, 4), np.uint8),
        np.full((280, 280, 4), 255, np.uint8),
        np.full((64, 64, 4), (0, 0, 0, 255), np.uint8),
        np.full((64, 64, 4), (255, 255, 255, 0), np.uint8),
        np.full((64, 64, 4), (10, 10, 10, 255), np.uint8),
        np.zeros((1, 1, 4), np.uint8),
    ],
    ids=["transparent", "white", "black", "white-transparent", "near-black", "1x1"],
)
def test_a_blank_canvas_gives_none(rgba):
    assert canvas_to_mnist(rgba) is None


def test_faint_specks_do_not_stretch_the_box():
    canvas = draw(*ONE).copy()
    speck = int(255 * NOISE_FRACTION * 0.8)
    canvas[5, 5, :3] = speck
    canvas[270, 270, :3] = speck
    stages = preprocess_stages(canvas)
    assert stages.bbox == preprocess_stages(draw(*ONE)).bbox


def test_grey_rgb_and_float_versions_of_a_canvas_agree():
    rgba = draw(*SEVEN)
    expected = canvas_to_mnist(rgba)
    for image in (rgba[..., 0], rgba[..., :3], rgba[..., :1], rgba.astype(np.float64) / 255, rgba > 127):
        np.testing.assert_allclose(canvas_to_mnist(image), expected, atol=1e-5)


@pytest.mark.parametrize(
    ("image", "message"),
    [
        (np.zeros(784, np.uint8), "shape"),
        (np.zeros((28, 28, 5), np.uint8), "shape"),
        (np.zeros((2, 28, 28, 4), np.uint8), "shape"),
        (np.zeros((0, 28, 4), np.uint8), "no pixels"),
        (np.full((8, 8), np.nan), "NaN"),
        (np.full((8, 8), 255.0), "0..1"),
        (np.full((8, 8), 300, np.int32), "0..255"),
        (np.full((8, 8), "ink"), "numbers"),
        ([[0, 1], [2]], "rectangular"),
    ],
    ids=["1-D", "5 channels", "4-D", "empty", "nan", "float 0..255", "int 300", "strings", "ragged"],
)
def test_wrong_input_is_refused_clearly(image, message):
    with pytest.raises(PreprocessError, match=message):
        canvas_to_mnist(image)


def test_without_cropping_a_small_digit_stays_small():
    small = draw([(30, 20), (30, 80)], width=6)
    assert preprocess_stages(small, crop=False).bbox == (0, 0, 280, 280)
    assert preprocess_stages(small).box_size[0] == FIT
    assert preprocess_stages(small, crop=False).box_size[0] < FIT / 2


def test_without_cropping_or_fitting_the_canvas_is_squashed_to_28x28():
    stages = preprocess_stages(draw(*ONE), crop=False, fit=False)
    assert stages.cropped.shape == (280, 280)
    assert stages.fitted.shape == (28, 28)
    np.testing.assert_array_equal(stages.centred, stages.fitted)


def test_without_centring_the_box_sits_at_the_geometric_middle():
    stages = preprocess_stages(draw(*SEVEN), center=False)
    top, left, bottom, right = ink_box(stages.centred)
    assert (top, left) == ((28 - (bottom - top)) // 2, (28 - (right - left)) // 2)
    assert stages.com_before == stages.com_after
    assert preprocess_stages(draw(*SEVEN)).com_before == stages.com_before


def test_real_mnist_digits_drawn_10x_larger_come_back_as_they_were(mnist_dir):
    digits = read_idx_images(mnist_dir / "t10k-images-idx3-ubyte.gz")[:200]
    originals = digits.reshape(200, 784) / 255
    again = np.array([canvas_to_mnist(as_rgba(np.kron(d, np.ones((10, 10), np.uint8)))) for d in digits])
    correlations = [np.corrcoef(a, b)[0, 1] for a, b in zip(originals, again, strict=True)]
    mean_abs = np.abs(originals - again).mean()
    print(
        f"mean correlation {np.mean(correlations):.4f}, median {np.median(correlations):.4f}, "
        f"mean |difference| {mean_abs:.4f}"
    )
    # A digit whose centre of mass lies half a pixel off may round to the neighbouring whole-pixel shift.
    assert np.mean(correlations) > 0.98
    assert np.median(correlations) > 0.99
    assert mean_abs < 0.02


def test_the_mnist_constants_match_the_training_set(mnist_dir):
    images = read_idx_images(mnist_dir / "train-images-idx3-ubyte.gz")
    mass = images.sum(axis=(1, 2), dtype=np.int64)
    index = np.arange(28)
    rows = images.sum(axis=2, dtype=np.int64) @ index / mass
    cols = images.sum(axis=1, dtype=np.int64) @ index / mass
    assert np.abs(np.subtract((rows.mean(), cols.mean()), MNIST_CENTRE_OF_MASS)).max() < 0.1
    assert (mass / 255).mean() == pytest.approx(MNIST_INK_MASS, rel=0.01)
    boxes = np.array([ink_box(image / 255) for image in images])
    heights, widths = boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1]
    assert (heights.mean(), widths.mean()) == pytest.approx(MNIST_BOX_SIZE, abs=0.1)
    # Stages.thickness of each digit as it is, already the network's input.
    thickness = mass / 255 / (heights + widths)
    assert np.percentile(thickness, [0.5, 99.5]) == pytest.approx(MNIST_THICKNESS_RANGE, abs=0.005)


def test_thickness_is_about_a_bars_width():
    bar = np.zeros((28, 28), dtype=np.float32)
    bar[4:24, 13:15] = 1
    stages = preprocess_stages(bar)
    assert stages.box_size == (20, 2)
    assert stages.thickness == pytest.approx(stages.ink_mass / 22)
    assert 1.5 < stages.thickness < 2.2


def dot() -> np.ndarray:
    """One dab of the 18-pixel round brush, which the fit step blows up into a disc 20 pixels wide."""
    image = Image.new("RGBA", (280, 280), BLACK)
    ImageDraw.Draw(image).ellipse((131, 131, 149, 149), fill=WHITE)
    return np.asarray(image)


@pytest.mark.parametrize(
    ("canvas", "unlike"),
    [
        (draw(*SEVEN), None),
        (draw(*ONE), None),
        (draw(*SEVEN, width=4), "thin"),
        (dot(), "thick"),
        (
            draw(*[[(30, y), (250, y + 15)] for y in range(30, 250, 20)]),
            "thick",
        ),  # a scribble over the canvas
    ],
    ids=["seven", "one", "thin-seven", "dot", "scribble"],
)
def test_unlike_mnist_names_strokes_thinner_or_thicker_than_199_in_200_mnist_digits(canvas, unlike):
    stages = preprocess_stages(canvas)
    assert unlike_mnist(stages) == unlike
    thinnest, thickest = MNIST_THICKNESS_RANGE
    assert (stages.thickness < thinnest, stages.thickness > thickest) == (unlike == "thin", unlike == "thick")


@pytest.mark.parametrize("crop", [True, False])
@pytest.mark.parametrize("fit", [True, False])
@pytest.mark.parametrize("center", [True, False])
def test_a_recipe_reusing_the_all_steps_stages_gives_that_recipes_own_input(crop, fit, center):
    ink = ink_image(draw(*SEVEN))
    expected = stages_from_ink(ink, crop=crop, fit=fit, center=center).centred
    got = recipe_input(stages_from_ink(ink), crop=crop, fit=fit, center=center)
    np.testing.assert_array_equal(got, expected)


FLOAT32_STEP_AT_1 = 2.0**-23


@settings(max_examples=300, deadline=None)
@given(
    image=arrays(
        np.float32,
        st.tuples(st.integers(1, 300), st.integers(1, 300)),
        elements=st.floats(0, 1, width=32) | st.just(np.float32(0)),
    ),
    shape=st.tuples(st.integers(1, 40), st.integers(1, 40)),
)
def test_the_resize_is_pillows_lanczos_to_within_a_float32_rounding(image, shape):
    pillow = Image.fromarray(image).resize((shape[1], shape[0]), Image.Resampling.LANCZOS)
    resized = _resize(image, shape)
    assert resized.dtype == np.float32
    np.testing.assert_allclose(resized, np.clip(np.asarray(pillow), 0, 1), rtol=0, atol=FLOAT32_STEP_AT_1)
