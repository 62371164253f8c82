"""ui.reading.same: what a memo's key compares (objects by identity, plain values by value, dicts of such)."""

from __future__ import annotations

import numpy as np

from ui.reading import same


def test_a_new_dict_of_the_same_arrays_is_the_same_key_an_equal_copy_is_not():
    w1, b1 = np.ones((2, 3)), np.zeros(3)
    assert same({"W1": w1, "b1": b1}, {"W1": w1, "b1": b1})
    assert not same({"W1": w1, "b1": b1}, {"W1": w1.copy(), "b1": b1})
    assert not same({"W1": w1, "b1": b1}, {"W1": w1})


def test_plain_values_are_compared_by_value_and_type():
    assert same({"crop": True, "fit": False}, {"crop": True, "fit": False})
    assert not same({"crop": True, "fit": False}, {"crop": True, "fit": True})
    assert same("sigmoid", "".join(["sig", "moid"]))
    assert not same(1, True)
    assert not same(None, {})
