"""The bare page of the latency benchmark: the Draw page's canvas alone, and a metric that counts strokes.

Its round trip (mouse-up -> Streamlit rerun -> metric updated) is the floor the Draw page is measured against.
"""

import streamlit as st
from streamlit_drawable_canvas import st_canvas

from ui.canvas import CANVAS_SIZE, DEFAULT_BRUSH

result = st_canvas(
    stroke_width=DEFAULT_BRUSH,
    stroke_color="#FFFFFF",
    background_color="#000000",
    drawing_mode="freedraw",
    height=CANVAS_SIZE,
    width=CANVAS_SIZE,
    return_image_data=True,
    key="bare_canvas",
)
strokes = len((result.json_data or {}).get("objects", []))
st.metric("Prediction", f"{strokes} strokes" if result.image_data is not None else "none")
