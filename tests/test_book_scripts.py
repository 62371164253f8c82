"""The book's chapter 3 scripts, run as a reader runs them against our `dataset` package: `python x.py` in a
ch03/ folder beside the book's common/, with `from dataset.mnist import load_mnist` resolving to ours."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT_S = 300  # the per-image loop takes seconds; a busy machine may take many times that

# common/functions.py as the book's repository writes it (the two functions chapter 3 imports).
COMMON_FUNCTIONS = """\
# coding: utf-8
import numpy as np


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def softmax(x):
    x = x - np.max(x, axis=-1, keepdims=True)   # overflow countermeasure
    return np.exp(x) / np.sum(np.exp(x), axis=-1, keepdims=True)
"""

STEP_FUNCTION = """\
# coding: utf-8
import numpy as np
import matplotlib.pylab as plt


def step_function(x):
    return np.array(x > 0, dtype=np.int)

X = np.arange(-5.0, 5.0, 0.1)
Y = step_function(X)
plt.plot(X, Y)
plt.ylim(-0.1, 1.1)
plt.show()
"""

SIGMOID = """\
# coding: utf-8
import numpy as np
import matplotlib.pylab as plt


def sigmoid(x):
    return 1 / (1 + np.exp(-x))

X = np.arange(-5.0, 5.0, 0.1)
Y = sigmoid(X)
plt.plot(X, Y)
plt.ylim(-0.1, 1.1)
plt.show()
"""

RELU = """\
# coding: utf-8
import numpy as np
import matplotlib.pylab as plt


def relu(x):
    return np.maximum(0, x)

x = np.arange(-5.0, 5.0, 0.1)
y = relu(x)
plt.plot(x, y)
plt.ylim(-1.0, 5.5)
plt.show()
"""

SIG_STEP_COMPARE = """\
# coding: utf-8
import numpy as np
import matplotlib.pylab as plt


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def step_function(x):
    return np.array(x > 0, dtype=np.int)

x = np.arange(-5.0, 5.0, 0.1)
y1 = sigmoid(x)
y2 = step_function(x)
plt.plot(x, y1)
plt.plot(x, y2, 'k--')
plt.ylim(-0.1, 1.1)
plt.show()
"""

MNIST_SHOW = """\
# coding: utf-8
import sys, os
sys.path.append(os.pardir)
import numpy as np
from dataset.mnist import load_mnist
from PIL import Image


def img_show(img):
    pil_img = Image.fromarray(np.uint8(img))
    pil_img.show()

(x_train, t_train), (x_test, t_test) = load_mnist(flatten=True, normalize=False)

img = x_train[0]
label = t_train[0]
print(label)  # 5

print(img.shape)  # (784,)
img = img.reshape(28, 28)
print(img.shape)  # (28, 28)

img_show(img)
"""

NEURALNET_HEAD = """\
# coding: utf-8
import sys, os
sys.path.append(os.pardir)
import numpy as np
import pickle
from dataset.mnist import load_mnist
from common.functions import sigmoid, softmax


def get_data():
    (x_train, t_train), (x_test, t_test) = load_mnist(normalize=True, flatten=True, one_hot_label=False)
    return x_test, t_test


def init_network():
    with open("sample_weight.pkl", 'rb') as f:
        network = pickle.load(f)
    return network


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


x, t = get_data()
network = init_network()
"""

NEURALNET_MNIST = (
    NEURALNET_HEAD
    + """
accuracy_cnt = 0
for i in range(len(x)):
    y = predict(network, x[i])
    p = np.argmax(y)
    if p == t[i]:
        accuracy_cnt += 1

print("Accuracy:" + str(float(accuracy_cnt) / len(x)))
"""
)

NEURALNET_MNIST_BATCH = (
    NEURALNET_HEAD
    + """
batch_size = 100
accuracy_cnt = 0

for i in range(0, len(x), batch_size):
    x_batch = x[i:i+batch_size]
    y_batch = predict(network, x_batch)
    p = np.argmax(y_batch, axis=1)
    accuracy_cnt += np.sum(p == t[i:i+batch_size])

print("Accuracy:" + str(float(accuracy_cnt) / len(x)))
"""
)


@pytest.fixture
def ch03(tmp_path: Path) -> Path:
    """The book's layout: ch03/ for the scripts beside common/functions.py; no dataset/ of the book's."""
    (tmp_path / "common").mkdir()
    (tmp_path / "common" / "__init__.py").write_text("")
    (tmp_path / "common" / "functions.py").write_text(COMMON_FUNCTIONS)
    (tmp_path / "ch03").mkdir()
    # The reader's image viewer, as PIL finds it on the PATH: this one keeps the picture instead of a window.
    # It inherits the script's output pipes, so subprocess.run returns only once it has copied the file.
    viewer = tmp_path / "viewers" / "xdg-open"
    viewer.parent.mkdir()
    viewer.write_text(f'#!/bin/sh\nexec /bin/cp "$1" "{tmp_path / "shown.png"}"\n')
    viewer.chmod(0o755)
    return tmp_path / "ch03"


def run_script(folder: Path, name: str, text: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`python name` in the folder, with our package importable and figures on matplotlib's Agg backend."""
    (folder / name).write_text(text)
    environment = {
        **{key: value for key, value in os.environ.items() if key not in ("MNIST_DIR", "PYTHONPATH")},
        "PYTHONPATH": str(ROOT),
        "MPLBACKEND": "Agg",
        "PATH": str(folder.parent / "viewers"),
        "TMPDIR": str(folder.parent),  # where PIL writes the file it hands to the viewer
        **env,
    }
    return subprocess.run(
        [sys.executable, name], cwd=folder, env=environment, capture_output=True, text=True, timeout=TIMEOUT_S
    )


@pytest.mark.parametrize(("name", "text"), [("sigmoid.py", SIGMOID), ("relu.py", RELU)])
def test_the_plots_run_as_the_book_wrote_them(ch03: Path, name: str, text: str):
    done = run_script(ch03, name, text)
    assert (done.returncode, done.stdout) == (0, ""), done.stderr


@pytest.mark.parametrize(
    ("name", "text"), [("step_function.py", STEP_FUNCTION), ("sig_step_compare.py", SIG_STEP_COMPARE)]
)
def test_np_int_stops_the_books_step_function_and_int_fixes_it(ch03: Path, name: str, text: str):
    done = run_script(ch03, name, text)
    assert done.returncode == 1
    assert "AttributeError: module 'numpy' has no attribute 'int'" in done.stderr
    done = run_script(ch03, name, text.replace("dtype=np.int)", "dtype=int)"))
    assert (done.returncode, done.stdout) == (0, ""), done.stderr


def shown(ch03: Path) -> Image.Image:
    """The picture img_show() handed to the image viewer."""
    return Image.open(ch03.parent / "shown.png")


def test_mnist_show_prints_the_books_lines(ch03: Path, mnist_dir: Path):
    done = run_script(ch03, "mnist_show.py", MNIST_SHOW, MNIST_DIR=str(mnist_dir))
    assert done.stdout == "5\n(784,)\n(28, 28)\n", done.stderr
    assert shown(ch03).size == (28, 28)


def test_mnist_show_offline_prints_the_same_and_says_it_uses_the_sample(ch03: Path):
    offline = {"MNIST_CACHE_DIR": str(ch03 / "cache"), "MNIST_MIRRORS": "http://127.0.0.1:9/"}
    done = run_script(ch03, "mnist_show.py", MNIST_SHOW, **offline)
    assert done.stdout == "5\n(784,)\n(28, 28)\n", done.stderr
    assert "SampleWarning" in done.stderr
    assert shown(ch03).size == (28, 28)


@pytest.mark.parametrize(
    ("name", "text"),
    [("neuralnet_mnist.py", NEURALNET_MNIST), ("neuralnet_mnist_batch.py", NEURALNET_MNIST_BATCH)],
)
def test_neuralnet_mnist_prints_the_books_accuracy(
    ch03: Path, mnist_dir: Path, book_weights_path: Path, name: str, text: str
):
    # The reader's own script opens the book's own file with pickle.load: a link, not a copy.
    (ch03 / "sample_weight.pkl").symlink_to(book_weights_path)
    done = run_script(ch03, name, text, MNIST_DIR=str(mnist_dir))
    assert done.stdout == "Accuracy:0.9352\n", done.stderr
