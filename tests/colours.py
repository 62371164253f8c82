"""Colour arithmetic for tests: WCAG 2 contrast, and what a colour-blind reader sees (Machado et al. 2009).

Not a test module: test_charts.py and test_e2e_screens.py import it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

WHITE = "#ffffff"
TEXT_CONTRAST = 4.5  # WCAG 2 AA for text
GRAPHICS_CONTRAST = 3.0  # WCAG 2 AA for the parts of a graphic needed to understand it

# Machado, Oliveira and Fernandes (2009), severity 1.0: the full dichromacies, on linear sRGB.
DICHROMACIES = {
    "protanopia": [
        [0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]
    ],
    "deuteranopia": [
        [0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]
    ],
    "tritanopia": [
        [1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]
    ],
}  # fmt: skip
SRGB_TO_XYZ = [[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]
D65 = [0.95047, 1.0, 1.08883]
NAMED = {"white": WHITE, "black": "#000000"}


def rgb(colour: str) -> np.ndarray:
    """A CSS colour (#rrggbb, #rgb, white or black) as sRGB in 0..1."""
    colour = NAMED.get(colour.lower(), colour).lstrip("#")
    if len(colour) == 3:
        colour = "".join(c * 2 for c in colour)
    return np.array([int(colour[i : i + 2], 16) for i in (0, 2, 4)]) / 255


def linear(srgb: np.ndarray) -> np.ndarray:
    """sRGB to linear light."""
    return np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)


def over_white(colour: str, opacity: float = 1.0) -> np.ndarray:
    """The sRGB a colour shows at this opacity on white."""
    return opacity * rgb(colour) + (1 - opacity) * 1.0


def contrast(a: str | np.ndarray, b: str | np.ndarray = WHITE) -> float:
    """WCAG 2 contrast ratio of two colours (CSS strings or sRGB in 0..1), 1 to 21."""
    lum = [float(linear(rgb(c) if isinstance(c, str) else c) @ [0.2126, 0.7152, 0.0722]) for c in (a, b)]
    return (max(lum) + 0.05) / (min(lum) + 0.05)


def lab(srgb: np.ndarray) -> np.ndarray:
    """sRGB (..., 3) in 0..1 to CIELAB under D65."""
    xyz = linear(srgb) @ np.array(SRGB_TO_XYZ).T / D65
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    x, y, z = f[..., 0], f[..., 1], f[..., 2]
    return np.stack([116 * y - 16, 500 * (x - y), 200 * (y - z)], axis=-1)


def seen_by(colours: Sequence[str], dichromacy: str | None) -> np.ndarray:
    """The colours as sRGB (n, 3), as a reader with this dichromacy sees them (None: normal vision)."""
    srgb = np.array([rgb(c) for c in colours])
    if dichromacy is None:
        return srgb
    simulated = linear(srgb) @ np.array(DICHROMACIES[dichromacy]).T
    simulated = np.clip(simulated, 0, 1)
    return np.where(simulated <= 0.0031308, 12.92 * simulated, 1.055 * simulated ** (1 / 2.4) - 0.055)


def closest_pair(colours: Sequence[str], dichromacy: str | None) -> float:
    """The smallest CIELAB distance (ΔE*ab) between two of the colours, as this reader sees them."""
    points = lab(seen_by(colours, dichromacy))
    distances = np.linalg.norm(points[:, None] - points[None], axis=-1)
    return float(distances[~np.eye(len(colours), dtype=bool)].min())
