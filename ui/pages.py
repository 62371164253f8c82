"""The app's pages in the order of chapter 3: plain data, read by app.py's navigation and by serve/, which
opens each page once on a new server before the class does (so it imports nothing of Streamlit's)."""

from __future__ import annotations

# (file, url path, icon), the pages that go beyond the book last. Each page's title in its catalog starts with
# the book's section numbers and names, its shorter `nav` label with the numbers. The folder is views/, not
# pages/: with a pages/ folder Streamlit runs a page file on its own, without app.py, until st.navigation has
# run once.
PAGES = (
    ("views/perceptron.py", "perceptron", "🧩"),
    ("views/activations.py", "activations", "📈"),
    ("views/forward.py", "forward", "➡️"),
    ("views/softmax.py", "softmax", "🎛️"),
    ("views/mnist_browser.py", "mnist", "🖼️"),
    ("views/evaluate.py", "evaluate", "📊"),
    ("views/draw.py", "draw", "✏️"),
    ("views/handwriting.py", "handwriting", "🧑‍🏫"),
)
URL_PATHS = ("", *(url for _, url, _ in PAGES))
"""Every page's path in a link: the home page's is empty."""


def page_name(path: str) -> str:
    """A page's catalog prefix: its file name without '.py'."""
    return path.removeprefix("views/").removesuffix(".py")
