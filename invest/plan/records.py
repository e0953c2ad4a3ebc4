"""Immutable records of an investment plan; every record knows the file, sheet and row it came from."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Source:
    file: str
    sheet: str
    row: int
    columns: tuple[tuple[str, str], ...] = ()  # (field, column letter)

    def at(self, name: str | None = None) -> str:
        """`plan.xlsx:Objekt!H14` for a field's cell, or the row when the field has no column."""
        letter = dict(self.columns).get(name) if name else None
        if letter:
            return f"{self.file}:{self.sheet}!{letter}{self.row}"
        return f"{self.file}:{self.sheet}!rad {self.row}"


@dataclass(frozen=True)
class Driftsattning:
    """`ÅÅÅÅ`, `ÅÅÅÅ-MM` (month given) or `löpande` (each year's spend activated in that year);
    `löpande +N` activates each year's spend N years after it is spent (a pot of projects that take N years)."""

    year: int | None
    month: int | None
    lopande: bool = False
    lag: int = 0  # years, löpande only

    def __str__(self) -> str:
        if self.lopande:
            return f"löpande +{self.lag}" if self.lag else "löpande"
        return f"{self.year}-{self.month:02d}" if self.month else str(self.year)


@dataclass(frozen=True)
class Component:
    name: str
    share: float
    life: float  # years; 0 = not depreciated


@dataclass(frozen=True)
class CoFinancing:
    part: str
    amount: float
    year: int | None = None  # received in this year; None = pro rata to spend


@dataclass(frozen=True)
class Dependency:
    """The object waits for `pa`: its driftsättning is at the earliest `pa`'s + `fordrojning_manader` months."""

    pa: str
    fordrojning_manader: int = 0
    location: str = field(default="", compare=False)  # the cell that states the dependency


@dataclass(frozen=True)
class AdmissionTerms:
    """A proposed object's optional columns for the optimiser: its value (default its total spend), the first and
    last start year allowed, and the ids it excludes (mutually exclusive variants)."""

    varde: float | None = None
    tidigast_start: int | None = None
    senast_start: int | None = None
    utesluter: tuple[str, ...] = ()


@dataclass(frozen=True)
class InvestmentObject:
    id: str
    namn: str
    organisation: str
    verksamhetsomrade: str
    kategori: str
    investeringstyp: str
    skede: str
    tillgangsklass: str
    driftsattning: Driftsattning
    utgifter: tuple[tuple[int, float], ...]  # (year, mnkr), outturn before the plan period included
    medfinansiering: tuple[CoFinancing, ...]
    komponenter: tuple[Component, ...] | None  # explicit; None = from the asset class
    beroenden: tuple[Dependency, ...]
    source: Source
    villkor: AdmissionTerms | None = None  # a proposal's optional columns for `invest optimera`

    @property
    def total_spend(self) -> float:
        return sum(a for _, a in self.utgifter)

    @property
    def total_medfinansiering(self) -> float:
        return sum(c.amount for c in self.medfinansiering)


@dataclass(frozen=True)
class RegionYear:
    year: int
    totala_intakter: float | None
    befintliga_avskrivningar: float | None
    befintlig_intaktsford_medfinansiering: float
    resultat: float
    ovriga_ej_likviditetspaverkande: float
    rantekostnader: float | None  # the budget's own figure, shown beside the debt model's (it fixes nothing)
    likvida_medel: float
    source: Source
    ovriga_intakter: float | None = None  # totala intäkter without any intäktsförd medfinansiering
    skatteintakter_och_statsbidrag: float | None = None  # for a kommun's guideline (models/riktlinjer)


@dataclass(frozen=True)
class ExistingAssets:
    tillgangsklass: str
    bokfort_varde: float
    aterstaende_nyttjandeperiod: float | None
    source: Source


@dataclass(frozen=True)
class RegionInputs:
    years: tuple[RegionYear, ...]
    ingaende_rantebarande_skuld: float = 0.0
    genomsnittsranta_befintlig_skuld: float | None = None
    ingaende_materiella_anlaggningstillgangar: float | None = None
    befintliga: tuple[ExistingAssets, ...] = ()
    befintliga_fran_ar: int | None = None  # the year whose start `befintliga` describe; None = the plan's first year


@dataclass(frozen=True)
class PublishedFigure:
    """A figure from the region's own budget (sheet Budgetjämförelse), shown beside the model's: investments
    before the plan period in the budget's table shape, and the calibration of the model against the budget."""

    post: str  # one of vocabulary.PUBLISHED_POSTS
    verksamhetsomrade: str | None  # None = the whole region
    year: int
    uppgiftstyp: str  # utfall | budget | prognos | plan
    value: float
    source: Source
    kalla: str = ""
    roll: str = ""  # how the model relates to it (vocabulary.CALIBRATION_ROLES); "" = a test (provning)


@dataclass(frozen=True)
class Plan:
    file: str
    objects: tuple[InvestmentObject, ...]
    plan_years: tuple[int, ...]  # the year columns, outturn excluded
    outturn_year: int | None
    region: RegionInputs | None
    warnings: tuple = field(default=())
    published: tuple[PublishedFigure, ...] = ()

    @property
    def first_year(self) -> int:
        """The plan's first year (2026 for a plan without year columns: the year the parameters are read for)."""
        return self.plan_years[0] if self.plan_years else 2026
