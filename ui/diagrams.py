"""Network diagrams as Graphviz DOT: layers left to right, each neuron pinned where the book draws it.

Positions are pinned (neato with `pos="x,y!"`): dot would reorder the neurons of a layer to shorten the
arrows. An edge's label is a small node of its own, pinned on the edge. Labels of the edges into the same
neuron share one distance from the layer they leave, and stand apart vertically there; labels of edges into
different neurons stand apart sideways. The layers are as far apart as that takes, so no two labels overlap
and none covers a circle.

A diagram is as wide as its container, but never so narrow that its smallest text is under MIN_TEXT_PIXELS:
in a narrower container (a phone, a column) it keeps that width and scrolls sideways in a box of its own.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate
from typing import NamedTuple

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

# Sizes in inches (Graphviz's unit; 72 points each, drawn as 72 pixels when the diagram fits the page).
UNIT_GAP = 1.8  # between the neurons of a layer
MIN_LAYER_GAP = 2.0  # between layers whose edges carry no labels, or few
NEURON_SIZE, BIAS_SIZE = 0.8, 0.55
LABEL_WIDTH, LABEL_HEIGHT = 0.7, 0.5  # a two-line label such as "w⁽¹⁾₁₂ / -0.123" at LABEL_FONT_SIZE
CLEARANCE = 0.1
FONT_SIZE, LABEL_FONT_SIZE = 16, 14  # points
# From a neuron's centre to the nearest label's centre; between the labels of two neighbouring targets.
_SIDE = NEURON_SIZE / 2 + LABEL_WIDTH / 2 + CLEARANCE
_STEP = LABEL_WIDTH + CLEARANCE
# Edges into one neuron converge: their labels must sit at most this far along, or they would touch.
_MAX_ALONG = 1 - (LABEL_HEIGHT + CLEARANCE) / UNIT_GAP

PAD = 4 / 72  # Graphviz's margin around the drawing, in inches
# Text widths for the drawing's extent, in ems: generous, so that the smallest text is no smaller than meant.
NARROW_EM, WIDE_EM = 0.62, 1.0
MIN_TEXT_PIXELS = 12

# Streamlit's theme sets every text of a graphviz chart to about 10 px, whatever the layout's font sizes:
# set them back to the sizes the layout was made for, by the class each node is given. The SVG is then
# scaled to its container's width, text and all: `min-width` stops it where the smallest text is 12 px.
STYLE = """<style>
.{box} {{ overflow-x: auto; }}
.{box} [data-testid="stGraphVizChart"] svg {{ min-width: {min_width}px; }}
.{box} [data-testid="stGraphVizChart"] g:is(.neuron, .title) text {{ font-size: {font_size}px; }}
.{box} [data-testid="stGraphVizChart"] g.weight text {{ font-size: {label_font_size}px; }}
</style>"""
# Arrows at 87% opacity, as dark as 4 : 1 on white or more: blue for a positive weight, red for a negative.
POSITIVE, NEGATIVE, PLAIN = "#0072b2", "#c0392b", "#7f7f7f"
EDGE_ALPHA = "dd"
BIAS_COLOUR = "#857f7a"  # grey, 4 : 1 on white
SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


@dataclass(frozen=True)
class Neuron:
    """One circle: its text (lines separated by \\n) and colour; a bias node "1" is drawn small and grey."""

    label: str
    colour: str = BIAS_COLOUR
    bias: bool = False


@dataclass(frozen=True)
class Edge:
    """An arrow from neuron `source` of a layer to neuron `target` of the next, with its label and weight.

    A weight colours the arrow (blue positive, red negative) and makes it as thick as |weight| / `scale`.
    """

    layer: int
    source: int
    target: int
    label: str = ""
    weight: float | None = None
    scale: float = 1.0


class Diagram(NamedTuple):
    """A network diagram: its DOT source, and the narrowest width, in CSS pixels, at which its smallest
    text is still MIN_TEXT_PIXELS high."""

    dot: str
    min_width: int


def sub(number: int) -> str:
    """A number as subscript digits: 12 -> ₁₂."""
    return str(number).translate(SUBSCRIPTS)


def sup(number: int) -> str:
    """A number as superscript digits: 1 -> ¹."""
    return str(number).translate(SUPERSCRIPTS)


def quoted(text: str) -> str:
    """Text as a DOT string: quotes and backslashes escaped, line breaks kept as DOT's \\n."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _height(count: int, index: int) -> float:
    """The y of neuron `index` of `count`, the layer centred on 0, the first on top."""
    return (count - 1) * UNIT_GAP / 2 - index * UNIT_GAP


def _targets(layer: Sequence[Neuron]) -> int:
    """How many neurons of a layer receive edges: all but its bias neuron."""
    return sum(not neuron.bias for neuron in layer)


def _gap(targets: int, labelled: bool) -> float:
    """The distance between two layers: room for one label per target neuron side by side, if labelled."""
    if not labelled:
        return MIN_LAYER_GAP
    span = _SIDE + (targets - 1) * _STEP
    return max(MIN_LAYER_GAP, span / _MAX_ALONG, span + _SIDE)


def text_width(text: str, font_size: float) -> float:
    """How wide a text of one or more lines is drawn, in inches, at most (wide CJK characters take an em)."""
    ems = max(
        sum(WIDE_EM if unicodedata.east_asian_width(c) in "WF" else NARROW_EM for c in line)
        for line in text.split("\n")
    )
    return ems * font_size / 72


def network_dot(layers: Sequence[Sequence[Neuron]], titles: Sequence[str], edges: Sequence[Edge]) -> Diagram:
    """A left-to-right network as DOT: a title above each layer, edges labelled along them."""
    labelled = {edge.layer for edge in edges if edge.label}
    gaps = [_gap(_targets(layers[k + 1]), k in labelled) for k in range(len(layers) - 1)]
    xs = [0.0, *accumulate(gaps)]
    top = (max(len(layer) for layer in layers) - 1) * UNIT_GAP / 2 + 0.8
    lines = [
        "digraph { layout=neato; splines=line; bgcolor=transparent; outputorder=edgesfirst;",
        f'node [fontname="Helvetica", fontsize={FONT_SIZE}, style=filled, fixedsize=true, penwidth=2];',
        f'edge [arrowsize=0.6, color="{PLAIN}"];',
    ]
    for index, title in enumerate(titles):
        style = 'class="title", shape=plaintext, style="", fixedsize=false'
        lines.append(f'title{index} [label={quoted(title)}, {style}, pos="{xs[index]:.3f},{top}!"];')
    for index, layer in enumerate(layers):
        for unit, neuron in enumerate(layer):
            colour, size = neuron.colour, BIAS_SIZE if neuron.bias else NEURON_SIZE
            style = f'class="neuron", shape=circle, width={size}, fillcolor="{colour}40", color="{colour}"'
            pos = f'pos="{xs[index]:.3f},{_height(len(layer), unit):.3f}!"'
            lines.append(f"n{index}_{unit} [label={quoted(neuron.label)}, {style}, {pos}];")
    for number, edge in enumerate(edges):
        lines.append(_edge(number, edge, layers, xs))
    lines.append("}")
    # The drawing spans the first layer's to the last layer's circles or titles, whichever reach further.
    halves = [max(NEURON_SIZE / 2, text_width(title, FONT_SIZE) / 2) for title in titles]
    left = min(x - half for x, half in zip(xs, halves, strict=True))
    right = max(x + half for x, half in zip(xs, halves, strict=True))
    smallest = LABEL_FONT_SIZE if labelled else FONT_SIZE
    width_points = (right - left + 2 * PAD) * 72
    return Diagram("\n".join(lines), round(width_points * MIN_TEXT_PIXELS / smallest))


def _edge(number: int, edge: Edge, layers: Sequence[Sequence[Neuron]], xs: Sequence[float]) -> str:
    """An arrow, and its label as a small node pinned on it, as far along as its target's place says."""
    source, target = f"n{edge.layer}_{edge.source}", f"n{edge.layer + 1}_{edge.target}"
    style = ""
    if edge.weight is not None:
        colour = POSITIVE if edge.weight >= 0 else NEGATIVE
        width = 0.6 + 3.4 * min(abs(edge.weight) / (edge.scale or 1.0), 1.0)
        style = f' [penwidth={width:.2f}, color="{colour}{EDGE_ALPHA}"]'
    arrow = f"{source} -> {target}{style};"
    if not edge.label:
        return arrow
    x0, x1 = xs[edge.layer], xs[edge.layer + 1]
    along = (_SIDE + edge.target * _STEP) / (x1 - x0)
    y0 = _height(len(layers[edge.layer]), edge.source)
    y1 = _height(len(layers[edge.layer + 1]), edge.target)
    x, y = x0 + along * (x1 - x0), y0 + along * (y1 - y0)
    label = (
        f'label{number} [label={quoted(edge.label)}, class="weight", shape=plaintext, '
        f'fontsize={LABEL_FONT_SIZE}, fixedsize=false, width=0, height=0, margin="0.02,0.01", '
        f'fillcolor="#ffffffdd", pos="{x:.3f},{y:.3f}!"];'
    )
    return f"{arrow}\n{label}"


def draw(diagram: Diagram, container: DeltaGenerator | None = None) -> None:
    """A diagram from network_dot as wide as its container, its text at the sizes it was laid out for, in a
    box that scrolls sideways where the container is narrower than the diagram's min_width."""
    # The box's key names its CSS class: one per diagram, as two diagrams on a page differ in width.
    key = f"diagram_{hashlib.sha1(diagram.dot.encode()).hexdigest()[:12]}"
    box = (container or st).container(key=key)
    box.html(
        STYLE.format(
            box=f"st-key-{key}",
            min_width=diagram.min_width,
            font_size=FONT_SIZE,
            label_font_size=LABEL_FONT_SIZE,
        )
    )
    box.graphviz_chart(diagram.dot, width="stretch")
