"""ui.images: uploaded pictures read safely into RGBA, a photo's ink, and the pictures of the stages."""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image, ImageDraw

from nn.preprocess import preprocess_stages
from ui.i18n import catalog
from ui.images import MAX_SIDE, ImageFileError, image_file_to_rgba, photo_ink, picture, picture_with_box


def encoded(image: Image.Image, fmt: str = "PNG", **options) -> bytes:
    """The image as a file's bytes."""
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def with_size(png: bytes, width: int, height: int) -> bytes:
    """The PNG with its header claiming another size (a decompression bomb costs a few bytes to make)."""
    header = b"IHDR" + struct.pack(">II", width, height) + png[24:29]
    return png[:12] + header + struct.pack(">I", zlib.crc32(header)) + png[33:]


def paper_digit(size: tuple[int, int] = (200, 150)) -> Image.Image:
    """A dark bar (a 1) on light grey paper."""
    image = Image.new("RGB", size, (220, 218, 210))
    ImageDraw.Draw(image).line([(100, 20), (100, 130)], fill=(30, 30, 40), width=12)
    return image


def test_a_png_becomes_opaque_rgba():
    rgba = image_file_to_rgba(encoded(Image.new("L", (30, 20), 200)))
    assert rgba.shape == (20, 30, 4)
    assert rgba.dtype == np.uint8
    assert (rgba[..., :3] == 200).all()
    assert (rgba[..., 3] == 255).all()


def test_a_file_object_is_read_like_bytes():
    content = encoded(paper_digit())
    assert np.array_equal(image_file_to_rgba(io.BytesIO(content)), image_file_to_rgba(content))


def test_transparency_is_kept():
    image = Image.new("RGBA", (10, 10), (0, 0, 0, 0))
    image.putpixel((3, 4), (255, 255, 255, 255))
    rgba = image_file_to_rgba(encoded(image))
    assert rgba[4, 3, 3] == 255
    assert rgba[..., 3].sum() == 255


def test_a_jpeg_is_turned_upright_by_its_exif_orientation():
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to view": how phones store a portrait photo
    rgba = image_file_to_rgba(encoded(Image.new("RGB", (80, 40), "white"), "JPEG", exif=exif))
    assert rgba.shape == (80, 40, 4)


def test_a_large_photo_is_shrunk_to_the_longest_side():
    rgba = image_file_to_rgba(encoded(Image.new("RGB", (4000, 3000), "white"), "JPEG"))
    assert max(rgba.shape[:2]) == MAX_SIDE
    assert rgba.shape[0] / rgba.shape[1] == pytest.approx(0.75, abs=0.01)


def test_sixteen_bit_grey_is_scaled_not_clipped():
    levels = np.linspace(0, 65535, 256).astype(np.uint16).reshape(16, 16)
    grey = image_file_to_rgba(encoded(Image.fromarray(levels)))[..., 0]
    assert grey.min() == 0
    assert grey.max() == 255
    assert 120 <= np.median(grey) <= 135


SVG = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="28"><path d="M9 3v20"/></svg>'
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(200)


def refusal(content: bytes, **limits: int) -> ImageFileError:
    """The error image_file_to_rgba raises for the content."""
    with pytest.raises(ImageFileError) as refused:
        image_file_to_rgba(content, **limits)
    return refused.value


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (b"", "empty"),
        (b"%PDF-1.7 a document", "pdf"),
        (SVG, "svg"),
        (b"\xef\xbb\xbf  " + SVG, "svg"),
        (HEIC, "heic"),
        ("text: ünïcode".encode(), "not_image"),
        (b"\x00\x00\x00\x18ftypmp42" + bytes(200), "not_image"),
        (encoded(Image.new("RGB", (64, 64), "red"))[:80], "damaged"),
        (encoded(Image.new("RGB", (300, 300), "red"), "JPEG")[:400], "damaged"),
    ],
    ids=["empty", "pdf", "svg", "svg-with-bom", "heic", "text", "mp4", "truncated-png", "truncated-jpeg"],
)
def test_what_is_not_a_readable_picture_is_refused_with_its_kind(content, kind):
    error = refusal(content)
    assert (error.kind, error.values) == (kind, {})


def test_only_the_formats_of_cameras_and_drawing_programs_are_decoded():
    assert refusal(encoded(Image.new("L", (8, 8)), "PCX")).kind == "not_image"
    assert image_file_to_rgba(encoded(Image.new("L", (8, 8), 9), "TIFF")).shape == (8, 8, 4)


@pytest.mark.parametrize("side", [8_000, 10_000, 12_000])
def test_a_picture_over_the_pixel_limit_is_refused_with_its_size_before_decoding(side):
    # 8,000 x 8,000 is under Pillow's own limit, 10,000 and 12,000 between its warning and its refusal.
    error = refusal(with_size(encoded(Image.new("1", (8, 8))), side, side))
    assert error.kind == "too_many_pixels"
    assert error.values == {"width": side, "height": side, "megapixels": side * side / 1e6, "limit_mp": 50.0}


def test_a_picture_pillow_will_not_open_is_refused_with_the_least_it_has():
    error = refusal(with_size(encoded(Image.new("1", (8, 8))), 100_000, 100_000))
    assert error.kind == "huge"
    assert error.values == {"at_least_mp": pytest.approx(178.96, abs=0.01), "limit_mp": 50.0}


def test_the_limits_can_be_lowered():
    content = encoded(Image.new("L", (100, 100)))
    error = refusal(content, max_pixels=5_000)
    assert (error.kind, error.values["limit_mp"]) == ("too_many_pixels", 0.005)
    error = refusal(content, max_bytes=len(content) - 1)
    assert (error.kind, error.values) == ("too_many_bytes", {"limit_mb": (len(content) - 1) / 2**20})


@pytest.mark.parametrize("language", ["en", "ko"])
def test_every_kind_of_refusal_is_worded_with_its_values_in_both_languages(language):
    png = encoded(Image.new("1", (8, 8)))
    errors = [
        refusal(content, **limits)
        for content, limits in [
            (b"", {}),
            (png, {"max_bytes": 10}),
            (with_size(png, 12_000, 12_000), {}),
            (with_size(png, 100_000, 100_000), {}),
            (SVG, {}),
            (b"%PDF-1.7", {}),
            (HEIC, {}),
            (b"notes", {}),
            (encoded(Image.new("RGB", (64, 64), "red"))[:80], {}),
        ]
    ]
    worded = {
        key.removeprefix("images."): text for key, text in catalog().items() if key.startswith("images.")
    }
    assert {error.kind for error in errors} == set(worded)
    for error in errors:
        message = worded[error.kind][language].format(name="digit.png", **error.values)
        assert message.startswith("digit.png")


def test_an_error_names_its_kind_and_values():
    assert str(refusal(b"")) == "empty"
    assert str(refusal(content=encoded(Image.new("L", (100, 100))), max_pixels=5_000)) == (
        "too_many_pixels (width=100, height=100, megapixels=0.01, limit_mp=0.005)"
    )


def test_dark_ink_on_paper_becomes_bright_ink_on_black():
    rgba = image_file_to_rgba(encoded(paper_digit()))
    for paper in ("auto", "light"):
        stages = preprocess_stages(photo_ink(rgba, paper))
        top, left, bottom, right = stages.bbox
        assert (top, bottom) == pytest.approx((20, 131), abs=1)
        assert (left, right) == pytest.approx((94, 106), abs=1)


def test_the_threshold_drops_faint_ink():
    rgba = np.zeros((10, 10, 4), dtype=np.uint8)
    rgba[..., 3] = 255
    rgba[2, 2, :3] = 60  # a faint speck
    rgba[5, 5, :3] = 250  # a stroke
    assert photo_ink(rgba, "dark", 0.0)[2, 2] > 0
    ink = photo_ink(rgba, "dark", 0.5)
    assert ink[2, 2] == 0
    assert ink[5, 5] == pytest.approx(250 / 255)


def test_the_paper_setting_overrules_a_dark_frame_that_fools_detection():
    framed = np.array(paper_digit(), dtype=np.float32)
    edges = np.ones(framed.shape[:2], dtype=bool)
    edges[12:-12, 16:-16] = False
    framed[edges] *= 0.4  # a shadow or a table around the paper: the edges look like a dark background
    rgba = image_file_to_rgba(encoded(Image.fromarray(framed.astype(np.uint8))))
    fooled = preprocess_stages(photo_ink(rgba, "auto"))
    assert fooled.bbox[0] < 20  # the lit paper itself was taken for ink
    stages = preprocess_stages(photo_ink(rgba, "light", threshold=0.7))
    assert stages.bbox == pytest.approx((20, 94, 131, 106), abs=1)


def test_pictures_keep_their_shape_and_outline_the_box():
    tall = np.zeros((100, 25), dtype=np.float32)
    assert picture(tall, longest=160).size == (40, 160)
    outlined = np.asarray(picture_with_box(np.zeros((280, 280)), (28, 56, 252, 224), longest=140))
    assert tuple(outlined[14, 28 + 40]) == (0xE1, 0x57, 0x59)  # the top edge, in the mistake red
    assert tuple(outlined[70, 70]) == (0, 0, 0)
