"""Small tables of answers as one HTML block: what a stroke changes, sent as a few hundred bytes of text.

A st.dataframe would do, but each costs the server an Arrow table and a delta of its own on every stroke,
and its grid is 32 more files for every new browser to fetch: a class joining at once waits for them.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from ui.charts import PRIMARY_COLOUR

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
