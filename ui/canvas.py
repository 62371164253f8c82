"""The drawing canvas of the MNIST pages: 280x280, white ink on black like MNIST, a brush and a clear button.

Each page passes its own prefix, so its canvas, brush and generation live under keys of its own:
`<prefix>_canvas_<generation>`, `<prefix>_brush`, `<prefix>_canvas_generation`.
"""

from __future__ import annotations

import numpy as np
import streamlit as st
from numpy.typing import NDArray

from ui.i18n import t
from ui.remount import current_key, remount

CANVAS_SIZE = 280
"""Ten screen pixels per MNIST pixel: large enough for a finger, small enough for a phone."""
DEFAULT_BRUSH = 18
BRUSH_RANGE = (4, 40)


# The canvas as every page draws it (and the latency benchmark's bare page too): MNIST's white on black.
CANVAS_OPTIONS = {
    "stroke_color": "#FFFFFF",
    "background_color": "#000000",
    "drawing_mode": "freedraw",
    "height": CANVAS_SIZE,
    "width": CANVAS_SIZE,
    "return_image_data": True,
}


def canvas_key(prefix: str) -> str:
    """The key of the page's canvas now: each generation is a new, empty canvas."""
    return current_key(f"{prefix}_canvas")


def clear_canvas(prefix: str) -> None:
    """Empty the page's canvas: a fresh key mounts a fresh canvas."""
    remount(f"{prefix}_canvas")


def digit_canvas(prefix: str) -> NDArray[np.uint8] | None:
    """The canvas with its brush slider and clear button: its RGBA pixels, or None before the first stroke."""
    # The component registers itself with the running app when imported, so it cannot load at import time.
    from streamlit_drawable_canvas import st_canvas

    brush_key = f"{prefix}_brush"
    st.session_state.setdefault(brush_key, DEFAULT_BRUSH)
    result = st_canvas(stroke_width=st.session_state[brush_key], key=canvas_key(prefix), **CANVAS_OPTIONS)
    st.caption(t("canvas.help"))
    brush, clear = st.columns([2, 1], vertical_alignment="bottom")
    brush.slider(t("canvas.brush"), *BRUSH_RANGE, key=brush_key)
    clear.button(
        t("canvas.clear"), on_click=clear_canvas, args=(prefix,), key=f"{prefix}_clear", width="stretch"
    )
    return result.image_data
