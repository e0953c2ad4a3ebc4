"""The charts' look where no chart is drawn: the colours, the footer strip under a chart, and text wrapped to a
width by DejaVu Sans's average character width; shared by the charts (chart) and the PDF report, which sets its own
text and must not load matplotlib's drawing code to do it."""

from __future__ import annotations

import re
import textwrap

OK_COLOUR, BREACH_COLOUR, LINE_COLOUR, MUTED_COLOUR = "#3b6ea5", "#c0392b", "#222222", "#8c8c8c"
TEXT_COLOUR, FOOTER_COLOUR = "#1a1a1a", "#555555"
FOOTER_INCH = 0.28  # the strip at the foot of a standalone chart that holds its source line
CHAR_EM = 0.53  # average character width of DejaVu Sans in em, to wrap text to a width
NBSP = "\u00a0"


def wrap(text: str, width_inch: float, size: float) -> list[str]:
    """Text broken into lines of about `width_inch` at font size `size`, never inside a number or between a number
    and its unit ("40 761 mnkr", "8 %" stay whole)."""
    text = re.sub(r"(?<=\d) (?=\d{3}\b)|(?<=\d) (?=%|mnkr\b)", NBSP, text)
    chars = max(10, int(width_inch * 72 / (size * CHAR_EM)))
    return textwrap.wrap(text, chars, break_on_hyphens=False) or [""]
