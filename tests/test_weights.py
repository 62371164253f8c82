"""Weights I/O: the book's pickle read safely, hostile and damaged files refused clearly, .npz round trips."""

from __future__ import annotations

import io
import itertools
import os
import pickle
import re
import shlex
import subprocess
from pathlib import Path

import numpy as np
import pytest
from numpy.testing._private.utils import runstring

from nn import weights
from nn.weights import (
    WeightsError,
    default_metadata,
    default_weights,
    load_weights,
    load_weights_with_metadata,
    save_weights,
)

BOOK_SHAPES = {"W1": (784, 50), "b1": (50,), "W2": (50, 100), "b2": (100,), "W3": (100, 10), "b3": (10,)}
SHIPPED_PATH = weights.DEFAULT_WEIGHTS_PATH


def make_params(hidden: tuple[int, int] = (50, 100), seed: int = 0) -> dict[str, np.ndarray]:
    """Random float32 weights of a 784-h1-h2-10 network."""
    rng = np.random.default_rng(seed)
    sizes = (784, *hidden, 10)
    params = {}
    for layer, (n_in, n_out) in enumerate(itertools.pairwise(sizes), start=1):
        params[f"W{layer}"] = rng.standard_normal((n_in, n_out)).astype(np.float32)
        params[f"b{layer}"] = rng.standard_normal(n_out).astype(np.float32)
    return params


def npz_bytes(**arrays: object) -> bytes:
    """Arrays saved by plain np.savez, as a learner would."""
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def assert_same_params(actual: dict[str, np.ndarray], expected: dict[str, np.ndarray]) -> None:
    """Exactly the same six float32 arrays."""
    assert sorted(actual) == sorted(expected)
    for name, array in expected.items():
        assert actual[name].dtype == np.float32
        np.testing.assert_array_equal(actual[name], array)


class UploadedFile(io.BytesIO):
    """The shape of Streamlit's UploadedFile: a BytesIO with the uploaded file's name."""

    def __init__(self, data: bytes, name: str) -> None:
        super().__init__(data)
        self.name = name


class Payload:
    """What a malicious weights file does: unpickling it calls function(*args)."""

    def __init__(self, function: object, *args: object) -> None:
        self.function, self.args = function, args

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        return self.function, self.args


# ---------------------------------------------------------------- the book's sample_weight.pkl


@pytest.mark.filterwarnings("error")  # no DeprecationWarning from importing numpy.core
def test_book_weights_load_to_documented_shapes(book_weights_path: Path) -> None:
    params, metadata = load_weights_with_metadata(book_weights_path)
    assert {name: array.shape for name, array in params.items()} == BOOK_SHAPES
    for array in params.values():
        assert array.dtype == np.float32
        assert array.flags.c_contiguous
        assert array.flags.writeable
        assert np.isfinite(array).all()
    assert metadata == {"format": "book pickle", "architecture": [784, 50, 100, 10]}


@pytest.mark.parametrize("kind", ["str", "bytes", "uploaded file", "open file"])
def test_book_weights_load_the_same_from_any_source(book_weights_path: Path, kind: str) -> None:
    expected = load_weights(book_weights_path)
    data = book_weights_path.read_bytes()
    if kind == "open file":
        with book_weights_path.open("rb") as file:
            params = load_weights(file)
    else:
        source = {"str": str(book_weights_path), "bytes": data, "uploaded file": UploadedFile(data, "w.pkl")}
        params = load_weights(source[kind])
    assert_same_params(params, expected)


def test_book_weights_are_recognised_by_content_not_name(book_weights_path: Path, tmp_path: Path) -> None:
    renamed = tmp_path / "weights.npz"
    renamed.write_bytes(book_weights_path.read_bytes())
    assert load_weights_with_metadata(renamed)[1]["format"] == "book pickle"


# ---------------------------------------------------------------- pickles from any NumPy and protocol


@pytest.mark.parametrize("protocol", range(2, pickle.HIGHEST_PROTOCOL + 1))
def test_pickles_of_every_protocol_load_exactly(protocol: int) -> None:
    params = make_params()
    extras = {"epochs": 3, "loss": np.float32(0.25), "notes": ["sigmoid", (1, 2.5)]}
    loaded = load_weights(pickle.dumps({**params, **extras}, protocol=protocol))
    assert_same_params(loaded, params)


@pytest.mark.parametrize("protocol", [2, 3])
def test_numpy1_spelling_numpy_core_is_admitted(protocol: int) -> None:
    params = make_params(hidden=(4, 3))
    data = pickle.dumps(params, protocol=protocol)
    assert b"numpy._core.multiarray" in data
    # GLOBAL names end at a newline, so the NumPy 1 spelling can be swapped in without breaking the pickle.
    assert_same_params(load_weights(data.replace(b"numpy._core.", b"numpy.core.")), params)


def test_float64_and_fortran_ordered_pickles_become_c_contiguous_float32() -> None:
    params = {name: np.asfortranarray(array.astype(np.float64)) for name, array in make_params().items()}
    loaded = load_weights(pickle.dumps(params))
    for name, array in loaded.items():
        assert array.flags.c_contiguous
        np.testing.assert_array_equal(array, params[name].astype(np.float32))


# ---------------------------------------------------------------- hostile pickles run nothing

MARKER = "marker.npy"  # np.save keeps a name that already ends in .npy


def _payloads(marker: Path) -> dict[str, Payload]:
    """Each hostile call, given the marker file it would create if it ran."""
    touch = f"open({str(marker)!r}, 'w').close()"
    return {
        "os.system": Payload(os.system, f"touch {shlex.quote(str(marker))}"),
        "subprocess.Popen": Payload(subprocess.Popen, ["touch", str(marker)]),
        "builtins.eval": Payload(eval, touch),
        "builtins.exec": Payload(exec, touch),
        "numpy.save": Payload(np.save, str(marker), np.zeros(1)),
        "numpy.load": Payload(np.load, str(marker)),
        "numpy.testing runstring": Payload(runstring, touch, {}),
    }


PLACEMENTS = {
    "top level": lambda payload: payload,
    "as W1": lambda payload: {**make_params(), "W1": payload},
    "nested in a junk entry": lambda payload: {**make_params(), "notes": {"deep": [1, (payload,)]}},
}


@pytest.mark.parametrize("protocol", [3, pickle.HIGHEST_PROTOCOL])
@pytest.mark.parametrize("placement", PLACEMENTS)
@pytest.mark.parametrize(
    "attack",
    [
        "os.system",
        "subprocess.Popen",
        "builtins.eval",
        "builtins.exec",
        "numpy.save",
        "numpy.load",
        "numpy.testing runstring",
    ],
)
def test_hostile_pickle_is_refused_and_runs_nothing(
    tmp_path: Path, attack: str, placement: str, protocol: int
) -> None:
    marker = tmp_path / MARKER
    payload = _payloads(marker)[attack]
    data = pickle.dumps(PLACEMENTS[placement](payload), protocol=protocol)
    with pytest.raises(WeightsError, match="nothing was run") as caught:
        load_weights(data)
    # The refusal names the very global the file asked for, so it came from the unpickler's gate.
    assert f"{payload.function.__module__}.{payload.function.__qualname__}" in str(caught.value)
    assert not marker.exists()


def test_direct_ndarray_call_is_refused() -> None:
    # A raw ndarray((n,)) call would allocate whatever the file asks for; array pickles never make it.
    data = pickle.dumps({**make_params(), "W1": Payload(np.ndarray, (10**12,))})
    with pytest.raises(WeightsError, match=r"numpy\.ndarray directly"):
        load_weights(data)


@pytest.mark.parametrize("key", ["W1", "notes"])
def test_object_array_in_a_pickle_is_refused_even_in_a_junk_entry(key: str) -> None:
    data = pickle.dumps({**make_params(), key: np.array([1.0, "x"], dtype=object)})
    with pytest.raises(WeightsError, match="the pickle holds an array of Python objects"):
        load_weights(data)


def test_pickle_of_something_other_than_a_dict_is_refused() -> None:
    with pytest.raises(WeightsError, match="holds a list, not a dict"):
        load_weights(pickle.dumps(list(make_params().values())))


# ---------------------------------------------------------------- damaged, empty, huge and wrong files


def test_empty_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "empty.npz"
    path.write_bytes(b"")
    with pytest.raises(WeightsError, match="empty") as caught:
        load_weights(path)
    assert str(path) in str(caught.value)


@pytest.mark.parametrize(
    "data", [b"hello, weights", bytes(range(256)), b"\x93NUMPY\x01\x00", b"\x80\x09junk"]
)
def test_garbage_is_refused(data: bytes) -> None:
    with pytest.raises(WeightsError, match=r"neither a \.npz file .* nor a pickle"):
        load_weights(data)


@pytest.mark.parametrize("fraction", [0.0, 0.01, 0.3, 0.6, 0.99])
@pytest.mark.parametrize("fmt", ["npz", "pickle"])
def test_truncated_files_are_refused(fmt: str, fraction: float) -> None:
    params = make_params(hidden=(8, 6))
    whole = npz_bytes(**params) if fmt == "npz" else pickle.dumps(params)
    cut = max(4, int(len(whole) * fraction))
    with pytest.raises(WeightsError, match="damaged or truncated"):
        load_weights(whole[:cut])


def test_truncated_by_one_byte_is_refused() -> None:
    whole = npz_bytes(**make_params(hidden=(8, 6)))
    with pytest.raises(WeightsError, match="damaged or truncated"):
        load_weights(whole[:-1])


def test_corrupted_npz_member_is_refused() -> None:
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **make_params(hidden=(8, 6)))
    data = bytearray(buffer.getvalue())
    data[len(data) // 4] ^= 0xFF
    with pytest.raises(WeightsError, match=r"could not be read|damaged"):
        load_weights(bytes(data))


@pytest.mark.parametrize("kind", ["bytes", "path", "file"])
def test_too_large_file_is_refused(tmp_path: Path, kind: str) -> None:
    data = pickle.dumps(make_params(hidden=(8, 6)))
    path = tmp_path / "big.pkl"
    path.write_bytes(data)
    source = {"bytes": data, "path": path, "file": io.BytesIO(data)}[kind]
    with pytest.raises(WeightsError, match="larger than the 1,000 bytes limit"):
        load_weights(source, max_bytes=1_000)


def test_size_limit_is_checked_before_reading_everything() -> None:
    stream = io.BytesIO(b"\x80\x03" + bytes(10_000))
    with pytest.raises(WeightsError, match="larger than"):
        load_weights(stream, max_bytes=1_000)
    assert stream.tell() == 1_001


def test_default_limit_admits_real_weights_and_reads_in_megabytes() -> None:
    assert weights.MAX_WEIGHTS_BYTES == 64 * 2**20
    with pytest.raises(WeightsError, match="larger than the 2 MB limit"):
        load_weights(b"\x80\x03" + bytes(2 * 2**20), max_bytes=2 * 2**20)


def test_npz_that_unpacks_beyond_the_limit_is_refused() -> None:
    buffer = io.BytesIO()
    np.savez_compressed(buffer, W1=np.zeros((1000, 1000)))  # 8 MB of zeros packs into a few kB
    assert len(buffer.getvalue()) < 100_000
    with pytest.raises(WeightsError, match="unpacks to more than the 1 MB limit"):
        load_weights(buffer.getvalue(), max_bytes=2**20)


def test_missing_file_and_folder_are_refused(tmp_path: Path) -> None:
    with pytest.raises(WeightsError, match="no such file"):
        load_weights(tmp_path / "absent.npz")
    with pytest.raises(WeightsError, match="folder"):
        load_weights(tmp_path)


def test_text_mode_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "w.npz"
    save_weights(make_params(), path)
    with path.open(encoding="latin1") as file, pytest.raises(WeightsError, match="binary mode"):
        load_weights(file)


def test_unsupported_source_type_is_refused() -> None:
    with pytest.raises(WeightsError, match="expected a path, bytes or a binary file, got a int"):
        load_weights(42)  # type: ignore[arg-type]


# ---------------------------------------------------------------- validation of the arrays


@pytest.mark.parametrize("fmt", ["npz", "pickle"])
def test_missing_keys_are_named(fmt: str) -> None:
    params = make_params()
    del params["W3"], params["b3"]
    data = npz_bytes(**params) if fmt == "npz" else pickle.dumps(params)
    with pytest.raises(WeightsError, match=r"W3, b3 are missing; the network needs W1, b1, W2, b2, W3, b3\."):
        load_weights(data)


def test_one_missing_key_reads_naturally() -> None:
    params = make_params()
    del params["b1"]
    with pytest.raises(WeightsError, match=r": b1 is missing;"):
        load_weights(npz_bytes(**params))


@pytest.mark.parametrize("fmt", ["npz", "pickle"])
def test_extra_entries_are_ignored(fmt: str) -> None:
    params = make_params()
    extras = {"W4": np.ones((10, 3), np.float32), "labels": np.array(["zero", "one"])}
    data = npz_bytes(**params, **extras) if fmt == "npz" else pickle.dumps({**params, **extras})
    assert_same_params(load_weights(data), params)


def test_any_hidden_sizes_that_chain_are_accepted() -> None:
    params = make_params(hidden=(7, 3))
    loaded, metadata = load_weights_with_metadata(npz_bytes(**params))
    assert_same_params(loaded, params)
    assert metadata["architecture"] == [784, 7, 3, 10]


@pytest.mark.parametrize(
    ("name", "shape", "message"),
    [
        (
            "W2",
            (50, 99),
            "W2 has shape (50, 99) but W1 gives 50 hidden units and W3 expects 100 inputs, "
            "so W2 must be (50, 100).",
        ),
        (
            "W1",
            (700, 50),
            "W1 has shape (700, 50) but the input is a 28×28 image of 784 pixels and W2 expects "
            "50 inputs, so W1 must be (784, 50).",
        ),
        (
            "W3",
            (100, 9),
            "W3 has shape (100, 9) but W2 gives 100 hidden units and the output needs 10 scores, "
            "one per digit, so W3 must be (100, 10).",
        ),
        ("b2", (99,), "b2 has shape (99,) but W2 gives 100 units, so it must be (100,)."),
        ("b1", (2, 50), "b1 must be a vector of biases (1-D) but has shape (2, 50)."),
        ("W1", (784,), "W1 must be a matrix (2-D) but has shape (784,)."),
        ("W2", (50, 100, 1), "W2 must be a matrix (2-D) but has shape (50, 100, 1)."),
        ("b3", (0,), "b3 is empty (shape (0,))."),
    ],
)
def test_wrong_shapes_are_explained(name: str, shape: tuple[int, ...], message: str) -> None:
    params = {**make_params(), name: np.zeros(shape, np.float32)}
    with pytest.raises(WeightsError) as caught:
        load_weights(npz_bytes(**params))
    assert str(caught.value).endswith(message)


def test_bias_given_as_a_row_is_flattened() -> None:
    params = make_params()
    rows = {name: array[np.newaxis, :] if name.startswith("b") else array for name, array in params.items()}
    assert rows["b1"].shape == (1, 50)
    assert_same_params(load_weights(npz_bytes(**rows)), params)


def test_object_array_in_npz_is_refused() -> None:
    buffer = io.BytesIO()
    np.savez(buffer, **{**make_params(), "W1": np.array([[1.0, None]], dtype=object)})
    with pytest.raises(WeightsError, match=r"array W1 could not be read \(Object arrays cannot be loaded"):
        load_weights(buffer.getvalue())


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (np.array([["a"] * 50] * 784), "W1 holds text; weights must be real numbers."),
        (np.ones((784, 50), dtype=bool), "W1 holds true/false values; weights must be real numbers."),
        (np.ones((784, 50), dtype=np.complex64), "W1 holds complex numbers; weights must be real numbers."),
        (
            np.ones((784, 50), dtype="datetime64[s]"),
            "W1 holds datetime64[s] values; weights must be real numbers.",
        ),
    ],
)
def test_non_numeric_arrays_are_refused(value: np.ndarray, message: str) -> None:
    with pytest.raises(WeightsError) as caught:
        load_weights(npz_bytes(**{**make_params(), "W1": value}))
    assert str(caught.value).endswith(message)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf, 1e39])
@pytest.mark.parametrize("fmt", ["npz", "pickle"])
def test_nan_and_infinite_values_are_refused(fmt: str, bad: float) -> None:
    params = make_params()
    W2 = params["W2"].astype(np.float64)
    W2[3, 4] = W2[7, 1] = bad
    params["W2"] = W2
    data = npz_bytes(**params) if fmt == "npz" else pickle.dumps(params)
    with pytest.raises(WeightsError, match="W2 has 2 NaN or infinite value"):
        load_weights(data)


def test_integer_weights_become_float32() -> None:
    params = {name: np.ones(array.shape, np.int64) for name, array in make_params().items()}
    for array in load_weights(npz_bytes(**params)).values():
        assert array.dtype == np.float32
        assert (array == 1).all()


# ---------------------------------------------------------------- saving


def test_save_load_round_trip_is_exact_with_metadata(tmp_path: Path) -> None:
    params = make_params()
    path = tmp_path / "weights.npz"
    save_weights(params, path, activation="relu", epochs=5, data={"train": 55_000, "source": "MNIST"})
    loaded, metadata = load_weights_with_metadata(path)
    assert_same_params(loaded, params)
    assert metadata == {
        "architecture": [784, 50, 100, 10],
        "activation": "relu",
        "provenance": {"epochs": 5, "data": {"train": 55_000, "source": "MNIST"}},
        "format": "npz",
    }


def test_saved_file_is_plain_npz(tmp_path: Path) -> None:
    path = tmp_path / "weights.npz"
    save_weights(make_params(hidden=(8, 6)), path)
    with np.load(path, allow_pickle=False) as archive:
        assert sorted(archive.files) == sorted([*BOOK_SHAPES, "__metadata__"])
        assert archive["__metadata__"].dtype.kind == "U"


def test_round_trip_of_the_book_weights(book_weights_path: Path, tmp_path: Path) -> None:
    book = load_weights(book_weights_path)
    save_weights(book, tmp_path / "book.npz", source="sample_weight.pkl")
    assert_same_params(load_weights(tmp_path / "book.npz"), book)


def test_save_to_a_file_object_and_load_from_bytes() -> None:
    params = make_params(hidden=(8, 6))
    buffer = io.BytesIO()
    save_weights(params, buffer, note="in memory")
    loaded, metadata = load_weights_with_metadata(buffer.getvalue())
    assert_same_params(loaded, params)
    assert metadata["provenance"] == {"note": "in memory"}
    buffer.seek(0)
    assert_same_params(load_weights(UploadedFile(buffer.getvalue(), "mine.npz")), params)


def test_save_writes_float32(tmp_path: Path) -> None:
    params = {name: array.astype(np.float64) / 3 for name, array in make_params().items()}
    save_weights(params, tmp_path / "w.npz")
    loaded = load_weights(tmp_path / "w.npz")
    for name, array in params.items():
        np.testing.assert_array_equal(loaded[name], array.astype(np.float32))


def test_npz_without_metadata_has_format_and_architecture_only() -> None:
    metadata = load_weights_with_metadata(npz_bytes(**make_params(hidden=(8, 6))))[1]
    assert metadata == {"format": "npz", "architecture": [784, 8, 6, 10]}


@pytest.mark.parametrize("entry", [np.array(5), np.array("not json"), np.array("[1, 2]"), np.array(["{}"])])
def test_damaged_metadata_entry_is_refused(entry: np.ndarray) -> None:
    with pytest.raises(WeightsError, match="__metadata__ entry is not the JSON text"):
        load_weights(npz_bytes(**make_params(), __metadata__=entry))


@pytest.mark.parametrize(
    ("params", "options", "message"),
    [
        ({"W1": np.ones((784, 50))}, {}, "b1, W2, b2, W3, b3 are missing"),
        (make_params(), {"activation": "softplus"}, "unknown activation 'softplus'; choose one of sigmoid"),
        (make_params(), {"trainer": object()}, "the metadata must be plain JSON"),
    ],
)
def test_bad_save_is_refused_and_writes_nothing(
    tmp_path: Path, params: dict[str, np.ndarray], options: dict[str, object], message: str
) -> None:
    with pytest.raises(WeightsError, match=f"Cannot save weights: {message}"):
        save_weights(params, tmp_path / "w.npz", **options)
    assert list(tmp_path.iterdir()) == []


def test_failed_save_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "weights.npz"
    save_weights(make_params(seed=1), path)
    before = path.read_bytes()

    def fail_midway(file: io.BufferedWriter, **arrays: np.ndarray) -> None:
        file.write(b"PK\x03\x04 half an archive")
        raise RuntimeError("disk full")

    monkeypatch.setattr(np, "savez_compressed", fail_midway)
    with pytest.raises(RuntimeError, match="disk full"):
        save_weights(make_params(seed=2), path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["weights.npz"]


def test_save_replaces_an_existing_file(tmp_path: Path) -> None:
    path = tmp_path / "weights.npz"
    save_weights(make_params(seed=1), path)
    save_weights(make_params(seed=2), path)
    assert_same_params(load_weights(path), make_params(seed=2))
    assert [p.name for p in tmp_path.iterdir()] == ["weights.npz"]


def test_save_into_a_missing_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(
        WeightsError, match=r"Cannot save weights to .*absent/w\.npz: No such file or directory\."
    ):
        save_weights(make_params(), tmp_path / "absent" / "w.npz")


# ---------------------------------------------------------------- the shipped weights


@pytest.fixture
def shipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """DEFAULT_WEIGHTS_PATH pointed at a temporary file with known weights."""
    path = tmp_path / "mnist_weights.npz"
    save_weights(make_params(seed=3), path, epochs=2)
    monkeypatch.setattr(weights, "DEFAULT_WEIGHTS_PATH", path)
    return path


def test_missing_shipped_weights_say_how_to_train(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(weights, "DEFAULT_WEIGHTS_PATH", tmp_path / "mnist_weights.npz")
    for function in (default_weights, default_metadata):
        with pytest.raises(
            WeightsError, match=re.escape("`python -m nn.train --data DIR --out nn/mnist_weights.npz`")
        ):
            function()


def test_default_weights_load_the_shipped_file(shipped: Path) -> None:
    assert_same_params(default_weights(), make_params(seed=3))
    assert default_metadata()["provenance"] == {"epochs": 2}


def test_default_weights_are_read_only_and_cannot_corrupt_the_cache(shipped: Path) -> None:
    first = default_weights()
    with pytest.raises(ValueError, match="read-only"):
        first["W1"][0, 0] = 123.0
    first["W2"] = np.zeros((50, 100), np.float32)
    default_metadata()["provenance"]["epochs"] = 99
    second = default_weights()
    assert second is not first
    assert_same_params(second, make_params(seed=3))
    assert default_metadata()["provenance"] == {"epochs": 2}


def test_default_weights_are_cached(shipped: Path) -> None:
    assert default_weights()["W1"] is default_weights()["W1"]


def test_retrained_shipped_weights_are_read_again(shipped: Path) -> None:
    default_weights()
    save_weights(make_params(seed=4), shipped)
    stat = shipped.stat()
    os.utime(shipped, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))  # a later mtime, whatever the clock
    assert_same_params(default_weights(), make_params(seed=4))


@pytest.mark.skipif(
    not SHIPPED_PATH.exists(), reason=f"{SHIPPED_PATH} is not trained yet (python -m nn.train)"
)
def test_real_shipped_weights_are_784_50_100_10() -> None:
    params = default_weights()
    assert {name: array.shape for name, array in params.items()} == BOOK_SHAPES
    assert all(array.dtype == np.float32 for array in params.values())
    metadata = default_metadata()
    assert metadata["architecture"] == [784, 50, 100, 10]
    assert metadata["activation"] == "sigmoid"
    assert metadata["format"] == "npz"


# ---------------------------------------------------------------- every refusal names its kind and values


def _with(name: str, value: object) -> dict[str, object]:
    return {**make_params(), name: value}


def _w2_with_nan() -> dict[str, np.ndarray]:
    W2 = make_params()["W2"].copy()
    W2[0, 0] = np.nan
    return _with("W2", W2)


REFUSALS: dict[str, tuple[bytes, str, dict[str, object]]] = {
    "empty": (b"", "empty", {}),
    "notes": (b"these are my notes, not weights", "unknown_format", {}),
    "cut npz": (npz_bytes(**make_params(hidden=(8, 6)))[:-1], "npz_damaged", {}),
    "cut pickle": (pickle.dumps(make_params(hidden=(8, 6)))[:100], "pickle_damaged", {}),
    "object npz": (
        npz_bytes(**_with("W1", np.array([[1.0, None]], dtype=object))),
        "npz_entry",
        {"key": "W1"},
    ),
    "hostile": (
        pickle.dumps(Payload(os.system, "true")),
        "pickle_global",
        {"name": f"{os.system.__module__}.system"},
    ),
    "ndarray call": (pickle.dumps(_with("W1", Payload(np.ndarray, (10,)))), "pickle_ndarray_call", {}),
    "object pickle": (pickle.dumps(_with("W1", np.array([1.0, "x"], dtype=object))), "pickle_objects", {}),
    "list": (pickle.dumps(list(make_params().values())), "pickle_not_dict", {"type": "list"}),
    "missing": (
        npz_bytes(W1=make_params()["W1"]),
        "missing",
        {"missing": "b1, W2, b2, W3, b3", "needed": "W1, b1, W2, b2, W3, b3"},
    ),
    "text": (
        npz_bytes(**_with("W1", np.array([["a"] * 50] * 784))),
        "not_real",
        {"name": "W1", "holds": "U"},
    ),
    "dates": (
        npz_bytes(**_with("W1", np.ones((784, 50), dtype="datetime64[s]"))),
        "not_real",
        {"name": "W1", "holds": "other", "dtype": "datetime64[s]"},
    ),
    "vector W": (
        npz_bytes(**_with("W1", np.zeros(784, np.float32))),
        "not_matrix",
        {"name": "W1", "shape": (784,)},
    ),
    "matrix b": (npz_bytes(**_with("b1", np.zeros((2, 50), np.float32))), "not_vector", {"name": "b1"}),
    "empty b": (
        npz_bytes(**_with("b3", np.zeros(0, np.float32))),
        "empty_array",
        {"name": "b3", "shape": (0,)},
    ),
    "W1 rows": (
        npz_bytes(**_with("W1", np.zeros((700, 50), np.float32))),
        "w_shape",
        {"name": "W1", "shape": (700, 50), "expected": (784, 50), "before": "", "after": "W2"},
    ),
    "W3 cols": (
        npz_bytes(**_with("W3", np.zeros((100, 9), np.float32))),
        "w_shape",
        {"name": "W3", "expected": (100, 10), "rows": 100, "cols": 10, "before": "W2", "after": ""},
    ),
    "b2": (
        npz_bytes(**_with("b2", np.zeros(99, np.float32))),
        "b_shape",
        {"name": "b2", "shape": (99,), "weights": "W2", "cols": 100},
    ),
    "nan": (npz_bytes(**_w2_with_nan()), "not_finite", {"name": "W2", "count": 1}),
    "metadata": (
        npz_bytes(**make_params(), __metadata__=np.array(3)),
        "bad_metadata",
        {"key": "__metadata__"},
    ),
}
"""Files a learner might upload, with the kind of refusal and (some of) its values: for the page's words."""


@pytest.mark.parametrize("name", REFUSALS)
def test_every_refusal_names_its_kind_and_values(name: str) -> None:
    data, kind, values = REFUSALS[name]
    with pytest.raises(WeightsError) as caught:
        load_weights(UploadedFile(data, "mine.npz"))
    assert caught.value.kind == kind
    assert caught.value.values.items() >= values.items()
    assert str(caught.value).startswith("Could not load weights from mine.npz: ")  # the English stays


def test_refusals_of_paths_and_limits_name_their_kind(tmp_path: Path) -> None:
    kinds = {}
    for source, max_bytes in ((tmp_path / "absent.npz", 100), (tmp_path, 100), (b"x" * 101, 100), (3, 100)):
        with pytest.raises(WeightsError) as caught:
            load_weights(source, max_bytes=max_bytes)  # type: ignore[arg-type]
        kinds[caught.value.kind] = caught.value.values
    assert kinds == {
        "no_such_file": {},
        "is_folder": {},
        "too_large": {"limit_mb": 100 / 2**20},
        "bad_source": {"type": "int"},
    }
    with pytest.raises(WeightsError) as caught:
        save_weights(make_params(), tmp_path / "w.npz", activation="swish")
    assert (caught.value.kind, caught.value.values["activation"]) == ("unknown_activation", "swish")
