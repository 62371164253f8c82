"""Pictures from outside the canvas: an uploaded photo or scan of a digit, read safely into an RGBA array."""

from __future__ import annotations

import io
import struct
import warnings
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

Paper = Literal["auto", "light", "dark"]
PAPERS: tuple[Paper, ...] = ("auto", "light", "dark")
"""How to tell ink from paper: let nn.preprocess decide, dark ink on light paper, or light ink on dark."""

# Pillow reports a damaged file through any of these, depending on the format and where the damage is.
_DAMAGED = (OSError, ValueError, SyntaxError, EOFError, IndexError, struct.error)


class ImageFileError(ValueError):
    """An uploaded file that cannot be read as a picture."""


def _read_bytes(file: bytes | BinaryIO, max_bytes: int) -> bytes:
    """The file's content, refusing more than max_bytes without reading it all."""
    data = file if isinstance(file, bytes) else file.read(max_bytes + 1)
    if not data:
        raise ImageFileError("the file is empty.")
    if len(data) > max_bytes:
        raise ImageFileError(f"the file is over {max_bytes / 2**20:.0f} MB; a digit needs far less.")
    return data


def _eight_bit(image: Image.Image) -> Image.Image:
    """A 16- or 32-bit grey image scaled to 8 bits: Pillow's own conversion would clip most of it to white."""
    if not image.mode.startswith("I"):
        return image
    levels = np.asarray(image, dtype=np.float64) * (255 / 65535)
    return Image.fromarray(np.clip(levels, 0, 255).astype(np.uint8))


def _decode(data: bytes, max_pixels: int, max_side: int) -> Image.Image:
    """The picture upright (as the camera held it), at most max_side pixels on a side, as RGBA."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            if width * height > max_pixels:
                raise Image.DecompressionBombError(f"{width} x {height} pixels")
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
    """An image file (PNG, JPEG, GIF, WebP, BMP ...) as (H, W, 4) uint8; ImageFileError if it is none."""
    data = _read_bytes(file, max_bytes)
    try:
        picture = _decode(data, max_pixels, max_side)
    except Image.UnidentifiedImageError:
        raise ImageFileError("this is not an image file (PNG, JPEG, GIF, WebP or BMP).") from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as err:
        raise ImageFileError(
            f"the image is too large to open safely ({err}; the limit is {max_pixels / 1e6:.0f} megapixels)."
        ) from None
    except _DAMAGED as err:
        raise ImageFileError(f"the image is damaged or truncated ({err}).") from None
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
