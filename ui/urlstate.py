"""Widget state that lives in the link (st.query_params), so a teacher can share a preset by its address."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

import streamlit as st

from ui.i18n import t

T = TypeVar("T")

MAX_PARAM_LENGTH = 200  # longer values are not a preset anyone typed: ignore them


class LinkValueError(ValueError):
    """A link's value that its parser refuses: `kind` says what the value must be, `values` the particulars,
    so that the note says what would have been valid (common.bad_param_<kind>): "choice" (options), "whole"
    and "number" (low, high), "interval" (low, high), "names" (options), "numbers" (reason, already worded),
    "page" and "page_past_end" (pages), "too_long" (max_length). `instead`, if not None, is used in place of
    the link's value (the last page for a page past it); else the widget's default is.
    """

    def __init__(self, kind: str, instead: object = None, **values: object) -> None:
        super().__init__(kind, values)
        self.kind = kind
        self.instead = instead
        self.values = values


def from_url(key: str, default: T, parse: Callable[[str], T]) -> None:
    """Seed st.session_state[key] from the link once per session; a value its parser refuses is ignored, with
    a note that says what would have been valid."""
    if key in st.session_state:
        return
    raw = st.query_params.get(key)
    value = default
    if raw is not None:
        try:
            if len(raw) > MAX_PARAM_LENGTH:
                raise LinkValueError("too_long", max_length=MAX_PARAM_LENGTH)
            value = parse(raw)
        except LinkValueError as error:
            st.toast(t(f"common.bad_param_{error.kind}", key=key, value=raw[:40], **error.values), icon="⚠️")
            if error.instead is not None:
                value = error.instead
    st.session_state[key] = value


def to_url(key: str, serialise: Callable[[object], str] = str) -> None:
    """Write st.session_state[key] into the link, so copying the address bar keeps it.

    Only a change is written: each write sends the browser a message, and a stroke's rerun calls this too.
    """
    if key in st.session_state:
        value = serialise(st.session_state[key])
        if st.query_params.get(key) != value:
            st.query_params[key] = value


def listed(options: Iterable[object]) -> str:
    """Options as a note lists them, as they are written in a link: '`train`, `test`'."""
    return ", ".join(f"`{option}`" for option in options)


def choice(options: list[T] | tuple[T, ...]) -> Callable[[str], T]:
    """A parser that admits only one of `options` (compared as text)."""
    by_text = {str(option): option for option in options}

    def parse(raw: str) -> T:
        if raw not in by_text:
            raise LinkValueError("choice", options=listed(by_text))
        return by_text[raw]

    return parse


def int_between(low: int, high: int) -> Callable[[str], int]:
    """A parser for a whole number in [low, high]."""

    def parse(raw: str) -> int:
        try:
            value = int(raw)
            if low <= value <= high:
                return value
        except ValueError:
            pass  # not a whole number: refused below, as one out of range is
        raise LinkValueError("whole", low=low, high=high)

    return parse


def page_number(pages: int) -> Callable[[str], int]:
    """A parser for a page number of `pages` pages: one past the last is taken as the last, with a note that
    says how many pages there are; what is no page number at all is refused."""

    def parse(raw: str) -> int:
        try:
            page = int(raw)
        except ValueError:
            page = 0
        if page > pages:
            raise LinkValueError("page_past_end", instead=pages, pages=pages)
        if page < 1:
            raise LinkValueError("page", pages=pages)
        return page

    return parse
