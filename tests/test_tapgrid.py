"""The tap grid (ui.tapgrid): its pure parts, and the Draw and My handwriting pages fed by it in AppTest."""

from __future__ import annotations

import numpy as np
import pytest
from apptest_page import metric, open_page
from streamlit.testing.v1 import AppTest

from nn import default_weights, predict
from nn.preprocess import preprocess_stages
from ui.tapgrid import (
    CELL_PIXELS,
    GRID_SIZE,
    SELECTION,
    TapGridError,
    cells_from_points,
    cells_image,
    grid_chart,
    grid_frame,
)

pytestmark = pytest.mark.usefixtures("mnist_dir_or_offline")

# Digits as a learner taps them: one cell thick, most of the grid's height.
BAR = ["......#......."] * 10
SEVEN = [
    "..########....",
    ".........#....",
    "........#.....",
    "........#.....",
    ".......#......",
    ".......#......",
    "......#.......",
    "......#.......",
    ".....#........",
    ".....#........",
]
ZERO = [
    ".....####.....",
    "....#....#....",
    "...#......#...",
    "...#......#...",
    "...#......#...",
    "...#......#...",
    "...#......#...",
    "...#......#...",
    "....#....#....",
    ".....####.....",
]


def points(rows: list[str], top: int = 2) -> list[dict[str, int]]:
    """The selection the chart reports for a picture of '#' cells, its first line at row `top`."""
    cells = [(top + r, c) for r, line in enumerate(rows) for c, mark in enumerate(line) if mark == "#"]
    return [{"row": row, "col": col} for row, col in cells]


def taps_key(at: AppTest, prefix: str) -> str:
    """The key of the page's grid now."""
    return f"{prefix}_taps_{at.session_state[f'{prefix}_taps_generation']}"


def tap(at: AppTest, prefix: str, rows: list[str]) -> None:
    """Report the cells as the chart does after the taps, and rerun."""
    at.session_state[taps_key(at, prefix)] = {"selection": {SELECTION: points(rows)}}
    at.run()
    assert not at.exception, [e.value for e in at.exception]


# --- the pure parts -----------------------------------------------------------------------------------------


def test_the_frame_has_every_cell_once_row_by_row():
    frame = grid_frame(3)
    assert frame.to_dict("list") == {"row": [0, 0, 0, 1, 1, 1, 2, 2, 2], "col": [0, 1, 2] * 3}
    assert len(grid_frame()) == GRID_SIZE**2


def test_the_selected_points_are_the_cells_that_are_on():
    cells = cells_from_points([{"row": 0, "col": 1}, {"row": 2, "col": 2}, {"row": 0, "col": 1}], size=3)
    assert cells.tolist() == [[False, True, False], [False, False, False], [False, False, True]]
    assert not cells_from_points([]).any()


@pytest.mark.parametrize(
    "point",
    [
        {"row": GRID_SIZE, "col": 0},
        {"row": -1, "col": 3},
        {"row": 2.5, "col": 3},
        {"row": "2", "col": 3},
        {"col": 3},
    ],
)
def test_a_point_that_names_no_cell_is_refused_clearly(point):
    with pytest.raises(TapGridError, match=f"is not a cell of the {GRID_SIZE}x{GRID_SIZE} grid"):
        cells_from_points([point])


def test_the_image_is_the_cells_in_a_blank_frame_and_none_without_a_cell():
    cells = cells_from_points(points(BAR))
    image = cells_image(cells)
    assert image.dtype == np.float32
    assert image.shape == (GRID_SIZE + 2, GRID_SIZE + 2)
    assert np.array_equal(image[1:-1, 1:-1], cells)
    assert image[[0, -1], :].sum() == image[:, [0, -1]].sum() == 0
    assert cells_image(np.zeros((GRID_SIZE, GRID_SIZE), dtype=bool)) is None


def test_a_digit_touching_every_edge_is_still_ink_on_paper():
    # Without the frame the border would be mostly ink, and nn.preprocess would take the ink for paper.
    full = np.ones((GRID_SIZE, GRID_SIZE), dtype=bool)
    full[3:-3, 3:-3] = False
    stages = preprocess_stages(cells_image(full))
    assert stages.bbox == (1, 1, GRID_SIZE + 1, GRID_SIZE + 1)


@pytest.mark.parametrize(("rows", "digit"), [(BAR, 1), (SEVEN, 7), (ZERO, 0)])
def test_tapped_digits_go_through_the_mnist_recipe_and_are_read(rows, digit):
    stages = preprocess_stages(cells_image(cells_from_points(points(rows))))
    assert max(stages.box_size) == 20  # fitted into MNIST's 20x20 box like a drawing
    assert int(np.argmax(predict(default_weights(), stages.centred.ravel()))) == digit


def test_the_chart_toggles_a_cell_on_every_tap_and_keeps_cells_square():
    spec = grid_chart().to_dict()
    (param,) = spec["params"]
    assert param["name"] == SELECTION
    select = {"type": "point", "fields": ["row", "col"], "on": "click", "toggle": "true", "clear": False}
    assert param["select"] == select
    assert spec["width"] == spec["height"] == {"step": CELL_PIXELS}
    # A cell is white when tapped, and only then: no tap yet is no cell on, not every cell.
    assert spec["encoding"]["color"] == {
        "condition": {"param": SELECTION, "value": "#ffffff", "empty": False},
        "value": "#000000",
    }


# --- the pages ----------------------------------------------------------------------------------------------


def test_tapped_pixels_are_read_on_the_draw_page_until_cleared():
    at = open_page("draw", lang="en")
    tap(at, "draw", BAR)
    assert metric(at, "Prediction") == "1"
    assert any("tapped pixels are used" in info.value for info in at.info)
    at.button(key="draw_taps_clear").click().run()
    assert not [m for m in at.metric if m.label == "Prediction"]
    assert any("Draw a digit" in info.value for info in at.info)
    assert taps_key(at, "draw") == "draw_taps_1"


def test_a_cell_off_the_grid_gives_a_message_and_no_prediction():
    at = open_page("draw", lang="en")
    at.session_state[taps_key(at, "draw")] = {"selection": {SELECTION: [{"row": 99, "col": 0}]}}
    at.run()
    assert not at.exception
    assert "could not be read" in at.error[0].value
    assert not [m for m in at.metric if m.label == "Prediction"]


def test_the_korean_page_names_the_grid_in_korean():
    at = open_page("draw", lang="ko")
    assert any(expander.label == "👆 마우스가 없나요? 픽셀을 눌러 보세요" for expander in at.expander)


def test_tapped_pixels_are_saved_to_my_handwriting_and_cleared():
    at = open_page("handwriting", lang="en")
    tap(at, "handwriting", SEVEN)
    at.segmented_control(key="handwriting_label").set_value(7)
    at.button(key="handwriting_save").click()
    at.run()
    assert not at.exception
    handwriting = at.session_state["handwriting_set"]
    assert handwriting.labels.tolist() == [7]
    assert handwriting.images.shape == (1, 28, 28)
    assert handwriting.images.max() == 255
    assert taps_key(at, "handwriting") == "handwriting_taps_1"
