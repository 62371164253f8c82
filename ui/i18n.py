"""Korean and English UI text: catalogs in ui/locales/*.toml, one per page, both languages side by side."""

from __future__ import annotations

import functools
import threading
import tomllib
from pathlib import Path

import streamlit as st

LANGUAGES = {"en": "English", "ko": "한국어"}
DEFAULT_LANGUAGE = "en"
LOCALES_DIR = Path(__file__).parent / "locales"
# The language of the script run in this thread, once app.py has settled it: a page calls t() a hundred times
# a run, and each read of st.session_state costs about 10 us (it is where Streamlit checks for a stop). A
# fragment's rerun runs no app.py: it finds what the last whole run in its thread held, or reads the session
# state once and holds that. Either is right: the language changes only with a whole run (its switch is in
# the sidebar, outside every fragment), and each whole run holds it anew.
_this_run = threading.local()


@functools.cache
def catalog() -> dict[str, dict[str, str]]:
    """Every text by key 'file.key' (e.g. 'draw.title'), each a dict language -> text."""
    texts: dict[str, dict[str, str]] = {}
    for path in sorted(LOCALES_DIR.glob("*.toml")):
        with path.open("rb") as file:
            for key, entry in tomllib.load(file).items():
                texts[f"{path.stem}.{key}"] = entry
    return texts


def browser_language() -> str:
    """The language the browser asks for, when Streamlit can tell and we have it; else English."""
    locale = (st.context.locale or "").lower()
    return next((code for code in LANGUAGES if locale.startswith(code)), DEFAULT_LANGUAGE)


def language() -> str:
    """The language of this session: chosen in the sidebar or the link, else the browser's."""
    held = getattr(_this_run, "language", None)
    if held is None:
        held = _this_run.language = st.session_state.get("lang") or browser_language()
    return held


def hold_language() -> None:
    """Keep this session's language for the rest of this script run: app.py, once the run knows it."""
    _this_run.language = None
    language()


def t(key: str, /, **values: object) -> str:
    """The text for `key` in the session's language, with {placeholders} filled in."""
    entry = catalog()[key]
    text = entry.get(language()) or entry[DEFAULT_LANGUAGE]
    return text.format(**values) if values else text
