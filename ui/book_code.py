"""The book's chapter 3 code as its text and its ch03 scripts write it, with a page's values filled in.

Values become Python literals here, formatted from numbers that must be finite floats or whole integers, and
titles become string literals (repr): nothing a visitor types ever becomes code. The names, the steps and
the line breaks are the book's; `plt.title(...)` is ours, so that a figure says what it shows.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from textwrap import dedent

import numpy as np
from numpy.typing import ArrayLike

from nn.weights import PARAM_NAMES


@dataclass(frozen=True)
class Fix:
    """A word of the book's code that today's NumPy no longer knows, and the word that replaces it."""

    old: str
    new: str
    removed_in: str
    """The NumPy version that removed the old word."""


NP_INT = Fix("np.int", "int", "1.24")


@dataclass(frozen=True)
class Snippet:
    """Code of the book, where in the book it is, and how it runs."""

    code: str
    source: str
    """Where the book has it: a section, and the ch03 script when there is one."""
    session: bool = False
    """True: typed at the interpreter's prompt (>>>), as the book shows its short examples."""
    filename: str = "book.py"
    fix: Fix | None = None


def literal(value: object, *, whole: bool = False) -> str:
    """A number, or nested lists of numbers, as Python source; with `whole`, 1010.0 is written 1010."""
    if isinstance(value, list | tuple):
        return f"[{', '.join(literal(item, whole=whole) for item in value)}]"
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"only numbers become code, not {type(value).__name__}")
    if isinstance(value, int):
        return str(value)
    if not math.isfinite(value):
        raise ValueError(f"only finite numbers become code, not {value}")
    return str(int(value)) if whole and value.is_integer() else repr(value)


def array(values: ArrayLike, *, whole: bool = False) -> str:
    """np.array([...]) of the values, as the book writes its arrays."""
    return f"np.array({literal(np.asarray(values).tolist(), whole=whole)})"


def text(words: str) -> str:
    """A string literal (a title from our catalogs)."""
    return repr(str(words))


def code(*blocks: str) -> str:
    """Blocks of code, each dedented, two blank lines between them as in the book's scripts."""
    return "\n\n\n".join(dedent(block).strip("\n") for block in blocks) + "\n"


IMPORTS = """
import numpy as np
import matplotlib.pylab as plt
"""

STEP_FUNCTION = """
def step_function(x):
    return np.array(x > 0, dtype=np.int)
"""

SIGMOID = """
def sigmoid(x):
    return 1 / (1 + np.exp(-x))
"""

RELU = """
def relu(x):
    return np.maximum(0, x)
"""

PREDICT = """
def predict(network, x):
    W1, W2, W3 = network['W1'], network['W2'], network['W3']
    b1, b2, b3 = network['b1'], network['b2'], network['b3']

    a1 = np.dot(x, W1) + b1
    z1 = sigmoid(a1)
    a2 = np.dot(z1, W2) + b2
    z2 = sigmoid(a2)
    a3 = np.dot(z2, W3) + b3
    y = softmax(a3)

    return y
"""


def arange(x_range: tuple[float, float]) -> str:
    """The book's grid of x, over the page's range."""
    low, high = x_range
    return f"x = np.arange({literal(float(low))}, {literal(float(high))}, 0.1)"


def graph(function: str, x_range: tuple[float, float], ylim: str, title: str) -> str:
    """The book's figure of one function: x, y = function(x), plot, the y range, show."""
    return "\n".join(
        (
            arange(x_range),
            f"y = {function}(x)",
            "plt.plot(x, y)",
            f"plt.ylim({ylim})",
            f"plt.title({text(title)})",
            "plt.show()",
        )
    )


# --- 3.2 activation functions -------------------------------------------------------------------------------


def step_session(points: ArrayLike) -> Snippet:
    """3.2.3: the step function for arrays, step by step at the prompt (the book's x is [-1.0, 1.0, 2.0])."""
    session = f"""
    import numpy as np
    x = {array(np.asarray(points, dtype=float))}
    x
    y = x > 0
    y
    y = y.astype(np.int)
    y
    """
    return Snippet(code(session), "3.2.3", session=True, fix=NP_INT)


def step_script(x_range: tuple[float, float], title: str) -> Snippet:
    """3.2.3, ch03/step_function.py: the step function's graph."""
    body = graph("step_function", x_range, "-0.1, 1.1", title)
    return Snippet(
        code(IMPORTS, STEP_FUNCTION, body),
        "3.2.3 · ch03/step_function.py",
        filename="step_function.py",
        fix=NP_INT,
    )


def sigmoid_session(points: ArrayLike) -> Snippet:
    """3.2.4: sigmoid on an array at the prompt."""
    session = f"""
    x = {array(np.asarray(points, dtype=float))}
    sigmoid(x)
    """
    return Snippet(code("import numpy as np", SIGMOID, session), "3.2.4", session=True)


def sigmoid_script(x_range: tuple[float, float], title: str) -> Snippet:
    """3.2.4, ch03/sigmoid.py: the sigmoid's graph."""
    body = graph("sigmoid", x_range, "-0.1, 1.1", title)
    return Snippet(code(IMPORTS, SIGMOID, body), "3.2.4 · ch03/sigmoid.py", filename="sigmoid.py")


def relu_script(x_range: tuple[float, float], title: str) -> Snippet:
    """3.2.7, ch03/relu.py: ReLU and its graph."""
    body = graph("relu", x_range, "-1.0, 5.5", title)
    return Snippet(code(IMPORTS, RELU, body), "3.2.7 · ch03/relu.py", filename="relu.py")


def compare_script(x_range: tuple[float, float], title: str) -> Snippet:
    """3.2.5, ch03/sig_step_compare.py: sigmoid (solid) and the step function (dashed) on one figure."""
    body = f"""
    {arange(x_range)}
    y1 = sigmoid(x)
    y2 = step_function(x)
    plt.plot(x, y1)
    plt.plot(x, y2, 'k--')
    plt.ylim(-0.1, 1.1)
    plt.title({text(title)})
    plt.show()
    """
    return Snippet(
        code(IMPORTS, SIGMOID, STEP_FUNCTION, body),
        "3.2.5 · ch03/sig_step_compare.py",
        filename="sig_step_compare.py",
        fix=NP_INT,
    )


# --- 3.5 softmax --------------------------------------------------------------------------------------------


def softmax_session(a: ArrayLike) -> Snippet:
    """3.5.1: softmax step by step at the prompt (the book's a is [0.3, 2.9, 4.0]), then as a function."""
    session = f"""
    a = {array(np.asarray(a, dtype=float))}
    exp_a = np.exp(a)
    print(exp_a)
    sum_exp_a = np.sum(exp_a)
    print(sum_exp_a)
    y = exp_a / sum_exp_a
    print(y)
    """
    definition = """
    def softmax(a):
        exp_a = np.exp(a)
        sum_exp_a = np.sum(exp_a)
        y = exp_a / sum_exp_a
        return y
    """
    return Snippet(code("import numpy as np", session, definition, "softmax(a)"), "3.5.1", session=True)


def overflow_session(a: ArrayLike) -> Snippet:
    """3.5.2: the overflow (the book's a is [1010, 1000, 990]), the largest value subtracted, the fixed
    softmax. Whole numbers are written as the book writes them, without a decimal point."""
    session = f"""
    a = {array(np.asarray(a, dtype=float), whole=True)}
    np.exp(a) / np.sum(np.exp(a))
    c = np.max(a)
    a - c
    np.exp(a - c) / np.sum(np.exp(a - c))
    """
    definition = """
    def softmax(a):
        c = np.max(a)
        exp_a = np.exp(a - c)
        sum_exp_a = np.sum(exp_a)
        y = exp_a / sum_exp_a
        return y
    """
    return Snippet(code("import numpy as np", session, definition, "softmax(a)"), "3.5.2", session=True)


# --- 3.3–3.4 matrix products and the 3-layer network --------------------------------------------------------


def dot_session(A: ArrayLike, B: ArrayLike) -> Snippet:
    """3.3.2: two arrays, their shapes and np.dot, or the ValueError that NumPy raises for them."""
    session = f"""
    import numpy as np
    A = {array(A)}
    A.shape
    B = {array(B)}
    B.shape
    np.dot(A, B)
    """
    return Snippet(code(session), "3.3.2–3.3.3", session=True)


def network_script(x: ArrayLike, network: Mapping[str, ArrayLike]) -> Snippet:
    """3.4.3: init_network() with the page's arrays, forward(), and the printed output."""
    assignments = "\n".join(f"    network['{name}'] = {array(network[name])}" for name in PARAM_NAMES)
    init = f"def init_network():\n    network = {{}}\n{assignments}\n    return network"
    forward = """
    def forward(network, x):
        W1, W2, W3 = network['W1'], network['W2'], network['W3']
        b1, b2, b3 = network['b1'], network['b2'], network['b3']

        a1 = np.dot(x, W1) + b1
        z1 = sigmoid(a1)
        a2 = np.dot(z1, W2) + b2
        z2 = sigmoid(a2)
        a3 = np.dot(z2, W3) + b3
        y = identity_function(a3)

        return y
    """
    run = f"""
    network = init_network()
    x = {array(x)}
    y = forward(network, x)
    print(y)
    """
    return Snippet(code(init, forward, run), "3.4.3", filename="forward.py")


# --- 3.6 MNIST ----------------------------------------------------------------------------------------------


def mnist_show(split: str, index: int) -> Snippet:
    """3.6.1, ch03/mnist_show.py: load_mnist, one image's label and shapes, and img_show()."""
    if split not in ("train", "test"):
        raise ValueError(f"no split {split!r}")
    script = f"""
    import numpy as np
    from dataset.mnist import load_mnist
    from PIL import Image


    def img_show(img):
        pil_img = Image.fromarray(np.uint8(img))
        pil_img.show()


    (x_train, t_train), (x_test, t_test) = load_mnist(flatten=True, normalize=False)

    img = x_{split}[{literal(int(index))}]
    label = t_{split}[{literal(int(index))}]
    print(label)

    print(img.shape)
    img = img.reshape(28, 28)
    print(img.shape)

    img_show(img)
    """
    return Snippet(code(script), "3.6.1 · ch03/mnist_show.py", filename="mnist_show.py")


def neuralnet_mnist() -> Snippet:
    """3.6.2, ch03/neuralnet_mnist.py: predict one image at a time, count the right answers."""
    loop = """
    x, t = get_data()
    network = init_network()

    accuracy_cnt = 0
    for i in range(len(x)):
        y = predict(network, x[i])
        p = np.argmax(y)
        if p == t[i]:
            accuracy_cnt += 1

    print("Accuracy:" + str(float(accuracy_cnt) / len(x)))
    """
    return Snippet(code(PREDICT, loop), "3.6.2 · ch03/neuralnet_mnist.py", filename="neuralnet_mnist.py")


def neuralnet_mnist_batch(batch_size: int) -> Snippet:
    """3.6.3, ch03/neuralnet_mnist_batch.py: the same count, batch_size images at a time."""
    loop = f"""
    x, t = get_data()
    network = init_network()

    batch_size = {literal(int(batch_size))}
    accuracy_cnt = 0

    for i in range(0, len(x), batch_size):
        x_batch = x[i:i+batch_size]
        y_batch = predict(network, x_batch)
        p = np.argmax(y_batch, axis=1)
        accuracy_cnt += np.sum(p == t[i:i+batch_size])

    print("Accuracy:" + str(float(accuracy_cnt) / len(x)))
    """
    return Snippet(
        code(PREDICT, loop),
        "3.6.3 · ch03/neuralnet_mnist_batch.py",
        filename="neuralnet_mnist_batch.py",
    )
