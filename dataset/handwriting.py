"""A learner's own handwritten digits, kept as MNIST keeps its images, and saved as a .npz a class can pool.

The file holds `images` uint8 (N, 28, 28), 0 background and 255 full ink, `labels` uint8 (N,) 0..9, and
`metadata`, a 0-d text array of JSON (format, version, counts): all three open with
`np.load(file, allow_pickle=False)`. Policies for reading, so a teacher knows what a file may hold:
- the size is checked before the file is read, each array's shape and type before its data is unpacked;
- arrays of Python objects are refused, never unpickled: unpickling can run any code the file names;
- images may also be (N, 784), other integer types with values 0..255, or floats 0..1 (MNIST normalised);
- labels must be whole numbers 0..9, one per image; other entries, the metadata among them, are ignored.

A set kept as text (in a browser's storage) is the base64 of that same .npz, read back by the same checks.
A refusal is a HandwritingError with a kind and values, not a sentence: the page words it in its language.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import json
import math
import os
import zipfile
import zlib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import IO, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

SIDE = 28
PIXELS = SIDE * SIDE
DIGITS = 10
MAX_IMAGES = 10_000
"""A class of 40 drawing 25 digits each is 1,000: ten times that is no longer a handwriting set."""
MAX_FILE_BYTES = 16 * 2**20
"""10,000 drawings take about 1 MB compressed, 8 MB as plain uint8; 16 MB leaves room for floats."""
MAX_KEPT_BYTES = MAX_IMAGES * PIXELS + 2**20
"""A kept set is written by handwriting_text: uint8, so even incompressible drawings fit in this."""
MAX_TEXT_CHARS = 4 * -(-MAX_KEPT_BYTES // 3)
"""The longest base64 text of a kept set."""
FORMAT = "chapter3-playground handwriting"
VERSION = 1
IMAGES, LABELS, METADATA = "images", "labels", "metadata"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")  # an archive with files, an empty archive
NPY_MAGIC = b"\x93NUMPY"
HEADER_READERS = {(1, 0): np.lib.format.read_array_header_1_0, (2, 0): np.lib.format.read_array_header_2_0}

# NumPy dtype kinds a learner may meet in a file, each with a name of its own in the page's catalog.
NAMED_KINDS = "ObcUSf"

HandwritingSource = str | os.PathLike[str] | bytes | IO[bytes]
"""A path, raw bytes, or a binary file-like object such as Streamlit's UploadedFile."""


class HandwritingError(ValueError):
    """A handwriting file or set that cannot be used: `kind` names the reason, `values` fill in its words.

    dataset/ has no catalog: the page words each kind in its language (handwriting.error_<kind>).
    """

    def __init__(self, kind: str, **values: object) -> None:
        super().__init__(kind)
        self.kind = kind
        self.values = values

    def __str__(self) -> str:
        details = ", ".join(f"{name}={value!r}" for name, value in self.values.items())
        return f"{self.kind} ({details})" if details else self.kind


@dataclass(frozen=True)
class Handwriting:
    """A labelled set of drawings: images uint8 (N, 28, 28) and labels uint8 (N,). Never changed in place."""

    images: NDArray[np.uint8]
    labels: NDArray[np.uint8]

    @classmethod
    def empty(cls) -> Handwriting:
        """A set with no drawing yet."""
        return cls(np.zeros((0, SIDE, SIDE), np.uint8), np.zeros(0, np.uint8))

    def __len__(self) -> int:
        """How many drawings the set holds."""
        return len(self.labels)

    def added(self, image: ArrayLike, label: int) -> Handwriting:
        """The set with one more drawing: a network input (784,) or (28, 28), 0..1, and its digit."""
        return self.merged(Handwriting(*checked_set(np.asarray(image)[np.newaxis], [label])))

    def without(self, index: int) -> Handwriting:
        """The set without the drawing at index."""
        return Handwriting(np.delete(self.images, index, axis=0), np.delete(self.labels, index))

    def merged(self, other: Handwriting, max_images: int = MAX_IMAGES) -> Handwriting:
        """Both sets in one, this one first; refused beyond max_images drawings."""
        total = len(self) + len(other)
        if total > max_images:
            raise HandwritingError("too_many_together", total=total, limit=max_images)
        return Handwriting(
            np.concatenate([self.images, other.images]), np.concatenate([self.labels, other.labels])
        )

    def counts(self) -> NDArray[np.int64]:
        """How many drawings of each digit 0..9."""
        return np.bincount(self.labels, minlength=DIGITS)

    def scarcest_digit(self) -> int:
        """The digit with the fewest drawings (the smallest on a tie): asking for it keeps a set balanced."""
        return int(np.argmin(self.counts()))

    @cached_property
    def digest(self) -> str:
        """A fingerprint of the drawings and labels, computed once per set (a set never changes)."""
        hashed = hashlib.blake2b(self.images.tobytes(), digest_size=16)
        hashed.update(self.labels.tobytes())
        return hashed.hexdigest()

    def inputs(self) -> NDArray[np.float32]:
        """The drawings as the network reads them: (N, 784) float32 0..1, like load_mnist(normalize=True)."""
        return self.images.reshape(len(self), PIXELS).astype(np.float32) / 255


def to_pixels(images: NDArray[Any]) -> NDArray[np.uint8]:
    """Images of 0..1 floats or 0..255 integers as uint8 0..255, (N, 28, 28), refusing anything else."""
    if images.dtype.kind == "f":
        if not np.isfinite(images).all():
            raise HandwritingError("images_not_finite")
        if images.size and (images.min() < 0 or images.max() > 1):
            raise HandwritingError("float_range", low=float(images.min()), high=float(images.max()))
        images = np.rint(images * 255)
    elif images.dtype.kind in "iu":
        if images.size and (images.min() < 0 or images.max() > 255):
            raise HandwritingError("int_range", low=int(images.min()), high=int(images.max()))
    else:
        raise HandwritingError("images_hold", **_holds(images.dtype))
    return images.astype(np.uint8).reshape(len(images), SIDE, SIDE)


def to_labels(labels: NDArray[Any]) -> NDArray[np.uint8]:
    """Labels as uint8, refusing anything but whole numbers 0..9."""
    if labels.dtype.kind not in "iu":
        raise HandwritingError("labels_hold", **_holds(labels.dtype))
    outside = labels[(labels < 0) | (labels >= DIGITS)]
    if outside.size:
        shown = ", ".join(str(value) for value in np.unique(outside)[:5])
        raise HandwritingError("labels_outside", found=shown, count=int(outside.size))
    return labels.astype(np.uint8)


def checked_set(images: ArrayLike, labels: ArrayLike) -> tuple[NDArray[np.uint8], NDArray[np.uint8]]:
    """Images and labels checked and converted: uint8 (N, 28, 28) 0..255 and uint8 (N,) 0..9."""
    images, labels = np.asarray(images), np.asarray(labels)
    _check_shapes(images.shape, labels.shape)
    return to_pixels(images), to_labels(labels)


def _check_shapes(
    image_shape: tuple[int, ...], label_shape: tuple[int, ...], max_images: int = MAX_IMAGES
) -> None:
    """Shapes of a set: (N, 28, 28) or (N, 784) images, (N,) labels, 1 <= N <= max_images."""
    if image_shape[1:] not in ((SIDE, SIDE), (PIXELS,)):
        raise HandwritingError("image_shape", shape=image_shape)
    if len(label_shape) != 1:
        raise HandwritingError("label_shape", shape=label_shape)
    n = image_shape[0]
    if n != label_shape[0]:
        raise HandwritingError("count_mismatch", images=n, labels=label_shape[0])
    if n == 0:
        raise HandwritingError("no_drawings")
    if n > max_images:
        raise HandwritingError("too_many", n=n, limit=max_images)


def _holds(dtype: np.dtype[Any]) -> dict[str, str]:
    """What an array holds, for a refusal: its dtype kind if the catalog names it, else 'other'; its dtype."""
    return {"holds": dtype.kind if dtype.kind in NAMED_KINDS else "other", "dtype": str(dtype)}


def save_handwriting(images: ArrayLike, labels: ArrayLike, file: str | os.PathLike[str] | IO[bytes]) -> None:
    """Write the set as a compressed .npz: images uint8 (N, 28, 28), labels uint8 (N,), JSON metadata."""
    pixels, digits = checked_set(images, labels)
    metadata = {
        "format": FORMAT,
        "version": VERSION,
        "images": len(digits),
        "per_digit": np.bincount(digits, minlength=DIGITS).tolist(),
    }
    np.savez_compressed(file, **{IMAGES: pixels, LABELS: digits, METADATA: np.array(json.dumps(metadata))})


def handwriting_bytes(handwriting: Handwriting) -> bytes:
    """The set as the bytes of its .npz file, for a download."""
    buffer = io.BytesIO()
    save_handwriting(handwriting.images, handwriting.labels, buffer)
    return buffer.getvalue()


def handwriting_text(handwriting: Handwriting) -> str:
    """The set as text to keep in a browser's storage: the base64 of its .npz file."""
    return base64.b64encode(handwriting_bytes(handwriting)).decode("ascii")


def load_handwriting_text(text: object) -> tuple[NDArray[np.uint8], NDArray[np.uint8]]:
    """The (images, labels) of a set kept as text, checked as an uploaded file is: the text is untrusted."""
    if not isinstance(text, str):
        raise HandwritingError("kept_not_text", type=type(text).__name__)
    if len(text) > MAX_TEXT_CHARS:
        raise HandwritingError("kept_too_long", chars=len(text), limit=MAX_TEXT_CHARS)
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):  # a character outside base64, or outside ASCII
        raise HandwritingError("kept_not_base64") from None
    return load_handwriting(data, max_bytes=MAX_KEPT_BYTES)


def load_handwriting(
    source: HandwritingSource, *, max_bytes: int = MAX_FILE_BYTES, max_images: int = MAX_IMAGES
) -> tuple[NDArray[np.uint8], NDArray[np.uint8]]:
    """The (images, labels) of a handwriting .npz, checked: HandwritingError says what is wrong."""
    data = _read_limited(source, max_bytes)
    if data.startswith(NPY_MAGIC):
        raise HandwritingError("single_npy")
    if not data.startswith(ZIP_MAGICS):
        raise HandwritingError("not_npz")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            # Every value is at most 8 bytes (int64, float64): a header asking for more is not a drawing set.
            max_unpacked = max_images * PIXELS * 8
            shapes = {key: _header(archive, key, max_unpacked) for key in (IMAGES, LABELS)}
            _check_shapes(shapes[IMAGES], shapes[LABELS], max_images)
            images, labels = (_array(archive, key) for key in (IMAGES, LABELS))
    except zipfile.BadZipFile:
        raise HandwritingError("damaged_zip") from None
    return to_pixels(images), to_labels(labels)


def _read_limited(source: HandwritingSource, max_bytes: int) -> bytes:
    """The source's bytes, refusing more than max_bytes without reading past the limit."""
    if isinstance(source, bytes):
        data = source[: max_bytes + 1]
    elif isinstance(source, str | os.PathLike):
        try:
            with Path(source).open("rb") as file:
                data = file.read(max_bytes + 1)
        except OSError as error:
            raise HandwritingError("cannot_open", detail=error.strerror or str(error)) from None
    else:
        data = source.read(max_bytes + 1)
    if not data:
        raise HandwritingError("empty_file")
    if len(data) > max_bytes:
        raise HandwritingError("too_large", limit_mb=max_bytes / 2**20, max_images=MAX_IMAGES)
    return data


def _member(archive: zipfile.ZipFile, key: str) -> IO[bytes]:
    """The open .npy member `key` of the archive; a clear error when the set lacks it."""
    try:
        return archive.open(f"{key}.npy")
    except (NotImplementedError, RuntimeError) as error:  # an unknown compression method, a password
        raise HandwritingError("cannot_unpack", array=key, detail=str(error)) from None
    except KeyError:
        if not archive.namelist():
            raise HandwritingError("empty_archive") from None
        found = ", ".join(name.removesuffix(".npy") for name in archive.namelist())
        raise HandwritingError("missing_array", array=key, found=found) from None


def _header(archive: zipfile.ZipFile, key: str, max_unpacked: int) -> tuple[int, ...]:
    """The shape of array `key` from its header alone, before any data is unpacked; refuses objects."""
    with _member(archive, key) as member:
        try:
            reader = HEADER_READERS.get(np.lib.format.read_magic(member))
            if reader is None:
                raise ValueError("an unknown .npy version")
            shape, _, dtype = reader(member)
        except (ValueError, EOFError, OSError, zlib.error) as error:
            raise HandwritingError("unreadable_array", array=key, detail=str(error)) from None
    if dtype.hasobject:
        raise HandwritingError("object_array", array=key)
    if math.prod(shape) * dtype.itemsize > max_unpacked:
        raise HandwritingError(
            "huge_array",
            array=key,
            mb=math.prod(shape) * dtype.itemsize / 2**20,
            limit_mb=max_unpacked / 2**20,
            max_images=MAX_IMAGES,
        )
    return shape


def _array(archive: zipfile.ZipFile, key: str) -> NDArray[Any]:
    """The array `key` of the archive, read with allow_pickle=False."""
    with _member(archive, key) as member:
        try:
            return np.lib.format.read_array(member, allow_pickle=False)
        except (ValueError, EOFError, OSError, zlib.error, zipfile.BadZipFile) as error:
            raise HandwritingError("damaged_array", array=key, detail=str(error)) from None
