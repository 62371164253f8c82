"""MNIST and weights for the pages: loaded once per server and shared by every session."""

from __future__ import annotations

import functools
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import streamlit as st

from dataset.mnist import MnistError, MnistSplits, load_mnist
from nn import Params, WeightsError, default_weights, load_weights
from ui.i18n import t


@st.cache_resource(show_spinner=False)
def _mnist() -> MnistSplits:
    """The splits, normalised and flat, as every page uses them (read-only arrays, shared)."""
    return load_mnist(normalize=True, flatten=True)


def mnist() -> MnistSplits:
    """The data set, or a clear error on the page and a stop when no source at all can give it."""
    try:
        with st.spinner(t("common.loading_data")):
            return _mnist()
    except MnistError as error:
        st.error(t("common.no_data", reason=str(error)))
        st.stop()


@st.cache_resource(show_spinner=False)
def _book_weights(path: str) -> Params:
    """The book's sample_weight.pkl, when the server was pointed at it (BOOK_WEIGHTS)."""
    return load_weights(path)


@dataclass(frozen=True)
class Weights:
    """Weights in use, with a name a person recognises."""

    kind: str  # "ours" | "book" | "upload"
    label: str
    params: Params

    @functools.cached_property
    def fingerprint(self) -> str:
        """A digest of the arrays: a result computed with these weights stays valid while it is unchanged."""
        digest = hashlib.blake2b(digest_size=12)
        for name in sorted(self.params):
            array = np.ascontiguousarray(self.params[name])
            digest.update(f"{name}{array.shape}{array.dtype}".encode())
            digest.update(array.data)
        return digest.hexdigest()


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
        st.error(str(error))
    book = book_weights_path()
    if book:
        try:
            found.append(Weights("book", t("common.weights_book"), _book_weights(str(book))))
        except WeightsError as error:
            st.warning(str(error))
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
        # load_weights prefixes the reason with the file's name, which the message below already gives.
        reason = str(error.__cause__ or error)
        st.session_state["weights_upload_error"] = t("common.bad_weights", name=file.name, reason=reason)
        return
    st.session_state.pop("weights_upload_error", None)
    st.session_state["uploaded_weights"] = (file.name, params)
    st.session_state["weights_kind"] = "upload"
    # The sidebar was drawn before this upload arrived: run again so that it names the new weights too.
    st.rerun()


def weights_picker() -> Weights:
    """Radio of the available weights plus the uploader; returns the weights in use."""
    weights_uploader()
    if error := st.session_state.get("weights_upload_error"):
        st.error(error)
    found = available_weights()
    if not found:
        st.stop()
    kinds = [w.kind for w in found]
    if st.session_state.get("weights_kind") not in kinds:
        st.session_state["weights_kind"] = kinds[0]
    labels = {w.kind: w.label for w in found}
    st.radio(t("common.weights_in_use"), kinds, format_func=labels.__getitem__, key="weights_kind")
    return _chosen(found)
