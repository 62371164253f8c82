"""Chapter 3 Playground: `streamlit run app.py`. Home page, navigation and the sidebar every page shares."""

from __future__ import annotations

# First: the libraries every page uses, loaded by one session while a class arriving at once waits for them.
from ui import server  # isort: skip

import streamlit as st

from ui import data, theme
from ui.i18n import LANGUAGES, browser_language, hold_language, t
from ui.pages import PAGES, page_name
from ui.urlstate import choice, from_url, to_url

server.tune()

from_url("lang", browser_language(), choice(list(LANGUAGES)))
hold_language()
# The browser tab's title, in the page's language (set after the language is known).
st.set_page_config(page_title=t("app.name"), page_icon="🧠", layout="wide")
theme.apply()


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
    st.markdown(t("app.status_data", data=data.data_phrase(source)))
    st.markdown(t("app.status_weights", weights=data.weights_phrase(weights)))
    if source.kind == "sample":
        st.info(t("app.sample_note"))
    data.for_the_teacher(source, weights, key="teacher_home")


def sidebar() -> None:
    """Language, the data and weights in use in one sentence, the details for the teacher: on every page."""
    with st.sidebar:
        # Two buttons, one tap: and a page that shows a select box makes each new browser fetch 21 more files.
        languages = list(LANGUAGES)
        st.segmented_control(
            "🌐 Language / 언어", languages, format_func=LANGUAGES.__getitem__, key="lang", required=True
        )
        source = data.mnist().source
        weights = data.current_weights()
        icon = "📦" if source.kind != "sample" else "🧳"
        st.caption(f"{icon} {data.in_use(source, weights)}")
        data.for_the_teacher(source, weights, key="teacher_sidebar")


# The pages and why their folder is views/, not pages/: ui/pages.py.
navigation = st.navigation(
    [st.Page(home, title=t("app.home"), icon="🏠", url_path="home", default=True)]
    + [st.Page(path, title=t(f"{page_name(path)}.nav"), icon=icon, url_path=url) for path, url, icon in PAGES]
)
sidebar()
to_url("lang")
navigation.run()
