"""The My handwriting page in AppTest: save drawings from the canvas, evaluate them, pool .npz files, and
keep the set in the browser (whose answers a test plays, as the page's storage component would send them)."""

from __future__ import annotations

import io
import json
import os
import re
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from apptest_page import APP, canvas_value, metric, open_page
from PIL import Image, ImageDraw
from streamlit.testing.v1 import AppTest
from test_handwriting import BAD_FILES, BAD_TEXTS

from dataset.handwriting import (
    MAX_TEXT_CHARS,
    Handwriting,
    handwriting_bytes,
    handwriting_text,
    load_handwriting_text,
)
from ui.charts import confusion_chart
from ui.i18n import catalog
from ui.storage import COMPONENT

SET_KEY = "handwriting_set"
ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.usefixtures("mnist_dir_or_offline")


def drawing(strokes: list[tuple[int, int, int, int]]) -> dict:
    """The canvas' value after drawing the given white lines on black, as the component reports it."""
    image = Image.new("RGBA", (280, 280), "black")
    pen = ImageDraw.Draw(image)
    for line in strokes:
        pen.line(line, fill="white", width=22)
    return canvas_value(image, [{"type": "path"}])


ONE = [(140, 40, 140, 240)]
SEVEN = [(70, 50, 210, 50), (210, 50, 110, 240)]
BLANK = {"drawing": {"raw": {"objects": []}, "data": None}}


def storage(at: AppTest):
    """The page's browser storage component, as AppTest sees it (an unknown element)."""
    (element,) = [e for e in at.get("bidi_component") if e.proto.component_name == COMPONENT]
    return element


def asked(at: AppTest) -> dict:
    """What the page asks of the browser now: read, write (with a digest) or nothing."""
    return json.loads(storage(at).proto.json)


def browser_answers(at: AppTest, event: str, value: object) -> AppTest:
    """Run the page as the browser's answer makes it run: with this trigger value of the storage component."""
    # AppTest can set no component's trigger: add it to the widget states that AppTest.run() would send.
    states = at._tree.get_widget_states()
    trigger = states.widgets.add()
    trigger.id = f"$$STREAMLIT_INTERNAL_KEY_{storage(at).proto.id}__events"
    trigger.json_trigger_value = json.dumps([{"event": event, "value": value}])
    at._run(states)
    assert not at.exception, [e.value for e in at.exception]
    return at


def written(at: AppTest) -> AppTest:
    """The browser says it has written what the page asked it to."""
    return browser_answers(at, "written", {"digest": asked(at)["digest"]})


def open_handwriting(kept: object = None, lang: str = "en") -> AppTest:
    """The page in a fresh session, once the browser has said what it kept (None: nothing)."""
    return browser_answers(open_page("handwriting", lang=lang), "loaded", {"value": kept})


def a_set(n: int, first_label: int = 0) -> Handwriting:
    """n drawings of bars, labelled first_label, first_label + 1, ... (mod 10)."""
    images = np.zeros((n, 28, 28), np.uint8)
    images[:, 4:24, 12:16] = 255
    return Handwriting(images, (np.arange(n) + first_label).astype(np.uint8) % 10)


def canvas_key(at: AppTest) -> str:
    """The key of the canvas on the page now."""
    return f"handwriting_canvas_{at.session_state['handwriting_canvas_generation']}"


def save(at: AppTest, strokes: list[tuple[int, int, int, int]], label: int | None) -> None:
    """Draw on the canvas, pick the label (unless prompted), press Save."""
    at.session_state[canvas_key(at)] = drawing(strokes)
    if label is not None:
        at.segmented_control(key="handwriting_label").set_value(label)
    at.button(key="handwriting_save").click()
    at.run()
    assert not at.exception


def texts(elements) -> str:
    """All the text of a list of elements, to search in."""
    return " ".join(element.value for element in elements)


def test_empty_set_shows_hints_and_no_exception():
    at = open_handwriting()
    assert "Your set is empty" in texts(at.info)
    assert "nothing to evaluate yet" in texts(at.info)
    assert "Looking for drawings" not in texts(at.info)
    assert metric(at, "Drawings in my set") == "0"
    assert at.download_button(key="handwriting_download").disabled
    assert asked(at) == {"name": "handwriting"}  # the browser holds nothing, and the set is empty


def test_save_adds_the_drawing_with_its_label_and_clears_the_canvas():
    at = open_handwriting()
    first_canvas = canvas_key(at)
    save(at, SEVEN, 7)
    handwriting = at.session_state[SET_KEY]
    assert handwriting.labels.tolist() == [7]
    assert handwriting.images.shape == (1, 28, 28)
    assert handwriting.images.max() == 255
    assert canvas_key(at) != first_canvas
    assert "Saved a 7" in texts(at.success)
    assert metric(at, "Drawings in my set") == "1"
    save(at, ONE, 1)
    assert at.session_state[SET_KEY].labels.tolist() == [7, 1]


def test_an_empty_canvas_or_no_label_saves_nothing():
    at = open_handwriting()
    at.session_state[canvas_key(at)] = BLANK
    at.segmented_control(key="handwriting_label").set_value(3)
    at.button(key="handwriting_save").click().run()
    assert "canvas is empty" in texts(at.warning)
    assert len(at.session_state[SET_KEY]) == 0
    at.segmented_control(key="handwriting_label").set_value(None)
    save(at, ONE, None)
    assert "Choose the digit you drew" in texts(at.warning)
    assert len(at.session_state[SET_KEY]) == 0


def test_prompted_mode_asks_for_the_digits_in_turn():
    at = open_handwriting()
    at.toggle(key="handwriting_prompted").set_value(True).run()
    assert metric(at, "Please draw a") == "0"
    save(at, ONE, None)
    save(at, SEVEN, None)
    assert at.session_state[SET_KEY].labels.tolist() == [0, 1]
    assert metric(at, "Please draw a") == "2"


def test_evaluate_shows_accuracy_beside_mnist_and_warns_about_a_small_set():
    at = open_handwriting()
    save(at, ONE, 1)
    save(at, SEVEN, 7)
    accuracy = float(metric(at, "Accuracy on my handwriting"))
    assert accuracy in (0.0, 0.5, 1.0)
    offline = not os.environ.get("MNIST_DIR")
    mnist_label = "Accuracy on the MNIST offline sample" if offline else "Accuracy on the MNIST test set"
    assert 0.9 < float(metric(at, mnist_label)) <= 1.0
    assert "only 2 drawing(s)" in texts(at.warning)
    assert "no drawing of: 0, 2, 3, 4, 5, 6, 8, 9" in texts(at.info)
    assert ("offline MNIST sample" in texts(at.warning)) == offline


def test_delete_removes_one_drawing():
    at = open_handwriting()
    save(at, ONE, 1)
    save(at, SEVEN, 7)
    at.button(key="handwriting_delete_set_0").click().run()
    assert at.session_state[SET_KEY].labels.tolist() == [7]


def test_upload_merges_good_files_and_refuses_a_bad_one_leaving_the_set_alone():
    at = open_handwriting()
    save(at, ONE, 1)
    images = np.zeros((3, 28, 28), np.uint8)
    images[:, 4:24, 12:16] = 255
    good = handwriting_bytes(Handwriting(images, np.array([1, 4, 9], np.uint8)))
    files = [("class.npz", good, "application/octet-stream"), ("notes.npz", b"not a zip", "text/plain")]
    at.file_uploader(key="handwriting_upload").set_value(files)
    at.run()
    assert not at.exception
    assert at.session_state[SET_KEY].labels.tolist() == [1, 1, 4, 9]
    assert "Added 3 drawing(s) from class.npz" in texts(at.success)
    assert "Could not use notes.npz: this is not a .npz file" in texts(at.error)
    at.run()  # the files stay in the uploader: they must not be merged twice
    assert len(at.session_state[SET_KEY]) == 4


def test_download_is_offered_once_there_is_a_drawing():
    at = open_handwriting()
    save(at, SEVEN, 7)
    download = at.download_button(key="handwriting_download")
    assert not download.disabled
    assert "1 drawing(s)" in download.label


def test_a_link_can_turn_prompted_mode_on():
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["lang"] = "en"
    at.query_params["handwriting_prompted"] = "True"
    at.switch_page("views/handwriting.py")
    at.run()
    assert not at.exception
    assert at.toggle(key="handwriting_prompted").value
    assert metric(at, "Please draw a") == "0"


def mistake_buttons(at: AppTest) -> int:
    """How many drawings the mistakes gallery shows (one delete button each)."""
    return sum(button.key.startswith("handwriting_delete_mistake_") for button in at.button if button.key)


def test_mistakes_are_shown_a_page_at_a_time():
    at = open_handwriting()
    rng = np.random.default_rng(0)
    noise = rng.integers(0, 256, (40, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, 40).astype(np.uint8)
    at.file_uploader(key="handwriting_upload").set_value(
        ("noise.npz", handwriting_bytes(Handwriting(noise, labels)), "application/octet-stream")
    )
    at.run()
    wrong = 40 - round(float(metric(at, "Accuracy on my handwriting")) * 40)
    assert wrong > 12
    assert f"{wrong} mistake(s)" in texts(at.caption)
    assert mistake_buttons(at) == 12
    at.button(key="handwriting_more_mistakes").click().run()
    assert mistake_buttons(at) == min(24, wrong)


# --- the set kept in this browser --------------------------------------------------------------------------


def sent_set(at: AppTest) -> Handwriting:
    """The set the page asks the browser to write."""
    return Handwriting(*load_handwriting_text(asked(at)["write"]))


def test_before_the_browser_answers_the_page_is_looking_not_empty():
    at = open_page("handwriting", lang="en")
    assert asked(at) == {"name": "handwriting", "read": True, "limit": MAX_TEXT_CHARS}
    assert "Looking for drawings kept in this browser" in texts(at.info)
    assert "Your set is empty" not in texts(at.info)
    assert "nothing to evaluate yet" not in texts(at.info)
    assert metric(at, "Drawings in my set") == "…"
    at.run()  # a rerun before the answer has come: still asking, still looking
    assert asked(at)["read"]
    assert "Looking for drawings kept in this browser" in texts(at.info)


def test_a_kept_set_is_restored_and_not_written_back():
    at = open_handwriting(handwriting_text(a_set(5)))
    assert at.session_state[SET_KEY].labels.tolist() == [0, 1, 2, 3, 4]
    assert metric(at, "Drawings in my set") == "5"
    assert "Restored 5 drawing(s) kept in this browser" in texts(at.toast)
    assert "Kept in this browser, on this device: 5 drawing(s)" in texts(at.caption)
    assert "Looking for drawings" not in texts(at.info)
    assert asked(at) == {"name": "handwriting"}
    at.run()
    assert not at.toast
    assert asked(at) == {"name": "handwriting"}


def test_a_second_answer_from_the_browser_changes_nothing():
    at = open_handwriting(handwriting_text(a_set(5)))
    browser_answers(at, "loaded", {"value": handwriting_text(a_set(3))})
    assert len(at.session_state[SET_KEY]) == 5


def test_drawings_saved_before_the_answer_come_after_the_kept_ones_and_are_written():
    at = open_page("handwriting", lang="en")
    save(at, SEVEN, 7)
    browser_answers(at, "loaded", {"value": handwriting_text(a_set(3))})
    assert at.session_state[SET_KEY].labels.tolist() == [0, 1, 2, 7]
    assert sent_set(at).labels.tolist() == [0, 1, 2, 7]


def test_each_change_is_sent_once_and_not_again_once_written():
    at = open_handwriting(handwriting_text(a_set(5)))
    save(at, SEVEN, 7)
    request = asked(at)
    assert request["digest"] == at.session_state[SET_KEY].digest
    assert sent_set(at).labels.tolist() == [0, 1, 2, 3, 4, 7]
    assert "Keeping 6 drawing(s) in this browser" in texts(at.caption)
    at.run()  # not written yet: the same request again
    assert asked(at) == request
    written(at)
    assert asked(at) == {"name": "handwriting"}
    assert "Kept in this browser, on this device: 6 drawing(s)" in texts(at.caption)
    at.run()
    assert asked(at) == {"name": "handwriting"}
    at.button(key="handwriting_delete_set_0").click().run()
    assert sent_set(at).labels.tolist() == [1, 2, 3, 4, 7]


def test_an_upload_is_merged_and_kept():
    at = open_handwriting(handwriting_text(a_set(2)))
    upload = ("class.npz", handwriting_bytes(a_set(3, first_label=5)), "application/octet-stream")
    at.file_uploader(key="handwriting_upload").set_value(upload)
    at.run()
    assert sent_set(at).labels.tolist() == [0, 1, 5, 6, 7]


def test_start_over_asks_first_and_deletes_the_browsers_copy():
    at = open_handwriting(handwriting_text(a_set(4)))
    assert "here and in this browser's storage" in texts(at.markdown)
    at.button(key="handwriting_empty").click().run()
    assert len(at.session_state[SET_KEY]) == 0
    assert asked(at) == {"name": "handwriting", "digest": Handwriting.empty().digest, "write": None}
    written(at)
    assert asked(at) == {"name": "handwriting"}
    assert "Your set is empty" in texts(at.info)


@pytest.mark.parametrize("case", BAD_TEXTS)
def test_a_damaged_or_hostile_kept_value_is_refused_and_nothing_is_lost(case):
    at = open_page("handwriting", lang="en")
    save(at, ONE, 1)
    browser_answers(at, "loaded", {"value": BAD_TEXTS[case][0]})
    assert at.session_state[SET_KEY].labels.tolist() == [1]
    message = texts(at.error)
    assert "The drawings kept in this browser could not be read, so they were not loaded" in message
    assert "your next save replaces the copy in this browser" in message
    assert asked(at) == {"name": "handwriting"}  # the damaged copy stays until the set changes
    save(at, SEVEN, 7)
    assert sent_set(at).labels.tolist() == [1, 7]
    assert "could not be read" not in texts(at.error)


@pytest.mark.parametrize(
    ("kept", "reason"),
    [
        ("not base64 at all!", "the kept text is not base64."),
        (handwriting_text(a_set(3))[:400], "the .npz archive is damaged or truncated."),
        ({"type": "[object Blob]"}, "the browser holds something other than text (dict)."),
        (BAD_TEXTS["a pickle inside"][0], "the `images` array holds Python objects (a pickle)."),
    ],
)
def test_a_refused_kept_value_says_why(kept, reason):
    at = open_handwriting(kept)
    assert reason in texts(at.error)


def test_a_damaged_kept_value_is_explained_in_korean():
    at = open_handwriting("손상된 값", lang="ko")
    message = texts(at.error)
    assert "이 브라우저에 보관된 그림을 읽을 수 없어 불러오지 않았습니다" in message
    assert "보관된 텍스트가 base64 형식이 아닙니다." in message


def test_a_browser_without_storage_is_told_and_never_asked_to_write():
    at = open_page("handwriting", lang="en")
    browser_answers(at, "loaded", {"error": "unavailable"})
    save(at, ONE, 1)
    assert "does not let the page keep your drawings" in texts(at.warning)
    assert asked(at) == {"name": "handwriting"}


def test_a_full_storage_is_told_and_the_same_set_not_sent_again():
    at = open_handwriting()
    save(at, ONE, 1)
    browser_answers(at, "written", {"digest": asked(at)["digest"], "error": "full"})
    assert "no room left to keep your set of 1 drawing(s)" in texts(at.warning)
    assert asked(at) == {"name": "handwriting"}
    save(at, SEVEN, 7)  # a new set: tried again
    written(at)
    assert "no room left" not in texts(at.warning)
    assert "Kept in this browser, on this device: 2 drawing(s)" in texts(at.caption)


# --- refusals in the page's language -----------------------------------------------------------------------


def test_every_kind_of_refusal_has_words_in_the_catalog():
    raised = set(re.findall(r'HandwritingError\(\s*"(\w+)"', (ROOT / "dataset/handwriting.py").read_text()))
    assert len(raised) > 20, "the pattern no longer finds the refusals"
    missing = sorted(kind for kind in raised if f"handwriting.error_{kind}" not in catalog())
    assert not missing, f"refusals without words: {missing}"


def test_every_bad_file_is_refused_in_the_pages_language():
    at = open_handwriting()
    files = [(f"{case}.npz", data, "application/octet-stream") for case, (data, *_) in BAD_FILES.items()]
    at.file_uploader(key="handwriting_upload").set_value(files).run()
    assert not at.exception
    assert len(at.error) == len(BAD_FILES)
    assert all(error.value.startswith("Could not use ") for error in at.error)
    assert len(at.session_state[SET_KEY]) == 0
    at.segmented_control(key="lang").set_value("ko").run()
    assert not at.exception
    assert len(at.error) == len(BAD_FILES)
    assert all("사용할 수 없습니다: " in error.value for error in at.error)


def test_an_upload_refusal_is_worded_in_the_pages_language():
    at = open_handwriting(lang="ko")
    labels = np.array(["1", "2"])
    files = [("text.npz", npz_bytes(images=np.zeros((2, 28, 28), np.uint8), labels=labels), "x")]
    at.file_uploader(key="handwriting_upload").set_value(files).run()
    assert "text.npz을(를) 사용할 수 없습니다: 레이블에 텍스트이(가) 들어 있습니다." in texts(at.error)
    at.segmented_control(key="lang").set_value("en").run()
    assert "Could not use text.npz: the labels hold text; labels must be whole numbers 0..9." in texts(
        at.error
    )


def npz_bytes(**arrays: np.ndarray) -> bytes:
    """An .npz file holding these arrays."""
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


# --- the confusion matrix ----------------------------------------------------------------------------------


def cells(spec: dict) -> pa.Table:
    """The confusion chart's cells, as sent to the browser."""
    return spec["datasets"]["cells"]


def test_a_digit_without_drawings_gets_no_green_on_the_diagonal():
    matrix = np.zeros((10, 10), int)
    matrix[1, 1], matrix[7, 1], matrix[7, 7] = 3, 1, 2
    correct = np.array(cells(confusion_chart(matrix, "p", "t", "n"))["correct"]).reshape(10, 10)
    assert np.flatnonzero(np.diag(correct)).tolist() == [1, 7]
    assert not correct[~np.eye(10, dtype=bool)].any()


def test_a_confusion_matrix_with_every_digit_keeps_its_green_diagonal():
    """The Batch evaluation page's look: every digit of MNIST has examples, even one with none read right."""
    matrix = np.full((10, 10), 2) + np.eye(10, dtype=int) * 900
    matrix[4, 4] = 0
    correct = np.array(cells(confusion_chart(matrix, "p", "t", "n"))["correct"]).reshape(10, 10)
    np.testing.assert_array_equal(correct, np.eye(10, dtype=bool))


def test_the_handwriting_confusion_matrix_greens_only_digits_drawn():
    at = open_handwriting()
    save(at, ONE, 1)
    save(at, SEVEN, 7)
    tables = [
        pa.ipc.open_stream(dataset.data.data).read_all()
        for chart in at.get("vega_lite_chart")
        for dataset in chart.proto.datasets
    ]
    (matrix,) = [table for table in tables if "correct" in table.column_names]
    assert [row["true"] for row in matrix.to_pylist() if row["correct"]] == [1, 7]
