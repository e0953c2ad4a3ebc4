"""Defaults for template columns a planner's sheet does not have (or leaves empty), each from a rule in
models/import/: tillgångsklass from the row's wording or verksamhetsområde, verksamhetsområde from the
organisation, kategori and investeringstyp from the wording or the amount, driftsättning from the last spend
year (löpande for a pot row), id from sheet and row. Every default used becomes one warning per sheet, column
and value, naming the rows."""

from __future__ import annotations

import re
from collections import defaultdict

from .parameters import Models
from .swedish import number as show
from . import vocabulary as v

RULES = "import/"


def _tokens(text: str) -> set[str]:
    return {t for t in re.split(r"[^a-z0-9<]+", v.normalize(text).replace("_", " ")) if t}


def first_match(words: dict[str, tuple[str, ...]], text: str) -> str | None:
    """The first name whose word occurs in `text`: as a whole word, or inside a compound when it has ≥ 4 letters."""
    norm, tokens = v.normalize(text), _tokens(text)
    for name, options in words.items():
        for word in options:
            w = v.normalize(word)
            if (len(w) >= 4 and w in norm) or w in tokens or (w.replace("_", " ").strip() in tokens):
                return name
    return None


class Defaults:
    """Fills the gaps of imported rows and remembers which rule it used where."""

    def __init__(self, models: Models, year: int):
        rule = lambda name: models.value(RULES + name, year)  # noqa: E731
        self.class_words = rule("tillgangsklass_ur_ordval")
        self.class_by_area = {v.normalize(k): w[0] for k, w in rule("tillgangsklass_ur_verksamhetsomrade").items()}
        self.area_words = rule("verksamhetsomrade_ur_organisation")
        self.category_words = rule("kategori_ur_ordval")
        self.type_words = rule("investeringstyp_ur_ordval")
        self.pot_words = rule("samlingsrader")
        self.pot_limit = rule("beloppsgrans_pott")
        self.spread = rule("periodkolumn_fordelning")
        self.used: dict[tuple[str, str, str], list[int]] = defaultdict(list)  # (sheet, column, "value (rule)") -> rows

    def note(self, sheet: str, column: str, what: str, row: int) -> None:
        self.used[(sheet, column, what)].append(row)

    def is_pot(self, wording: str) -> bool:
        return first_match(self.pot_words, wording) is not None

    def area(self, organisation: str) -> str | None:
        return first_match(self.area_words, organisation)

    def asset_class(self, wording: str, area: str) -> tuple[str | None, str]:
        found = first_match(self.class_words, wording)
        if found:
            return found, "ur radens benämning"
        by_area = self.class_by_area.get(v.normalize(area)) if area else None
        return by_area, f"ur verksamhetsområdet {area}"

    def category(self, wording: str, total: float) -> tuple[str, str]:
        found = first_match(self.category_words, wording)
        if found:
            return found, "ur radens benämning"
        if total < self.pot_limit:
            return "pott", f"objektets utgift {show(total)} mnkr är under {show(self.pot_limit, 0)} mnkr"
        return "planerad", f"objektets utgift {show(total)} mnkr är minst {show(self.pot_limit, 0)} mnkr"

    def investment_type(self, wording: str) -> str | None:
        return first_match(self.type_words, wording)


def _rows_text(rows: list[int]) -> str:
    rows = sorted(rows)
    spans, start, prev = [], rows[0], rows[0]
    for r in rows[1:] + [None]:
        if r is not None and r == prev + 1:
            prev = r
            continue
        spans.append(f"{start}" if start == prev else f"{start}–{prev}")
        if r is not None:
            start = prev = r
    shown = ", ".join(spans[:8]) + (f" och {len(spans) - 8} intervall till" if len(spans) > 8 else "")
    return f"rad {shown}"
