"""ui.once: a page script's function decorated once, however often the script defines it again; `shared`, a
cache in front of st.cache_resource."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from ui.once import content_key, from_content, once, shared

SCRIPT = """
@once(decorate)
def double(x):
    return 2 * x
"""


def test_a_function_defined_again_by_a_rerun_keeps_its_first_decoration():
    calls = []

    def decorate(function):
        calls.append(function)
        return lambda x: ("decorated", function(x))

    code = compile(SCRIPT, "views/example_page.py", "exec")
    reruns = [{"once": once, "decorate": decorate} for _ in range(3)]
    for namespace in reruns:
        exec(code, namespace)
    assert len(calls) == 1
    assert all(namespace["double"] is reruns[0]["double"] for namespace in reruns)
    assert reruns[2]["double"](4) == ("decorated", 8)


def test_other_code_is_decorated_on_its_own():
    def decorate(function):
        return lambda: function() + 1

    first = once(decorate)(lambda: 1)
    second = once(decorate)(lambda: 10)
    assert (first(), second()) == (2, 11)


def test_a_shared_value_is_made_once_even_by_threads_arriving_together():
    made = []

    @shared()
    def load(name):
        made.append(name)
        time.sleep(0.05)
        return [name]

    results = []
    threads = [threading.Thread(target=lambda: results.append(load("mnist"))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert made == ["mnist"]
    assert all(result is results[0] for result in results)
    assert load("mnist") is results[0]
    load.clear()
    assert load("mnist") is not results[0]
    assert made == ["mnist", "mnist"]


def test_a_failure_is_not_kept_and_past_the_limit_values_are_still_right():
    attempts = []

    @shared(max_entries=2)
    def square(x):
        attempts.append(x)
        if len(attempts) == 1:
            raise OSError("not yet")
        return x * x

    with pytest.raises(OSError, match="not yet"):
        square(3)
    assert [square(x) for x in (3, 4, 5, 6)] == [9, 16, 25, 36]
    assert attempts == [3, 3, 4, 5, 6]


@pytest.mark.parametrize(
    "array",
    [
        np.arange(6).reshape(2, 3),
        np.array([0.3, np.nan, -np.inf]),
        np.eye(3)[:, 1],
        np.zeros((0, 4), np.uint8),
    ],
    ids=["int matrix", "nan and inf", "a column (not contiguous)", "empty"],
)
def test_an_array_comes_back_from_its_content_key_as_it_was(array):
    key = content_key(array)
    back = from_content(key)
    assert (back.dtype, back.shape) == (array.dtype, array.shape)
    assert np.array_equal(back, array, equal_nan=True)
    assert hash(key) == hash(content_key(array.copy()))
    assert content_key(array.astype(np.float32)) != key
