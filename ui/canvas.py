"""The drawing canvas of the MNIST pages: 280x280, white ink on black like MNIST, a brush and a clear button.

Each page passes its own prefix, so its canvas lives under keys of its own: `<prefix>_canvas_<generation>`
(the component), `<prefix>_canvas_generation`, `<prefix>_brush`, and, so that a page left and opened again
shows the drawing it had, `<prefix>_drawing` (what the canvas last reported: fabric.js JSON and a PNG) and
`<prefix>_canvas_initial` (the drawing the canvas on screen was mounted with).
"""

from __future__ import annotations

import numpy as np
import streamlit as st
from numpy.typing import NDArray

from ui.i18n import t
from ui.once import shared
from ui.reading import remembered
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

COMPONENT = "streamlit-drawable-canvas.streamlit_drawable_canvas"
"""streamlit-drawable-canvas's Components v2 name: `<package>.<component>`, as its pyproject.toml declares."""
STYLE = f"""
.canvas-root > .dc-root {{ display: flex; flex-direction: column; width: {CANVAS_SIZE}px; max-width: 100%; }}
.dc-root .dc-toolbar {{ position: static; order: -1; align-self: flex-end; opacity: 1; padding: 0 0 .25rem; }}
.dc-toolbar-card > :not([aria-label="Undo"], [aria-label="Redo"]) {{ display: none !important; }}
.dc-toolbar .dc-icon-button {{ padding: .5rem; }}
.dc-toolbar .dc-icon-button svg {{ width: 1.25rem; height: 1.25rem; }}
.dc-root .dc-container {{ width: 100% !important; height: auto !important; aspect-ratio: 1; }}
.dc-root .dc-container > *, .dc-root .dc-container canvas {{
  width: 100% !important; height: 100% !important;
}}
"""
"""What the page changes in the component's look, inside its shadow root where no page style reaches.

The package lays its undo/redo toolbar over the canvas's top right corner, invisible until hovered: there it
took the presses of strokes that started under it (always on a touch screen, where nothing hovers). Here the
toolbar gets a row of its own above the canvas, always shown, with only undo and redo, as large as a
fingertip: the page sends every stroke by itself, and its Clear button empties the canvas.

In a column narrower than the canvas, the canvas is shown whole and smaller instead of behind a scroll bar:
fabric.js maps the pointer through the canvas's size on screen, so a stroke lands where it is drawn.
"""


@shared()
def restyle() -> None:
    """Register the package's component again, the same files with STYLE added to the HTML of its root.

    Registering a name again replaces its definition; Streamlit logs a warning. Once per server: registering
    costs half a millisecond, about a tenth of a bare stroke's rerun.
    """
    st.components.v2.component(
        COMPONENT,
        html=f'<style>{STYLE}</style><div class="canvas-root"></div>',
        css="index-*.css",
        js="index-*.js",
    )


def canvas_key(prefix: str) -> str:
    """The key of the page's canvas now: each generation is a new, empty canvas."""
    return current_key(f"{prefix}_canvas")


def clear_canvas(prefix: str) -> None:
    """Empty the page's canvas: a fresh key mounts a fresh canvas, and the drawing kept is dropped."""
    remount(f"{prefix}_canvas")
    st.session_state.pop(f"{prefix}_drawing", None)


def digit_canvas(prefix: str) -> NDArray[np.uint8] | None:
    """The canvas with its help, brush slider and clear button under it: its RGBA pixels, or None before the
    first stroke."""
    image = canvas_drawing(prefix)
    canvas_controls(prefix)
    return image


def brush_key(prefix: str) -> str:
    """The key of the page's brush width, set to the default on first use."""
    brush = f"{prefix}_brush"
    st.session_state.setdefault(brush, DEFAULT_BRUSH)
    return brush


def canvas_drawing(prefix: str) -> NDArray[np.uint8] | None:
    """The canvas alone (canvas_controls has its controls): its RGBA pixels, or None before any stroke."""
    # The component registers itself with the running app when imported, so it cannot load at import time.
    from streamlit_drawable_canvas import st_canvas

    restyle()
    key, kept, initial = canvas_key(prefix), f"{prefix}_drawing", f"{prefix}_canvas_initial"
    if key not in st.session_state:
        # A canvas mounted afresh (the page opened again, or cleared): it starts from the drawing it last
        # reported, shown (the strokes) and read (the PNG) until the next stroke. Kept as mounted: a canvas
        # given another initial drawing reloads it, and forgets its undo history.
        drawing = st.session_state.get(kept)
        st.session_state[initial] = None if drawing is None else drawing["raw"]
        if drawing is not None:
            st.session_state[key] = {"drawing": drawing}
    result = st_canvas(
        stroke_width=st.session_state[brush_key(prefix)],
        initial_drawing=st.session_state.get(initial),
        key=key,
        **CANVAS_OPTIONS,
    )
    reported = st.session_state[key].get("drawing")
    if reported and reported.get("data"):
        st.session_state[kept] = reported
    # The PNG decoded once per drawing, not on each rerun for something else (0.6 ms each).
    return remembered(f"{prefix}_pixels", lambda: result.image_data, (reported or {}).get("data"))


def canvas_controls(prefix: str) -> None:
    """The canvas's help, its brush slider and its clear button."""
    st.markdown(t("canvas.help"))
    # One row, not columns: each column is a message of its own.
    row = st.container(horizontal=True, vertical_alignment="bottom", gap="medium")
    row.slider(t("canvas.brush"), *BRUSH_RANGE, key=brush_key(prefix), persist_state="session")
    row.button(t("canvas.clear"), on_click=clear_canvas, args=(prefix,), key=f"{prefix}_clear")
