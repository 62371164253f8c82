"""Each page's title and headings carry the book's own section numbers and names, in order, in both languages.

A reader comes with the book open and looks for a section: its number and its name as the Korean edition
(밑바닥부터 시작하는 딥러닝) and the English edition print them. What goes beyond the book says so.
"""

from __future__ import annotations

import re

import pytest
from apptest_page import APP, open_page
from streamlit.testing.v1 import AppTest

from ui.i18n import catalog

pytestmark = pytest.mark.usefixtures("mnist_dir_or_offline")  # the sidebar loads MNIST on every page

# Chapter 3, section by section: (English edition, Korean edition).
BOOK = {
    "3.1": ("From Perceptrons to Neural Networks", "퍼셉트론에서 신경망으로"),
    "3.1.1": ("Neural Network Example", "신경망의 예"),
    "3.1.2": ("Reviewing the Perceptron", "퍼셉트론 복습"),
    "3.1.3": ("Introducing an Activation Function", "활성화 함수의 등장"),
    "3.2": ("Activation Function", "활성화 함수"),
    "3.2.1": ("Sigmoid Function", "시그모이드 함수"),
    "3.2.2": ("Implementing a Step Function", "계단 함수 구현하기"),
    "3.2.3": ("Step Function Graph", "계단 함수의 그래프"),
    "3.2.4": ("Implementing a Sigmoid Function", "시그모이드 함수 구현하기"),
    "3.2.5": ("Comparing the Sigmoid Function and the Step Function", "시그모이드 함수와 계단 함수 비교"),
    "3.2.6": ("Nonlinear Function", "비선형 함수"),
    "3.2.7": ("ReLU Function", "ReLU 함수"),
    "3.3": ("Calculating Multidimensional Arrays", "다차원 배열의 계산"),
    "3.3.1": ("Multidimensional Arrays", "다차원 배열"),
    "3.3.2": ("Matrix Multiplication", "행렬의 곱"),
    "3.3.3": ("Matrix Multiplication in a Neural Network", "신경망에서의 행렬 곱"),
    "3.4": ("Implementing a Three-Layer Neural Network", "3층 신경망 구현하기"),
    "3.4.1": ("Examining the Symbols", "표기법 설명"),
    "3.4.2": ("Implementing Signal Transmission in Each Layer", "각 층의 신호 전달 구현하기"),
    "3.4.3": ("Implementation Summary", "구현 정리"),
    "3.5": ("Designing the Output Layer", "출력층 설계하기"),
    "3.5.1": ("Identity Function and Softmax Function", "항등 함수와 소프트맥스 함수 구현하기"),
    "3.5.2": ("Issues when Implementing the Softmax Function", "소프트맥스 함수 구현 시 주의점"),
    "3.5.3": ("Characteristics of the Softmax Function", "소프트맥스 함수의 특징"),
    "3.5.4": ("Number of Neurons in the Output Layer", "출력층의 뉴런 수 정하기"),
    "3.6": ("Handwritten Digit Recognition", "손글씨 숫자 인식"),
    "3.6.1": ("MNIST Dataset", "MNIST 데이터셋"),
    "3.6.2": ("Inference for Neural Network", "신경망의 추론 처리"),
    "3.6.3": ("Batch Processing", "배치 처리"),
}
LANGUAGES = ("en", "ko")
# The pages in the navigation's order, and the sections each one covers (None: beyond the book).
PAGES = {
    "perceptron": ["3.1"],
    "activations": ["3.2"],
    "forward": ["3.3", "3.4"],
    "softmax": ["3.5"],
    "mnist_browser": ["3.6.1"],
    "evaluate": ["3.6.2", "3.6.3"],
    "draw": None,
    "handwriting": None,
}
BEYOND_PAGE = {"en": re.compile(r"^Beyond 3\.6: \S"), "ko": re.compile(r"^3\.6 너머: \S")}
BEYOND_HEADING = {"en": "beyond the book", "ko": "책 범위 밖"}
NUMBERED = re.compile(r"^(3(?:\.\d)+) (.+)$")


def number(section: str) -> tuple[int, ...]:
    """'3.4.1' -> (3, 4, 1), to compare sections in the book's order."""
    return tuple(int(part) for part in section.split("."))


def sections(heading: str, lang: str) -> list[str]:
    """The book sections a heading names ('3.3 ... · 3.4 ...'); fails unless each has the book's name."""
    found = []
    for part in heading.split(" · "):
        match = NUMBERED.match(part)
        assert match, f"{heading!r}: {part!r} does not start with a section number of chapter 3"
        section, rest = match.groups()
        assert section in BOOK, f"{heading!r}: there is no section {section} in chapter 3"
        name = BOOK[section][LANGUAGES.index(lang)]
        assert rest == name or rest.startswith(f"{name}: "), f"{heading!r}: section {section} is {name!r}"
        found.append(section)
    return found


def headings(at: AppTest) -> list[str]:
    """The page's headers, subheaders and markdown headings, top to bottom."""
    found = []
    for element in _walk(at.main):
        kind = type(element).__name__
        if kind in ("Header", "Subheader"):
            found.append(element.value)
        elif kind == "Markdown" and element.value.startswith("#"):
            found.append(element.value.lstrip("#").strip())
    return found


def _walk(node):
    """Every element under a node, in page order."""
    children = getattr(node, "children", None)
    if not children:
        yield node
        return
    for child in children.values():
        yield from _walk(child)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("page", PAGES)
def test_title_and_headings_follow_the_book(page, lang):
    at = open_page(page, {"lang": lang})
    [title] = at.title
    covered = PAGES[page]
    if covered is None:
        assert BEYOND_PAGE[lang].match(title.value), title.value
        return
    assert sections(title.value, lang) == covered
    last = number(covered[0])
    for heading in headings(at):
        if BEYOND_HEADING[lang] in heading:
            continue
        for section in sections(heading, lang):
            assert number(section) >= last, f"{heading!r} comes after section {'.'.join(map(str, last))}"
            last = number(section)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_navigation_follows_the_chapter_with_the_pages_beyond_it_last(lang):
    labels = [catalog()[f"{page}.nav"][lang] for page in PAGES]
    titles = [catalog()[f"{page}.title"][lang] for page in PAGES]
    order = []
    for page, label, title in zip(PAGES, labels, titles, strict=True):
        covered = PAGES[page]
        if covered is None:
            assert BEYOND_PAGE[lang].match(label), label
            continue
        # A short label names the same sections: one number, or the first and the last with a dash.
        span = covered[0] if len(covered) == 1 else f"{covered[0]}–{covered[-1]}"
        assert label.startswith(f"{span} "), (label, title)
        order.append(number(covered[0]))
    assert order == sorted(order)
    assert [covered is None for covered in PAGES.values()][-2:] == [True, True]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_home_page_lists_every_page_by_its_full_title(lang):
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["lang"] = lang
    at.run()
    assert not at.exception
    labels = [link.proto.label for link in at.get("page_link")]
    assert labels == [catalog()[f"{page}.title"][lang] for page in PAGES]
