"""What learners type and links carry, read strictly (numbers, intervals, names), and arrays printed back."""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import NDArray

from ui.i18n import t
from ui.once import Content, content_key, from_content
from ui.urlstate import LinkValueError, listed

MAX_COUNT = 20
MAX_ABS = 1e6
"""Enough for every example of the book (1010 overflows exp already) and small enough to draw."""

_SEPARATORS = re.compile(r"[\s,;]+")

MAX_ROWS = 20
MAX_COLUMNS = 20
MAX_CHARS = 10_000
"""Far more than 20 rows of 20 numbers need: longer text is refused before it is read."""
MAX_DIMENSIONS = 2
# What may come before an array as the book writes it: `W1 = np.array(`, `np.array(`, `array(` (NumPy's repr).
_PREFIX = re.compile(r"\s*(?:[A-Za-z_]\w*\s*=\s*)?(?P<call>(?:(?:np|numpy)\s*\.\s*)?array\s*\()?")
# One token: a bracket, a comma, a parenthesis, or a run of anything else (a number, or what a message names).
_TOKEN = re.compile(
    r"(?P<space>\s+)|(?P<open>\[)|(?P<close>\])|(?P<comma>,)|(?P<paren>[()])|(?P<item>[^\s\[\],()]+)"
)
_QUOTED = 30  # characters of the learner's text repeated in a message
_INTEGER = re.compile(r"[+-]?\d+")


class NumbersError(ValueError):
    """Text that is not a short list of moderate numbers; the message says what to fix."""


def parse_numbers(text: str, max_count: int = MAX_COUNT, max_abs: float = MAX_ABS) -> NDArray[np.float64]:
    """'0.3, 2.9, 4.0' (commas or spaces, brackets optional) -> array([0.3, 2.9, 4.0])."""
    items = [item for item in _SEPARATORS.split(text.strip().strip("[]()")) if item]
    if not items:
        raise NumbersError(t("inputs.empty"))
    if len(items) > max_count:
        raise NumbersError(t("inputs.too_many", count=len(items), max_count=max_count))
    return np.array([_number(item, max_abs) for item in items])


def _number(item: str, max_abs: float) -> float:
    """One item of the list as a finite float within ±max_abs."""
    try:
        value = float(item)
    except ValueError:
        raise NumbersError(t("inputs.not_a_number", item=item)) from None
    if not (math.isfinite(value) and abs(value) <= max_abs):
        raise NumbersError(t("inputs.out_of_range", item=item, max_abs=f"{max_abs:,.0f}"))
    return value


def limits_note(max_count: int = MAX_COUNT, max_abs: float = MAX_ABS) -> str:
    """The limits of parse_numbers in words, to show beside the input."""
    return t("inputs.limits", max_count=max_count, max_abs=f"{max_abs:,.0f}")


def listing(rows: Sequence[tuple[str, NDArray]]) -> str:
    """Lines 'name = array', each array printed the way NumPy prints it (as in the book), names aligned."""
    return _printed(tuple((name, content_key(v)) for name, v in rows))


@functools.lru_cache(maxsize=1024)
def _printed(rows: tuple[tuple[str, Content], ...]) -> str:
    """listing() once per content: NumPy's printing is slow (0.1-0.3 ms an array), and a class prints the
    same few arrays (the book's examples, the presets) on every rerun of every session."""
    width = max(len(name) for name, _ in rows)
    return "\n".join(
        f"{name.ljust(width)} = {np.array2string(from_content(v), max_line_width=10_000)}" for name, v in rows
    )


def numbers_text(raw: str) -> str:
    """A link's list of numbers, kept as typed once it parses (for ui.urlstate.from_url)."""
    try:
        parse_numbers(raw)
    except NumbersError as error:
        raise LinkValueError("numbers", reason=str(error)) from None
    return raw


def _link_numbers(raw: str, count: int) -> NDArray[np.float64] | None:
    """Exactly `count` numbers from a link's value, or None."""
    try:
        values = parse_numbers(raw, max_count=count)
    except NumbersError:
        return None
    return values if len(values) == count else None


def interval(low: float, high: float) -> Callable[[str], tuple[float, float]]:
    """A link parser for 'a,b' with low <= a < b <= high (a range slider's value)."""

    def parse(raw: str) -> tuple[float, float]:
        values = _link_numbers(raw, 2)
        if values is None or not low <= values[0] < values[1] <= high:
            raise LinkValueError("interval", low=f"{low:g}", high=f"{high:g}")
        return float(values[0]), float(values[1])

    return parse


def number_between(low: float, high: float, step: float) -> Callable[[str], float]:
    """A link parser for one number in [low, high], rounded to a slider's step."""

    def parse(raw: str) -> float:
        values = _link_numbers(raw, 1)
        if values is None or not low <= values[0] <= high:
            raise LinkValueError("number", low=f"{low:g}", high=f"{high:g}")
        return round(round(values[0] / step) * step, 10) + 0.0  # + 0.0: no "-0" in the link

    return parse


def names(options: Sequence[str]) -> Callable[[str], list[str]]:
    """A link parser for 'a,b' where each name is one of options (a multiselect's value; '' is none)."""

    def parse(raw: str) -> list[str]:
        chosen = [name for name in raw.split(",") if name]
        if any(name not in options for name in chosen):
            raise LinkValueError("names", options=listed(options))
        return list(dict.fromkeys(chosen))

    return parse


def parse_array(
    text: str, max_rows: int = MAX_ROWS, max_columns: int = MAX_COLUMNS, max_abs: float = MAX_ABS
) -> NDArray[np.float64 | np.int64]:
    """A vector or a matrix as the book writes it (`[[0.1, 0.3], [0.2, 0.4]]`, `np.array([1.0, 0.5])`),
    as NumPy prints it (`[[0.1 0.3]\\n [0.2 0.4]]`) or as rows of numbers, one per line.

    Read token by token, never evaluated; one line without brackets is a vector. Integers only make an
    integer array, as in np.array([1, 2, 3]).
    """
    if len(text) > MAX_CHARS:
        raise NumbersError(t("inputs.too_long", count=len(text), max_chars=MAX_CHARS))
    prefix = _PREFIX.match(text)
    body = text[prefix.end() :]
    limits = (max_rows, max_columns, max_abs)
    if prefix["call"] or body.lstrip().startswith("["):
        items = _bracketed(body, bool(prefix["call"]), *limits)
    else:
        items = _lines(body, *limits)
    numbers = (token.group() for token in _TOKEN.finditer(body) if token.lastgroup == "item")
    integers = all(_INTEGER.fullmatch(number) for number in numbers)
    return _rectangular(items, np.int64 if integers else np.float64)


def _bracketed(
    body: str, call: bool, max_rows: int, max_columns: int, max_abs: float
) -> list[float | list[float]]:
    """The items of `[...]` or `[[...], ...]` (after `np.array(` when `call`), numbers read as they come."""
    open_lists: list[list] = []
    array: list | None = None
    closed_call = not call
    previous = "open"
    for token in _TOKEN.finditer(body):
        kind, value = token.lastgroup, token.group()
        if kind == "space":
            continue
        if array is not None:
            if kind == "paren" and value == ")" and not closed_call:
                closed_call = True
                continue
            if kind == "close":
                raise NumbersError(t("inputs.extra_close"))
            raise NumbersError(t("inputs.after_array", text=_quote(body[token.start() :])))
        if kind == "open":
            if len(open_lists) == MAX_DIMENSIONS:
                raise NumbersError(t("inputs.too_deep", max_dimensions=MAX_DIMENSIONS))
            open_lists.append([])
        elif not open_lists:
            raise NumbersError(t("inputs.needs_list"))
        elif kind == "close":
            finished = open_lists.pop()
            if open_lists:
                _append(open_lists, finished, max_rows, max_columns)
            else:
                array = finished
        elif kind == "comma" and previous in ("item", "close"):
            pass
        elif kind == "item":
            _append(open_lists, _number(value, max_abs), max_rows, max_columns)
        else:
            raise NumbersError(t("inputs.unexpected", token=value))
        previous = kind
    if open_lists:
        raise NumbersError(t("inputs.unclosed", count=len(open_lists)))
    if array is None:
        raise NumbersError(t("inputs.needs_list" if call else "inputs.empty"))
    if not closed_call:
        raise NumbersError(t("inputs.unclosed_call"))
    return array


def _append(open_lists: list[list], item: float | list[float], max_rows: int, max_columns: int) -> None:
    """Put an item into the innermost open list, refusing a row or a matrix longer than the page takes."""
    target = open_lists[-1]
    if isinstance(item, list) and len(target) == max_rows:
        raise NumbersError(t("inputs.too_many_rows", max_rows=max_rows))
    if not isinstance(item, list) and len(target) == max_columns:
        raise NumbersError(t("inputs.row_too_long", max_columns=max_columns))
    target.append(item)


def _lines(body: str, max_rows: int, max_columns: int, max_abs: float) -> list[float | list[float]]:
    """Rows of numbers without brackets, one per line, separated by commas or spaces; one line is a vector."""
    lines = [line for line in body.splitlines() if line.strip()]
    if len(lines) > max_rows:
        raise NumbersError(t("inputs.too_many_rows", max_rows=max_rows))
    rows = []
    for line in lines:
        row: list[float] = []
        for token in _TOKEN.finditer(line):
            if token.lastgroup == "close":
                raise NumbersError(t("inputs.extra_close"))
            if token.lastgroup in ("open", "paren"):
                raise NumbersError(t("inputs.unexpected", token=token.group()))
            if token.lastgroup == "item":
                _append([row], _number(token.group(), max_abs), max_rows, max_columns)
        rows.append(row)
    return rows[0] if len(rows) == 1 else rows


def _rectangular(items: list[float | list[float]], dtype: type[np.number]) -> NDArray[np.number]:
    """A list of numbers as a vector, a list of equally long rows as a matrix; anything else explained."""
    rows = [item for item in items if isinstance(item, list)]
    if not items or any(not row for row in rows):
        raise NumbersError(t("inputs.empty"))
    if not rows:
        return np.array(items, dtype=dtype)
    if len(rows) < len(items):
        raise NumbersError(t("inputs.mixed"))
    lengths = [len(row) for row in rows]
    if len(set(lengths)) > 1:
        raise NumbersError(t("inputs.ragged", lengths=", ".join(map(str, lengths))))
    return np.array(rows, dtype=dtype)


def _quote(text: str) -> str:
    """The start of the learner's text, short enough to repeat in a message."""
    text = " ".join(text.split())
    return text if len(text) <= _QUOTED else text[: _QUOTED - 1] + "…"
