"""A grid of big pixels to tap a digit into: a way in for a finger, a stylus or a switch, without strokes.

The grid is an Altair chart whose point selection toggles the tapped cell (`toggle="true"`), so the
selection *is* the drawing: Streamlit reruns the page after each tap with every cell that is on.
Each page passes its own prefix, so its grid lives under keys of its own:
`<prefix>_taps_<generation>` (the chart) and `<prefix>_taps_generation`.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st
from numpy.typing import NDArray

from ui.charts import Spec, frozen, styled, table, with_data
from ui.i18n import t
from ui.remount import current_key, remount

GRID_SIZE = 14
"""14x14 cells: a digit tapped one cell thick, once fitted into MNIST's 20x20 box, has strokes about two
pixels wide, as MNIST's have (a 28x28 grid would give one-pixel strokes and cells too small for a finger)."""
CELL_PIXELS = 22
"""The grid is 308 screen pixels wide: it fits a 390-pixel phone screen inside an expander."""
SELECTION = "cells"
OFF, ON, LINE = "#000000", "#ffffff", "#3a3a3a"


class TapGridError(ValueError):
    """A selected cell that is not on the grid."""


def grid_frame(size: int = GRID_SIZE) -> pd.DataFrame:
    """One row per cell, row by row: its row and its column."""
    rows, cols = np.indices((size, size))
    return pd.DataFrame({"row": rows.ravel(), "col": cols.ravel()})


def cells_from_points(points: Iterable[Mapping[str, object]], size: int = GRID_SIZE) -> NDArray[np.bool_]:
    """The (size, size) grid with the selected cells on; a point that names no cell is a TapGridError."""
    cells = np.zeros((size, size), dtype=bool)
    for point in points:
        row, col = point.get("row"), point.get("col")
        if not all(isinstance(i, int) and 0 <= i < size for i in (row, col)):
            raise TapGridError(f"{dict(point)} is not a cell of the {size}x{size} grid.")
        cells[row, col] = True
    return cells


def cells_image(cells: NDArray[np.bool_]) -> NDArray[np.float32] | None:
    """The cells as white ink on black, framed by one blank cell; None when no cell is on.

    The frame keeps a digit that touches the grid's edges from being taken for the paper by
    nn.preprocess, which reads the background from the image's border.
    """
    if not cells.any():
        return None
    return np.pad(cells.astype(np.float32), 1)


def grid_chart(cell_pixels: int = CELL_PIXELS) -> alt.Chart:
    """Square black `cells` (row, col); a tap turns one white, a second tap turns it back."""
    taps = alt.selection_point(name=SELECTION, fields=["row", "col"], on="click", toggle="true", clear=False)
    # Sized by step, not by total width and height: the cells stay square and exactly where the taps land.
    # Styled like every chart: any text it ever shows is dark, not the chart theme's grey.
    grid = (
        alt.Chart(alt.NamedData("cells"))
        # No tooltip: Streamlit gives every chart one, and the grid's ("col 5, row 5") covered the very cells
        # a finger or the mouse is about to tap.
        .mark_rect(stroke=LINE, strokeWidth=1, tooltip=None)
        .encode(
            x=alt.X("col:O", axis=None),
            y=alt.Y("row:O", axis=None),
            # empty=False: before the first tap no cell is on (Vega-Lite reads an empty selection as all).
            color=alt.condition(taps, alt.value(ON), alt.value(OFF), empty=False),
        )
        .add_params(taps)
        .properties(width=alt.Step(cell_pixels), height=alt.Step(cell_pixels), padding=0)
    )
    return styled(grid).configure_view(strokeWidth=0)


@functools.cache
def grid_spec(size: int = GRID_SIZE) -> Spec:
    """The grid as drawn on every page: the same for every session, so built once."""
    frame = grid_frame(size)
    return with_data(grid_chart().to_dict(), cells=frozen(table(row=frame["row"], col=frame["col"])))


def taps_key(prefix: str) -> str:
    """The key of the page's grid now: each generation is a new grid with no cell on."""
    return current_key(f"{prefix}_taps")


def tapped_points(prefix: str) -> list[Mapping]:
    """The cells of the page's grid that are on, as its selection reports them."""
    state = st.session_state.get(taps_key(prefix))
    return [] if state is None else state["selection"].get(SELECTION, [])


def clear_taps(prefix: str) -> None:
    """Turn every cell of the page's grid off: a fresh key mounts a fresh chart."""
    remount(f"{prefix}_taps")


def tap_grid(prefix: str, overruled: bool = False) -> NDArray[np.float32] | None:
    """An expander with the grid, its help and a clear button: the tapped digit as an image, or None.

    While cells are on, a note says the network reads them, unless `overruled` (the page reads a photo).
    """
    expander = st.expander(t("tapgrid.expander"), key=f"{prefix}_taps_open", on_change="rerun")
    # Made only while open or holding taps (a grid not made forgets them): a stroke on the canvas reruns this.
    if not expander.open and not tapped_points(prefix):
        return None
    with expander:
        # In a column narrower than the grid, the grid scrolls sideways in a row of its own: spilling over,
        # it would lie on the next column.
        with st.container(horizontal=True, wrap=False):
            state = st.vega_lite_chart(
                grid_spec(), on_select="rerun", key=taps_key(prefix), width="content", alt=t("tapgrid.alt")
            )
        st.markdown(t("tapgrid.help"))
        st.button(t("tapgrid.clear"), on_click=clear_taps, args=(prefix,), key=f"{prefix}_taps_clear")
        try:
            image = cells_image(cells_from_points(state["selection"].get(SELECTION, [])))
        except TapGridError as error:
            st.error(t("tapgrid.bad_cell", reason=error))
            return None
        if image is not None and not overruled:
            st.info(t("tapgrid.using_taps"))
        return image
