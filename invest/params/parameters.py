"""Typed access to the models/ parameters the engine needs, including the --ranta override."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from invest.base.findings import InputError, error
from invest.params.loader import Parameter, load_models

ASSET_CLASS_DIR = "tillgangsklasser/"
REQUIRED = (
    "konventioner/aktivering",
    "konventioner/avskrivningsstart",
    "konventioner/rantebas",
    "konventioner/rantetidpunkt",
    "konventioner/riktvardesmetod",
    "konventioner/utfall_fore_planperiod",
    "riktlinjer/kapitalkostnadsandel",
    "riktlinjer/skuldandel",
    "ranta/internranta",
    "ranta/marknadsranta",
    "ranta/upplaningsmarginal",
    "ranta/omsattning",
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
)


@dataclass(frozen=True)
class Conventions:
    """The conventions of berakningsmodell.md §1–5, as in force for one plan."""

    standardmanad: int
    efter_driftsattning_manad: int
    avskrivningsstart: str  # samma_manad | nasta_manad | nasta_ar
    rantebas: str  # bundet_kapital | bokfort_varde | bokfort_varde_netto
    rantetidpunkt: str  # genomsnitt | ingaende
    riktvardesmetod: str  # brutto | netto
    riktvarde: float
    gransvarde: float
    omsattning: float
    intaktstillvaxt: float
    befintliga_aterstaende_andel: float
    befintliga_avveckling: str  # jamn | arganger


class Models:
    """The loaded models/ directory; `flat_rate` (from --ranta) replaces every rate and zeroes the margin."""

    def __init__(self, params: dict[str, Parameter], directory: Path, flat_rate: float | None = None):
        missing = [name for name in REQUIRED if name not in params]
        if missing:
            raise InputError([error(f"{directory}/{name}.yaml", "parameterfilen saknas") for name in missing])
        self.params = params
        self.directory = directory
        self.flat_rate = flat_rate

    @classmethod
    def load(cls, directory: Path, flat_rate: float | None = None) -> "Models":
        directory = Path(directory)
        return cls(load_models(directory), directory, flat_rate)

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
            intaktstillvaxt=self.value("region/intaktstillvaxt", year),
            befintliga_aterstaende_andel=self.value("region/befintliga_tillgangar", year),
            befintliga_avveckling=self.value("region/befintliga_avveckling", year),
        )

    @property
    def asset_classes(self) -> dict[str, tuple[tuple[str, float, float], ...]]:
        """Class name -> components (komponent, andel, nyttjandeperiod), as in force in the latest version."""
        return {name[len(ASSET_CLASS_DIR):]: p.values[-1].value
                for name, p in self.params.items() if name.startswith(ASSET_CLASS_DIR)}

    def asset_class_at(self, name: str, year: int):
        return self.value(ASSET_CLASS_DIR + name, year)

    def class_life(self, name: str, year: int) -> float | None:
        """The life that gives the class's yearly depreciation per krona (1 / Σ andel/nyttjandeperiod);
        None for a class that is not depreciated (mark)."""
        per_krona = sum(share / life for _, share, life in self.asset_class_at(name, year) if life > 0)
        return 1 / per_krona if per_krona else None

    def rate_path(self, name: str, years: np.ndarray) -> np.ndarray:
        """Yearly rate for `years`; with --ranta every rate is the flat rate and the margin zero."""
        if self.flat_rate is not None:
            return np.full(len(years), 0.0 if name == "ranta/upplaningsmarginal" else self.flat_rate)
        return self.yearly(name, years)

    def yearly(self, name: str, years: np.ndarray) -> np.ndarray:
        """The value in force on 1 January of each year (a path such as a cost index; --ranta does not apply)."""
        return np.array([self.value(name, int(y)) for y in years], dtype=float)

    def used(self) -> list[dict]:
        """Every value with its unit and source, for the report's parameter sheet."""
        rows = []
        for name, p in sorted(self.params.items()):
            for v in p.values:
                rows.append({
                    "parameter": name, "beskrivning": p.description, "enhet": p.unit,
                    "galler_fran": v.start.isoformat(), "varde": _show(v.value),
                    "kalla": v.source or "", "antagande": v.assumption or "",
                    "fil": f"{p.path}:{v.line}",
                })
        if self.flat_rate is not None:
            rows.append({"parameter": "--ranta", "beskrivning": "Platt ränta från kommandoraden ersätter alla räntor; marginal 0.",
                         "enhet": "andel", "galler_fran": "", "varde": _show(self.flat_rate), "kalla": "kommandoraden",
                         "antagande": "", "fil": ""})
        return rows


def _show(value) -> str:
    if isinstance(value, tuple):
        return "; ".join(f"{c[0]} {c[1]:g} × {c[2]:g} år" for c in value)
    if isinstance(value, dict):
        return ", ".join(f"{k} = {v}" for k, v in value.items())
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
