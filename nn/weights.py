"""The MNIST network's weights on disk: the book's sample_weight.pkl (read safely) and our own .npz files.

A loaded network is six C-contiguous float32 arrays, W1 (784, h1), b1 (h1,), W2 (h1, h2), b2 (h2,),
W3 (h2, 10), b3 (10,), for any hidden sizes h1, h2 that chain. Policies, so callers know what to expect:
- the format comes from the content (zip -> .npz, pickle protocol 2-5 -> pickle), never from the file name;
- a pickle may hold only NumPy arrays, dtypes, numbers and plain containers: anything else is refused
  before it runs, because unpickling can call any function the file names;
- entries other than the six arrays are ignored;
- a bias given as a (1, n) row is accepted and flattened to (n,), since it broadcasts exactly the same way;
- `save_weights` writes float32 (the network's dtype), so float32 weights survive a round trip exactly.
"""

from __future__ import annotations

import copy
import errno
import functools
import io
import json
import os
import pickle
import uuid
import zipfile
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

import numpy as np
from numpy.typing import NDArray

from nn.functions import ACTIVATIONS
from nn.network import LAYERS, Params

WeightsSource = str | os.PathLike[str] | bytes | bytearray | memoryview | IO[bytes]
"""A path, raw bytes, or a binary file-like object such as Streamlit's UploadedFile."""

PARAM_NAMES = tuple(f"{kind}{layer}" for layer in LAYERS for kind in "Wb")
INPUT_SIZE = 784  # a 28×28 image, flattened
OUTPUT_SIZE = 10  # one score per digit
MAX_WEIGHTS_BYTES = 64 * 2**20
DEFAULT_WEIGHTS_PATH = Path(__file__).with_name("mnist_weights.npz")
METADATA_KEY = "__metadata__"
FORMAT_NPZ = "npz"
FORMAT_PICKLE = "book pickle"

ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")  # an archive with files, an empty archive
PICKLE_PROTOCOLS = range(2, pickle.HIGHEST_PROTOCOL + 1)  # protocols 2+ open with PROTO: b"\x80", version
NUMERIC_KINDS = "iuf"
KIND_NAMES = {
    "O": "Python objects",
    "b": "true/false values",
    "c": "complex numbers",
    "U": "text",
    "S": "bytes",
}


class WeightsError(ValueError):
    """Weights that cannot be loaded or saved: the message says why in plain English (for the command line);
    `kind` names the reason and `values` its particulars, for the app to say it in the reader's language."""

    def __init__(self, kind: str, message: str, **values: object) -> None:
        super().__init__(message)
        self.kind = kind
        self.values = values


def load_weights(source: WeightsSource, *, max_bytes: int = MAX_WEIGHTS_BYTES) -> Params:
    """The six arrays of a .npz or the book's pickle, checked and converted to float32."""
    return load_weights_with_metadata(source, max_bytes=max_bytes)[0]


def load_weights_with_metadata(
    source: WeightsSource, *, max_bytes: int = MAX_WEIGHTS_BYTES
) -> tuple[Params, dict[str, Any]]:
    """The weights and their metadata: what save_weights stored, plus "format" and "architecture"."""
    try:
        data = _read_source(source, max_bytes)
        if _detect_format(data) == FORMAT_NPZ:
            arrays, stored = _read_npz(data, max_bytes)
            fmt = FORMAT_NPZ
        else:
            arrays, stored = _read_pickle(data), {}
            fmt = FORMAT_PICKLE
        params = _checked_params(arrays)
    except WeightsError as exc:
        raise WeightsError(
            exc.kind, f"Could not load weights from {_label(source)}: {exc}", **exc.values
        ) from exc
    return params, {**stored, "format": fmt, "architecture": _architecture(params)}


def save_weights(
    params: Params,
    path_or_file: str | os.PathLike[str] | IO[bytes],
    *,
    activation: str = "sigmoid",
    **provenance: Any,
) -> None:
    """Write the weights as .npz with JSON metadata (architecture, activation, provenance), atomically."""
    try:
        entries = _npz_entries(params, activation, provenance)
    except WeightsError as exc:
        raise WeightsError(exc.kind, f"Cannot save weights: {exc}", **exc.values) from exc
    if isinstance(path_or_file, str | os.PathLike):
        _write_atomically(Path(path_or_file), entries)
    else:
        np.savez_compressed(path_or_file, **entries)


def _npz_entries(params: Params, activation: str, provenance: dict[str, Any]) -> dict[str, NDArray[Any]]:
    """The checked float32 arrays plus the metadata entry, as save_weights writes them."""
    if activation not in ACTIVATIONS:
        raise WeightsError(
            "unknown_activation",
            f"unknown activation {activation!r}; choose one of {', '.join(ACTIVATIONS)}.",
            activation=activation,
            choices=", ".join(ACTIVATIONS),
        )
    checked = _checked_params(params)
    metadata = {"architecture": _architecture(checked), "activation": activation, "provenance": provenance}
    try:
        text = json.dumps(metadata)
    except (TypeError, ValueError) as exc:
        raise WeightsError(
            "metadata_not_json", f"the metadata must be plain JSON (text, numbers, lists, dicts): {exc}."
        ) from exc
    return {**checked, METADATA_KEY: np.array(text)}


def default_weights() -> Params:
    """The project's shipped MNIST weights (nn/mnist_weights.npz): cached read-only arrays in a fresh dict."""
    return dict(_shipped()[0])


def default_metadata() -> dict[str, Any]:
    """The metadata saved with the shipped weights: architecture, activation and how they were trained."""
    return copy.deepcopy(_shipped()[1])


def _shipped() -> tuple[Params, dict[str, Any]]:
    """The shipped weights and metadata, read again only when the file changes (after retraining)."""
    path = Path(DEFAULT_WEIGHTS_PATH)
    try:
        stamp = path.stat().st_mtime_ns
    except FileNotFoundError:
        raise WeightsError(
            "shipped_missing",
            f"The shipped weights {path} are missing. Train them with "
            "`python -m nn.train --data DIR --out nn/mnist_weights.npz` "
            "(DIR is a folder with the four MNIST .gz files).",
            path=str(path),
        ) from None
    return _load_read_only(path, stamp)


@functools.lru_cache(maxsize=1)
def _load_read_only(path: Path, stamp: int) -> tuple[Params, dict[str, Any]]:
    """The weights at path with read-only arrays, so no caller can corrupt the cache; stamp keys the cache."""
    params, metadata = load_weights_with_metadata(path)
    for array in params.values():
        array.flags.writeable = False
    return params, metadata


def _label(source: WeightsSource) -> str:
    """How the source is named in error messages."""
    if isinstance(source, str | os.PathLike):
        return str(source)
    if isinstance(source, bytes | bytearray | memoryview):
        return "the given bytes"
    return str(getattr(source, "name", "the uploaded file"))


def _read_source(source: WeightsSource, max_bytes: int) -> bytes:
    """The source's bytes, refusing sources beyond max_bytes without reading past the limit."""
    if isinstance(source, bytes | bytearray | memoryview):
        return _read_limited(io.BytesIO(source), max_bytes)
    if isinstance(source, str | os.PathLike):
        try:
            with Path(source).open("rb") as file:
                return _read_limited(file, max_bytes)
        except FileNotFoundError:
            raise WeightsError("no_such_file", "there is no such file.") from None
        except IsADirectoryError:
            raise WeightsError("is_folder", "this is a folder, not a weights file.") from None
        except OSError as exc:
            raise WeightsError(
                "open_failed", f"the file could not be opened ({exc.strerror or exc}).", error=_code(exc)
            ) from exc
    if hasattr(source, "read"):
        return _read_limited(source, max_bytes)
    raise WeightsError(
        "bad_source",
        f"expected a path, bytes or a binary file, got a {type(source).__name__}.",
        type=type(source).__name__,
    )


def _read_limited(file: IO[bytes], max_bytes: int) -> bytes:
    """At most max_bytes + 1 bytes from the file: one byte more than allowed proves it is too large."""
    try:
        data = file.read(max_bytes + 1)
    except OSError as exc:
        raise WeightsError("read_failed", f"the file could not be read ({exc}).", error=_code(exc)) from exc
    if not isinstance(data, bytes | bytearray):
        raise WeightsError("text_mode", "the file was opened as text; open it in binary mode ('rb').")
    if len(data) > max_bytes:
        raise WeightsError(
            "too_large",
            f"the file is larger than the {_size_text(max_bytes)} limit; the network's weights take well "
            "under 1 MB, so this is not a weights file.",
            limit_mb=max_bytes / 2**20,
        )
    return bytes(data)


def _code(exc: OSError) -> str:
    """An operating-system error by its symbolic name (EACCES), the same in every language."""
    return errno.errorcode.get(exc.errno or 0, type(exc).__name__)


def _size_text(n_bytes: int) -> str:
    """A byte count as a learner reads it."""
    return f"{n_bytes / 2**20:g} MB" if n_bytes >= 2**20 else f"{n_bytes:,} bytes"


def _detect_format(data: bytes) -> str:
    """FORMAT_NPZ or FORMAT_PICKLE, from the file's first bytes."""
    if not data:
        raise WeightsError("empty", "the file is empty (0 bytes).")
    if data.startswith(ZIP_MAGICS):
        return FORMAT_NPZ
    if data[:1] == b"\x80" and data[1:2] and data[1] in PICKLE_PROTOCOLS:
        return FORMAT_PICKLE
    raise WeightsError(
        "unknown_format",
        "this is neither a .npz file (saved by numpy.savez) nor a pickle like the book's sample_weight.pkl.",
    )


def _read_npz(data: bytes, max_bytes: int) -> tuple[dict[str, NDArray[Any]], dict[str, Any]]:
    """The weight arrays and stored metadata of a .npz, never unpacking more than max_bytes."""
    try:
        archive = np.load(io.BytesIO(data), allow_pickle=False)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise WeightsError("npz_damaged", "the .npz archive is damaged or truncated.") from exc
    with archive:
        unpacked = sum(info.file_size for info in archive.zip.infolist())
        if unpacked > max_bytes:
            raise WeightsError(
                "npz_too_large",
                f"the .npz unpacks to more than the {_size_text(max_bytes)} limit.",
                limit_mb=max_bytes / 2**20,
            )
        wanted = [key for key in archive.files if key in (*PARAM_NAMES, METADATA_KEY)]
        arrays = {key: _npz_entry(archive, key) for key in wanted}
    return arrays, _parse_metadata(arrays.pop(METADATA_KEY, None))


def _npz_entry(archive: np.lib.npyio.NpzFile, key: str) -> NDArray[Any]:
    """One array of the archive; object arrays are refused by allow_pickle=False."""
    try:
        return archive[key]
    except (ValueError, OSError, EOFError, zipfile.BadZipFile, zlib.error) as exc:
        raise WeightsError("npz_entry", f"the array {key} could not be read ({exc}).", key=key) from exc


def _parse_metadata(entry: NDArray[Any] | None) -> dict[str, Any]:
    """The JSON object that save_weights stores as a 0-d text array; none for other .npz files."""
    if entry is None:
        return {}
    try:
        metadata = json.loads(str(entry[()])) if entry.dtype.kind == "U" and entry.ndim == 0 else None
    except json.JSONDecodeError:
        metadata = None
    if not isinstance(metadata, dict):
        raise WeightsError(
            "bad_metadata",
            f"its {METADATA_KEY} entry is not the JSON text that save_weights writes.",
            key=METADATA_KEY,
        )
    return metadata


class _ArrayToken:
    """Stands for numpy.ndarray in a pickle: _reconstruct may name it, but calling it directly is refused."""

    def __call__(self, *args: Any) -> None:
        """Refuse a direct ndarray(...) call, which could allocate any size the file asks for."""
        raise WeightsError(
            "pickle_ndarray_call",
            "the pickle calls numpy.ndarray directly, which an array pickle never does.",
        )


_ARRAY_TOKEN = _ArrayToken()


def _numeric_dtype(spec: Any, align: bool = False, copy: bool = False) -> np.dtype[Any]:
    """numpy.dtype for a pickle, refusing dtypes that hold Python objects."""
    dtype = np.dtype(spec, align, copy)
    if dtype.hasobject:
        raise WeightsError(
            "pickle_objects", "the pickle holds an array of Python objects; only numeric arrays are accepted."
        )
    return dtype


def _empty_array(subtype: Any, shape: Any, dtype: Any) -> NDArray[Any]:
    """numpy's _reconstruct: an empty array that the pickle's next BUILD fills with shape, dtype and data."""
    if subtype is not _ARRAY_TOKEN:
        raise WeightsError("pickle_subtype", "the pickle asks for an array type other than numpy.ndarray.")
    # BUILD sets the real shape, so the requested one is ignored: that also denies a huge allocation.
    return np.empty(0, dtype=_numeric_dtype(dtype))


def _scalar(dtype: Any, data: bytes) -> np.generic:
    """numpy's scalar: one number from its raw bytes."""
    return np.frombuffer(data, dtype=_numeric_dtype(dtype), count=1)[0]


def _from_buffer(buffer: bytes, dtype: Any, shape: tuple[int, ...], order: str) -> NDArray[Any]:
    """numpy's _frombuffer (pickle protocol 5): an array from its raw bytes."""
    return np.frombuffer(buffer, dtype=_numeric_dtype(dtype)).reshape(shape, order=order)


def _latin1_bytes(text: str, encoding: str) -> bytes:
    """_codecs.encode as protocol-2 pickles use it: array bytes stored as latin-1 text."""
    if encoding != "latin1":
        raise WeightsError(
            "pickle_encoding",
            f"the pickle encodes bytes as {encoding!r}, where array pickles use latin1.",
            encoding=encoding,
        )
    return text.encode("latin1")


_PICKLE_GLOBALS: dict[tuple[str, str], Any] = {
    ("numpy", "ndarray"): _ARRAY_TOKEN,
    ("numpy", "dtype"): _numeric_dtype,
    ("_codecs", "encode"): _latin1_bytes,
    **{
        (f"{core}.{module}", name): function
        # NumPy 1 (the book's file) says numpy.core, NumPy 2 says numpy._core.
        for core in ("numpy.core", "numpy._core")
        for module, name, function in (
            ("multiarray", "_reconstruct", _empty_array),
            ("multiarray", "scalar", _scalar),
            ("numeric", "_frombuffer", _from_buffer),
        )
    },
}
"""Every global a pickle of NumPy arrays needs, mapped to a checked stand-in; nothing else is admitted."""


class _ArraysOnlyUnpickler(pickle.Unpickler):
    """An unpickler that builds NumPy arrays and plain containers and refuses every other global."""

    def find_class(self, module: str, name: str) -> Any:
        """The stand-in for an allowed global; any other global is refused before it can run."""
        try:
            return _PICKLE_GLOBALS[module, name]
        except KeyError:
            raise WeightsError(
                "pickle_global",
                f"the pickle asks for {module}.{name}, which is not part of a NumPy array. It was refused "
                "and nothing was run: loading it could run any code on this computer.",
                name=f"{module}.{name}",
            ) from None


def _read_pickle(data: bytes) -> Mapping[str, Any]:
    """The dict of arrays in a pickle, read by the arrays-only unpickler."""
    try:
        # latin1 lets NumPy read array bytes from pickles written by Python 2.
        loaded = _ArraysOnlyUnpickler(io.BytesIO(data), encoding="latin1").load()
    except WeightsError:
        raise
    except Exception as exc:  # a damaged or crafted pickle can fail anywhere inside the unpickler
        raise WeightsError(
            "pickle_damaged", f"the pickle is damaged or truncated ({type(exc).__name__}: {exc})."
        ) from exc
    if not isinstance(loaded, Mapping):
        raise WeightsError(
            "pickle_not_dict",
            f"the pickle holds a {type(loaded).__name__}, not a dict of arrays named "
            f"{', '.join(PARAM_NAMES)}.",
            type=type(loaded).__name__,
            names=", ".join(PARAM_NAMES),
        )
    return loaded


def _checked_params(arrays: Mapping[str, Any]) -> Params:
    """The six arrays, checked and converted to C-contiguous float32; other entries are ignored."""
    missing = [name for name in PARAM_NAMES if name not in arrays]
    if missing:
        verb = "is" if len(missing) == 1 else "are"
        needed = ", ".join(PARAM_NAMES)
        raise WeightsError(
            "missing",
            f"{', '.join(missing)} {verb} missing; the network needs {needed}.",
            missing=", ".join(missing),
            needed=needed,
        )
    params = {name: _shaped(name, _numeric(name, arrays[name])) for name in PARAM_NAMES}
    _check_chain(params)
    return {name: _finite_float32(name, array) for name, array in params.items()}


def _numeric(name: str, value: Any) -> NDArray[Any]:
    """The value as an array of numbers."""
    try:
        array = np.asarray(value)
    except (ValueError, TypeError) as exc:
        raise WeightsError("not_numbers", f"{name} is not an array of numbers ({exc}).", name=name) from exc
    if array.dtype.kind not in NUMERIC_KINDS:
        kind = KIND_NAMES.get(array.dtype.kind, f"{array.dtype} values")
        raise WeightsError(
            "not_real",
            f"{name} holds {kind}; weights must be real numbers.",
            name=name,
            holds=array.dtype.kind if array.dtype.kind in KIND_NAMES else "other",
            dtype=str(array.dtype),
        )
    return array


def _shaped(name: str, array: NDArray[Any]) -> NDArray[Any]:
    """A weight matrix as 2-D, a bias as 1-D (a (1, n) row flattened to (n,)), neither empty."""
    if name.startswith("W") and array.ndim != 2:
        raise WeightsError(
            "not_matrix",
            f"{name} must be a matrix (2-D) but has shape {array.shape}.",
            name=name,
            shape=array.shape,
        )
    if name.startswith("b"):
        if array.ndim == 2 and array.shape[0] == 1:
            array = array.reshape(-1)
        if array.ndim != 1:
            raise WeightsError(
                "not_vector",
                f"{name} must be a vector of biases (1-D) but has shape {array.shape}.",
                name=name,
                shape=array.shape,
            )
    if array.size == 0:
        raise WeightsError(
            "empty_array", f"{name} is empty (shape {array.shape}).", name=name, shape=array.shape
        )
    return array


def _check_chain(params: Params) -> None:
    """Each layer's shape fits its neighbours: 784 -> h1 -> h2 -> 10."""
    for layer in LAYERS:
        W, b = params[f"W{layer}"], params[f"b{layer}"]
        if layer == LAYERS[0]:
            rows, source = INPUT_SIZE, f"the input is a 28×28 image of {INPUT_SIZE} pixels"
        else:
            rows = params[f"W{layer - 1}"].shape[1]
            source = f"W{layer - 1} gives {rows} hidden units"
        if layer == LAYERS[-1]:
            cols, target = OUTPUT_SIZE, f"the output needs {OUTPUT_SIZE} scores, one per digit"
        else:
            cols = params[f"W{layer + 1}"].shape[0]
            target = f"W{layer + 1} expects {cols} inputs"
        if W.shape != (rows, cols):
            raise WeightsError(
                "w_shape",
                f"W{layer} has shape {W.shape} but {source} and {target}, "
                f"so W{layer} must be {(rows, cols)}.",
                name=f"W{layer}",
                shape=W.shape,
                expected=(rows, cols),
                rows=rows,
                cols=cols,
                before="" if layer == LAYERS[0] else f"W{layer - 1}",
                after="" if layer == LAYERS[-1] else f"W{layer + 1}",
            )
        if b.shape != (cols,):
            raise WeightsError(
                "b_shape",
                f"b{layer} has shape {b.shape} but W{layer} gives {cols} units, so it must be ({cols},).",
                name=f"b{layer}",
                shape=b.shape,
                weights=f"W{layer}",
                cols=cols,
            )


def _finite_float32(name: str, array: NDArray[Any]) -> NDArray[np.float32]:
    """A C-contiguous float32 copy, refusing NaN and infinity."""
    with np.errstate(over="ignore"):  # values beyond float32's range become inf, reported just below
        weights = np.array(array, dtype=np.float32, order="C")
    bad = np.count_nonzero(~np.isfinite(weights))
    if bad:
        raise WeightsError(
            "not_finite",
            f"{name} has {bad} NaN or infinite value(s) (or values too large for float32); "
            "training probably diverged, so these weights cannot be used.",
            name=name,
            count=bad,
        )
    return weights


def _architecture(params: Params) -> list[int]:
    """Layer widths, e.g. [784, 50, 100, 10]."""
    return [params["W1"].shape[0], *(params[f"W{layer}"].shape[1] for layer in LAYERS)]


def _write_atomically(path: Path, entries: dict[str, NDArray[Any]]) -> None:
    """Save to a temporary file beside path, then rename it over path: a failed save keeps the old file."""
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        with temporary.open("xb") as file:
            np.savez_compressed(file, **entries)
            file.flush()
            os.fsync(file.fileno())  # the bytes must be on disk before the rename makes them the file
        os.replace(temporary, path)
    except OSError as exc:
        raise WeightsError(
            "save_failed",
            f"Cannot save weights to {path}: {exc.strerror or exc}.",
            path=str(path),
            error=_code(exc),
        ) from exc
    finally:
        temporary.unlink(missing_ok=True)  # after a successful replace there is nothing left to remove
