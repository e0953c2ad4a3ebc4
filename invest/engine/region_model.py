"""Region level of docs/berakningsmodell.md §4–6: the yearly table, the debt model, the share against the riktvärde."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import polars as pl

from invest.engine.debt import debt_path
from invest.engine.object_grid import ObjectGrid
from invest.params.parameters import Conventions, Models
from invest.plan.records import Plan, RegionInputs
from invest.plan.vocabulary import OPTIONAL_REGION_COLUMNS
from invest.base import swedish

REGION_COLUMNS = ("ar", "investeringar", "medfinansiering_mottagen", "avskrivningar", "intaktsford_medfinansiering",
                  "rantekostnader", "kapitalkostnader", "totala_intakter", "andel", "riktvarde", "marginal")


@dataclass(frozen=True)
class RegionResult:
    table: pl.DataFrame  # REGION_COLUMNS first, then more
    notes: tuple[str, ...]  # assumptions used (extrapolated revenue, missing inputs)

    @property
    def has_share(self) -> bool:
        return self.table["andel"].null_count() < self.table.height


def region_years(plan: Plan, until_year: int | None = None) -> np.ndarray:
    last = max([*plan.plan_years, *(r.year for r in plan.region.years)] if plan.region else plan.plan_years)
    if until_year:
        last = max(last, until_year)
    return np.arange(plan.plan_years[0], last + 1)


OBJECT_SUMS = (("investeringar", "spend"), ("medfinansiering_mottagen", "received"), ("avskrivningar", "depreciation"),
               ("intaktsford_medfinansiering", "release"), ("objektens_ranta", "interest"),
               ("bundet_kapital", "bundet_kapital"), ("pagaende", "pagaende"), ("bokfort_varde", "book_value"),
               ("medfinansieringsskuld", "liability"))  # region column -> ObjectGrid field, summed over objects


def _object_sums(grid: ObjectGrid, years: np.ndarray) -> dict[str, np.ndarray]:
    cols = years - grid.years[0]
    return {name: getattr(grid, attr)[:, cols].sum(axis=0) for name, attr in OBJECT_SUMS}


def existing_runoff(region: RegionInputs, models: Models, conv: Conventions, years: np.ndarray) -> np.ndarray:
    """Depreciation of the existing asset base per class from the year whose start it describes (the first region
    year unless `region.befintliga_fran_ar` says another: a plan version carried on to a later start, invest jamfor);
    B book value, R remaining life, L the class's life. `jamn`: B/R a year until B is used up. `arganger`: the stock
    is vintages of the last L years that grew at the steady rate the ratio R/L implies (R = L/2 is an even
    history); each vintage depreciates straight-line to age L, so the run-off falls slowly first and ends at L. Both
    sum to B."""
    total = np.zeros(len(years))
    start = int(years[0]) if region.befintliga_fran_ar is None else region.befintliga_fran_ar
    elapsed = (years - start).astype(float)
    for assets in region.befintliga:
        class_life = models.class_life(assets.tillgangsklass, start)
        if class_life is None or assets.bokfort_varde <= 0:
            continue
        life = assets.aterstaende_nyttjandeperiod or conv.befintliga_aterstaende_andel * class_life
        if conv.befintliga_avveckling == "jamn" or not VINTAGE_RANGE[0] < life / class_life < VINTAGE_RANGE[1]:
            first = assets.bokfort_varde / life
            total += np.clip(assets.bokfort_varde - first * elapsed, 0.0, first)
        else:
            used = vintage_run_off(assets.bokfort_varde, life, class_life)
            total += used(elapsed + 1) - used(elapsed)
    return total


def _remaining_ratio(x: float) -> float:
    """R/L of a stock whose vintages grew at rate g = x/L (x → 0: an even history, R/L = 1/2)."""
    if abs(x) < 1e-2:  # the closed form cancels badly near 0
        return 0.5 + x / 12 - x ** 3 / 720
    return 1 - (1 - np.exp(-x) * (1 + x)) / (x * (1 - np.exp(-x)))


VINTAGE_X = 60.0  # |g·L| searched; beyond it (R/L outside VINTAGE_RANGE) the profile is `jamn`


def vintage_run_off(book_value: float, remaining: float, class_life: float):
    """Cumulative depreciation U(t) after t years of a vintage stock with book value B, remaining life R < L:
    rate D(t) = D0 (1 − e^(−x(1 − t/L))) / (1 − e^(−x)), where x solves R/L = _remaining_ratio(x) and D0 = B/R."""
    x, L, d0 = _growth_of_ratio(remaining / class_life), class_life, book_value / remaining
    if abs(x) < 1e-9:  # even history: the rate falls linearly from 2B/L to 0 at L
        return lambda t: book_value * (1 - (1 - np.clip(t, 0, L) / L) ** 2)
    scale = d0 / (1 - np.exp(-x))

    def used(t):
        t = np.clip(t, 0.0, L)
        return scale * (t - L / x * np.exp(-x) * np.expm1(x * t / L))
    return used


@functools.lru_cache(maxsize=4096)  # a plan's few ratios recur in every recompute of its region (scenarios)
def _growth_of_ratio(target: float) -> float:
    """The x with _remaining_ratio(x) = target, by bisection (the ratio rises monotonically with x)."""
    low, high = -VINTAGE_X, VINTAGE_X
    for _ in range(100):
        mid = (low + high) / 2
        low, high = (mid, high) if _remaining_ratio(mid) < target else (low, mid)
    return (low + high) / 2


VINTAGE_RANGE = (_remaining_ratio(-VINTAGE_X), _remaining_ratio(VINTAGE_X))


def _inputs(plan: Plan, years: np.ndarray, name: str) -> np.ndarray:
    by_year = {r.year: getattr(r, name) for r in plan.region.years}
    return np.array([np.nan if by_year.get(int(y)) is None else by_year[int(y)] for y in years], dtype=float)


def other_revenue(plan: Plan, years: np.ndarray, release: np.ndarray, growth: float, notes: list) -> np.ndarray:
    """Övriga intäkter: totala intäkter without any intäktsförd medfinansiering (§5). Given on the Region sheet as
    `ovriga_intakter`, or as `totala_intakter` minus the modelled release of that year (so the given total is
    reproduced); a year without either grows from the year before (or the last given year before the plan)."""
    other = _inputs(plan, years, "ovriga_intakter")
    total = _inputs(plan, years, "totala_intakter")
    from_total = np.isnan(other) & ~np.isnan(total)
    other = np.where(from_total, total - release, other)
    given = ~np.isnan(other)
    earlier = {r.year: (r.ovriga_intakter if r.ovriga_intakter is not None
                        else r.totala_intakter - r.befintlig_intaktsford_medfinansiering)
               for r in plan.region.years
               if r.year < years[0] and (r.ovriga_intakter is not None or r.totala_intakter is not None)}
    for i, y in enumerate(years):  # a recurrence over years
        if given[i]:
            continue
        if i > 0:
            other[i] = other[i - 1] * (1 + growth)
        elif earlier:
            last = max(earlier)
            other[i] = earlier[last] * (1 + growth) ** (y - last)
    if from_total.any():
        notes.append(f"Totala intäkter {swedish.years(years[from_total])} är Region-bladets; övriga intäkter är de minus "
                     "modellens intäktsförda medfinansiering.")
    if not given.all():
        notes.append(f"Övriga intäkter {swedish.years(years[~given])} är framskrivna med {swedish.percent(growth, 1)} per år "
                     "(models/region/intaktstillvaxt.yaml); totala intäkter = övriga intäkter + intäktsförd "
                     "medfinansiering.")
    return other


def market_rates(models: Models, years: np.ndarray) -> np.ndarray:
    """The rate a tranche fixed in each year gets: market rate + borrowing margin."""
    return models.yearly("ranta/marknadsranta", years) + models.yearly("ranta/upplaningsmarginal", years)


def share_terms(dep, release, interest, revenue, method: str):
    """Numerator and denominator of the share (§5): `brutto` as published, `netto` without released co-financing."""
    if method == "netto":
        return dep - release + interest, revenue - release
    return dep + interest, revenue


def existing_depreciation(plan: Plan, models: Models, conv: Conventions, years: np.ndarray) -> np.ndarray:
    """The existing assets' avskrivningar per year: the Region sheet's where it gives them, else the run-off."""
    explicit = _inputs(plan, years, "befintliga_avskrivningar")
    return np.where(np.isnan(explicit), existing_runoff(plan.region, models, conv, years), explicit)


def compute_region(plan: Plan, grid: ObjectGrid, models: Models, conv: Conventions, years: np.ndarray,
                   revenue_change: np.ndarray | None = None) -> RegionResult:
    """The region table; `revenue_change` (per year, mnkr) is added to övriga intäkter, as a Region sheet giving
    them so changed would (a scenario's skatteunderlag)."""
    table, notes = region_columns(plan, _object_sums(grid, years), models, conv, years, revenue_change)
    return RegionResult(pl.DataFrame(table).with_columns(pl.col(pl.Float64).fill_nan(None)), tuple(notes))


def region_columns(plan: Plan, sums: dict[str, np.ndarray], models: Models, conv: Conventions, years: np.ndarray,
                   revenue_change: np.ndarray | None = None) -> tuple[dict[str, np.ndarray], list[str]]:
    """The region table's columns as arrays (nan where a figure has no value), and its notes, from the objects' sums
    per region year (OBJECT_SUMS) however they were formed (a comparison of plan versions adds the sums of objects
    in different versions)."""
    notes: list[str] = []
    n = len(years)
    rv = np.full(n, conv.riktvarde)
    if plan.region is None:
        dep, release, interest = sums["avskrivningar"], sums["intaktsford_medfinansiering"], sums["objektens_ranta"]
        table = {"ar": years, "investeringar": sums["investeringar"],
                 "medfinansiering_mottagen": sums["medfinansiering_mottagen"], "avskrivningar": dep,
                 "intaktsford_medfinansiering": release, "rantekostnader": interest, "kapitalkostnader": dep + interest,
                 "totala_intakter": np.full(n, np.nan), "andel": np.full(n, np.nan), "riktvarde": rv,
                 "marginal": np.full(n, np.nan), "objektens_ranta": sums["objektens_ranta"],
                 "objektens_bundna_kapital": sums["bundet_kapital"]}
        notes.append("Planen saknar bladet Region: regiontabellen är summan av objekten, räntekostnader är "
                     "internränta på bundet kapital och andelen av totala intäkter kan inte beräknas.")
        return table, notes

    region = plan.region
    existing_dep = existing_depreciation(plan, models, conv, years)
    dep = existing_dep + sums["avskrivningar"]
    release = _inputs(plan, years, "befintlig_intaktsford_medfinansiering")
    release = np.nan_to_num(release) + sums["intaktsford_medfinansiering"]
    result = np.nan_to_num(_inputs(plan, years, "resultat"))
    other = np.nan_to_num(_inputs(plan, years, "ovriga_ej_likviditetspaverkande"))
    cash = np.nan_to_num(_inputs(plan, years, "likvida_medel"))
    other_income = other_revenue(plan, years, release, conv.intaktstillvaxt, notes)
    if revenue_change is not None:
        other_income = other_income + revenue_change
    revenue = other_income + release

    self_financing = result + dep - release + other
    borrowing = sums["investeringar"] - sums["medfinansiering_mottagen"] - self_financing
    rates = market_rates(models, years)
    old_rate = (conv.platt_ranta if conv.platt_ranta is not None
                else region.genomsnittsranta_befintlig_skuld if region.genomsnittsranta_befintlig_skuld is not None
                else rates[0])
    path = debt_path(region.ingaende_rantebarande_skuld, old_rate, borrowing, rates, conv.bindningstid,
                     conv.omsattning)
    debt, interest = path.debt, path.interest
    published = _inputs(plan, years, "rantekostnader")
    if not np.isnan(published).all():
        notes.append(f"Räntekostnaderna på Region-bladet ({swedish.years(years[~np.isnan(published)])}) visas som "
                     "rantekostnader_budget; räntekostnaderna kommer från skuldmodellen.")
    capital = dep + interest
    numerator, denominator = share_terms(dep, release, interest, revenue, conv.riktvardesmetod)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = numerator / denominator
        own_investment = sums["investeringar"] - sums["medfinansiering_mottagen"]
        self_financing_rate = np.where(own_investment > 0, self_financing / own_investment, np.nan)
        debt_share = (debt - cash) / revenue
    table = {
        "ar": years, "investeringar": sums["investeringar"], "medfinansiering_mottagen": sums["medfinansiering_mottagen"],
        "avskrivningar": dep, "intaktsford_medfinansiering": release, "rantekostnader": interest,
        "kapitalkostnader": capital, "totala_intakter": revenue, "andel": share, "riktvarde": rv,
        "marginal": conv.riktvarde * denominator - numerator,
        "klarar_riktvarde": share < conv.riktvarde,
        "befintliga_avskrivningar": existing_dep, "objektens_avskrivningar": sums["avskrivningar"],
        "objektens_ranta": sums["objektens_ranta"], "ranta_utover_objektens": interest - sums["objektens_ranta"],
        "ovriga_intakter": other_income, "sjalvfinansiering": self_financing,
        "sjalvfinansieringsgrad": self_financing_rate, "lanebehov": borrowing, "rantebarande_skuld": debt,
        "andel_omsatt_skuld": path.repriced_share, "skuldandel": debt_share,
        "gransvarde_skuld": np.full(n, conv.gransvarde), "pagaende_arbete": sums["pagaende"],
        "likvida_medel": cash,
    }
    for name in OPTIONAL_REGION_COLUMNS:  # a kommun's guideline may need them (models/riktlinjer)
        given = _inputs(plan, years, name)
        if not np.isnan(given).all():
            table[name] = given
    if not np.isnan(published).all():
        table["rantekostnader_budget"] = published
    if region.ingaende_materiella_anlaggningstillgangar is not None:
        table["materiella_anlaggningstillgangar"] = (region.ingaende_materiella_anlaggningstillgangar
                                                     + np.cumsum(sums["investeringar"] - dep))
    return table, notes
