"""Typed access to the models/ parameters the engine needs, and the one place the --ranta overlay is applied."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from invest.base.findings import InputError, error
from invest.base.resources import DEFAULT_MODELS_DIR, PRESETS_DIR
from invest.params.guideline_rules import Rule
from invest.params.loader import DatedValue, Parameter, load_models

ASSET_CLASS_DIR = "tillgangsklasser/"
RULES_DIR = "riktlinjer/"
RIKTVARDE_RULE = "kapitalkostnadsandel"  # the rule whose threshold is the riktvärde (conventions.riktvarde)
REQUIRED = (
    "konventioner/aktivering",
    "konventioner/avskrivningsstart",
    "konventioner/rantebas",
    "konventioner/rantetidpunkt",
    "konventioner/riktvardesmetod",
    "konventioner/utfall_fore_planperiod",
    "konventioner/bidrag",
    "riktlinjer/kapitalkostnadsandel",
    "riktlinjer/skuldandel",
    "ranta/internranta",
    "ranta/marknadsranta",
    "ranta/upplaningsmarginal",
    "ranta/omsattning",
    "ranta/bindningstid",
    "region/intaktstillvaxt",
    "region/befintliga_tillgangar",
    "region/befintliga_avveckling",
    "import/periodkolumn_fordelning",
    "import/beloppsgrans_pott",
    "import/kategori_ur_ordval",
    "import/samlingsrader",
    "import/investeringstyp_ur_ordval",
    "import/verksamhetsomrade_ur_organisation",
    "import/tillgangsklass_ur_ordval",
    "import/tillgangsklass_ur_verksamhetsomrade",
    "import/verksamhetsomraden",
)
FLAT_RATE = "ranta/platt_ranta"  # present only when --ranta is given (Models.with_flat_rate)
FLAT_RATE_SOURCE = "kommandoraden (--ranta)"


@dataclass(frozen=True)
class Conventions:
    """The conventions of docs/berakningsmodell.md §1–6, as in force for one plan."""

    standardmanad: int
    efter_driftsattning_manad: int
    avskrivningsstart: str  # samma_manad | nasta_manad | nasta_ar
    rantebas: str  # bundet_kapital | bokfort_varde | bokfort_varde_netto
    rantetidpunkt: str  # genomsnitt | ingaende
    riktvardesmetod: str  # brutto | netto
    riktvarde: float
    gransvarde: float
    omsattning: float  # the largest share of the opening debt repriced in a year
    bindningstid: int  # years a tranche keeps its rate
    intaktstillvaxt: float
    befintliga_aterstaende_andel: float
    befintliga_avveckling: str  # jamn | arganger
    platt_ranta: float | None = None  # --ranta: also replaces the plan's own rates (existing debt, fixed interest)
    bidragsklasser: tuple[str, ...] = ()  # asset classes that are bidrag till statlig infrastruktur (LKBR)


class Models:
    """The loaded models/ directory. The flat rate of --ranta is not an argument here: it is a parameter overlay
    (`with_flat_rate`), so every reader of a rate sees it, whichever accessor it uses."""

    def __init__(self, params: dict[str, Parameter], directory: Path, rules: tuple[Rule, ...] | None = None):
        missing = [name for name in REQUIRED if name not in params]
        if missing:
            raise InputError([error(f"{directory}/{name}.yaml", "parameterfilen saknas") for name in missing])
        self.params = params
        self.directory = directory
        self.rules = rules if rules is not None else tuple(  # the active guidelines: models/riktlinjer/ by default
            Rule(name[len(RULES_DIR):], p.rule, p) for name, p in sorted(params.items())
            if name.startswith(RULES_DIR) and "/" not in name[len(RULES_DIR):] and p.rule is not None)

    @classmethod
    def load(cls, directory: Path | None = None) -> "Models":
        directory = Path(directory) if directory is not None else DEFAULT_MODELS_DIR
        return cls(load_models(directory), directory)

    def with_flat_rate(self, rate: float | None) -> "Models":
        """The models with every rate replaced by `rate` and the borrowing margin zero (--ranta); None: unchanged."""
        if rate is None:
            return self
        flat = DatedValue(dt.date(1900, 1, 1), rate, FLAT_RATE_SOURCE, None, 0)
        zero = replace(flat, value=0.0)
        overlay = {name: replace(self.params[name], values=(zero if name == "ranta/upplaningsmarginal" else flat,))
                   for name in ("ranta/internranta", "ranta/marknadsranta", "ranta/upplaningsmarginal")}
        overlay[FLAT_RATE] = Parameter(FLAT_RATE, Path(), "Platt ränta från kommandoraden; ersätter även planens egna "
                                       "räntor (befintlig skuld, fastställda räntekostnader).", "andel", (), (flat,))
        return Models({**self.params, **overlay}, self.directory, self.rules)

    def with_values(self, name: str, values: tuple[DatedValue, ...]) -> "Models":
        """The models with parameter `name`'s dated values replaced (a scenario's rate path, growth or lives)."""
        return Models({**self.params, name: replace(self.params[name], values=values)}, self.directory, self.rules)

    def with_rules(self, folder: Path | str | None) -> "Models":
        """The models with the guidelines of `folder` (--riktlinjer: a folder of rule files, or the name of a preset
        shipped with the program, e.g. `kommun`) in place of models/riktlinjer/; None: unchanged."""
        if folder is None:
            return self
        path = Path(folder)
        if not path.is_dir() and (PRESETS_DIR / str(folder)).is_dir():
            path = PRESETS_DIR / str(folder)
        if not path.is_dir():
            presets = ", ".join(sorted(p.name for p in PRESETS_DIR.iterdir() if p.is_dir()))
            raise InputError([error(str(folder), f"riktlinjerna finns inte: väntat en katalog med regelfiler (YAML) "
                                                 f"eller ett förval ({presets})")])
        params = load_models(path)
        not_rules = [p for p in params.values() if p.rule is None]
        if not_rules or not params:
            raise InputError([error(f"{p.path}:1", "filen har ingen regel (nyckeln regel saknas)") for p in not_rules]
                             or [error(path.name, "katalogen har inga regelfiler (YAML)")])
        rules = tuple(Rule(name, p.rule, p) for name, p in sorted(params.items()))
        return Models(self.params, self.directory, rules)

    @property
    def flat_rate(self) -> float | None:
        """The rate of --ranta, or None."""
        return self.params[FLAT_RATE].values[0].value if FLAT_RATE in self.params else None

    @property
    def label(self) -> str:
        """How a report names the parameters: the bundled ones, or the folder name of the user's own (no path)."""
        return "models/ (inbyggda)" if self.directory == DEFAULT_MODELS_DIR else f"{self.directory.name}/"

    def value(self, name: str, year: int):
        return self.params[name].at(year).value

    def conventions(self, year: int) -> Conventions:
        activation = self.value("konventioner/aktivering", year)
        return Conventions(
            standardmanad=int(activation["standardmanad"]),
            efter_driftsattning_manad=int(activation["efter_driftsattning_manad"]),
            avskrivningsstart=self.value("konventioner/avskrivningsstart", year),
            rantebas=self.value("konventioner/rantebas", year),
            rantetidpunkt=self.value("konventioner/rantetidpunkt", year),
            riktvardesmetod=self.value("konventioner/riktvardesmetod", year),
            riktvarde=self.value("riktlinjer/kapitalkostnadsandel", year),
            gransvarde=self.value("riktlinjer/skuldandel", year),
            omsattning=self.value("ranta/omsattning", year),
            bindningstid=int(self.value("ranta/bindningstid", year)),
            intaktstillvaxt=self.value("region/intaktstillvaxt", year),
            befintliga_aterstaende_andel=self.value("region/befintliga_tillgangar", year),
            befintliga_avveckling=self.value("region/befintliga_avveckling", year),
            platt_ranta=self.flat_rate,
            bidragsklasser=tuple(self.value("konventioner/bidrag", year).get("upplosning_fran_beslut", ())),
        )

    @property
    def asset_classes(self) -> dict[str, tuple[tuple[str, float, float], ...]]:
        """Class name -> components (komponent, andel, nyttjandeperiod), as in force in the latest version."""
        return {name[len(ASSET_CLASS_DIR):]: p.values[-1].value
                for name, p in self.params.items() if name.startswith(ASSET_CLASS_DIR)}

    def areas(self, year: int) -> tuple[str, ...]:
        """The verksamhetsområden a plan's objects are grouped by, in the order the outputs show them
        (models/import/verksamhetsomraden.yaml: a region's or a kommun's own)."""
        return tuple(self.value("import/verksamhetsomraden", year))

    def asset_class_at(self, name: str, year: int):
        return self.value(ASSET_CLASS_DIR + name, year)

    def class_life(self, name: str, year: int) -> float | None:
        """The life that gives the class's yearly depreciation per krona (1 / Σ andel/nyttjandeperiod);
        None for a class that is not depreciated (mark)."""
        per_krona = sum(share / life for _, share, life in self.asset_class_at(name, year) if life > 0)
        return 1 / per_krona if per_krona else None

    def yearly(self, name: str, years: np.ndarray) -> np.ndarray:
        """The value in force on 1 January of each year (a rate path, a cost index)."""
        return np.array([self.value(name, int(y)) for y in years], dtype=float)

    def used(self) -> list[dict]:
        """Every value with its unit and source, for the report's parameter sheet."""
        rows = []
        for name, p in sorted(self.params.items()):
            for v in p.values:
                rows.append({
                    "parameter": name, "beskrivning": p.description, "enhet": p.unit,
                    "galler_fran": v.start.isoformat() if v.line else "", "varde": _show(v.value),
                    "kalla": v.source or "", "antagande": v.assumption or "",
                    "fil": f"{p.name}.yaml:{v.line}" if v.line else "",
                })
        return rows


def _show(value) -> str:
    if isinstance(value, tuple) and all(isinstance(c, str) for c in value):
        return ", ".join(value)
    if isinstance(value, tuple):
        return "; ".join(f"{c[0]} {c[1]:g} × {c[2]:g} år" for c in value)
    if isinstance(value, dict):
        return ", ".join(f"{k} = {v}" for k, v in value.items())
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
