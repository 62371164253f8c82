"""The bare page of the latency benchmark: the Draw page's canvas alone, and a metric that counts strokes.

Its round trip (mouse-up -> Streamlit rerun -> metric updated) is the floor the Draw page is measured against.
"""

import streamlit as st
from streamlit_drawable_canvas import st_canvas

from ui.canvas import CANVAS_OPTIONS, DEFAULT_BRUSH

result = st_canvas(stroke_width=DEFAULT_BRUSH, key="bare_canvas", **CANVAS_OPTIONS)
strokes = len((result.json_data or {}).get("objects", []))
st.metric("Prediction", f"{strokes} strokes" if result.image_data is not None else "none")
