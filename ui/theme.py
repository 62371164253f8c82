"""What .streamlit/config.toml's [theme] cannot say: code colours that pass WCAG AA, room on short screens.

Streamlit colours the tokens of st.code from a fixed palette that no theme option reaches: its greys, teals,
greens and oranges stand at 2.6 to 3.7 : 1 on the code background. Here each gets a darker shade of its own
hue, 4.8 : 1 or more. Above the title Streamlit keeps 102 pixels and beside the page 85: on a 720-pixel
projector screen and on a phone that space is better spent on the page's first figure.
"""

from __future__ import annotations

import streamlit as st

CSS = """<style>
[data-testid="stCode"] .token:is(.comment, .prolog, .doctype, .cdata, .punctuation) { color: #696d7e; }
[data-testid="stCode"] .token:is(.attr-name, .property, .variable) { color: #007597; }
[data-testid="stCode"] .token:is(.boolean, .constant, .symbol, .inserted) { color: #157d36; }
[data-testid="stCode"] .token:is(.number, .regex) { color: #1c7a6d; }
[data-testid="stCode"] .token:is(.string, .char, .attr-value) { color: #077f2c; }
[data-testid="stCode"] .token:is(.operator, .entity, .decorator, .atrule) { color: #b0520d; }
[data-testid="stCode"] .token:is(.keyword, .tag, .function, .class-name, .selector) { color: #176ebd; }
[data-testid="stCode"] .token:is(.important, .deleted) { color: #c62828; }
[data-testid="stMainBlockContainer"] { padding-top: 4.5rem; padding-left: 2.5rem; padding-right: 2.5rem; }
@media (max-width: 640px) {
  [data-testid="stMainBlockContainer"] { padding-top: 3.75rem; padding-left: 1rem; padding-right: 1rem; }
  [data-testid="stMain"] h1 { font-size: 2rem; }
  [data-testid="stMain"] h2 { font-size: 1.6rem; }
}
</style>"""


def apply() -> None:
    """The page's extra styles: a style element only, which takes no room on the page."""
    st.html(CSS)
