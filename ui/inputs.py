"""What learners type and links carry, read strictly (numbers, intervals, names), and arrays printed back."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import NDArray

from ui.i18n import t

MAX_COUNT = 20
MAX_ABS = 1e6
"""Enough for every example of the book (1010 overflows exp already) and small enough to draw."""

_SEPARATORS = re.compile(r"[\s,;]+")


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
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"{name.ljust(width)} = {np.array2string(v, max_line_width=10_000)}" for name, v in rows)


def numbers_text(raw: str) -> str:
    """A link's list of numbers, kept as typed once it parses (for ui.urlstate.from_url)."""
    parse_numbers(raw)
    return raw


def interval(low: float, high: float) -> Callable[[str], tuple[float, float]]:
    """A link parser for 'a,b' with low <= a < b <= high (a range slider's value)."""

    def parse(raw: str) -> tuple[float, float]:
        values = parse_numbers(raw, max_count=2)
        if len(values) != 2 or not low <= values[0] < values[1] <= high:
            raise ValueError(raw)
        return float(values[0]), float(values[1])

    return parse


def names(options: Sequence[str]) -> Callable[[str], list[str]]:
    """A link parser for 'a,b' where each name is one of options (a multiselect's value; '' is none)."""

    def parse(raw: str) -> list[str]:
        chosen = [name for name in raw.split(",") if name]
        if any(name not in options for name in chosen):
            raise ValueError(raw)
        return list(dict.fromkeys(chosen))

    return parse
