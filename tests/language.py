"""Runs of English words in text that should be Korean: what the Korean page checks look for."""

from __future__ import annotations

import re

# Names stay as they are in Korean text.
NAMES = {"MNIST", "NumPy", "ReLU"}
# Math in running text: exp(a − max a).
MATH = {"exp", "max"}
ENGLISH_RUN = 2
"""Two English words in a row are already a phrase of English in a Korean sentence."""

_WORD = re.compile(r"^[(\"“‘'\[]*([A-Za-z]+(?:['’-][A-Za-z]+)*)[)\"”’'.,:;!?\]]*$")
_NUMBER_OR_SIGN = re.compile(r"[\d.,:;%×·•…–—=+−()/\[\]-]+")
_CODE_SPAN = re.compile(r"`[^`]*`")


def _neutral(word: str) -> bool:
    """Not a word of English prose: a name, math, a single letter (a variable) or an acronym (AND, PKL)."""
    return word in NAMES or word in MATH or len(word) == 1 or word.isupper()


def english_runs(text: str, at_least: int = ENGLISH_RUN) -> list[str]:
    """Runs of `at_least` or more English words in a row, line by line.

    A word is a token of Latin letters only (with its punctuation around it); a number, a sign, a name, a
    formula's letter or an acronym neither counts nor breaks a run; anything else (Korean, an identifier such
    as sample_weight.pkl or x_train[0]) ends it.
    """
    runs = []
    for line in text.splitlines():
        run: list[str] = []
        for token in [*line.split(), "끝"]:  # a Korean word at the end closes the last run
            word = _WORD.match(token)
            if word and not _neutral(word[1]):
                run.append(token)
            elif not (word or _NUMBER_OR_SIGN.fullmatch(token)):
                if len(run) >= at_least:
                    runs.append(" ".join(run))
                run = []
    return runs


def english_in_markdown(markdown: str) -> list[str]:
    """english_runs of Markdown without its code spans (commands, files, folders, addresses)."""
    return english_runs(_CODE_SPAN.sub(" ", markdown))
