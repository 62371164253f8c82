"""Tables and figures that cost a rerun little.

What a stroke changes is one HTML block each (tables of answers, figures), sent as a little text. A
st.dataframe would do, but each costs the server an Arrow table and a delta of its own on every stroke,
and its grid is 32 more files for every new browser to fetch: a class joining at once waits for them. Four
st.metric in a row are five deltas (the row and each figure), each a message the server sends on its own.

The pages' tables (`show_table`) get their Arrow table from `arrow_table`, built once per distinct content: a
pandas DataFrame and its conversion cost the server about 0.5 ms per table on every rerun, 15 µs once cached.
"""

from __future__ import annotations

import html
from collections.abc import Hashable, Sequence
from functools import lru_cache

import numpy as np
import pandas as pd
import pyarrow as pa
import streamlit as st
from numpy.typing import ArrayLike
from streamlit.delta_generator import DeltaGenerator

from ui.charts import PRIMARY_COLOUR

TABLES = 256  # distinct tables kept: a few per page times the values a class tries, each a few kB

CELL = "padding:.25rem .75rem;text-align:left;border-bottom:1px solid rgba(14,17,23,.15)"


def answers_html(title: str, header: Sequence[str], rows: Sequence[tuple[str, int, float]]) -> str:
    """A bold title over a table of (label, predicted digit, probability) rows, each probability with a bar.

    `header` names the three columns; the bar is the theme's primary colour (5.9:1 on white), its number
    beside it, as in st.dataframe's progress column.
    """
    head = "".join(f'<th style="{CELL}">{html.escape(name)}</th>' for name in header)
    body = "".join(
        f'<tr><td style="{CELL}">{html.escape(label)}</td><td style="{CELL}">{digit}</td>'
        f'<td style="{CELL}"><span style="display:inline-flex;align-items:center;gap:.5rem">'
        f'<span style="display:inline-block;width:6rem;height:.5rem;background:rgba(14,17,23,.1)">'
        f'<span style="display:block;height:100%;width:{probability:.1%};background:{PRIMARY_COLOUR}">'
        f"</span></span>{probability:.1%}</span></td></tr>"
        for label, digit, probability in rows
    )
    return (
        f"<p><strong>{html.escape(title)}</strong></p>"
        f'<div style="overflow-x:auto"><table style="border-collapse:collapse">'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
    )


def figures_html(figures: Sequence[tuple[str, str, str, str | None]]) -> str:
    """(label, value, note, help or None) side by side, wrapping, drawn as st.metric draws a figure: a
    small label, a large value and a muted note under it; the help shows on hover over the label's ⓘ."""

    def figure(label: str, value: str, note: str, help_text: str | None) -> str:
        hint = (
            ""
            if help_text is None
            else f' <span title="{html.escape(help_text)}" aria-label="{html.escape(help_text)}">ⓘ</span>'
        )
        return (
            '<div style="min-width:10rem;flex:1 1 10rem">'
            f'<div style="font-size:.875rem">{html.escape(label)}{hint}</div>'
            f'<div style="font-size:2.25rem;line-height:1.2">{html.escape(value)}</div>'
            f'<div style="font-size:.875rem;color:rgba(14,17,23,.7)">{html.escape(note)}</div></div>'
        )

    cells = "".join(figure(*item) for item in figures)
    return f'<div style="display:flex;flex-wrap:wrap;gap:1rem;margin-top:1rem">{cells}</div>'


@lru_cache(maxsize=TABLES)
def arrow_table(
    columns: tuple[str, ...], rows: tuple[tuple[Hashable, ...], ...], index: tuple[str, ...] | None = None
) -> pa.Table:
    """The Arrow table st.table makes of DataFrame(rows, columns, index), built once for each content.

    Arrow tables are immutable: one is shared by every session that shows the same rows.
    """
    return pa.Table.from_pandas(pd.DataFrame(list(rows), columns=list(columns), index=index))


def show_table(
    columns: tuple[str, ...],
    rows: tuple[tuple[Hashable, ...], ...],
    index: tuple[str, ...] | None = None,
    where: DeltaGenerator | None = None,
) -> None:
    """st.table of `rows` under `columns` in `where` (the page by default), with the `index` as row labels,
    or none shown: as st.table shows a DataFrame with no index of its own."""
    (where or st).table(arrow_table(columns, rows, index), hide_index=index is None)


def array_rows(array: ArrayLike) -> tuple[tuple[Hashable, ...], ...]:
    """A 2-D array's rows as tuples of Python numbers: rows for `show_table`."""
    return tuple(map(tuple, np.asarray(array).tolist()))
