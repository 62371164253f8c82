"""Chapter 3 Playground: `streamlit run app.py`. Home page, navigation and the sidebar every page shares."""

from __future__ import annotations

import streamlit as st
from threadpoolctl import threadpool_limits

from ui import data, theme
from ui.i18n import LANGUAGES, browser_language, t
from ui.urlstate import choice, from_url, to_url

st.set_page_config(page_title="Chapter 3 Playground", page_icon="🧠", layout="wide")
theme.apply()


@st.cache_resource(show_spinner=False)
def one_blas_thread() -> None:
    """Matrix products run on the thread that asks for them: set once per server process.

    Streamlit runs each session's script in a thread of its own, so OpenBLAS's threads on top of those only
    wait for cores that other sessions hold: on 2 cores, a 10,000-image evaluation in batches of 100 took
    2x longer with 2 BLAS threads than with one on an idle machine, and 10-45x longer on a busy one.
    """
    threadpool_limits(1, user_api="blas")


one_blas_thread()

from_url("lang", browser_language(), choice(list(LANGUAGES)))

# (file, url path, icon) in the order of chapter 3, the pages that go beyond the book last. Each page's title
# in its catalog starts with the book's section numbers and names, its shorter `nav` label with the numbers.
# The folder is views/, not pages/: with a pages/ folder Streamlit runs a page file on its own, without this
# script, until st.navigation has run once.
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


def page_name(path: str) -> str:
    """A page's catalog prefix: its file name without '.py'."""
    return path.removeprefix("views/").removesuffix(".py")


def home() -> None:
    """What this is, where each section of chapter 3 lives, and what data and weights are in use."""
    st.title(t("app.title"))
    st.markdown(t("app.intro"))
    st.subheader(t("app.map"))
    for path, _, icon in PAGES:
        name = page_name(path)
        left, right = st.columns([2, 3])
        left.page_link(path, label=t(f"{name}.title"), icon=icon)
        right.caption(t(f"{name}.summary"))
    st.subheader(t("app.status"))
    source = data.mnist().source
    weights = data.current_weights()
    st.markdown(t("app.status_data", description=source.description))
    st.markdown(t("app.status_weights", label=weights.label))
    if source.kind == "sample":
        st.info(t("app.sample_note"))


def sidebar() -> None:
    """Language, and the data and weights in use: the same on every page."""
    with st.sidebar:
        st.selectbox("🌐 Language / 언어", list(LANGUAGES), format_func=LANGUAGES.__getitem__, key="lang")
        source = data.mnist().source
        weights = data.current_weights()
        icon = "📦" if source.kind != "sample" else "🧳"
        st.caption(f"{icon} {t('common.data')}: {source.description}")
        st.caption(f"🧠 {t('common.weights')}: {weights.label}")
        for note in source.notes:
            st.caption(f"⚠️ {note}")


navigation = st.navigation(
    [st.Page(home, title=t("app.home"), icon="🏠", url_path="home", default=True)]
    + [st.Page(path, title=t(f"{page_name(path)}.nav"), icon=icon, url_path=url) for path, url, icon in PAGES]
)
sidebar()
to_url("lang")
navigation.run()
