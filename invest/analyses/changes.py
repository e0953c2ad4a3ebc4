"""What-if changes to a computed plan — the market rate, revenue growth, the skatteunderlag, cost overruns, delays,
useful lives and proposals — and their effect per year, many changes at once (docs/berakningsmodell.md §9).

A change to the region only (rates, revenue) recomputes the region model on the baseline's objects
(`engine.calculation.with_region`); a change to objects (overruns, delays, lives, proposals) computes only the
changed objects, all changes in one engine run, and takes their Δ through the region's own debt model
(`engine.plan_change`). A change combining both is the objects' Δ on the changed region. Each equals a full
recompute of the correspondingly changed inputs (tests/test_scenario_recompute.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import numpy as np

from invest.analyses.delay import Delays
from invest.analyses.guidelines import judge_all
from invest.base.findings import InputError, error
from invest.base.values import LIFE_YEARS_MAX
from invest.engine.calculation import Calculation, with_region
from invest.engine.plan_arrays import PlanArrays, concat_arrays, plan_arrays, take_objects
from invest.engine.plan_change import object_deltas, region_deltas, with_change
from invest.engine.region_model import existing_depreciation
from invest.params.loader import DatedValue
from invest.params.parameters import ASSET_CLASS_DIR, Models
from invest.plan.records import InvestmentObject

TAX_BASE = "region/skatteunderlag"  # mnkr of revenue per year per procentenhet of the skatteunderlag's growth
SELECTORS = ("tillgangsklass", "objekt", "kategori")
OUTCOMES = ("andel", "kapitalkostnader", "avskrivningar", "rantekostnader", "totala_intakter", "marginal")


@dataclass(frozen=True)
class Overrun:
    """Spend of the objects whose `field` (tillgangsklass, objekt = id, kategori) is `value`, in years ≥ from_year
    (never before the plan: outturn), times `factor`; medfinansiering stays the same in kronor."""

    field: str
    value: str
    factor: float
    from_year: int | None = None
    where: str = ""


@dataclass(frozen=True)
class Change:
    """One scenario's changes; any combination. `rate` and `tax_base` are (tillägg, från år or None = the plan's
    first year); `delays` (id, whole years) move with what depends on them; `lives` (tillgångsklass, years) scale the
    class's component lives to that class life; `proposals` are objects added to the plan."""

    name: str = ""
    rate: tuple[float, int | None] | None = None
    growth: float | None = None
    tax_base: tuple[float, int | None] | None = None
    overruns: tuple[Overrun, ...] = ()
    delays: tuple[tuple[str, int], ...] = ()
    lives: tuple[tuple[str, float], ...] = ()
    proposals: tuple[InvestmentObject, ...] = ()
    where: str = ""


@dataclass(frozen=True)
class Outcomes:
    """Per change (rows) and region year (columns): OUTCOMES, and the Δ against the baseline."""

    years: np.ndarray
    values: dict[str, np.ndarray]
    base: dict[str, np.ndarray]
    warnings: tuple[tuple[str, ...], ...]  # per change
    rules: tuple = ()  # per change, with `rules`: every active guideline judged (guidelines.judge_all)

    def delta(self, name: str) -> np.ndarray:
        return self.values[name] - self.base[name]


class Changes:
    """Changes evaluated on one computed plan (with a Region sheet: the share needs totala intäkter)."""

    def __init__(self, calc: Calculation):
        if not calc.region.has_share:
            raise InputError([error(calc.plan.file, "planen saknar bladet Region: scenarier och känslighetsanalys "
                                                    "kräver totala intäkter per år (bladet Region)")])
        self.calc = calc
        self.first = calc.plan.plan_years[0]
        self.years = calc.region.table["ar"].to_numpy()
        self.delays = Delays(calc)
        self._regions: dict[tuple, Calculation] = {}
        t = calc.region.table
        self.base = {name: t[name].to_numpy().astype(float) for name in OUTCOMES}

    # --- the models and region of a change ---

    def models(self, change: Change) -> Models:
        """calc's models with the change's market rate, revenue growth and class lives."""
        models = self.calc.models
        if change.rate is not None:
            models = rate_added(models, change.rate[0], self._from(change.rate[1]))
        if change.growth is not None:
            name = "region/intaktstillvaxt"
            models = models.with_values(name, (DatedValue(dt.date(1900, 1, 1), change.growth, "scenario", None, 0),))
        for klass, years in change.lives:
            models = class_life_set(models, klass, years, change.where)
        return models

    def region(self, change: Change) -> Calculation:
        """The baseline with the change's region: its rate path and revenue (the objects as they were)."""
        key = (change.rate, change.growth, change.tax_base)
        if key == (None, None, None):
            return self.calc
        if key not in self._regions:
            models = self.calc.models
            if change.rate is not None or change.growth is not None:
                models = self.models(replace(change, lives=()))
            self._regions[key] = with_region(self.calc, models, self.revenue_change(change))
        return self._regions[key]

    def revenue_change(self, change: Change) -> np.ndarray | None:
        """Δ övriga intäkter of the skatteunderlag: mnkr per procentenhet (models/region/skatteunderlag.yaml) ×
        tillägg in procentenheter × the number of years it has held (from its first year)."""
        if change.tax_base is None:
            return None
        if TAX_BASE not in self.calc.models.params:
            raise InputError([error(f"{self.calc.models.label}{TAX_BASE}.yaml",
                                    "parameterfilen saknas; skatteunderlaget i ett scenario kräver den (mnkr per "
                                    "procentenhet)")])
        per_point = self.calc.models.value(TAX_BASE, self.first)
        tillagg, start = change.tax_base[0], self._from(change.tax_base[1])
        held = np.maximum(self.years - start + 1, 0)
        return per_point * tillagg * 100 * held

    def _from(self, year: int | None) -> int:
        return self.first if year is None else year

    # --- the objects of a change ---

    def moves(self, change: Change) -> tuple[dict[str, int], list[str]]:
        """Whole years each object moves for the change's delays (with what depends on them), and warnings."""
        if not change.delays:
            return {}, []
        given: dict[str, int] = {}
        for oid, years in change.delays:
            self.delays.check(oid, years)
            given[oid] = given.get(oid, 0) + years
        moves, warnings = self.delays.moves_all(given)
        if beyond := self.delays.beyond_last_year(moves):
            raise InputError(beyond)
        return moves, warnings

    def objects(self, change: Change, models: Models) -> tuple[PlanArrays | None, np.ndarray, list[str]]:
        """The changed objects as arrays of their own (the plan's moved, overrun or with new lives, and the
        proposals), the plan rows they replace, and warnings."""
        plan = self.calc.plan
        moves, warnings = self.moves(change)
        lives = {klass for klass, _ in change.lives}
        factor = {o.id: _factor(o, change.overruns) for o in plan.objects}
        touched = [i for i, o in enumerate(plan.objects)
                   if o.id in moves or factor[o.id] != 1.0 or (o.tillgangsklass in lives and not o.komponenter)]
        parts = []
        if touched:
            objs = tuple(plan.objects[i] for i in touched)
            if change.lives:  # the objects' components as the changed models give them
                arrays = plan_arrays(replace(plan, objects=objs), models)
            else:
                arrays = take_objects(self.calc.arrays, np.array(touched), np.zeros(len(touched)), self.first)
            arrays = _overrun(arrays, objs, change.overruns, self.first)
            if moves:
                shift = np.array([moves.get(o.id, 0) for o in objs], dtype=np.int64)
                arrays = take_objects(arrays, np.arange(len(objs)), shift, self.first)
            parts.append(arrays)
        if change.proposals:
            parts.append(_overrun(plan_arrays(replace(plan, objects=change.proposals), models), change.proposals,
                                  change.overruns, self.first))
        arrays = parts[0] if len(parts) == 1 else concat_arrays(parts) if parts else None
        return arrays, np.array(touched, dtype=np.int64), warnings

    def existing_change(self, models: Models, classes: set[str]) -> np.ndarray:
        """Δ avskrivningar of the existing assets (Befintliga) of `classes` when their class lives change."""
        plan, conv = self.calc.plan, self.calc.conventions
        assets = tuple(e for e in plan.region.befintliga if e.tillgangsklass in classes)
        if not assets:
            return np.zeros(len(self.years))
        part = replace(plan, region=replace(plan.region, befintliga=assets))
        return (existing_depreciation(part, models, conv, self.years)
                - existing_depreciation(part, self.calc.models, conv, self.years))

    # --- all changes together ---

    def evaluate(self, changes: list[Change], failed: dict[int, str] | None = None, rules: bool = False) -> Outcomes:
        """Every change's OUTCOMES per region year: the objects of all changes in one engine run, then each change's
        Δ through its own region's debt model. A change that cannot be computed (a delay before the plan, a life
        beyond the tool's range) raises, naming the scenario; with `failed`, its reason is put there by the
        change's position instead and its rows are the baseline's. With `rules`, every active guideline is judged
        on each change, on its own region model."""
        n = len(changes)
        added, added_group, removed, removed_group, warnings = [], [], [], [], []
        existing = np.zeros((n, len(self.years)))
        for k, change in enumerate(changes):
            try:
                models = self.models(change) if change.lives else self.calc.models
                arrays, rows, said = self.objects(change, models)
            except InputError as exc:
                if failed is not None:
                    failed[k] = "; ".join(f.message for f in exc.findings)
                    warnings.append(())
                    continue
                raise InputError([replace(f, location=change.where or f.location,  # the scenario, and where
                                          message=f'scenariot "{change.name}": {f.message}') for f in exc.findings])
            warnings.append(tuple(said))
            if arrays is not None:
                added.append(arrays)
                added_group.append(np.full(len(arrays.ids), k, dtype=np.int64))
            removed.append(rows)
            removed_group.append(np.full(len(rows), k, dtype=np.int64))
            if change.lives:
                existing[k] = self.existing_change(models, {klass for klass, _ in change.lives})
        stacked = concat_arrays(added) if added else concat_arrays([])
        objects = object_deltas(self.calc, stacked, _cat(added_group), _cat(removed), _cat(removed_group), n)
        objects["avskrivningar"] = objects["avskrivningar"] + existing
        values = {name: np.empty((n, len(self.years))) for name in OUTCOMES}
        judged: list = [None] * n
        by_region: dict[tuple, list[int]] = {}
        for k, change in enumerate(changes):
            by_region.setdefault((change.rate, change.growth, change.tax_base), []).append(k)
        for rows in by_region.values():
            calc = self.region(changes[rows[0]])
            delta = region_deltas(calc, {name: d[rows] for name, d in objects.items()})
            after = with_change(calc, delta)
            for name in OUTCOMES:
                values[name][rows] = after[name]
            if rules:
                results = judge_all(calc, delta, slice(None))
                for i, k in enumerate(rows):
                    judged[k] = [r.row(i) for r in results]
        return Outcomes(self.years, values, self.base, tuple(warnings), tuple(judged) if rules else ())


def _cat(parts: list[np.ndarray]) -> np.ndarray:
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def _matches(obj: InvestmentObject, overrun: Overrun) -> bool:
    have = obj.id if overrun.field == "objekt" else getattr(obj, overrun.field)
    return have == overrun.value


def _factor(obj: InvestmentObject, overruns: tuple[Overrun, ...]) -> float:
    factor = 1.0
    for o in overruns:
        if _matches(obj, o):
            factor *= o.factor
    return factor


def _overrun(arrays: PlanArrays, objs: tuple[InvestmentObject, ...], overruns: tuple[Overrun, ...],
             first: int) -> PlanArrays:
    """`arrays` (of `objs`, in order) with each overrun's factor on spend in years ≥ its year (never before the
    plan's first year), several multiplying."""
    if not overruns:
        return arrays
    scale = np.ones(len(arrays.spend_amount))
    for o in overruns:
        hit = np.array([_matches(obj, o) for obj in objs], dtype=bool)
        start = max(first, o.from_year if o.from_year is not None else first)
        scale = np.where(hit[arrays.spend_obj] & (arrays.spend_year >= start), scale * o.factor, scale)
    return replace(arrays, spend_amount=arrays.spend_amount * scale)


def rate_added(models: Models, tillagg: float, from_year: int) -> Models:
    """The models with `tillagg` on the market rate in force in every year from `from_year` (earlier years as
    they were), as a models/ copy with that rate path would give."""
    name = "ranta/marknadsranta"
    param = models.params[name]
    start = dt.date(from_year, 1, 1)
    kept = [v for v in param.values if v.start < start]
    raised = [replace(v, value=v.value + tillagg) for v in param.values if v.start >= start]
    if not raised or raised[0].start > start:
        raised.insert(0, replace(param.at(from_year), start=start, value=param.at(from_year).value + tillagg))
    values = tuple(kept + raised) if kept or raised else param.values
    return models.with_values(name, values)


def class_life_set(models: Models, klass: str, years: float, where: str = "") -> Models:
    """The models with class `klass`'s component lives scaled so that its class life (1 / Σ andel/nyttjandeperiod)
    is `years`, each rounded to whole months, in every dated value (as a models/ copy with the class so changed)."""
    name = ASSET_CLASS_DIR + klass
    if name not in models.params:
        raise InputError([error(where or klass, f'tillgångsklassen "{klass}" finns inte i models/tillgangsklasser/')])
    values = []
    for v in models.params[name].values:
        per_krona = sum(share / life for _, share, life in v.value if life > 0)
        if not per_krona:
            raise InputError([error(where or klass, f'tillgångsklassen "{klass}" skrivs inte av; dess '
                                                    "nyttjandeperiod kan inte ändras")])
        scale = years * per_krona
        comps = tuple((c, share, round(life * scale * 12) / 12 if life > 0 else 0.0) for c, share, life in v.value)
        if any(new > LIFE_YEARS_MAX or (old > 0 and new < 1 / 12) for (_, _, old), (_, _, new) in zip(v.value, comps)):
            raise InputError([error(where or klass, f'nyttjandeperioden {years:g} år för "{klass}" ger komponenter '
                                                    f"utanför 1 månad–{LIFE_YEARS_MAX} år")])
        values.append(replace(v, value=comps, source="scenario", assumption=None))
    return models.with_values(name, tuple(values))
