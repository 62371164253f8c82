"""Runs the book's code as a reader would, and keeps what it prints and draws (no Streamlit here).

The code is always our own text (ui.book_code): a page's values enter it only as literals formatted from
validated numbers, so nothing a visitor types is ever run. Each run gets a fresh namespace with np, plt and
the book's functions from nn/, and returns what a reader would see: the printed lines (with NumPy's
RuntimeWarnings), the error that stopped it, and every figure `plt.show()` showed (and every image PIL's
`Image.show()` showed) as PNG.

pyplot keeps its figures in one global registry, so runs take turns (`LOCK`). This module is also the
matplotlib backend of those runs: the Agg renderer, with a `show()` that hands the figures over as PNG
instead of opening a window. A server has no window to open, and neither does a test.
"""

from __future__ import annotations

import builtins
import functools
import io
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from types import CodeType, TracebackType
from typing import Any

import matplotlib
import numpy as np
from matplotlib.backend_bases import FigureManagerBase
from matplotlib.backends.backend_agg import FigureCanvasAgg
from PIL import Image, ImageShow

from nn import identity_function, relu, sigmoid, softmax, step_function

LOCK = threading.Lock()
"""Held for the whole of a run: pyplot's figures, rcParams and the captured output are the run's alone."""

BACKEND = f"module://{__name__}"
KOREAN_FONTS = ("Noto Sans CJK KR", "NanumGothic", "Malgun Gothic", "AppleGothic")
"""Korean fonts in order of preference: Debian's fonts-noto-cjk (packages.txt), then Linux, Windows, macOS."""
FIGURE_DPI = 100
SMALL_IMAGE = 280  # pixels: an image shown smaller than this (a 28x28 digit) is enlarged, pixel by pixel
BOOK_FUNCTIONS = {f.__name__: f for f in (step_function, sigmoid, relu, softmax, identity_function)}
SESSION_FILE = "<stdin>"
NUMPY_ERRORS = {"over": "log", "divide": "log", "invalid": "log"}  # NumPy's defaults, but written to us


@dataclass(frozen=True)
class Failure:
    """The exception that stopped the code: its type and message, and the line of our code it came from."""

    kind: str
    message: str
    line: int | None = None
    source: str = ""

    def __str__(self) -> str:
        """As Python prints the last line of a traceback: 'AttributeError: module ...'."""
        return f"{self.kind}: {self.message}" if self.message else self.kind


@dataclass(frozen=True)
class Output:
    """What a reader sees: the printed text (a session's whole transcript), the error, the pictures."""

    text: str
    error: Failure | None
    images: tuple[bytes, ...]


class _Capture(threading.local):
    """The pictures shown by the run on this thread; None outside a run."""

    images: list[bytes] | None = None


_capture = _Capture()


# --- the matplotlib backend of the runs --------------------------------------------------------------------

FigureCanvas = FigureCanvasAgg
FigureManager = FigureManagerBase


def show(*args: Any, **kwargs: Any) -> None:
    """plt.show(): every open figure as PNG into the run's pictures, then closed; outside a run, nothing."""
    if _capture.images is None:
        return
    from matplotlib import pyplot
    from matplotlib._pylab_helpers import Gcf

    for manager in Gcf.get_all_fig_managers():
        buffer = io.BytesIO()
        manager.canvas.figure.savefig(buffer, format="png", dpi=FIGURE_DPI)
        _capture.images.append(buffer.getvalue())
        pyplot.close(manager.canvas.figure)


class _CapturingViewer(ImageShow.Viewer):
    """PIL's `Image.show()` during a run: the picture joins the run's; elsewhere PIL's own viewers show it."""

    def show(self, image: Image.Image, **options: Any) -> int:
        """1 (shown) during a run, 0 (pass it on to the next viewer) outside one."""
        if _capture.images is None:
            return 0
        scale = max(1, SMALL_IMAGE // max(image.size))
        enlarged = image.resize((image.width * scale, image.height * scale), Image.Resampling.NEAREST)
        buffer = io.BytesIO()
        enlarged.save(buffer, format="PNG")
        _capture.images.append(buffer.getvalue())
        return 1


@functools.cache
def pyplot() -> Any:
    """matplotlib.pyplot on this backend, with Korean fonts; PIL's show captured. Set up once (under LOCK)."""
    matplotlib.use(BACKEND)
    from matplotlib import pyplot

    # Every glyph comes from the first family in the list that has it: Hangul from a Korean font, the
    # rest from it too, and DejaVu Sans (matplotlib's own) when no Korean font is installed at all.
    matplotlib.rcParams["font.family"] = "sans-serif"
    matplotlib.rcParams["font.sans-serif"] = [*KOREAN_FONTS, *matplotlib.rcParams["font.sans-serif"]]
    ImageShow.register(_CapturingViewer(), order=-1)
    return pyplot


# --- running ------------------------------------------------------------------------------------------------


class _Transcript:
    """What the run prints, in order: print() output and NumPy's floating-point warnings, each once."""

    def __init__(self) -> None:
        self.buffer = io.StringIO()
        self.warned: set[str] = set()

    def print(self, *values: object, **options: Any) -> None:
        """The namespace's print(): into the transcript (sys.stdout is shared by every thread)."""
        options.setdefault("file", self.buffer)
        builtins.print(*values, **options)

    def write(self, message: str) -> None:
        """np.errstate's 'log' target: 'Warning: overflow encountered in exp' as Python would show it."""
        text = f"RuntimeWarning: {message.strip().removeprefix('Warning: ')}"
        if text not in self.warned:
            self.warned.add(text)
            self.buffer.write(text + "\n")


def namespace(transcript: _Transcript, values: Mapping[str, object] | None) -> dict[str, object]:
    """A fresh module namespace: np, plt, the book's functions, the page's values; print() to the run."""
    return {
        "__name__": "__main__",
        "__builtins__": builtins,
        "print": transcript.print,
        "np": np,
        "plt": pyplot(),
        **BOOK_FUNCTIONS,
        **(values or {}),
    }


def failure(error: BaseException, filename: str, code: str) -> Failure:
    """The exception with the deepest line of our code that it passed through (a SyntaxError: its own)."""
    line = error.lineno if isinstance(error, SyntaxError) and error.filename == filename else None
    traceback: TracebackType | None = error.__traceback__
    while traceback is not None:
        if traceback.tb_frame.f_code.co_filename == filename:
            line = traceback.tb_lineno
        traceback = traceback.tb_next
    lines = code.splitlines()
    source = lines[line - 1].strip() if line and 0 < line <= len(lines) else ""
    message = error.msg if isinstance(error, SyntaxError) else str(error)
    return Failure(type(error).__name__, message, line, source)


def statements(code: str) -> list[str]:
    """A session's statements: each starts on an unindented line, indented lines continue it (a def)."""
    found: list[str] = []
    for line in code.splitlines():
        if found and line[:1].isspace():
            found[-1] += "\n" + line
        elif line.strip():
            found.append(line)
    return found


def prompt(statement: str) -> str:
    """A statement as typed at the interpreter: '>>> ' first, '... ' after, a bare '...' closing a block."""
    first, *rest = statement.splitlines()
    return "\n".join([f">>> {first}", *(f"... {line}" for line in rest), *(["..."] if rest else [])])


def _run_session(code: str, scope: dict[str, object], transcript: _Transcript) -> Failure | None:
    """Each statement as the interactive interpreter runs it: expressions echo their repr, errors print a
    traceback and the session goes on. Returns the first error."""
    first: Failure | None = None
    out = transcript.buffer
    for statement in statements(code):
        out.write(prompt(statement) + "\n")
        try:
            try:
                compiled: CodeType = compile(statement, SESSION_FILE, "eval")
            except SyntaxError:
                exec(compile(statement, SESSION_FILE, "exec"), scope)
            else:
                value = eval(compiled, scope)
                if value is not None:
                    out.write(repr(value) + "\n")
        except Exception as error:
            caught = failure(error, SESSION_FILE, statement)
            first = first or caught
            # The interpreter's frame of the statement itself; the frames below it are left out.
            where = f'  File "{SESSION_FILE}", line 1, in <module>'
            out.write(f"Traceback (most recent call last):\n{where}\n{caught}\n")
    return first


def _run_script(code: str, filename: str, scope: dict[str, object]) -> Failure | None:
    """The code as one script, as `python filename` runs it: the first error stops it."""
    try:
        exec(compile(code, filename, "exec"), scope)
    except Exception as error:
        return failure(error, filename, code)
    return None


def run(
    code: str, *, session: bool = False, filename: str = "book.py", values: Mapping[str, object] | None = None
) -> Output:
    """Run our code text (never a visitor's): as a script, or as a session at the interpreter's prompt.

    `values` are added to the namespace as they are: arrays and functions the code's text only names.
    """
    with LOCK:
        plt = pyplot()
        transcript = _Transcript()
        scope = namespace(transcript, values)
        open_before = set(plt.get_fignums())
        _capture.images = []
        try:
            with matplotlib.rc_context(), np.errstate(**NUMPY_ERRORS, call=transcript):
                if session:
                    error = _run_session(code, scope, transcript)
                else:
                    error = _run_script(code, filename, scope)
            images = tuple(_capture.images)
        finally:
            _capture.images = None
            # Figures the code drew but never showed (it stopped before plt.show()) go with it.
            for number in set(plt.get_fignums()) - open_before:
                plt.close(number)
    return Output(transcript.buffer.getvalue(), error, images)
