"""The Batch evaluation page (3.6.2–3.6.3) in AppTest: accuracy of both weights, batch sizes, uploads."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import numpy as np
import pytest
from apptest_page import metric, open_page
from streamlit.testing.v1 import AppTest

from nn import load_weights

BOOK_ACCURACY = "0.9352"  # printed in the book (3.6.2) for sample_weight.pkl on the 10,000 test images
OURS_TARGET = 0.975
SAMPLE_SIZE = 5_000
CAPTION = re.compile(r"true (\d) → predicted (\d) \((\d+\.\d)%\)")

pytestmark = pytest.mark.usefixtures("fresh_data")


def run(at: AppTest, batch: int | None = None) -> AppTest:
    """Press Run (after a quick choice of batch size, if given)."""
    if batch is not None:
        at.button(key=f"evaluate_preset_{batch}").click().run()
    at.button(key="evaluate_run").click().run()
    assert not at.exception
    return at


def captions(at: AppTest) -> list[str]:
    """Captions of the images in the mistakes gallery, in order."""
    return [caption for image in at.image for caption in image.captions]


def chart(at: AppTest, title: str) -> dict:
    """The Vega-Lite spec of the chart with this title."""
    specs = [json.loads(element.proto.spec) for element in at.get("vega_lite_chart")]
    return next(spec for spec in specs if spec.get("title") == title)


def upload(at: AppTest, name: str, content: bytes) -> AppTest:
    """Drop a file on the weights uploader."""
    at.file_uploader(key="weights_file").set_value((name, content, "application/octet-stream")).run()
    assert not at.exception
    return at


def npz_bytes(params: dict[str, np.ndarray]) -> bytes:
    """Arrays saved as a .npz file's bytes."""
    buffer = io.BytesIO()
    np.savez(buffer, **params)
    return buffer.getvalue()


# --- the full MNIST test set -------------------------------------------------------------------------------


@pytest.mark.usefixtures("full", "book_weights")
def test_book_weights_give_the_books_accuracy_and_reruns_keep_the_result() -> None:
    at = open_page("evaluate", weights_kind="book")
    assert "10,000" in at.info[0].value
    assert not at.metric  # nothing is computed before Run
    run(at)
    assert metric(at, "Accuracy") == BOOK_ACCURACY
    assert metric(at, "Correct of 10,000") == "9,352"
    assert not at.get("progress")  # the bar goes away when the run is done
    result = at.session_state["evaluate_result"]

    at.selectbox(key="evaluate_mistakes_digit").select(3).run()
    assert at.session_state["evaluate_result"] is result  # another widget does not recompute

    at.radio(key="weights_kind").set_value("ours").run()
    assert metric(at, "Accuracy") == BOOK_ACCURACY  # still the last run, not recomputed...
    assert "the book's sample_weight.pkl" in at.info[-1].value  # ...and it says whose result it is
    run(at)
    assert metric(at, "Accuracy") != BOOK_ACCURACY


@pytest.mark.usefixtures("offline", "book_weights")
def test_the_weights_chosen_are_used_on_every_page_and_still_chosen_back_on_this_one() -> None:
    at = open_page("evaluate", weights_kind="ours")
    at.radio(key="weights_kind").set_value("book").run()
    at.switch_page("views/softmax.py").run()
    assert any("· the book's sample_weight.pkl" in caption.value for caption in at.sidebar.caption)
    at.switch_page("views/evaluate.py").run()
    assert not at.exception
    assert at.radio(key="weights_kind").value == "book"


@pytest.mark.usefixtures("full", "book_weights")
def test_our_weights_reach_the_target_on_the_test_set() -> None:
    at = run(open_page("evaluate", weights_kind="ours"), batch=10_000)
    assert float(metric(at, "Accuracy")) >= OURS_TARGET
    assert any("1 call(s) of predict() on 10,000 images" in c.value for c in at.caption)


@pytest.mark.usefixtures("full", "book_weights")
def test_uploaded_book_pickle_is_used_and_bad_files_keep_it(book_weights_path: Path) -> None:
    at = open_page("evaluate", weights_kind="ours")
    upload(at, "sample_weight.pkl", book_weights_path.read_bytes())
    assert at.radio(key="weights_kind").value == "upload"
    assert "uploaded: sample_weight.pkl" in at.radio(key="weights_kind").options
    assert any("uploaded: sample_weight.pkl" in c.value for c in at.sidebar.caption)  # the sidebar agrees
    assert metric(run(at), "Accuracy") == BOOK_ACCURACY

    upload(at, "notes.npz", b"these are my notes, not weights")
    assert "Could not use notes.npz" in at.error[0].value
    assert "neither a .npz file" in at.error[0].value
    assert at.radio(key="weights_kind").value == "upload"  # the previous weights stay in use

    wrong = {
        name: array[:100] if name == "W1" else array
        for name, array in load_weights(book_weights_path).items()
    }
    upload(at, "wrong.npz", npz_bytes(wrong))
    assert "W1 has shape (100, 50)" in at.error[0].value
    assert at.radio(key="weights_kind").value == "upload"
    assert metric(run(at), "Accuracy") == BOOK_ACCURACY

    at.file_uploader(key="weights_file").clear().run()
    assert not at.error  # the error belonged to the file just removed


# --- the offline sample ------------------------------------------------------------------------------------


@pytest.mark.usefixtures("offline")
def test_sample_says_which_score_is_held_out() -> None:
    at = open_page("evaluate")
    note = at.warning[0].value
    assert f"{SAMPLE_SIZE:,} images" in note
    assert "**not** a held-out score" in note


@pytest.mark.usefixtures("offline")
def test_batch_size_one_and_the_whole_set_agree() -> None:
    at = run(open_page("evaluate"), batch=1)
    assert at.number_input(key="evaluate_batch").value == 1
    assert at.query_params["evaluate_batch"] == "1"
    one_by_one = metric(at, "Accuracy")
    assert any(f"{SAMPLE_SIZE:,} call(s)" in c.value for c in at.caption)

    run(at, batch=10_000)
    assert metric(at, "Accuracy") == one_by_one
    assert any(f"batch size {SAMPLE_SIZE:,}: 1 call(s)" in c.value for c in at.caption)
    assert metric(at, f"Correct of {SAMPLE_SIZE:,}")


@pytest.mark.usefixtures("offline")
def test_back_from_another_page_the_batch_size_is_the_one_the_result_was_run_with() -> None:
    at = run(open_page("evaluate"), batch=1)
    at.selectbox(key="evaluate_mistakes_digit").set_value(3).run()
    at.switch_page("views/softmax.py").run()
    at.switch_page("views/evaluate.py").run()
    assert not at.exception
    assert at.number_input(key="evaluate_batch").value == 1
    assert any("batch size 1:" in c.value for c in at.caption)
    assert at.selectbox(key="evaluate_mistakes_digit").value == 3


@pytest.mark.usefixtures("offline")
def test_batch_size_comes_from_the_link_and_a_bad_one_is_ignored() -> None:
    assert open_page("evaluate", {"evaluate_batch": "1000"}).number_input(key="evaluate_batch").value == 1000
    at = open_page("evaluate", {"evaluate_batch": "abc"})
    assert at.number_input(key="evaluate_batch").value == 100
    assert at.toast


@pytest.mark.usefixtures("offline")
def test_speed_chart_times_every_batch_size_on_request_only() -> None:
    at = open_page("evaluate")
    assert not at.get("vega_lite_chart")
    at.button(key="evaluate_measure").click().run()
    assert not at.exception
    (speed,) = at.session_state["evaluate_speed"].values()
    ours = speed[speed["code"] == "ours"]
    assert ours["batch"].tolist() == [1, 10, 100, 1_000, SAMPLE_SIZE]
    assert ours["images"].tolist() == [1_000, *[SAMPLE_SIZE] * 4]  # batch size 1 is timed on a subset
    assert set(speed["code"]) == {"ours", "book_loop", "book_batch"}
    assert (speed["us"] > 0).all()
    spec = chart(at, "Time per image against batch size")
    scales = [layer["encoding"][axis]["scale"]["type"] for layer in spec["layer"] for axis in "xy"]
    assert set(scales) == {"log"}
    assert any("less time per image" in m.value for m in at.markdown)

    at.session_state["lang"] = "ko"
    at.run()
    assert next(iter(at.session_state["evaluate_speed"].values())) is speed  # a rerun does not measure again


@pytest.mark.usefixtures("offline")
def test_confusion_matrix_per_digit_chart_and_the_gallery_of_mistakes() -> None:
    at = run(open_page("evaluate"))
    evaluation = at.session_state["evaluate_result"].evaluation
    assert chart(at, "Confusion matrix")["layer"][0]["encoding"]["y"]["title"] == "True digit"
    assert chart(at, "Accuracy per digit")

    shown = [CAPTION.fullmatch(c).groups() for c in captions(at)]
    assert len(shown) == 12
    assert all(true != predicted for true, predicted, _ in shown)
    confidence = [float(p) for _, _, p in shown]
    assert confidence == sorted(confidence, reverse=True)  # the most confident mistakes first...
    probabilities, labels = evaluation.probabilities, evaluation.labels
    wrong = np.argmax(probabilities, axis=1) != labels
    assert confidence[0] == round(100 * float(probabilities[wrong].max()), 1)  # ...the worst one first

    at.button(key="evaluate_show_more").click().run()
    assert len(captions(at)) == 24
    assert f"Showing 24 of {wrong.sum():,} mistakes." in [c.value for c in at.caption]

    digit = int(np.bincount(labels[wrong]).argmax())  # the digit with the most mistakes
    at.selectbox(key="evaluate_mistakes_digit").select(digit).run()
    filtered = [CAPTION.fullmatch(c).group(1) for c in captions(at)]
    assert set(filtered) == {str(digit)}
    assert len(filtered) == min(12, np.sum(wrong & (labels == digit)))  # a new filter starts on page one


@pytest.mark.usefixtures("offline")
def test_korean_labels() -> None:
    at = open_page("evaluate")
    at.session_state["lang"] = "ko"
    run(at)
    assert metric(at, "정확도")
    assert at.button(key="evaluate_run").label == "실행"
