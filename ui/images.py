"""Pictures from outside the canvas: an uploaded photo or scan of a digit, read safely into an RGBA array."""

from __future__ import annotations

import base64
import html
import io
import struct
import warnings
from collections.abc import Sequence
from typing import BinaryIO, Literal

import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageDraw, ImageOps

from nn.preprocess import LUMA, ink_image
from ui.charts import digit_image

MAX_UPLOAD_MB = 20
MAX_BYTES = MAX_UPLOAD_MB * 1024 * 1024
MAX_PIXELS = 50_000_000
"""A 48-megapixel phone photo fits; past this a picture is more likely a decompression bomb than a digit."""
MAX_SIDE = 1024
"""The digit ends up 20 pixels tall: a photo shrunk to this loses nothing the network could see."""
FORMATS = ("PNG", "JPEG", "GIF", "WEBP", "BMP", "TIFF", "AVIF")
"""What cameras, phones and drawing programs save. Pillow reads dozens more formats, each one more decoder
that an uploaded file could attack."""
HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}
"""The ISO media brands of HEIF files: the photos of iPhones and iPads, which Pillow does not read."""

Paper = Literal["auto", "light", "dark"]
PAPERS: tuple[Paper, ...] = ("auto", "light", "dark")
"""How to tell ink from paper: let nn.preprocess decide, dark ink on light paper, or light ink on dark."""

# Pillow reports a damaged file through any of these, depending on the format and where the damage is.
_DAMAGED = (OSError, ValueError, SyntaxError, EOFError, IndexError, struct.error)


class ImageFileError(ValueError):
    """An uploaded file that cannot be read as a picture: `kind` says why, `values` give the figures.

    The page words it from its catalog (`images.<kind>`, with the file's name and the values):
    "empty"; "too_many_bytes" (limit_mb); "too_many_pixels" (width, height, megapixels, limit_mp); "huge"
    (at_least_mp, limit_mp), a picture Pillow will not even open; "svg", "pdf", "heic": files of another kind
    than the pictures read here; "not_image"; "damaged".
    """

    def __init__(self, kind: str, **values: object) -> None:
        super().__init__(kind, values)
        self.kind = kind
        self.values = values

    def __str__(self) -> str:
        details = ", ".join(f"{name}={value}" for name, value in self.values.items())
        return f"{self.kind} ({details})" if details else self.kind


def _read_bytes(file: bytes | BinaryIO, max_bytes: int) -> bytes:
    """The file's content, refusing more than max_bytes without reading it all."""
    data = file if isinstance(file, bytes) else file.read(max_bytes + 1)
    if not data:
        raise ImageFileError("empty")
    if len(data) > max_bytes:
        raise ImageFileError("too_many_bytes", limit_mb=max_bytes / 2**20)
    return data


def _not_a_picture(data: bytes) -> ImageFileError:
    """Why a file that Pillow does not take for a picture is none, as far as its first bytes tell."""
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"%pdf"):
        return ImageFileError("pdf")
    if head.startswith(b"<") and b"<svg" in head:
        return ImageFileError("svg")
    if data[4:8] == b"ftyp" and data[8:12] in HEIF_BRANDS:
        return ImageFileError("heic")
    return ImageFileError("not_image")


def _eight_bit(image: Image.Image) -> Image.Image:
    """A 16- or 32-bit grey image scaled to 8 bits: Pillow's own conversion would clip most of it to white."""
    if not image.mode.startswith("I"):
        return image
    levels = np.asarray(image, dtype=np.float64) * (255 / 65535)
    return Image.fromarray(np.clip(levels, 0, 255).astype(np.uint8))


def _decode(data: bytes, max_pixels: int, max_side: int) -> Image.Image:
    """The picture upright (as the camera held it), at most max_side pixels on a side, as RGBA."""
    with warnings.catch_warnings():
        # Pillow warns from 89 megapixels on: the limit that counts here, max_pixels, is checked below.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        with Image.open(io.BytesIO(data), formats=FORMATS) as image:
            width, height = image.size
            if width * height > max_pixels:
                raise ImageFileError(
                    "too_many_pixels",
                    width=width,
                    height=height,
                    megapixels=width * height / 1e6,
                    limit_mp=max_pixels / 1e6,
                )
            # A JPEG can decode straight at 1/2, 1/4 or 1/8 scale: a phone photo never sits whole in memory.
            image.draft(None, (max_side, max_side))
            upright = ImageOps.exif_transpose(image)
            upright.thumbnail((max_side, max_side))
            return _eight_bit(upright).convert("RGBA")


def image_file_to_rgba(
    file: bytes | BinaryIO,
    *,
    max_bytes: int = MAX_BYTES,
    max_pixels: int = MAX_PIXELS,
    max_side: int = MAX_SIDE,
) -> NDArray[np.uint8]:
    """An image file (one of FORMATS) as (H, W, 4) uint8; ImageFileError if it is none."""
    data = _read_bytes(file, max_bytes)
    try:
        picture = _decode(data, max_pixels, max_side)
    except ImageFileError:
        raise
    except Image.UnidentifiedImageError:
        raise _not_a_picture(data) from None
    except Image.DecompressionBombError:
        # Past twice its own limit Pillow refuses to open a file at all, and so does not tell its size.
        at_least = 2 * (Image.MAX_IMAGE_PIXELS or 0) / 1e6
        raise ImageFileError("huge", at_least_mp=at_least, limit_mp=max_pixels / 1e6) from None
    except _DAMAGED:
        raise ImageFileError("damaged") from None
    return np.asarray(picture)


def photo_ink(rgba: NDArray[np.uint8], paper: Paper = "auto", threshold: float = 0.0) -> NDArray[np.float32]:
    """A photo's ink, (H, W) 0..1 bright on dark as preprocess_stages wants it; ink under `threshold` dropped.

    paper="auto" lets nn.preprocess tell the paper from the ink; "light" (dark ink on light paper) and "dark"
    overrule it when a shadow or a table at the edges fools it. The threshold removes shadows and grain.
    """
    if paper == "auto":
        ink = ink_image(rgba)
    else:
        pixels = rgba.astype(np.float32) / 255
        luminance, alpha = pixels[..., :3] @ LUMA, pixels[..., 3]
        ink = alpha * (1 - luminance) if paper == "light" else alpha * luminance
    return np.where(ink >= threshold, ink, 0).astype(np.float32)


def png_data_uri(picture: Image.Image) -> str:
    """A picture as a PNG data: URI, to show inline: no media file for the browser to fetch afterwards."""
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG", compress_level=1)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def strip_html(pictures: Sequence[tuple[str, str]], width: int = 160) -> str:
    """Pictures (png_data_uri's, each with its caption) side by side, each in a square `width` screen pixels
    wide with square pixels.

    A small image is sent as it is and enlarged by the browser (image-rendering: pixelated), so a 28x28
    stage costs a PNG of 784 pixels, not of 25,600; and inline, so a stroke's pictures cost no requests. In
    a square, each at its own proportions: stretched to the width, a thin 1's fitted picture (14 × 160) stood
    1,800 pixels tall.
    """
    figures = "".join(
        f'<figure style="margin:0;width:{width}px;max-width:45%">'
        f'<img src="{uri}" alt="{html.escape(caption)}" style="width:100%;aspect-ratio:1;'
        f'object-fit:contain;image-rendering:pixelated;display:block">'
        f'<figcaption style="font-size:.9rem;margin-top:.25rem">{html.escape(caption)}</figcaption></figure>'
        for uri, caption in pictures
    )
    return f'<div style="display:flex;flex-wrap:wrap;gap:.75rem">{figures}</div>'


def native(pixels: NDArray[np.floating], longest: int = 160) -> Image.Image:
    """A (H, W) 0..1 image one pixel per pixel (strip_html lets the browser enlarge it), or shrunk to fit
    `longest` pixels if it is larger."""
    if max(pixels.shape) > longest:
        return picture(pixels, longest)
    return Image.fromarray(np.clip(np.rint(pixels * 255), 0, 255).astype(np.uint8), mode="L")


def picture(pixels: NDArray[np.floating], longest: int = 160) -> Image.Image:
    """Any (H, W) 0..1 image as crisp square pixels, its longer side `longest` screen pixels."""
    height, width = pixels.shape
    return digit_image(pixels, size=max(1, round(longest * width / max(height, width))))


def picture_with_box(
    pixels: NDArray[np.floating], box: tuple[int, int, int, int], longest: int = 160, colour: str = "#e15759"
) -> Image.Image:
    """The picture with the region (top, left, bottom, right) outlined: what the crop step keeps."""
    shown = picture(pixels, longest).convert("RGB")
    scale = shown.width / pixels.shape[1]
    top, left, bottom, right = box
    outline = [left * scale, top * scale, right * scale - 1, bottom * scale - 1]
    ImageDraw.Draw(shown).rectangle(outline, outline=colour, width=3)
    return shown
