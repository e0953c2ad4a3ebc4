"""Guidelines as configuration (docs/berakningsmodell.md §11): a file in models/riktlinjer/ (or a preset folder) with a
`regel` block is a rule — a ratio of yearly region figures against a threshold, judged every year, over the period
or as "must improve" — and its dated `varden` are the threshold (a constant, or a path: Sundsvall's 60/35/20 %).

    regel:
      namn: Kapitalkostnadernas andel av totala intäkter
      taljare: [andel_taljare]            # region-table columns, summed; "-kolumn" subtracts
      namnare: [andel_namnare]
      jamforelse: "<"                     # <, <=, >, >=: how the ratio must stand to the threshold
      bedoms: varje_ar                    # varje_ar | genomsnitt | ej_okande

`genomsnitt` judges the period's ratio (Σ täljare / Σ nämnare over the plan years, a självfinansieringsgrad for the
period) against the years' thresholds weighted by the nämnare; `ej_okande` lets a year that misses the threshold pass
when its ratio is no worse than the year before (a kommun over its target must improve every year).

The columns a rule may use are the region table's figures that are sums over the objects and the region's inputs
(RULE_COLUMNS), so that a change to the plan moves each rule's täljare and nämnare linearly."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import yaml

from invest.base.findings import error

# The region-table columns a rule may name (engine/region_model.py writes them; docs/berakningsmodell.md §11).
RULE_COLUMNS = {
    "investeringar": "investeringar",
    "medfinansiering_mottagen": "mottagen medfinansiering",
    "avskrivningar": "avskrivningar",
    "intaktsford_medfinansiering": "intäktsförd medfinansiering",
    "rantekostnader": "räntekostnader",
    "kapitalkostnader": "kapitalkostnader",
    "totala_intakter": "totala intäkter",
    "ovriga_intakter": "övriga intäkter",
    "andel_taljare": "riktvärdets täljare (kapitalkostnader enligt riktvärdesmetoden)",
    "andel_namnare": "riktvärdets nämnare (totala intäkter enligt riktvärdesmetoden)",
    "sjalvfinansiering": "självfinansiering",
    "lanebehov": "lånebehov",
    "rantebarande_skuld": "räntebärande skuld",
    "likvida_medel": "likvida medel",
    "skatteintakter_och_statsbidrag": "skatteintäkter och statsbidrag (bladet Region)",
}
COMPARISONS = ("<", "<=", ">", ">=")
JUDGED = {"varje_ar": "varje år", "genomsnitt": "periodens genomsnitt", "ej_okande": "varje år eller förbättras"}
RULE_KEYS = {"namn", "taljare", "namnare", "jamforelse", "bedoms"}


@dataclass(frozen=True)
class RuleShape:
    """A rule's ratio and how it is judged (the `regel` block); the threshold is the parameter's dated value."""

    name: str
    numerator: tuple[tuple[float, str], ...]  # (sign, column)
    denominator: tuple[tuple[float, str], ...]
    comparison: str
    judged: str

    @property
    def upper(self) -> bool:
        """The ratio must stay under (or at) the threshold; else over (or at) it."""
        return self.comparison in ("<", "<=")

    @property
    def strict(self) -> bool:
        return self.comparison in ("<", ">")

    @property
    def columns(self) -> set[str]:
        return {c for _, c in self.numerator + self.denominator}


@dataclass(frozen=True)
class Rule:
    """One active guideline: its id (the file's name), its shape, the file name and source of its threshold."""

    id: str
    shape: RuleShape
    parameter: object  # params.loader.Parameter: the dated thresholds

    @property
    def name(self) -> str:
        return self.shape.name

    def thresholds(self, years: np.ndarray) -> np.ndarray:
        return np.array([float(self.parameter.at(int(y)).value) for y in years])

    @property
    def file(self) -> str:
        return f"{self.parameter.path.name}"

    @property
    def source(self) -> str:
        v = self.parameter.values[-1]
        return v.source or v.assumption or ""

    def with_threshold(self, value: float) -> "Rule":
        """The rule with one constant threshold (the optimiser's frontier)."""
        first = replace(self.parameter.values[0], value=float(value))
        return replace(self, parameter=replace(self.parameter, values=(first,)))


def _terms(path, node: yaml.Node, key: str, problems: list, plain, loc) -> tuple[tuple[float, str], ...]:
    """A list of column names (or one name), each optionally with a leading minus."""
    value = plain(node)
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, list) or not names or not all(isinstance(n, str) and n.strip() for n in names):
        problems.append(error(loc(path, node), f"regel: {key} ska vara en kolumn eller en lista med kolumner "
                                               f"(t.ex. [avskrivningar, rantekostnader])"))
        return ()
    terms = []
    for name in names:
        text = name.strip()
        sign = -1.0 if text.startswith("-") else 1.0
        column = text.lstrip("+-").strip()
        if column not in RULE_COLUMNS:
            problems.append(error(loc(path, node), f'regel: {key} har den okända kolumnen "{column}" (tillåtna: '
                                                   f'{", ".join(RULE_COLUMNS)})'))
            continue
        terms.append((sign, column))
    return tuple(terms)


def read_rule_shape(path, node: yaml.Node, problems: list, mapping, plain, loc) -> RuleShape | None:
    """The `regel` block of a parameter file; every problem at its line. `mapping`, `plain` and `loc` are the
    loader's own helpers (params/loader.py), passed in so that the two read YAML one way."""
    fields = mapping(path, node, RULE_KEYS, "regel", problems)
    missing = RULE_KEYS - set(fields)
    if missing:
        problems.append(error(loc(path, node), f"regel saknar {', '.join(sorted(missing))}"))
        return None
    name = plain(fields["namn"][1])
    if not isinstance(name, str) or not name.strip():
        problems.append(error(loc(path, fields["namn"][1]), "regel: namn ska vara en text"))
    comparison = plain(fields["jamforelse"][1])
    if comparison not in COMPARISONS:
        problems.append(error(loc(path, fields["jamforelse"][1]),
                              f"regel: jamforelse {comparison!r} är inte tillåten (tillåtna: {', '.join(COMPARISONS)})"))
    judged = plain(fields["bedoms"][1])
    if judged not in JUDGED:
        problems.append(error(loc(path, fields["bedoms"][1]),
                              f"regel: bedoms {judged!r} är inte tillåten (tillåtna: {', '.join(JUDGED)})"))
    numerator = _terms(path, fields["taljare"][1], "taljare", problems, plain, loc)
    denominator = _terms(path, fields["namnare"][1], "namnare", problems, plain, loc)
    if not numerator or not denominator or comparison not in COMPARISONS or judged not in JUDGED \
            or not isinstance(name, str) or not name.strip():
        return None
    return RuleShape(name.strip(), numerator, denominator, comparison, judged)
