"""From a drawing to an MNIST input: find the ink, crop it, fit it in 20x20, centre it by mass in 28x28.

MNIST's digits were not simply shrunk: each was fitted into a 20x20 box keeping its aspect ratio, then placed
in a 28x28 field so that its centre of mass sits in the middle. A drawing must go through the same recipe, or
the network of 3.6 sees something unlike anything it was trained on.

Input: an image array (H, W), (H, W, 1), (H, W, 2), (H, W, 3) or (H, W, 4) -- grey, grey+alpha, RGB or RGBA.
Integer pixels are 0..255; float pixels are 0..1 and must be finite (NaN or infinity is refused, as is a value
outside 0..1). The array is never modified, so the canvas' read-only `image_data` can be passed as it is.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

SIZE = 28
FIT = 20

# Measured on the 60,000 MNIST training images: the mean over images of each image's centre of mass
# sum(i * p_i) / sum(p_i), in array-index coordinates (row, col) where pixel i sits at i. The test set
# gives (13.993, 14.008). Not 13.5, the middle of a 28-pixel axis: MNIST centred on a mass, not on a box.
MNIST_CENTRE_OF_MASS = (13.996, 14.007)
# Same images: the mean of sum(pixels) / 255 per image (median 99.9, standard deviation 33.9).
MNIST_INK_MASS = 102.4
# Same images: the mean (height, width) of the box around the pixels of at least 0.1 of the image's brightest.
MNIST_BOX_SIZE = (19.7, 15.5)
# Same images: the 0.5th and 99.5th percentiles of Stages.thickness (tests/test_preprocess.py measures them
# again). Beyond either end lies 1 in 200 MNIST digits. The ink mass alone says less: a plain 1 has little.
MNIST_THICKNESS_RANGE = (1.25, 5.25)

LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float32)
"""ITU-R BT.601 weights: how bright each of R, G, B looks."""

NOISE_FRACTION = 0.1
"""Ink fainter than this fraction of the brightest does not widen the bounding box: anti-aliasing, specks."""

FAINTEST_INK = 0.05
"""Below this (about 13 of 255) a pixel is noise, not a stroke: without such ink, nothing is drawn."""

LANCZOS_LOBES = 3
"""Lanczos-3, Pillow's LANCZOS: a sinc windowed by a sinc three times as wide."""


class PreprocessError(ValueError):
    """The array given is not an image that a digit could be read from."""


@dataclass(frozen=True)
class Stages:
    """Every step from the canvas to the network's input, for the inspector to show."""

    ink: NDArray[np.float32]
    """(H, W) 0..1: the ink found on the canvas, background 0."""
    bbox: tuple[int, int, int, int]
    """(top, left, bottom, right) in canvas pixels, bottom and right exclusive: the region kept."""
    cropped: NDArray[np.float32]
    """That region, its brightest ink stretched to 1."""
    fitted: NDArray[np.float32]
    """The region resized: longer side 20 keeping the aspect ratio, or squashed to 28x28 without the fit."""
    placed: NDArray[np.float32]
    """(28, 28) 0..1: the fitted region in the middle of the field, before centring by mass."""
    centred: NDArray[np.float32]
    """(28, 28) 0..1: the final image, the network's input once flattened."""
    com_before: tuple[float, float]
    """Centre of mass (row, col) with the fitted box at the geometric centre of the 28x28 field."""
    com_after: tuple[float, float]
    """Centre of mass (row, col) of the final image."""
    ink_mass: float
    """Sum of the final image: how much ink, to compare with MNIST_INK_MASS."""
    box_size: tuple[int, int]
    """(height, width) of the ink's box in the final image, to compare with MNIST_BOX_SIZE."""

    @property
    def ink_mass_ratio(self) -> float:
        """Ink mass over MNIST's typical: well below 1 means strokes thinner or fainter than MNIST's."""
        return self.ink_mass / MNIST_INK_MASS

    @property
    def box_ratio(self) -> tuple[float, float]:
        """(height, width) of the digit's box over MNIST's typical box."""
        return self.box_size[0] / MNIST_BOX_SIZE[0], self.box_size[1] / MNIST_BOX_SIZE[1]

    @property
    def thickness(self) -> float:
        """Ink mass over the box's height plus width: how thick the strokes are for the digit's size.

        A bar as tall as the box has about its own width: a 1 two pixels wide, 2; a ring, about 1.5 times
        its stroke's width. Blobs and thick strokes are far above MNIST's, thin strokes below.
        """
        sides = sum(self.box_size)
        return self.ink_mass / sides if sides else 0.0


def _unit_channels(image: ArrayLike) -> NDArray[np.float32]:
    """The image as (H, W, C) float32 in 0..1, C in 1..4; a clear PreprocessError for anything else."""
    try:
        a = np.asarray(image)
    except ValueError as err:
        raise PreprocessError(f"the image is not a rectangular array of pixels ({err})") from None
    if a.ndim == 2:
        a = a[..., np.newaxis]
    if a.ndim != 3 or a.shape[2] not in (1, 2, 3, 4):
        raise PreprocessError(
            f"expected a grey (H, W), RGB (H, W, 3) or RGBA (H, W, 4) image; got shape {a.shape}"
        )
    if a.shape[0] == 0 or a.shape[1] == 0:
        raise PreprocessError(f"the image has no pixels: shape {a.shape}")
    if a.dtype == np.bool_:
        return a.astype(np.float32)
    if a.dtype == np.uint8:  # a canvas or a photo: always in range, so no pass over it to check
        return np.divide(a, 255, dtype=np.float32)
    if np.issubdtype(a.dtype, np.integer):
        if a.min() < 0 or a.max() > 255:
            raise PreprocessError(f"integer pixels must be 0..255 (8-bit); got {a.min()}..{a.max()}")
        return a.astype(np.float32) / 255
    if np.issubdtype(a.dtype, np.floating):
        if not np.isfinite(a).all():
            raise PreprocessError("the image holds NaN or infinite values; float pixels must be finite, 0..1")
        if a.min() < 0 or a.max() > 1:
            raise PreprocessError(
                f"float pixels must be 0..1 (divide 8-bit values by 255); got {a.min():g}..{a.max():g}"
            )
        return a.astype(np.float32)
    raise PreprocessError(f"pixels must be numbers (uint8 0..255 or float 0..1); got dtype {a.dtype}")


def _luminance_alpha(a: NDArray[np.float32]) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
    """Luminance and alpha of an (H, W, C) image; without an alpha channel the image is opaque."""
    has_alpha = a.shape[2] in (2, 4)
    colour = a[..., : a.shape[2] - has_alpha]
    luminance = colour @ LUMA if colour.shape[2] == 3 else colour[..., 0]
    alpha = a[..., -1] if has_alpha else np.ones(a.shape[:2], dtype=np.float32)
    return luminance, alpha


def _border(x: NDArray[np.float32]) -> NDArray[np.float32]:
    """The pixels along the edge: the background shows there even when the digit is large."""
    return np.concatenate([x[0], x[-1], x[:, 0], x[:, -1]])


def ink_image(image: ArrayLike) -> NDArray[np.float32]:
    """The ink as (H, W) float32 0..1 on a 0 background, whatever the canvas' colours and transparency."""
    luminance, alpha = _luminance_alpha(_unit_channels(image))
    if np.median(_border(alpha)) < 0.5:
        # On a transparent background the alpha is the drawing: black ink composited over black would vanish.
        ink = alpha
    elif np.median(_border(luminance * alpha)) > 0.5:
        # Dark ink on a light background: composite over white, then invert, as MNIST's ink is bright.
        ink = alpha * (1 - luminance)
    else:
        ink = alpha * luminance
    # Grey paper or a tinted canvas is background too: ink counts from the background's level up.
    return np.clip(ink - np.median(_border(ink)), 0, 1, dtype=np.float32)


def ink_box(ink: NDArray[np.float32]) -> tuple[int, int, int, int] | None:
    """(top, left, bottom, right), bottom and right exclusive, around the ink; None if there is none."""
    mask = ink >= max(NOISE_FRACTION * float(ink.max()), FAINTEST_INK)
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    if rows.size == 0:
        return None
    return int(rows[0]), int(cols[0]), int(rows[-1]) + 1, int(cols[-1]) + 1


def centre_of_mass(image: NDArray[np.floating]) -> tuple[float, float]:
    """(row, col) where the image balances, pixel i at coordinate i; an empty image balances at its middle."""
    mass = float(image.sum())
    if mass <= 0:
        return (image.shape[0] - 1) / 2, (image.shape[1] - 1) / 2
    rows, cols = np.arange(image.shape[0]), np.arange(image.shape[1])
    return float(image.sum(axis=1) @ rows) / mass, float(image.sum(axis=0) @ cols) / mass


def _fit_shape(shape: tuple[int, int]) -> tuple[int, int]:
    """(height, width) with the longer side FIT pixels and the aspect ratio kept, at least 1 pixel each."""
    scale = FIT / max(shape)
    return max(1, round(shape[0] * scale)), max(1, round(shape[1] * scale))


@functools.lru_cache(maxsize=256)
def _lanczos_weights(size_in: int, size_out: int) -> NDArray[np.float64]:
    """(size_out, size_in): each output pixel's weights along one axis, as Pillow's LANCZOS computes them."""
    scale = size_in / size_out
    stretch = max(scale, 1.0)  # shrinking widens the filter, so that every input pixel counts
    support = LANCZOS_LOBES * stretch
    centres = (np.arange(size_out) + 0.5) * scale
    # Pillow's window: C's int() truncates, then the window is cut at the image's edges.
    first = np.maximum((centres - support + 0.5).astype(np.int64), 0)
    stop = np.minimum((centres + support + 0.5).astype(np.int64), size_in)
    # Only the window's pixels are weighed: a stroke may bring new sizes, so this runs often.
    pixels = first[:, np.newaxis] + np.arange(int((stop - first).max()))
    x = (pixels - centres[:, np.newaxis] + 0.5) * (1.0 / stretch)
    inside = (pixels < stop[:, np.newaxis]) & (x >= -LANCZOS_LOBES) & (x < LANCZOS_LOBES)
    band = np.where(inside, np.sinc(x) * np.sinc(x / LANCZOS_LOBES), 0.0)
    band /= band.sum(axis=1, keepdims=True)
    weights = np.zeros((size_out, size_in))
    rows = np.broadcast_to(np.arange(size_out)[:, np.newaxis], pixels.shape)
    weights[rows[inside], pixels[inside]] = band[inside]
    weights.flags.writeable = False
    return weights


def _resize(image: NDArray[np.float32], shape: tuple[int, int]) -> NDArray[np.float32]:
    """Lanczos resampling, as smooth as MNIST's anti-aliasing; its ringing is clipped back into 0..1.

    Pillow's Image.resize(LANCZOS) on a float image, as two matrix products: its weights, its order (across,
    then down, each summed in float64 and stored as float32) and an axis of unchanged size left as it is. The
    result is Pillow's to within a float32 rounding; a stroke resizes the drawing 4 times, 3 to 5 times
    faster so (the weights for a size are computed once).
    """
    (rows, cols), (height, width) = image.shape, shape
    resized = image
    if cols != width:
        resized = (resized.astype(np.float64) @ _lanczos_weights(cols, width).T).astype(np.float32)
    if rows != height:
        resized = (_lanczos_weights(rows, height) @ resized.astype(np.float64)).astype(np.float32)
    return np.clip(resized, 0, 1)


def _mass_offset(fitted: NDArray[np.float32]) -> tuple[int, int]:
    """Whole-pixel (top, left) putting the centre of mass on MNIST's, clamped so no ink leaves the field."""
    com = np.array(centre_of_mass(fitted))
    offset = np.rint(np.array(MNIST_CENTRE_OF_MASS) - com)
    top, left = np.clip(offset, 0, np.array([SIZE, SIZE]) - fitted.shape)
    return int(top), int(left)


def _place(fitted: NDArray[np.float32], offset: tuple[int, int]) -> NDArray[np.float32]:
    """The fitted image pasted into an empty 28x28 field at offset (top, left)."""
    field = np.zeros((SIZE, SIZE), dtype=np.float32)
    top, left = offset
    field[top : top + fitted.shape[0], left : left + fitted.shape[1]] = fitted
    return field


def preprocess_stages(
    image: ArrayLike, *, crop: bool = True, fit: bool = True, center: bool = True
) -> Stages | None:
    """Every stage of canvas -> MNIST input, or None if nothing is drawn; each step can be switched off.

    crop=False keeps the whole canvas instead of the ink's box; fit=False squashes the region to 28x28
    ignoring its aspect ratio (with crop=False too: the naive resize); center=False leaves the box at the
    geometric centre instead of moving its centre of mass to MNIST's.
    """
    return stages_from_ink(ink_image(image), crop=crop, fit=fit, center=center)


def stages_from_ink(
    ink: NDArray[np.float32], *, crop: bool = True, fit: bool = True, center: bool = True
) -> Stages | None:
    """preprocess_stages from an image's ink_image: a drawing put through several recipes is read once."""
    box = ink_box(ink)
    if box is None:
        return None
    top, left, bottom, right = box if crop else (0, 0, *ink.shape)
    region = ink[top:bottom, left:right]
    cropped = region / region.max()
    fitted, placed, centred = _fit_and_place(cropped, fit=fit, center=center)
    final_box = ink_box(centred) or (0, 0, 0, 0)
    return Stages(
        ink=ink,
        bbox=(top, left, bottom, right),
        cropped=cropped,
        fitted=fitted,
        placed=placed,
        centred=centred,
        com_before=centre_of_mass(placed),
        com_after=centre_of_mass(centred),
        ink_mass=float(centred.sum()),
        box_size=(final_box[2] - final_box[0], final_box[3] - final_box[1]),
    )


def _fit_and_place(
    cropped: NDArray[np.float32], *, fit: bool, center: bool
) -> tuple[NDArray[np.float32], NDArray[np.float32], NDArray[np.float32]]:
    """The cropped region's fitted, placed and centred stages."""
    fitted = _resize(cropped, _fit_shape(cropped.shape) if fit else (SIZE, SIZE))
    middle = ((SIZE - fitted.shape[0]) // 2, (SIZE - fitted.shape[1]) // 2)
    placed = _place(fitted, middle)
    centred = _place(fitted, _mass_offset(fitted)) if center else placed
    return fitted, placed, centred


def recipe_input(
    all_steps: Stages, *, crop: bool = True, fit: bool = True, center: bool = True
) -> NDArray[np.float32]:
    """The (28, 28) input of one recipe, from `all_steps` (a drawing's stages with every step): what it shares
    with them is not done again, as a drawing is read under several recipes on every stroke."""
    if crop and fit:
        return all_steps.centred if center else all_steps.placed
    cropped = all_steps.cropped if crop else all_steps.ink / all_steps.ink.max()
    return _fit_and_place(cropped, fit=fit, center=center)[2]


def unlike_mnist(stages: Stages) -> str | None:
    """Whether the strokes are "thin" or "thick" beside 199 in 200 MNIST digits; None if neither.

    Thick is too much ink for the digit's size: strokes run into a blob, as a dot or a scribble does.
    """
    thinnest, thickest = MNIST_THICKNESS_RANGE
    if stages.thickness < thinnest:
        return "thin"
    if stages.thickness > thickest:
        return "thick"
    return None


def canvas_to_mnist(image: ArrayLike) -> NDArray[np.float32] | None:
    """A drawing (H, W, 4) RGBA (or grey, RGB) -> the network's input (784,) float32 0..1; None if blank."""
    stages = preprocess_stages(image)
    return None if stages is None else stages.centred.ravel()
