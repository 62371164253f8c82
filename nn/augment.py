"""Random distortions of 28x28 digits, so the network also reads digits drawn on a canvas."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

Images = NDArray[np.float32]

SIDE = 28
CENTRE = 14.0  # MNIST's centre of mass, the natural pivot for rotating and scaling a digit


def random_affine(
    images: Images,
    rng: np.random.Generator,
    max_degrees: float = 12.0,
    scale_range: tuple[float, float] = (0.85, 1.15),
    max_shift: float = 2.0,
) -> Images:
    """Rotate, scale and shift each (28, 28) image by its own random amount (bilinear, zero outside)."""
    n = len(images)
    angle = np.deg2rad(rng.uniform(-max_degrees, max_degrees, n))
    scale = rng.uniform(*scale_range, n)
    shift = rng.uniform(-max_shift, max_shift, (n, 2))

    # Inverse mapping: for every output pixel, where in the source image it comes from.
    cos, sin = np.cos(angle) / scale, np.sin(angle) / scale
    rows, cols = np.mgrid[0:SIDE, 0:SIDE].astype(np.float32)
    dr = rows[None] - CENTRE - shift[:, 0, None, None]
    dc = cols[None] - CENTRE - shift[:, 1, None, None]
    src_r = cos[:, None, None] * dr - sin[:, None, None] * dc + CENTRE
    src_c = sin[:, None, None] * dr + cos[:, None, None] * dc + CENTRE
    return _bilinear(images, src_r, src_c)


def _bilinear(images: Images, src_r: NDArray, src_c: NDArray) -> Images:
    """Sample each image at fractional coordinates; pixels outside the frame read as background (0)."""
    padded = np.pad(images, ((0, 0), (1, 1), (1, 1)))
    r = np.clip(src_r + 1, 0, SIDE)
    c = np.clip(src_c + 1, 0, SIDE)
    r0, c0 = np.floor(r).astype(np.intp), np.floor(c).astype(np.intp)
    r1, c1 = np.minimum(r0 + 1, SIDE + 1), np.minimum(c0 + 1, SIDE + 1)
    fr, fc = (r - r0).astype(np.float32), (c - c0).astype(np.float32)
    idx = np.arange(len(images))[:, None, None]
    top = padded[idx, r0, c0] * (1 - fc) + padded[idx, r0, c1] * fc
    bottom = padded[idx, r1, c0] * (1 - fc) + padded[idx, r1, c1] * fc
    return (top * (1 - fr) + bottom * fr).astype(np.float32)


def _neighbourhood(images: Images, reduce: np.ufunc) -> Images:
    """Max or min of each pixel and its four neighbours (a plus-shaped structuring element)."""
    padded = np.pad(images, ((0, 0), (1, 1), (1, 1)))
    shifted = [
        padded[:, 1:-1, 1:-1],
        padded[:, :-2, 1:-1],
        padded[:, 2:, 1:-1],
        padded[:, 1:-1, :-2],
        padded[:, 1:-1, 2:],
    ]
    return reduce.reduce(shifted)


def random_stroke_width(
    images: Images, rng: np.random.Generator, p_thick: float = 0.25, p_thin: float = 0.25
) -> Images:
    """Thicken (grey dilation) or thin (grey erosion) the strokes of a random share of the images."""
    choice = rng.random(len(images))
    thick, thin = choice < p_thick, (choice >= p_thick) & (choice < p_thick + p_thin)
    out = images.copy()
    # Blend half-way so a thickened stroke grows by about one pixel, like a wider brush, not a blob.
    out[thick] = np.maximum(images[thick], 0.7 * _neighbourhood(images[thick], np.maximum))
    out[thin] = 0.5 * images[thin] + 0.5 * _neighbourhood(images[thin], np.minimum)
    return out


def augment(x: Images, rng: np.random.Generator) -> Images:
    """Distort a batch of flat (N, 784) images in [0, 1] the way drawn digits differ from MNIST's."""
    images = x.reshape(-1, SIDE, SIDE)
    images = random_stroke_width(random_affine(images, rng), rng)
    return np.clip(images, 0.0, 1.0).reshape(len(x), SIDE * SIDE)
