"""Defaults for template columns a planner's sheet does not have (or leaves empty), each from a rule in
models/import/: tillgångsklass from the row's wording or verksamhetsområde, verksamhetsområde from the
organisation, kategori and investeringstyp from the wording or the amount, driftsättning from the last spend
year (löpande for a pot row), id from sheet and row. Every default used becomes one warning per sheet, column
and value, naming the rows."""

from __future__ import annotations

import re
from collections import defaultdict

from invest.base.findings import warning
from invest.params.parameters import Models
from invest.base import swedish
from invest.base.swedish import number as show
from invest.plan import vocabulary as v

RULES = "import/"
_TOKENS = re.compile(r"[^a-z0-9<]+")


class WordList:
    """Names with their words (from an `ordlista` parameter); `match` gives the first name whose word occurs in a text:
    as a whole word, or inside a compound when it has ≥ 4 letters. Results are cached: texts repeat across rows."""

    def __init__(self, words: dict[str, tuple[str, ...]]):
        self.words = [(name, [v.normalize(w) for w in options]) for name, options in words.items()]
        # per name: the words that may stand inside a compound (≥ 4 letters) as one pattern, and the whole words
        self.compiled = [(name, re.compile("|".join(re.escape(w) for w in ws if len(w) >= 4) or "(?!)"),
                          frozenset(ws) | {w.replace("_", "") for w in ws}) for name, ws in self.words]
        # one search that finds whether any word occurs at all: most texts match none and stop there
        inside = [re.escape(w) for _, ws in self.words for w in ws if len(w) >= 4]
        whole = [re.escape(w) for _, _, ws in self.compiled for w in ws]
        self.any_word = re.compile("|".join(inside + [rf"(?<![a-z0-9<])(?:{'|'.join(whole)})(?![a-z0-9<])"]
                                            if whole else inside) or "(?!)")
        self.cache: dict[str, str | None] = {}

    def match(self, text: str) -> str | None:
        if text not in self.cache:
            norm = v.normalize(text)
            if not self.any_word.search(norm):
                self.cache[text] = None
                return None
            tokens = set(_TOKENS.split(norm.replace("_", " ")))
            tokens.discard("")
            self.cache[text] = next((name for name, inside, whole in self.compiled
                                     if not whole.isdisjoint(tokens) or inside.search(norm)), None)
        return self.cache[text]


class Defaults:
    """Fills the gaps of imported rows and remembers which rule it used where."""

    def __init__(self, models: Models, year: int):
        rule = lambda name: models.value(RULES + name, year)  # noqa: E731
        self.class_words = WordList(rule("tillgangsklass_ur_ordval"))
        self.class_by_area = {v.normalize(k): w[0] for k, w in rule("tillgangsklass_ur_verksamhetsomrade").items()}
        self.area_words = WordList(rule("verksamhetsomrade_ur_organisation"))
        self.category_words = WordList(rule("kategori_ur_ordval"))
        self.type_words = WordList(rule("investeringstyp_ur_ordval"))
        self.pot_words = WordList(rule("samlingsrader"))
        self.classes = frozenset(models.asset_classes)
        self.pot_limit = rule("beloppsgrans_pott")
        self.pot_limit_text = show(self.pot_limit, 0)
        self.spread = rule("periodkolumn_fordelning")
        self.used: dict[tuple[str, str], list[int]] = defaultdict(list)  # (sheet, "column: value (rule)") -> rows

    def note(self, sheet: str, what: str, row: int) -> None:
        self.used[(sheet, what)].append(row)

    def warnings(self, file: str) -> list:
        """One warning per sheet and default used, naming its rows."""
        return [warning(f"{file}:{sheet}!{swedish.rows(rows)}", f"{what} ({len(rows)} rader)" if len(rows) > 1 else what)
                for (sheet, what), rows in self.used.items()]

    def is_pot(self, wording: str) -> bool:
        return self.pot_words.match(wording) is not None

    def area(self, organisation: str) -> str | None:
        return self.area_words.match(organisation)

    def asset_class(self, wording: str, area: str, section: str = "") -> tuple[str | None, str]:
        found = self.class_words.match(wording)
        if found:
            return found, "ur radens benämning"
        if section and (found := self.class_words.match(section)):
            return found, f'ur avsnittets rubrik "{section}"'
        by_area = self.class_by_area.get(v.normalize(area)) if area else None
        return by_area, f"ur verksamhetsområdet {area}"

    def category(self, wording: str, total: float) -> tuple[str, str]:
        found = self.category_words.match(wording)
        if found:
            return found, "ur radens benämning"
        if total < self.pot_limit:
            return "pott", f"objektets utgift är under {self.pot_limit_text} mnkr"
        return "planerad", f"objektets utgift är minst {self.pot_limit_text} mnkr"

    def investment_type(self, wording: str) -> str | None:
        return self.type_words.match(wording)
