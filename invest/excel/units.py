"""Amount units named in a sheet (tkr, mnkr, mdkr, kr) and their factor to mnkr, the unit of every plan."""

from __future__ import annotations

import re

TO_MNKR = {"kr": 1e-6, "tkr": 1e-3, "mnkr": 1.0, "mdkr": 1e3}

_WORDS = [  # most specific first; each match is removed before the next pattern is tried
    ("tkr", r"tkr|tsek|ksek|kkr|tusental\s+kronor|tusen\s+kronor|tusentals\s+kronor|thousand\s+sek|sek\s+thousands?"),
    ("mdkr", r"mdkr|mdr\.?\s*kr|mdsek|bsek|bnkr|miljarder\s+kronor|miljarder|billion\s+sek|sek\s+bn"),
    ("mnkr", r"mnkr|mkr|msek|mio\.?\s*kr|miljoner\s+kronor|miljoner|million\s+sek|sek\s+m(?:illion)?"),
    ("kr", r"kr|kronor|sek"),
]
_PATTERNS = [(unit, re.compile(rf"(?<![a-zåäö0-9])(?:{words})(?![a-zåäö])", re.IGNORECASE)) for unit, words in _WORDS]
_BRACKETS = re.compile(r"[\(\[]\s*[\)\]]")
# "Investeringar >100 mkr" names a size limit, not the unit of the table.
_THRESHOLD = re.compile(r"(?:[<>≥≤]|över|under|minst|mer\s+än|mindre\s+än|over|above|below)\s*\d[\d\s,.]*\s*"
                        r"(?:mnkr|mkr|tkr|mdkr|miljoner(?:\s+kronor)?|kr)", re.IGNORECASE)


def units_in(text: object) -> set[str]:
    """Every unit named in `text` ("Belopp i tkr" -> {"tkr"})."""
    if text is None:
        return set()
    rest, found = _THRESHOLD.sub(" ", str(text)), set()
    for unit, pattern in _PATTERNS:
        if pattern.search(rest):
            found.add(unit)
            rest = pattern.sub(" ", rest)
    return found


def strip_units(text: str) -> str:
    """`text` without unit words and the brackets they leave ("2026 (tkr)" -> "2026")."""
    for _, pattern in _PATTERNS:
        text = pattern.sub(" ", text)
    return _BRACKETS.sub(" ", text).replace(",", " ").strip()
