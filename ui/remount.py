"""Widgets emptied by mounting them afresh under a new key: the canvas, the tap grid."""

from __future__ import annotations

import streamlit as st


def _generation(name: str) -> str:
    """Where the widget's generation is kept."""
    return f"{name}_generation"


def current_key(name: str) -> str:
    """The widget's key now, `<name>_<generation>`: each generation is a new, empty widget."""
    return f"{name}_{st.session_state.setdefault(_generation(name), 0)}"


def remount(name: str) -> None:
    """Empty the widget: the next run mounts it under a fresh key."""
    st.session_state[_generation(name)] = st.session_state.get(_generation(name), 0) + 1
