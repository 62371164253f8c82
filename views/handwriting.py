"""3.6 My handwriting: a learner's (or a class's) own labelled drawings, and how the network does on them."""

from __future__ import annotations

from functools import partial

import altair as alt
import numpy as np
import streamlit as st
from numpy.typing import NDArray
from streamlit.delta_generator import DeltaGenerator

from dataset.handwriting import (
    MAX_FILE_BYTES,
    MAX_IMAGES,
    MAX_TEXT_CHARS,
    Handwriting,
    HandwritingError,
    handwriting_bytes,
    handwriting_text,
    load_handwriting,
    load_handwriting_text,
)
from nn import Params, canvas_to_mnist
from nn.evaluate import Evaluation, evaluate
from ui import data, storage
from ui.canvas import clear_canvas, digit_canvas
from ui.charts import (
    DIGITS,
    Spec,
    confusion_chart,
    digit_bars,
    digit_bars_template,
    digit_image,
    styled,
    table,
    template,
    with_data,
)
from ui.i18n import t
from ui.once import once
from ui.tapgrid import clear_taps, tap_grid
from ui.urlstate import choice, from_url, to_url

PREFIX = "handwriting"
SET_KEY = "handwriting_set"
KEPT_ERROR_KEY = "handwriting_kept_error"  # (error, digest of the set it was shown beside)
SMALL_SET = 50  # below this, one drawing moves the accuracy by more than two points
THUMB_PIXELS = 84
# Tiles flow into rows as wide as the screen allows: ten or more on a projector, three or four on a phone.
TILE_PIXELS = {"set": THUMB_PIXELS + 16, "mistake": 2 * THUMB_PIXELS}
GALLERY_STEP = 40
MISTAKE_STEP = 12
MINE_COLOUR, MNIST_COLOUR = "#3b4a5a", "#7d8a99"  # dark and mid slate: 9.1 and 3.5 : 1 on white


def current_set() -> Handwriting:
    """The session's drawings (an empty set at first)."""
    return st.session_state.setdefault(SET_KEY, Handwriting.empty())


def delete(index: int) -> None:
    """Remove one drawing from the session's set."""
    st.session_state[SET_KEY] = current_set().without(index)


def empty_set() -> None:
    """Start over with no drawing (the browser's copy follows)."""
    st.session_state[SET_KEY] = Handwriting.empty()


def reason(error: HandwritingError) -> str:
    """Why a set or file was refused, in the page's language."""
    values = dict(error.values)
    if "holds" in values:  # what an array holds: a NumPy dtype kind, with a name of its own in the catalog
        values["holds"] = t(f"handwriting.holds_{values['holds']}", dtype=values["dtype"])
    return t(f"handwriting.error_{error.kind}", **values)


def loading() -> bool:
    """The browser has not yet said what it kept: an empty set may not be empty for long."""
    return not storage.browser_copy(PREFIX).read


def restore(kept: object) -> str:
    """Put the set kept in this browser before this session's drawings; returns what the browser holds.

    `kept` is the browser's text (None: nothing kept). A damaged or hostile text is refused with its reason
    and changes nothing here; the browser's copy is replaced when the set next changes.
    """
    mine = current_set()
    if kept is None:
        return Handwriting.empty().digest
    try:
        stored = Handwriting(*load_handwriting_text(kept))
        st.session_state[SET_KEY] = stored.merged(mine)
    except HandwritingError as error:
        st.session_state[KEPT_ERROR_KEY] = (error, mine.digest)
        return mine.digest
    st.session_state["handwriting_restored"] = len(stored)
    return stored.digest


def kept_text(handwriting: Handwriting) -> str | None:
    """The set as the browser keeps it; None for an empty set, which the browser deletes."""
    return handwriting_text(handwriting) if len(handwriting) else None


@st.fragment
def where_kept() -> None:
    """The set's copy in this browser, and where the set is kept (or why it is not), as the browser says.

    The browser's answers rerun this fragment alone; a stroke on the canvas never reaches it.
    """
    handwriting = current_set()
    copy = storage.keep_in_browser(
        PREFIX, handwriting.digest, partial(kept_text, handwriting), restore, limit=MAX_TEXT_CHARS
    )
    kept_error = st.session_state.get(KEPT_ERROR_KEY)
    if kept_error and kept_error[1] == handwriting.digest:
        st.error(t("handwriting.kept_damaged", reason=reason(kept_error[0])))
    if not copy.read:
        st.info(t("handwriting.loading"), icon=":material/hourglass_top:")
    elif copy.problem == "unavailable":
        st.warning(t("handwriting.storage_unavailable"))
    elif copy.problem == "full":
        st.warning(t("handwriting.storage_full", n=len(handwriting)))
    elif len(handwriting):
        kept = copy.held == handwriting.digest
        st.caption(t("handwriting.kept_here" if kept else "handwriting.keeping", n=len(handwriting)))


def chosen_label(handwriting: Handwriting) -> int | None:
    """The digit the next drawing is saved as: asked for in prompted mode, else picked (None until picked)."""
    from_url("handwriting_prompted", False, choice([False, True]))
    prompted = st.toggle(
        t("handwriting.prompted"), key="handwriting_prompted", help=t("handwriting.prompted_help")
    )
    to_url("handwriting_prompted")
    if prompted:
        digit = handwriting.scarcest_digit()
        st.metric(t("handwriting.prompt"), str(digit))
        return digit
    return st.segmented_control(
        t("handwriting.label"), list(range(10)), key="handwriting_label", width="stretch", wrap=True
    )


def save(image: NDArray[np.uint8] | NDArray[np.float32] | None, label: int | None) -> None:
    """Add the drawing or the tapped pixels to the set, then clear both; a hint when something is missing."""
    x = None if image is None else canvas_to_mnist(image)
    if x is None:
        st.warning(t("handwriting.empty_canvas"))
        return
    if label is None:
        st.warning(t("handwriting.pick_label"))
        return
    try:
        st.session_state[SET_KEY] = current_set().added(x, label)
    except HandwritingError as error:
        st.error(t("handwriting.cannot_add", reason=reason(error)))
        return
    st.session_state["handwriting_saved"] = t("handwriting.saved", digit=label, n=len(current_set()))
    clear_canvas(PREFIX)
    clear_taps(PREFIX)
    # The canvas above still shows the saved drawing: run again to mount the fresh one.
    st.rerun()


def count_bars(counts: NDArray[np.integer]) -> Spec:
    """Drawings per digit as bars in the digit colours, each with its count on top."""
    return digit_bars(counts, digit_bars_template(t("handwriting.digit"), t("handwriting.drawings"), 200))


def thumbnail(tiles: DeltaGenerator, handwriting: Handwriting, i: int, caption: str, place: str) -> None:
    """One drawing with its caption and a button that deletes it (`place` keeps the button's key unique)."""
    tile = tiles.container(gap=None, horizontal_alignment="center", width=TILE_PIXELS[place])
    tile.image(digit_image(handwriting.images[i] / 255, THUMB_PIXELS), caption=caption, output_format="PNG")
    tile.button(
        ":material/delete:",
        key=f"handwriting_delete_{place}_{i}",
        on_click=delete,
        args=(i,),
        type="tertiary",
        help=t("handwriting.delete"),
    )


def show_more(key: str, step: int) -> None:
    """One more page of a gallery whose size is kept under `key`."""
    st.session_state[key] += step


def reset_gallery() -> None:
    """Back to the first page of thumbnails (a new filter)."""
    st.session_state["handwriting_gallery_size"] = GALLERY_STEP


def gallery(handwriting: Handwriting) -> None:
    """The set as thumbnails, newest first, filtered by digit, a page at a time."""
    digit = st.segmented_control(
        t("handwriting.show_digit"), list(range(10)), key="handwriting_filter", on_change=reset_gallery
    )
    shown = np.arange(len(handwriting))[::-1]
    if digit is not None:
        shown = shown[handwriting.labels[shown] == digit]
    size = st.session_state.setdefault("handwriting_gallery_size", GALLERY_STEP)
    st.caption(t("handwriting.gallery_count", shown=min(size, len(shown)), total=len(shown)))
    tiles = st.container(horizontal=True)
    for i in shown[:size]:
        thumbnail(tiles, handwriting, i, str(handwriting.labels[i]), "set")
    if size < len(shown):
        st.button(
            t("handwriting.show_more"),
            key="handwriting_show_more",
            on_click=show_more,
            args=("handwriting_gallery_size", GALLERY_STEP),
        )


@st.fragment
def desk(handwriting: Handwriting) -> None:
    """Canvas, label and Save, and the counts per digit: a stroke reruns this part alone.

    Saving changes the set that the whole page shows, so save() reruns the whole page.
    """
    canvas_side, label_side = st.columns([2, 3], gap="large")
    with canvas_side:
        drawn = digit_canvas(PREFIX)
        tapped = tap_grid(PREFIX)
    image = drawn if tapped is None else tapped
    with label_side:
        label = chosen_label(handwriting)
        if st.button(t("handwriting.save"), type="primary", key="handwriting_save", width="stretch"):
            save(image, label)
        if saved := st.session_state.pop("handwriting_saved", None):
            st.success(saved)
        st.metric(
            t("handwriting.set_size"), "…" if loading() and not len(handwriting) else f"{len(handwriting):,}"
        )
        if len(handwriting):
            st.vega_lite_chart(count_bars(handwriting.counts()), width="stretch")


def collect(handwriting: Handwriting) -> None:
    """The drawing desk, then the set as thumbnails."""
    desk(handwriting)
    st.subheader(t("handwriting.set_header"))
    where_kept()
    if len(handwriting):
        gallery(handwriting)
    elif not loading():
        st.info(t("handwriting.empty_set"))


@once(st.cache_resource(max_entries=4, show_spinner=False))
def mnist_evaluation(fingerprint: str, source: str, _params: Params, _x: NDArray, _t: NDArray) -> Evaluation:
    """The weights on the MNIST test images, once per set of weights and data source for the whole server."""
    return evaluate(_params, _x, _t)


@template
def per_digit_template(
    mine_label: str, mnist_label: str, set_title: str, digit_title: str, accuracy_title: str, title: str
) -> alt.Chart:
    """Bars of `accuracy` (digit, set, accuracy): each digit's two sets side by side."""
    bars = (
        alt.Chart(alt.NamedData("accuracy"))
        .mark_bar()
        .encode(
            x=alt.X("digit:N", title=digit_title, axis=alt.Axis(labelAngle=0)),
            xOffset=alt.XOffset("set:N", sort=[mine_label, mnist_label]),
            y=alt.Y("accuracy:Q", title=accuracy_title, scale=alt.Scale(domain=[0, 1])),
            color=alt.Color(
                "set:N",
                title=None,
                scale=alt.Scale(domain=[mine_label, mnist_label], range=[MINE_COLOUR, MNIST_COLOUR]),
                legend=alt.Legend(orient="bottom"),
            ),
            tooltip=[
                alt.Tooltip("set:N", title=set_title),
                alt.Tooltip("digit:N", title=digit_title),
                alt.Tooltip("accuracy:Q", title=accuracy_title, format=".3f"),
            ],
        )
    )
    return styled(bars.properties(height=360, title=title))


def per_digit_chart(mine: NDArray[np.floating], mnist: NDArray[np.floating]) -> Spec:
    """Accuracy on each digit, my handwriting beside MNIST's (no bar for a digit I never drew)."""
    mine_label, mnist_label = t("handwriting.mine"), t("handwriting.mnist")
    accuracy = np.concatenate([mine, mnist])
    drawn = ~np.isnan(accuracy)
    data = table(
        digit=np.array(DIGITS * 2)[drawn],
        set=np.repeat([mine_label, mnist_label], 10)[drawn],
        accuracy=accuracy[drawn],
    )
    spec = per_digit_template(
        mine_label,
        mnist_label,
        t("handwriting.set"),
        t("handwriting.digit"),
        t("handwriting.accuracy"),
        t("handwriting.per_digit_header"),
    )
    return with_data(spec, accuracy=data)


def mistakes(handwriting: Handwriting, evaluation: Evaluation) -> None:
    """The drawings the network got wrong, most confident first; each deletable, as it may be mislabelled."""
    st.subheader(t("handwriting.mistakes_header"))
    wrong = evaluation.mistakes()
    if len(wrong) == 0:
        st.success(t("handwriting.no_mistakes"))
        return
    st.caption(t("handwriting.mistakes_caption", n=len(wrong)))
    shown = wrong[: st.session_state.setdefault("handwriting_mistakes_size", MISTAKE_STEP)]
    predictions = evaluation.predictions
    tiles = st.container(horizontal=True)
    for i in shown:
        predicted = predictions[i]
        caption = t(
            "handwriting.mistake",
            true=evaluation.labels[i],
            predicted=predicted,
            p=evaluation.probabilities[i, predicted],
        )
        thumbnail(tiles, handwriting, i, caption, "mistake")
    if len(shown) < len(wrong):
        st.button(
            t("handwriting.show_more"),
            key="handwriting_more_mistakes",
            on_click=show_more,
            args=("handwriting_mistakes_size", MISTAKE_STEP),
        )


def evaluation_section(handwriting: Handwriting) -> None:
    """Accuracy, per-digit accuracy, confusion matrix and mistakes on the set, beside MNIST's figures."""
    if not len(handwriting):
        st.info(t("handwriting.loading" if loading() else "handwriting.nothing_to_evaluate"))
        return
    with st.expander(t("handwriting.weights_header")):
        weights = data.weights_picker()
    data_set = data.mnist()
    x_test, t_test = data_set.x_test, data_set.t_test
    mine = evaluate(weights.params, handwriting.inputs(), handwriting.labels)
    ready = f"handwriting mnist {weights.fingerprint} {data_set.source.description}"
    with data.loading(ready, t("handwriting.evaluating_mnist", n=len(x_test))):
        mnist = mnist_evaluation(
            weights.fingerprint, data_set.source.description, weights.params, x_test, t_test
        )
    n = len(handwriting)
    ours, theirs = st.columns(2)
    ours.metric(
        t("handwriting.accuracy_mine"),
        f"{mine.accuracy:.3f}",
        delta=t("handwriting.correct", correct=mine.correct, n=n),
        delta_color="off",
        delta_arrow="off",
    )
    sample = data_set.source.kind == "sample"
    theirs.metric(
        t("handwriting.accuracy_mnist_sample" if sample else "handwriting.accuracy_mnist"),
        f"{mnist.accuracy:.4f}",
        delta=t("handwriting.correct", correct=mnist.correct, n=len(t_test)),
        delta_color="off",
        delta_arrow="off",
    )
    st.caption(t("handwriting.weights", label=weights.label))
    if sample:
        st.warning(t("handwriting.mnist_sample", n=len(t_test)))
    if n < SMALL_SET:
        st.warning(t("handwriting.too_small", n=n, step=1 / n, enough=SMALL_SET))
    missing = [str(d) for d in np.flatnonzero(handwriting.counts() == 0)]
    if missing:
        st.info(t("handwriting.missing_digits", digits=", ".join(missing)))
    digits_side, matrix_side = st.columns(2, gap="large")
    digits_side.vega_lite_chart(
        per_digit_chart(mine.per_digit_accuracy(), mnist.per_digit_accuracy()), width="stretch"
    )
    with matrix_side:
        st.markdown(f"**{t('handwriting.confusion_header')}**")
        chart = confusion_chart(
            mine.confusion_matrix(),
            t("handwriting.predicted"),
            t("handwriting.true"),
            t("handwriting.drawings"),
            height=360,
        )
        st.vega_lite_chart(chart, width="stretch")
    mistakes(handwriting, mine)


def merge_uploads() -> None:
    """Merge each newly uploaded .npz into the set; a bad file gets its reason and changes nothing."""
    files = st.file_uploader(
        t("handwriting.upload"),
        type=["npz"],
        accept_multiple_files=True,
        key="handwriting_upload",
        help=t("handwriting.upload_help", max_images=MAX_IMAGES),
        max_upload_size=MAX_FILE_BYTES // 2**20,
    )
    # Per file: how many drawings it added, or the error that refused it (worded in each run's language).
    outcomes = st.session_state.setdefault("handwriting_upload_outcomes", {})
    merged = False
    for file in files or []:
        if file.file_id not in outcomes:
            try:
                images, labels = load_handwriting(file)
                st.session_state[SET_KEY] = current_set().merged(Handwriting(images, labels))
            except HandwritingError as error:
                outcomes[file.file_id] = error
            else:
                outcomes[file.file_id] = len(labels)
                merged = True
        outcome = outcomes[file.file_id]
        if isinstance(outcome, HandwritingError):
            st.error(t("handwriting.bad_file", name=file.name, reason=reason(outcome)))
        else:
            st.success(t("handwriting.merged", name=file.name, n=outcome))
    if merged:
        # The collect tab above was drawn with the old set: run again to show the merged one there too.
        st.rerun()


def pool_section(handwriting: Handwriting) -> None:
    """Download the set as .npz, merge other learners' files into it, or start over."""
    st.markdown(t("handwriting.pool_intro"))
    st.download_button(
        t("handwriting.download", n=len(handwriting)),
        data=partial(handwriting_bytes, handwriting),
        file_name=f"handwriting_{len(handwriting)}.npz",
        mime="application/octet-stream",
        on_click="ignore",
        disabled=not len(handwriting),
        key="handwriting_download",
        type="primary",
    )
    merge_uploads()
    st.markdown(t("handwriting.format"))
    st.code(
        'import numpy as np\n\nwith np.load("handwriting.npz") as f:\n'
        '    images, labels = f["images"], f["labels"]  # (N, 28, 28) uint8, (N,) uint8\n'
        "x = images.reshape(len(images), 784) / 255  # as load_mnist(normalize=True)",
        language="python",
        wrap_lines=True,
    )
    with st.popover(t("handwriting.start_over"), disabled=not len(handwriting)):
        st.markdown(t("handwriting.start_over_confirm", n=len(handwriting)))
        st.button(
            t("handwriting.start_over_yes"), on_click=empty_set, key="handwriting_empty", type="primary"
        )


st.title(t("handwriting.title"))
st.markdown(t("handwriting.intro"))
collect_tab, evaluate_tab, pool_tab = st.tabs(
    [t("handwriting.tab_collect"), t("handwriting.tab_evaluate"), t("handwriting.tab_pool")]
)
with collect_tab:
    collect(current_set())
with evaluate_tab:
    evaluation_section(current_set())
with pool_tab:
    pool_section(current_set())
if restored := st.session_state.pop("handwriting_restored", None):
    st.toast(t("handwriting.restored", n=restored), icon=":material/restore:")
