"""What .streamlit/config.toml's [theme] cannot say: code colours that pass WCAG AA, room on short screens.

Streamlit colours the tokens of st.code from a fixed palette that no theme option reaches: its greys, teals,
greens and oranges stand at 2.6 to 3.7 : 1 on the code background. Here each gets a darker shade of its own
hue, 4.8 : 1 or more. Inline code is never under 12 px (it is 0.75 em: 11 px in a caption or a widget's
label), and in a caption it takes the caption's colour: Streamlit fades a caption to 60%, which leaves its
green code at 3 : 1. A metric's value and label and the labels of buttons and page links wrap onto another
line instead of ending in "…" (the Forward pass page's Output Y lost its second number on a phone), and so do
the chosen options of a multiselect, which Streamlit scrolls sideways behind a fade. Above the title
Streamlit keeps 102 pixels and beside the page 85: on a 720-pixel projector screen and on a phone that space
is better spent on the page's first figure; on a projector's short screen titles, headings and the gaps
between elements are tighter too.
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
:is([data-testid="stMain"], [data-testid="stSidebar"]) :not(pre) > code { font-size: max(0.75em, 12px); }
[data-testid="stCaptionContainer"] code { color: inherit; }
:is([data-testid="stMetricValue"], [data-testid="stMetricLabel"]) :is([data-testid="stMarkdownContainer"], p),
[data-testid="stButton"] :is(.stMarkdownEllipsis, p),
:is([data-testid="stSidebarNavLink"], [data-testid="stPageLink-NavLink"]) :is(span, .stMarkdownEllipsis, p) {
  white-space: normal; overflow-wrap: break-word;
}
[data-testid="stMultiSelect"] :has(> [data-testid="stMultiSelectTagsContainer"]) {
  height: auto; max-height: none;
}
[data-testid="stMultiSelectTagsContainer"] {
  flex-wrap: wrap; mask-image: none; height: auto; overflow: visible;
}
[data-testid="stMainBlockContainer"] { padding-top: 4.5rem; padding-left: 2.5rem; padding-right: 2.5rem; }
@media (min-width: 641px) and (max-height: 820px) {
  [data-testid="stMainBlockContainer"] { padding-top: 4.25rem; }
  [data-testid="stMain"] h1 { font-size: 2.25rem; padding: 0.5rem 0; }
  [data-testid="stMain"] :is(h2, h3) { padding: 0.5rem 0; }
  [data-testid="stMain"] [data-testid="stVerticalBlock"] { row-gap: 0.75rem; }
}
@media (max-width: 640px) {
  [data-testid="stMainBlockContainer"] { padding-top: 3.75rem; padding-left: 1rem; padding-right: 1rem; }
  [data-testid="stMain"] h1 { font-size: 2rem; }
  [data-testid="stMain"] h2 { font-size: 1.6rem; }
}
</style>"""


def apply() -> None:
    """The page's extra styles: a style element only, which takes no room on the page."""
    st.html(CSS)
