"""ui.once: a page script's function decorated once, however often the script defines it again."""

from __future__ import annotations

from ui.once import once

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
