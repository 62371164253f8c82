"""Widget state that lives in the link (st.query_params), so a teacher can share a preset by its address."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import streamlit as st

from ui.i18n import t

T = TypeVar("T")

MAX_PARAM_LENGTH = 200  # longer values are not a preset anyone typed: ignore them


def from_url(key: str, default: T, parse: Callable[[str], T]) -> None:
    """Seed st.session_state[key] from the link once per session; an invalid value is ignored with a note."""
    if key in st.session_state:
        return
    raw = st.query_params.get(key)
    value = default
    if raw is not None:
        try:
            if len(raw) > MAX_PARAM_LENGTH:
                raise ValueError(raw)
            value = parse(raw)
        except (ValueError, TypeError, KeyError, IndexError):
            st.toast(t("common.bad_param", key=key, value=raw[:40]), icon="⚠️")
    st.session_state[key] = value


def to_url(key: str, serialise: Callable[[object], str] = str) -> None:
    """Write st.session_state[key] into the link, so copying the address bar keeps it."""
    if key in st.session_state:
        st.query_params[key] = serialise(st.session_state[key])


def choice(options: list[T] | tuple[T, ...]) -> Callable[[str], T]:
    """A parser that admits only one of `options` (compared as text)."""
    by_text = {str(option): option for option in options}

    def parse(raw: str) -> T:
        return by_text[raw]

    return parse


def int_between(low: int, high: int) -> Callable[[str], int]:
    """A parser for a whole number in [low, high]."""

    def parse(raw: str) -> int:
        value = int(raw)
        if not low <= value <= high:
            raise ValueError(raw)
        return value

    return parse
