"""One page of the app in AppTest, opened as a shared link opens it, and what its elements show."""

from __future__ import annotations

import base64
import io
from pathlib import Path

from PIL import Image
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def open_page(page: str, query: dict[str, str] | None = None, **state: object) -> AppTest:
    """The app switched to views/<page>.py, link parameters and session state set before the first run."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(query or {})
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    at.switch_page(f"views/{page}.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def code_line(at: AppTest, name: str) -> str:
    """The right-hand side of the first printed line 'name = ...' in the page's code blocks."""
    for block in at.code:
        for line in block.value.splitlines():
            left, _, right = line.partition(" = ")
            if left.strip() == name:
                return right
    raise AssertionError(f"no line {name!r} in {[block.value for block in at.code]}")


def metric(at: AppTest, label: str) -> str:
    """The value of the metric with this label."""
    found = [m.value for m in at.metric if m.label == label]
    assert found, f"no metric {label!r} in {[m.label for m in at.metric]}"
    return found[0]


def canvas_value(image: Image.Image, objects: list[dict]) -> dict:
    """What streamlit-drawable-canvas 0.13 reports for a drawing: its objects, the canvas as PNG data URL."""
    png = io.BytesIO()
    image.convert("RGBA").save(png, format="PNG")
    url = "data:image/png;base64," + base64.b64encode(png.getvalue()).decode()
    return {"drawing": {"raw": {"objects": objects}, "data": url}}
