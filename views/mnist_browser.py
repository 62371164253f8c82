"""3.6.1 The MNIST data set: browse it image by image, read one as numbers, see the whole as counts."""

from __future__ import annotations

import io

import numpy as np
import streamlit as st
from numpy.typing import NDArray
from PIL import Image

from dataset.mnist import convert_images, convert_labels
from ui import book, data
from ui.charts import Spec, digit_bars, digit_bars_template, digit_image, pixel_values, thumbnail_sheet
from ui.i18n import t
from ui.once import once, shared
from ui.tables import show_table
from ui.urlstate import choice, from_url, int_between, page_number, to_url

SPLITS = ("train", "test")
DIGITS: tuple[str | int, ...] = ("all", *range(10))
PER_PAGE = 40
COLUMNS = 8
THUMBNAIL = 64  # pixels: eight across fit the column without the browser shrinking the captions
OPTIONS = ("normalize", "flatten", "one_hot_label")
STATISTICS_SPLIT = "mnist_statistics_split"  # the split of the last run of the whole page


# --- the data, as views of the arrays every page shares -------------------------------------------------


def raw_split(split: str) -> tuple[NDArray[np.uint8], NDArray[np.uint8]]:
    """Images (N, 28, 28) of 0-255 and labels (N,) of one split: the loaded arrays, never a copy."""
    raw = data.mnist().raw
    return (raw.x_train, raw.t_train) if split == "train" else (raw.x_test, raw.t_test)


def selection(split: str, digit: str | int) -> NDArray[np.intp]:
    """Indices of the split's images with the chosen label ("all": every image)."""
    _, labels = raw_split(split)
    return np.arange(len(labels)) if digit == "all" else np.flatnonzero(labels == digit)


def page_count(split: str, digit: str | int) -> int:
    """How many pages of thumbnails the selection fills (at least one)."""
    return max(1, -(-len(selection(split, digit)) // PER_PAGE))


def page_indices(split: str, digit: str | int, page: int) -> NDArray[np.intp]:
    """The indices shown on one page (pages count from 1)."""
    return selection(split, digit)[(page - 1) * PER_PAGE : page * PER_PAGE]


def png(picture: Image.Image) -> bytes:
    """A picture as PNG bytes, which st.image sends as they are."""
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    return buffer.getvalue()


@once(shared(200))
def sheet_png(source: str, split: str, digit: str | int, page: int) -> bytes:
    """One page of thumbnails as one PNG (one request, not forty); `source` keys the cache by data set.
    Shared as they are (bytes do not change): st.cache_data would hash the arguments and copy the PNG out
    for every run of every session."""
    images, labels = raw_split(split)
    shown = page_indices(split, digit, page)
    return png(thumbnail_sheet(images[shown], [f"#{i}" for i in shown], labels[shown], COLUMNS, THUMBNAIL))


@once(shared(256))
def sample_png(source: str, split: str, index: int) -> bytes:
    """One image large as PNG, once per image for every session (`source` keys it by data set)."""
    images, _ = raw_split(split)
    return png(digit_image(images[index], size=280))


@once(shared(8))
def means_png(source: str, split: str) -> bytes:
    """The average image of each digit side by side, once per data set (`source`) and split."""
    images, labels = raw_split(split)
    means = np.stack([images[labels == digit].mean(axis=0) for digit in range(10)])
    return png(thumbnail_sheet(means, [str(d) for d in range(10)], range(10), columns=10, size=100))


# --- widgets whose state lives in the link ----------------------------------------------------------------


def first_index(split: str, digit: str | int, page: int) -> int:
    """The index of the first image on a page (0 if the selection is empty)."""
    shown = page_indices(split, digit, page)
    return int(shown[0]) if len(shown) else 0


def first_of_page() -> None:
    """Show the first image of the current page large (after the page, digit or split changed)."""
    state = st.session_state
    state.mnist_page = min(state.mnist_page, page_count(state.mnist_split, state.mnist_digit))
    state.mnist_sample = first_index(state.mnist_split, state.mnist_digit, state.mnist_page)


def new_selection() -> None:
    """A new split or digit starts at its first page."""
    st.session_state.mnist_page = 1
    first_of_page()


def controls(sizes: dict[str, int]) -> tuple[str, str | int, int]:
    """Split, digit and page, seeded from the link (as is the large image); the link follows every change."""
    from_url("mnist_split", "train", choice(SPLITS))
    from_url("mnist_digit", "all", choice(DIGITS))
    state = st.session_state
    split, digit = state.mnist_split, state.mnist_digit
    # A link's page past the end of its selection is its last page (the widget would refuse it), with a note.
    from_url("mnist_page", 1, page_number(page_count(split, digit)))
    from_url("mnist_sample", first_index(split, digit, state.mnist_page), int_between(0, sizes[split] - 1))

    left, middle, right = st.columns([2, 5, 2])
    left.segmented_control(
        t("mnist_browser.split"),
        SPLITS,
        key="mnist_split",
        required=True,
        format_func=lambda name: t(f"mnist_browser.split_{name}"),
        on_change=new_selection,
    )
    middle.segmented_control(
        t("mnist_browser.digit"),
        DIGITS,
        key="mnist_digit",
        required=True,
        format_func=lambda d: t("mnist_browser.all") if d == "all" else str(d),
        on_change=new_selection,
        wrap=True,  # in a column it would scroll sideways, hiding 7, 8 and 9 on a phone
    )
    pages = page_count(split, digit)
    right.number_input(
        t("mnist_browser.page", pages=pages), 1, pages, key="mnist_page", on_change=first_of_page
    )
    for key in ("mnist_split", "mnist_digit", "mnist_page", "mnist_sample"):
        to_url(key)
    return split, digit, state.mnist_page


# --- the sections ------------------------------------------------------------------------------------------


@st.fragment
def browser(source: str, sizes: dict[str, int]) -> None:
    """A page of thumbnails beside one image large, and that image's 784 numbers: reruns alone, but for a
    new split, which the statistics further down show too."""
    if st.session_state.get("mnist_split") != st.session_state.get(STATISTICS_SPLIT):
        # Before anything is made: the whole page reruns once for the new split, this part with it.
        st.rerun()
    split, digit, page = controls(sizes)
    images, labels = raw_split(split)
    shown = page_indices(split, digit, page)
    which = t("mnist_browser.all_digits") if digit == "all" else t("mnist_browser.of_digit", digit=digit)
    grid, single = st.columns([3, 2], gap="large")
    with grid:
        first = (page - 1) * PER_PAGE
        place = {"first": first + 1, "last": first + len(shown), "total": len(selection(split, digit))}
        st.caption(t("mnist_browser.showing", which=which, split=t(f"mnist_browser.split_{split}"), **place))
        labels_text = " ".join(str(label) for label in labels[shown])
        described = t("mnist_browser.sheet_alt", split=split, labels=labels_text, **place)
        st.image(sheet_png(source, split, digit, page), alt=described, output_format="PNG")
    with single:
        last = sizes[split] - 1
        st.number_input(t("mnist_browser.sample", split=split), 0, last, key="mnist_sample")
        index = st.session_state.mnist_sample
        label = int(labels[index])
        picture, facts = st.columns([3, 2])
        picture.image(
            sample_png(source, split, index), alt=f"x_{split}[{index}]: {label}", output_format="PNG"
        )
        facts.metric(t("mnist_browser.label"), label, help=t("mnist_browser.label_help"))
        st.code(
            f"img = x_{split}[{index}]\nlabel = t_{split}[{index}]\nprint(label)  # {label}\n"
            f"print(img.shape)  # (784,)\nimg = img.reshape(28, 28)\nimg_show(img)",
            language="python",
            wrap_lines=True,
        )
    book.mnist_show(split, index)
    st.subheader(t("mnist_browser.pixels_header", split=split, index=index, label=label))
    st.caption(t("mnist_browser.pixels_caption"))
    # 28 readable columns are wider than a phone: they scroll sideways in their own box, not the whole page.
    pixels = st.container(horizontal=True, wrap=False)
    pixels.vega_lite_chart(pixel_values(images[index], ""), width="content")


def shapes_code(options: dict[str, bool]) -> str:
    """The book's load_mnist call and the shapes and types it returns, from load_mnist's own conversions.

    Converted: the first image and label of each split, the shapes counted from the splits' lengths, so that a
    visit costs no copy of the whole set (as float32 the training images alone take 188 MB).
    """
    raw = data.mnist().raw
    normalize, flatten, one_hot = (options[option] for option in OPTIONS)
    named = {}
    for split, images, labels in (("train", raw.x_train, raw.t_train), ("test", raw.x_test, raw.t_test)):
        named[f"x_{split}"] = (len(images), convert_images(images[:1], normalize, flatten))
        named[f"t_{split}"] = (len(labels), convert_labels(labels[:1], one_hot))
    arguments = ", ".join(f"{name}={value}" for name, value in options.items())
    lines = [f"(x_train, t_train), (x_test, t_test) = load_mnist({arguments})", ""]
    for name, (count, first) in named.items():
        shape = (count, *first.shape[1:])
        lines.append(f"{name + '.shape':14}{shape!s:20}{name}.dtype {first.dtype}")
    x_first, t_first = named["x_train"][1][0], named["t_train"][1][0]
    lines += ["", f"t_train[0] {np.array2string(t_first)}", f"x_train[0].max() {x_first.max()}"]
    return "\n".join(lines)


@st.fragment
def load_options() -> None:
    """3.6.1's load_mnist and its three options, with the shapes and types that come back."""
    st.header(t("mnist_browser.load_header"))
    st.markdown(t("mnist_browser.load_intro"))
    columns = st.columns(len(OPTIONS))
    options = {
        option: column.checkbox(
            f"`{option}`",
            value=option != "one_hot_label",
            key=f"mnist_{option}",
            help=t(f"mnist_browser.help_{option}"),
        )
        for column, option in zip(columns, OPTIONS, strict=True)
    }
    st.code(shapes_code(options), language="python", wrap_lines=True)


def counts(sizes: dict[str, int]) -> tuple[tuple[int, ...], ...]:
    """Images per digit in each split, then the split's size: one row per split."""
    return tuple((*np.bincount(raw_split(split)[1], minlength=10).tolist(), sizes[split]) for split in SPLITS)


def counts_chart(digits: tuple[int, ...], split: str) -> Spec:
    """Bars of images per digit in the digit colours, each with its count."""
    title = t("mnist_browser.counts_title", split=t(f"mnist_browser.split_{split}"))
    spec = digit_bars_template(t("mnist_browser.digit"), t("mnist_browser.count"), 320, title)
    return digit_bars(np.array(digits), spec)


def statistics(source: str, sizes: dict[str, int], split: str) -> None:
    """How many images of each digit, and what the average one looks like."""
    st.header(t("mnist_browser.stats_header"))
    rows = counts(sizes)
    st.vega_lite_chart(counts_chart(rows[SPLITS.index(split)][:10], split), width="stretch")
    columns = (*(str(digit) for digit in range(10)), t("mnist_browser.total"))
    splits = tuple(t(f"mnist_browser.split_{name}") for name in SPLITS)
    show_table(columns, rows, splits)
    st.subheader(t("mnist_browser.means_header", split=t(f"mnist_browser.split_{split}")))
    st.caption(t("mnist_browser.means_caption"))
    st.image(means_png(source, split), alt=" ".join(str(d) for d in range(10)), output_format="PNG")


source = data.mnist().source
sizes = dict(zip(SPLITS, (source.n_train, source.n_test), strict=True))
st.title(t("mnist_browser.title"))
st.markdown(t("mnist_browser.intro"))
if source.kind == "sample":
    st.info(t("mnist_browser.sample_note", n=source.n_test))
from_url("mnist_split", "train", choice(SPLITS))
st.session_state[STATISTICS_SPLIT] = st.session_state.mnist_split
browser(source.description, sizes)
load_options()
statistics(source.description, sizes, st.session_state.mnist_split)
