"""dataset.handwriting: the set's operations, its .npz and text round trips, a clear refusal of bad input."""

from __future__ import annotations

import base64
import io
import json
import pickle
import zipfile
from pathlib import Path

import numpy as np
import pytest

from dataset.handwriting import (
    MAX_IMAGES,
    MAX_TEXT_CHARS,
    Handwriting,
    HandwritingError,
    handwriting_bytes,
    handwriting_text,
    load_handwriting,
    load_handwriting_text,
    save_handwriting,
)

RNG = np.random.default_rng(7)
IMAGES = RNG.integers(0, 256, (12, 28, 28), dtype=np.uint8)
LABELS = np.arange(12, dtype=np.uint8) % 10


def npz(**arrays) -> bytes:
    """The bytes of an uncompressed .npz holding the given arrays (pickles allowed, as an attacker would)."""
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def zip_with(entries: dict[str, bytes], method: int = zipfile.ZIP_STORED) -> bytes:
    """A zip archive of raw members, for archives numpy would never write."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def npy(array: np.ndarray) -> bytes:
    """The bytes of one .npy array."""
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=True)
    return buffer.getvalue()


# --- the set -----------------------------------------------------------------------------------------------


def test_added_converts_a_network_input_to_uint8_pixels():
    x = np.zeros(784, np.float32)
    x[[0, 1, 783]] = [1.0, 0.5, 0.2]
    handwriting = Handwriting.empty().added(x, 7)
    assert len(handwriting) == 1
    assert handwriting.images.dtype == np.uint8
    assert handwriting.images.shape == (1, 28, 28)
    assert handwriting.images[0, 0, :2].tolist() == [255, 128]
    assert handwriting.images[0, 27, 27] == 51
    assert handwriting.labels.tolist() == [7]
    np.testing.assert_allclose(handwriting.inputs()[0], x, atol=0.5 / 255)


def test_added_refuses_a_label_outside_0_to_9_and_leaves_the_set_alone():
    start = Handwriting.empty().added(np.ones(784) / 2, 3)
    with pytest.raises(HandwritingError) as refused:
        start.added(np.ones(784) / 2, 10)
    assert (refused.value.kind, refused.value.values) == ("labels_outside", {"found": "10", "count": 1})
    assert start.labels.tolist() == [3]


def test_without_removes_exactly_one_drawing():
    handwriting = Handwriting(IMAGES, LABELS).without(4)
    assert len(handwriting) == 11
    assert handwriting.labels.tolist() == [*range(4), *range(5, 10), 0, 1]
    np.testing.assert_array_equal(handwriting.images[4], IMAGES[5])


def test_merged_keeps_order_and_refuses_past_the_limit():
    first, second = Handwriting(IMAGES[:5], LABELS[:5]), Handwriting(IMAGES[5:], LABELS[5:])
    both = first.merged(second)
    np.testing.assert_array_equal(both.images, IMAGES)
    np.testing.assert_array_equal(both.labels, LABELS)
    with pytest.raises(HandwritingError) as refused:
        first.merged(Handwriting(IMAGES[:7], LABELS[:7]), max_images=10)
    assert (refused.value.kind, refused.value.values) == ("too_many_together", {"total": 12, "limit": 10})


def test_the_digest_tells_sets_apart_and_is_computed_once():
    handwriting = Handwriting(IMAGES, LABELS)
    assert handwriting.digest == Handwriting(IMAGES.copy(), LABELS.copy()).digest
    assert handwriting.digest is handwriting.digest
    relabelled = Handwriting(IMAGES, (LABELS + 1) % 10)
    one_pixel = IMAGES.copy()
    one_pixel[3, 14, 14] ^= 1
    others = {relabelled.digest, Handwriting(one_pixel, LABELS).digest, handwriting.without(11).digest}
    assert handwriting.digest not in others
    assert len(others) == 3
    assert Handwriting.empty().digest not in {*others, handwriting.digest}


def test_counts_and_the_scarcest_digit_ask_for_digits_in_turn():
    handwriting = Handwriting.empty()
    asked = []
    for _ in range(13):
        digit = handwriting.scarcest_digit()
        asked.append(digit)
        handwriting = handwriting.added(IMAGES[0], digit)
    assert asked == [*range(10), 0, 1, 2]
    assert handwriting.counts().tolist() == [2, 2, 2, 1, 1, 1, 1, 1, 1, 1]


# --- round trip --------------------------------------------------------------------------------------------


def test_round_trip_keeps_images_and_labels_exactly(tmp_path: Path):
    path = tmp_path / "set.npz"
    save_handwriting(IMAGES, LABELS, path)
    images, labels = load_handwriting(path)
    np.testing.assert_array_equal(images, IMAGES)
    np.testing.assert_array_equal(labels, LABELS)
    assert images.dtype == labels.dtype == np.uint8


def test_the_file_opens_without_pickle_and_carries_json_metadata():
    data = handwriting_bytes(Handwriting(IMAGES, LABELS))
    with np.load(io.BytesIO(data), allow_pickle=False) as archive:
        assert sorted(archive.files) == ["images", "labels", "metadata"]
        assert archive["images"].shape == (12, 28, 28)
        assert archive["images"].dtype == np.uint8
        assert archive["labels"].dtype == np.uint8
        metadata = json.loads(str(archive["metadata"][()]))
    assert metadata["images"] == 12
    assert metadata["per_digit"] == [2, 2, *[1] * 8]
    assert load_handwriting(data)[1].tolist() == LABELS.tolist()


def test_reads_a_file_object_such_as_an_upload():
    images, labels = load_handwriting(io.BytesIO(handwriting_bytes(Handwriting(IMAGES, LABELS))))
    np.testing.assert_array_equal(images, IMAGES)
    np.testing.assert_array_equal(labels, LABELS)


def test_accepts_flat_images_other_integers_and_normalised_floats():
    flat = IMAGES.reshape(12, 784)
    for images in (flat, flat.astype(np.int64), flat.astype(np.float32) / 255):
        loaded, labels = load_handwriting(npz(images=images, labels=LABELS.astype(np.int64)))
        np.testing.assert_array_equal(loaded, IMAGES)
        assert labels.dtype == np.uint8


def test_other_entries_are_ignored():
    images, _ = load_handwriting(npz(images=IMAGES, labels=LABELS, notes=np.array("class 3B")))
    assert len(images) == 12


# --- the set kept as text in a browser ---------------------------------------------------------------------


def test_text_round_trip_keeps_images_and_labels_exactly():
    text = handwriting_text(Handwriting(IMAGES, LABELS))
    assert text.isascii()
    assert base64.b64decode(text) == handwriting_bytes(Handwriting(IMAGES, LABELS))
    images, labels = load_handwriting_text(text)
    np.testing.assert_array_equal(images, IMAGES)
    np.testing.assert_array_equal(labels, LABELS)
    assert Handwriting(images, labels).digest == Handwriting(IMAGES, LABELS).digest


def test_the_largest_set_fits_the_text_limit():
    """MAX_IMAGES drawings that do not compress at all (noise) fit under the limit the browser cuts at."""
    noise = np.random.default_rng(1).integers(0, 256, (MAX_IMAGES, 28, 28), dtype=np.uint8)
    text = handwriting_text(Handwriting(noise, np.zeros(MAX_IMAGES, np.uint8)))
    assert len(text) <= MAX_TEXT_CHARS
    assert len(load_handwriting_text(text)[0]) == MAX_IMAGES


GOOD_TEXT = handwriting_text(Handwriting(IMAGES, LABELS))
BAD_TEXTS = {
    "not text": ({"images": [1, 2]}, "kept_not_text", {"type": "dict"}),
    "a number": (12, "kept_not_text", {"type": "int"}),
    "cut one past the limit": ("A" * (MAX_TEXT_CHARS + 1), "kept_too_long", {"limit": MAX_TEXT_CHARS}),
    "not base64": ("this is not base64!", "kept_not_base64", {}),
    "not ascii": ("드로잉" * 4, "kept_not_base64", {}),
    "cut mid-quartet": (GOOD_TEXT[:-3], "kept_not_base64", {}),
    "truncated": (GOOD_TEXT[: len(GOOD_TEXT) // 8 * 4], "damaged_zip", {}),
    "base64 of a csv": (base64.b64encode(b"images,labels\n0,1\n").decode(), "not_npz", {}),
    "empty": ("", "empty_file", {}),
    "a pickle inside": (
        base64.b64encode(npz(images=np.array([{"x": 1}], dtype=object), labels=LABELS[:1])).decode(),
        "object_array",
        {"array": "images"},
    ),
}


@pytest.mark.parametrize("case", BAD_TEXTS)
def test_a_damaged_or_hostile_kept_text_is_refused_with_its_reason(case: str):
    text, kind, values = BAD_TEXTS[case]
    with pytest.raises(HandwritingError) as refused:
        load_handwriting_text(text)
    assert refused.value.kind == kind
    assert values.items() <= refused.value.values.items()


# --- bad files ---------------------------------------------------------------------------------------------


BAD_FILES = {
    "empty": (b"", "empty_file", {}),
    "csv": (b"images,labels\n0,1\n", "not_npz", {}),
    "single npy": (npy(LABELS), "single_npy", {}),
    "truncated": (handwriting_bytes(Handwriting(IMAGES, LABELS))[:300], "damaged_zip", {}),
    "empty archive": (zip_with({}), "empty_archive", {}),
    "no labels": (npz(images=IMAGES), "missing_array", {"array": "labels", "found": "images"}),
    "no images": (
        npz(pictures=IMAGES, labels=LABELS),
        "missing_array",
        {"array": "images", "found": "pictures, labels"},
    ),
    "object images": (
        npz(images=np.array([{"x": 1}], dtype=object), labels=LABELS[:1]),
        "object_array",
        {"array": "images"},
    ),
    "object labels": (
        npz(images=IMAGES, labels=np.array(list(LABELS), dtype=object)),
        "object_array",
        {"array": "labels"},
    ),
    "27 columns": (npz(images=IMAGES[:, :27], labels=LABELS), "image_shape", {"shape": (12, 27, 28)}),
    "one image": (npz(images=IMAGES[0], labels=LABELS), "image_shape", {"shape": (28, 28)}),
    "label column": (npz(images=IMAGES, labels=LABELS.reshape(12, 1)), "label_shape", {"shape": (12, 1)}),
    "lengths differ": (
        npz(images=IMAGES, labels=LABELS[:11]),
        "count_mismatch",
        {"images": 12, "labels": 11},
    ),
    "no drawings": (npz(images=IMAGES[:0], labels=LABELS[:0]), "no_drawings", {}),
    "label 10+": (
        npz(images=IMAGES, labels=LABELS + 5),
        "labels_outside",
        {"found": "10, 11, 12, 13, 14", "count": 5},
    ),
    "label -1": (
        npz(images=IMAGES, labels=LABELS.astype(np.int8) - 1),
        "labels_outside",
        {"found": "-1", "count": 2},
    ),
    "float labels": (
        npz(images=IMAGES, labels=LABELS.astype(np.float32)),
        "labels_hold",
        {"holds": "f", "dtype": "float32"},
    ),
    "text labels": (npz(images=IMAGES, labels=LABELS.astype(str)), "labels_hold", {"holds": "U"}),
    "bool images": (npz(images=IMAGES > 128, labels=LABELS), "images_hold", {"holds": "b", "dtype": "bool"}),
    "datetime images": (
        npz(images=IMAGES.astype("datetime64[s]"), labels=LABELS),
        "images_hold",
        {"holds": "other", "dtype": "datetime64[s]"},
    ),
    "floats 0..255": (
        npz(images=IMAGES.astype(np.float32), labels=LABELS),
        "float_range",
        {"low": 0, "high": 255},
    ),
    "NaN": (npz(images=np.full((1, 28, 28), np.nan), labels=LABELS[:1]), "images_not_finite", {}),
    "int above 255": (npz(images=IMAGES.astype(np.int16) * 2, labels=LABELS), "int_range", {"high": 510}),
    "too many": (
        npz(images=np.zeros((MAX_IMAGES + 1, 28, 28), np.uint8), labels=np.zeros(MAX_IMAGES + 1, np.uint8)),
        "too_many",
        {"n": 10_001, "limit": 10_000},
    ),
}


@pytest.mark.parametrize("case", BAD_FILES)
def test_a_bad_file_gets_a_clear_reason(case: str):
    data, kind, values = BAD_FILES[case]
    with pytest.raises(HandwritingError) as refused:
        load_handwriting(data)
    assert refused.value.kind == kind
    assert values.items() <= refused.value.values.items()


def test_a_refusal_reads_as_its_kind_and_values_outside_the_page():
    error = HandwritingError("too_many", n=10_001, limit=10_000)
    assert str(error) == "too_many (n=10001, limit=10000)"
    assert str(HandwritingError("no_drawings")) == "no_drawings"


def test_a_too_large_file_is_refused_before_it_is_read():
    class Endless(io.RawIOBase):
        """A stream that never ends; reading it whole would never return."""

        def readinto(self, buffer) -> int:
            buffer[:] = b"\0" * len(buffer)
            return len(buffer)

        def readable(self) -> bool:
            return True

    with pytest.raises(HandwritingError) as refused:
        load_handwriting(io.BufferedReader(Endless()), max_bytes=2**20)
    assert (refused.value.kind, refused.value.values["limit_mb"]) == ("too_large", 1)


def npy_header(descr: str, shape: tuple[int, ...]) -> bytes:
    """A .npy header alone, promising data that is not there."""
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, {"descr": descr, "fortran_order": False, "shape": shape})
    return buffer.getvalue()


def test_a_header_promising_huge_arrays_is_refused_before_unpacking():
    huge = npy_header("<c16", (10_000, 784))  # 125 MB of complex numbers
    data = zip_with({"images.npy": huge, "labels.npy": npy(np.zeros(10_000, np.uint8))})
    with pytest.raises(HandwritingError) as refused:
        load_handwriting(data)
    assert refused.value.kind == "huge_array"
    assert round(refused.value.values["mb"]) == 120


def test_a_header_whose_data_is_missing_is_damage_not_a_crash():
    data = zip_with(
        {"images.npy": npy_header("|u1", (3, 28, 28)) + b"\0" * 64, "labels.npy": npy(LABELS[:3])}
    )
    with pytest.raises(HandwritingError) as refused:
        load_handwriting(data)
    assert (refused.value.kind, refused.value.values["array"]) == ("damaged_array", "images")


def test_a_pickle_is_never_run():
    class Boom:
        def __reduce__(self):
            return (pytest.fail, ("the pickle ran",))

    data = zip_with({"images.npy": pickle.dumps(Boom()), "labels.npy": npy(LABELS)})
    with pytest.raises(HandwritingError) as refused:
        load_handwriting(data)
    assert refused.value.kind == "unreadable_array"
    data = npz(images=np.array([Boom()], dtype=object), labels=LABELS[:1])
    with pytest.raises(HandwritingError) as refused:
        load_handwriting(data)
    assert refused.value.kind == "object_array"


def test_a_missing_path_is_a_clear_error(tmp_path: Path):
    with pytest.raises(HandwritingError) as refused:
        load_handwriting(tmp_path / "nowhere.npz")
    assert refused.value.kind == "cannot_open"


def test_saving_checks_the_set_too():
    with pytest.raises(HandwritingError) as refused:
        save_handwriting(IMAGES[:0], LABELS[:0], io.BytesIO())
    assert refused.value.kind == "no_drawings"
    with pytest.raises(HandwritingError) as refused:
        save_handwriting(IMAGES, LABELS + 10, io.BytesIO())
    assert refused.value.kind == "labels_outside"
