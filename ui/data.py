"""MNIST and weights for the pages: loaded once per server and shared by every session. What is in use, and
why a source or a file could not be used, in the reader's language."""

from __future__ import annotations

import contextlib
import hashlib
import os
import threading
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import streamlit as st
from numpy.typing import NDArray

from dataset.mnist import MnistError, MnistRaw, MnistSource, Reason, cache_dir, convert_images, load_raw
from nn import Params, WeightsError, default_weights, load_weights
from nn.evaluate import Evaluation
from nn.weights import default_metadata
from ui.i18n import t
from ui.once import shared


@dataclass(frozen=True)
class Mnist:
    """What the pages read: both splits as uint8, as the files hold them, and the test set as the network
    reads it. The training images stay uint8 (47 MB): as float32 they would take 188 MB of every server."""

    raw: MnistRaw
    x_test: NDArray[np.float32]
    """(N, 784) in 0..1, as load_mnist(normalize=True) gives it; read-only."""

    @property
    def t_test(self) -> NDArray[np.uint8]:
        """The test labels (N,)."""
        return self.raw.t_test

    @property
    def source(self) -> MnistSource:
        """Where the data came from."""
        return self.raw.source


@shared()
def _mnist() -> Mnist:
    """The data set once per server, shared (read-only) by every session."""
    raw = load_raw()
    x_test = convert_images(raw.x_test)
    x_test.flags.writeable = False
    return Mnist(raw, x_test)


_ready: set[str] = set()
_ready_lock = threading.Lock()


@contextlib.contextmanager
def loading(what: str, text: str) -> Iterator[None]:
    """A spinner saying `text` the first time this server loads `what`, and nothing afterwards.

    Every st.spinner starts a thread of its own (its 0.5 s timer), on every rerun of every session: loaded
    once, the data is not worth one.
    """
    with _ready_lock:
        ready = what in _ready
    if ready:
        yield
        return
    with st.spinner(text):
        yield
    with _ready_lock:
        _ready.add(what)


def mnist() -> Mnist:
    """The data set, or a clear error on the page and a stop when no source at all can give it."""
    try:
        with loading("mnist", t("common.loading_data")):
            return _mnist()
    except MnistError as error:
        st.error(t("common.no_data"))
        with st.expander(t("common.teacher")):
            st.markdown(t("common.teacher_tried_all") + "\n\n" + notes_list(error.values["tried"]))
            st.markdown(t("common.teacher_get_mnist"))
        st.stop()


def preload() -> None:
    """The data set and every weights file the server offers, loaded before the first session asks for them
    (`streamlit run classroom.py` does so before it lets anyone in). What cannot load is left for the pages to
    explain, as without this."""
    with contextlib.suppress(MnistError):
        _mnist()
        with _ready_lock:
            _ready.add("mnist")
    with contextlib.suppress(WeightsError):
        default_weights()
        default_metadata()
    if book := book_weights_path():
        with contextlib.suppress(WeightsError):
            _book_weights(str(book))


@shared()
def _book_weights(path: str) -> Params:
    """The book's sample_weight.pkl, when the server was pointed at it (BOOK_WEIGHTS)."""
    return load_weights(path)


FINGERPRINTS_KEPT = 16  # ours, the book's, and the uploads of the sessions of a class
_fingerprints: OrderedDict[tuple[int, ...], tuple[Params, str]] = OrderedDict()
_fingerprints_lock = threading.Lock()


def fingerprint(params: Params) -> str:
    """A digest of the arrays: a result computed with these weights stays valid while it is unchanged.

    Computed once per set of arrays (a rerun builds its Weights anew, the arrays are the cached ones): the
    memo keeps the arrays it names alive, so their ids cannot be reused by others while it holds them.
    """
    key = tuple(id(params[name]) for name in sorted(params))
    with _fingerprints_lock:
        if key in _fingerprints:
            _fingerprints.move_to_end(key)
            return _fingerprints[key][1]
    digest = hashlib.blake2b(digest_size=12)
    for name in sorted(params):
        array = np.ascontiguousarray(params[name])
        digest.update(f"{name}{array.shape}{array.dtype}".encode())
        digest.update(array.data)
    with _fingerprints_lock:
        _fingerprints[key] = (dict(params), digest.hexdigest())
        while len(_fingerprints) > FINGERPRINTS_KEPT:
            _fingerprints.popitem(last=False)
    return digest.hexdigest()


@dataclass(frozen=True)
class Weights:
    """Weights in use, with a name a person recognises."""

    kind: str  # "ours" | "book" | "upload"
    label: str
    params: Params

    @property
    def fingerprint(self) -> str:
        """A digest of the arrays (see `fingerprint`)."""
        return fingerprint(self.params)


@dataclass(frozen=True)
class Run:
    """A session's last evaluation and the weights it was computed with (defined here, not in the page
    script, which runs anew on every rerun: a class made there would be a new class every time)."""

    evaluation: Evaluation
    label: str
    fingerprint: str


def book_weights_path() -> Path | None:
    """Where the server keeps the book's weights, if it does."""
    path = os.environ.get("BOOK_WEIGHTS")
    return Path(path) if path and Path(path).is_file() else None


def available_weights() -> list[Weights]:
    """Every set the session may choose: ours, the book's (server copy), the session's upload."""
    found = []
    try:
        # default_weights() caches by the file's modification time, so retrained weights are picked up.
        found.append(Weights("ours", t("common.weights_ours"), default_weights()))
    except WeightsError as error:
        st.error(t("common.weights_unusable", label=t("common.weights_ours"), reason=weights_reason(error)))
    book = book_weights_path()
    if book:
        try:
            found.append(Weights("book", t("common.weights_book"), _book_weights(str(book))))
        except WeightsError as error:
            label = t("common.weights_book")
            st.warning(t("common.weights_unusable", label=label, reason=weights_reason(error)))
    upload = st.session_state.get("uploaded_weights")
    if upload:
        name, params = upload
        found.append(Weights("upload", t("common.weights_upload", name=name), params))
    return found


def _chosen(found: list[Weights]) -> Weights:
    """The set this session chose among `found` (ours by default, else the first there is)."""
    chosen = st.session_state.get("weights_kind", "ours")
    return next((w for w in found if w.kind == chosen), found[0])


def current_weights() -> Weights:
    """The set chosen in this session (ours by default); stops the page if no weights load at all."""
    found = available_weights()
    if not found:
        st.stop()
    return _chosen(found)


def weights_uploader(key: str = "weights_file") -> None:
    """Upload of a .npz or the book's .pkl: a bad file gets an error and the previous weights stay."""
    file = st.file_uploader(
        t("common.upload_weights"), type=["npz", "pkl"], key=key, help=t("common.upload_help")
    )
    if file is None:
        # The error belonged to the file just removed from the uploader.
        st.session_state.pop("weights_upload_error", None)
        return
    if st.session_state.get("uploaded_weights_id") == file.file_id:
        return
    st.session_state["uploaded_weights_id"] = file.file_id
    try:
        params = load_weights(file)
    except WeightsError as error:
        # Kept unworded: the message is said in the page's language at the time, which the learner may change.
        st.session_state["weights_upload_error"] = (file.name, error)
        return
    st.session_state.pop("weights_upload_error", None)
    st.session_state["uploaded_weights"] = (file.name, params)
    st.session_state["weights_kind"] = "upload"
    # The sidebar was drawn before this upload arrived: run again so that it names the new weights too.
    st.rerun()


def weights_picker() -> Weights:
    """Radio of the available weights plus the uploader; returns the weights in use."""
    weights_uploader()
    if refused := st.session_state.get("weights_upload_error"):
        name, error = refused
        st.error(t("common.bad_weights", name=name, reason=weights_reason(error)))
    found = available_weights()
    if not found:
        st.stop()
    kinds = [w.kind for w in found]
    if st.session_state.get("weights_kind") not in kinds:
        st.session_state["weights_kind"] = kinds[0]
    labels = {w.kind: w.label for w in found}
    # The weights chosen on one page are the ones every page uses, and are still chosen back on this one.
    st.radio(
        t("common.weights_in_use"),
        kinds,
        format_func=labels.__getitem__,
        key="weights_kind",
        persist_state="session",
    )
    return _chosen(found)


# --- in the reader's language: what is in use, and why something could not be used --------------------------


def data_phrase(source: MnistSource) -> str:
    """The data in use, in a few words: MNIST and its size, or the offline sample."""
    if source.kind == "sample":
        return t("common.data_sample", n=source.n_test)
    return t("common.data_mnist", n=source.n_train + source.n_test)


def weights_phrase(weights: Weights) -> str:
    """The weights in use, in a few words: ours with their accuracy on the MNIST test set."""
    accuracy = default_metadata()["provenance"].get("test_accuracy") if weights.kind == "ours" else None
    return t("common.weights_ours_accuracy", accuracy=accuracy) if accuracy else weights.label


def in_use(source: MnistSource, weights: Weights) -> str:
    """One plain sentence: which data and which weights the pages use."""
    return t("common.in_use", data=data_phrase(source), weights=weights_phrase(weights))


def mnist_reason(reason: Reason) -> str:
    """Why a source of MNIST (or one mirror) could not be used, in the page's language (Markdown)."""
    values = dict(reason.values)
    if reason.kind == "cache_incomplete":
        problems = [
            t(f"errors.mnist_cache_{problem}", files=", ".join(f"`{name}`" for name in values[problem]))
            for problem in ("missing", "damaged")
            if values[problem]
        ]
        values["problems"] = "; ".join(problems)
    return t(f"errors.mnist_{reason.kind}", **values)


def notes_list(notes: tuple[Reason, ...]) -> str:
    """A Markdown list of why each source was not used, by source, with each mirror's failure beneath."""
    lines = []
    for note in notes:
        source = t(f"errors.mnist_source_{note.values['source']}")
        lines.append(f"- **{source}**: {mnist_reason(note)}")
        lines += [f"    - {mnist_reason(failure)}" for failure in note.values.get("failures", ())]
    return "\n".join(lines)


def weights_reason(error: WeightsError) -> str:
    """Why weights could not be loaded, in the page's language."""
    values = dict(error.values)
    if error.kind == "not_real":
        values["holds"] = t(f"errors.weights_holds_{values['holds']}", dtype=values["dtype"])
    if error.kind == "w_shape":
        values["rows_from"] = t(f"errors.weights_rows_{'layer' if values['before'] else 'input'}", **values)
        values["cols_to"] = t(f"errors.weights_cols_{'layer' if values['after'] else 'output'}", **values)
    return t(f"errors.weights_{error.kind}", **values)


def for_the_teacher(source: MnistSource, weights: Weights, key: str) -> None:
    """Where the data and the weights come from, what failed on the way and how to get the full MNIST: the
    details a teacher needs and a learner does not, folded away (and only made while unfolded: the sidebar's
    copy is part of every rerun of every page)."""
    expander = st.expander(t("common.teacher"), key=key, on_change="rerun")
    if not expander.open:
        return
    with expander:
        st.markdown(t(f"common.teacher_data_{source.kind}", location=source.location))
        if source.notes:
            st.markdown(t("common.teacher_tried") + "\n\n" + notes_list(source.notes))
        st.markdown(t("common.teacher_cache", folder=cache_dir()))
        if source.kind == "sample":
            st.markdown(t("common.teacher_get_mnist"))
        book = book_weights_path()
        if weights.kind == "ours":
            st.markdown(t("common.teacher_weights_ours"))
        elif weights.kind == "book":
            st.markdown(t("common.teacher_weights_book", path=book))
        else:
            name, _ = st.session_state["uploaded_weights"]
            st.markdown(t("common.teacher_weights_upload", name=name))
        if book is None:
            st.markdown(t("common.teacher_offer_book"))
