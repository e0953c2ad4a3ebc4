"""Delaying an object (or bringing it forward) on a computed plan: what moves, and the Δ per year.

An object moves its dated driftsättning and its spend (and scheduled co-financing) in years ≥ `from_year` by N
whole years; outturn never moves. Everything downstream in the dependency graph moves by the smallest number of
years that keeps it at or after its predecessors + lag (`DependencyGraph.propagate`). Moved spend may be escalated
by a cost index from models/index/ for each year moved. The Δ comes from `plan_change`, one engine run for all."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from invest.engine.calculation import Calculation, calculate
from invest.plan.dependency_graph import DependencyGraph, month_text
from invest.base import swedish
from invest.base.findings import InputError, error
from invest.base.values import LAST_YEAR
from invest.engine.object_grid import ObjectGrid, compute_objects
from invest.engine.plan_change import deltas, with_change
from invest.engine.plan_arrays import PlanArrays, take_objects

COST_INDEXES = {"ingen": None, "kpi": "index/kpi", "entreprenad": "index/entreprenad"}
LIFE_TAIL = 10  # years computed past the moved assets' last depreciation year, for a Δ interest that runs on


@dataclass(frozen=True)
class Move:
    id: str
    years: int
    fran: str
    till: str


@dataclass(frozen=True)
class WholeLife:
    """The Δ summed (mnkr, nominal, not discounted) over every region year from `fran_ar` to `till_ar`: the last year
    any moved asset, before or after the move, still depreciates — later if the Δ interest runs on after it, and at
    least the last year of the per-year table. `plan_end` splits Δ kapitalkostnader into the plan period and after."""

    fran_ar: int
    till_ar: int
    plan_end: int
    delta_investeringar: float
    delta_avskrivningar: float
    delta_rantekostnader: float
    delta_kapitalkostnader: float
    delta_kapitalkostnader_planperioden: float
    delta_kapitalkostnader_efter_planperioden: float


@dataclass(frozen=True)
class DelayResult:
    object_id: str
    years: int
    from_year: int
    index: str
    moves: tuple[Move, ...]
    table: pl.DataFrame  # ar, delta_* and the share before and after
    warnings: tuple[str, ...]
    whole_life: WholeLife


def cost_factor(models, index: str):
    """`factor(from_years, to_years)`: the index level at the new year over the level at the old (Π (1 + i) over
    the years moved; below 1 when brought forward), or None for `ingen`."""
    name = COST_INDEXES[index]
    if name is None:
        return None

    def factor(old: np.ndarray, new: np.ndarray) -> np.ndarray:
        if not len(old):
            return np.ones(0)
        low, high = int(min(old.min(), new.min())), int(max(old.max(), new.max()))
        years = np.arange(low, high + 1)
        level = np.concatenate(([1.0], np.cumprod(1 + models.yearly(name, years[1:]))))
        return level[new - low] / level[old - low]
    return factor


class Delays:
    """Delays on one computed plan; `from_year` defaults to the plan's first year."""

    def __init__(self, calc: Calculation, from_year: int | None = None, index: str = "ingen"):
        plan = calc.plan
        first = plan.plan_years[0]
        self.calc, self.index = calc, index
        self.from_year = first if from_year is None else from_year
        if self.from_year < first:
            raise InputError([error("--fran-ar", f"{self.from_year} ligger före planens första år {first}; "
                                                 "utfall före planperioden flyttas aldrig")])
        self.graph = DependencyGraph(plan)
        self.arrays = calc.arrays
        self.row = {oid: i for i, oid in enumerate(self.arrays.ids)}
        self.opens = self.graph.opening_months(calc.conventions, first)
        self.factor = cost_factor(calc.models, index)
        a = self.arrays
        later = (a.spend_year >= self.from_year) & (a.spend_amount != 0)
        self.in_use = ~a.lopande & (a.drift_year < self.from_year)
        self.nothing_to_move = a.lopande & (np.bincount(a.spend_obj[later], minlength=len(a.ids)) == 0)

    def movable(self, oid: str) -> str | None:
        """Why `oid` cannot move from `from_year`, or None when it can."""
        i = self.row[oid]
        if self.in_use[i]:
            return (f'"{oid}" tas i bruk {self.graph.objects[oid].driftsattning}, före {self.from_year}; '
                    "ett objekt i bruk flyttas inte")
        if self.nothing_to_move[i]:
            return f'"{oid}" är löpande och har inga utgifter från {self.from_year} att flytta'
        return None

    def moves(self, oid: str, years: int) -> tuple[dict[str, int], list[str]]:
        """Years each object moves when `oid` moves `years`, and warnings for what cannot follow."""
        return self.moves_all({oid: years})

    def moves_all(self, given: dict[str, int]) -> tuple[dict[str, int], list[str]]:
        """Years each object moves when the objects of `given` move their years together, and warnings for what
        cannot follow."""
        moves = self.graph.propagate_all(self.opens, given)
        warnings = []
        for d in [d for d in moves if d not in given]:
            why = self.movable(d)
            if why:
                warnings.append(f"{why}, fast det skulle behöva flyttas {moves[d]} år för att vänta in det det beror på")
                del moves[d]
        forward = [oid for oid, years in moves.items() if years < 0]
        if forward:  # brought forward: does it now open before what it waits for?
            shifted = self.opens | {oid: self._shifted_open(oid, moves[oid]) for oid in forward}
            warnings += [f"{v.clash(now=True)}, som det beror på" for v in self.graph.violations(shifted)
                         if v.dependent in forward]
        return moves, warnings

    def _shifted_open(self, oid: str, years: int) -> int | None:
        obj, opens = self.graph.objects[oid], self.opens[oid]
        if opens is None:
            return None
        lopande_unmoved = obj.driftsattning.lopande and opens // 12 - obj.driftsattning.lag < self.from_year
        return opens if lopande_unmoved else opens + 12 * years

    def check(self, oid: str, years: int) -> None:
        """Raises InputError when `oid` cannot move `years` (unknown, in use, or spend before the plan)."""
        if oid not in self.graph.objects:
            raise InputError([error(self.calc.plan.file, f'objektet "{oid}" finns inte i planen')])
        why = self.movable(oid)
        if why:
            raise InputError([error(oid, why)])
        first, a = self.calc.plan.plan_years[0], self.arrays
        moving = a.spend_year[(a.spend_obj == self.row[oid]) & (a.spend_year >= self.from_year)]
        if years < 0 and len(moving) and moving.min() + years < first:
            earliest = int(moving.min())
            raise InputError([error(oid, f"utgiften {earliest} skulle flyttas till {earliest + years}, "
                                         f"före planens första år {first}; flytta högst {earliest - first} år "
                                         "tidigare eller välj ett senare --fran-ar")])

    def _moved(self, scenarios: list[dict[str, int]]) -> tuple[PlanArrays, np.ndarray, np.ndarray]:
        """The moved objects as arrays of their own, each one's scenario, and its row in the plan."""
        group = np.array([k for k, s in enumerate(scenarios) for _ in s], dtype=np.int64)
        rows = np.array([self.row[oid] for s in scenarios for oid in s], dtype=np.int64)
        shift = np.array([n for s in scenarios for n in s.values()], dtype=np.int64)
        return take_objects(self.arrays, rows, shift, self.from_year, self.factor), group, rows

    def effect(self, scenarios: list[dict[str, int]], calc: Calculation | None = None) -> dict[str, np.ndarray]:
        """Δ per scenario (rows) and region year of `calc` (columns; default the given calculation), each scenario
        a set of moves {id: years}."""
        added, group, rows = self._moved(scenarios)
        return deltas(calc or self.calc, added, group, rows, group, len(scenarios))

    def life_end(self, moves: dict[str, int]) -> int:
        """The last year any of the moved objects, before or after the move, has spend, activation, co-financing or
        depreciation (the object grid runs to each object's last depreciation month)."""
        added, _, rows = self._moved([moves])
        after = compute_objects(added, self.calc.conventions, lambda y: np.zeros(len(y)))  # the rate plays no part
        return max(_last_active_year(self.calc.grid, rows), _last_active_year(after, np.arange(len(added.ids))))

    def whole_life(self, moves: dict[str, int]) -> tuple[WholeLife, list[str], dict[str, np.ndarray]]:
        """The Δ summed over the moved assets' remaining life, on the plan calculated LIFE_TAIL years past it; the
        years after the last depreciation count as long as the Δ still changes anything (interest on Δ debt fixed
        before it). A Δ bundet kapital that is never written off (mark) would cost interest for ever: the sum stops
        at the last depreciation year and says so. Also returns the Δ per year of that longer calculation (its
        first years are the Δ on the given one: a year's figures depend on the years before it only)."""
        region_years = self.calc.region.table["ar"].to_numpy()
        first, table_end, end = int(region_years[0]), int(region_years[-1]), self.life_end(moves)
        calc = self.calc
        if end + LIFE_TAIL > table_end:
            calc = calculate(self.calc.plan, self.calc.models, end + LIFE_TAIL)
            assert calc.arrays.ids == self.arrays.ids  # rows of the plan are the same in both calculations
        delta = {k: v[0] for k, v in self.effect([moves], calc).items()}
        years = calc.region.table["ar"].to_numpy()
        scale = max(1.0, float(np.abs(delta["investeringar"]).sum()), float(np.abs(delta["avskrivningar"]).sum()))
        changing = np.nonzero((np.abs(delta["kapitalkostnader"]) > 1e-9 * scale)
                              | (np.abs(delta["intaktsford_medfinansiering"]) > 1e-9 * scale))[0]
        last_change = int(years[changing[-1]]) if len(changing) else first
        warnings = []
        left = float(delta["bundet_kapital"][-1])
        if abs(left) > 1e-9 * scale:  # capital never written off (mark): its Δ interest runs on for ever
            till = max(table_end, end)
            warnings.append(f"Δ bundet kapital är {swedish.number(left)} mnkr även när de flyttade tillgångarna "
                            "är avskrivna (tillgångar som inte skrivs av, t.ex. mark), och dess räntekostnader "
                            f"upphör inte; summan över livslängden räknas till och med {till}")
        else:
            till = max(table_end, end, last_change)
            if last_change == int(years[-1]):
                warnings.append(f"Δ räntekostnader är inte noll {last_change}, {last_change - end} år efter de "
                                f"flyttade tillgångarnas sista avskrivningsår {end}; summan över livslängden räknas "
                                f"till och med {till}")
        keep = years <= till
        plan_end = int(self.calc.plan.plan_years[-1])
        total = lambda name, mask=keep: float(delta[name][mask].sum())  # noqa: E731
        in_plan = keep & (years <= plan_end)
        return WholeLife(first, till, plan_end, total("investeringar"), total("avskrivningar"),
                         total("rantekostnader"), total("kapitalkostnader"), total("kapitalkostnader", in_plan),
                         total("kapitalkostnader", keep & (years > plan_end))), warnings, delta

    def beyond_last_year(self, moves: dict[str, int]) -> list:
        """An error at the driftsättning of each moved object (the delayed one first, then those moved with it) that
        would open, or spend, after LAST_YEAR, the last year the tool computes: where it would land. Empty when every
        move stays inside."""
        a, found = self.arrays, []
        for m, n in moves.items():
            opens = self._shifted_open(m, n)
            spent = a.spend_year[(a.spend_obj == self.row[m]) & (a.spend_year >= self.from_year)
                                 & (a.spend_amount != 0)]
            lands, what = None, ""
            if opens is not None and opens // 12 > LAST_YEAR:
                lands, what = opens // 12, f"tas i bruk {month_text(opens)}"
            elif len(spent) and int(spent.max()) + n > LAST_YEAR:
                lands, what = int(spent.max()) + n, f"har utgifter {int(spent.max()) + n}"
            if lands is not None:
                moved = "" if m == next(iter(moves)) else f" (flyttat {n} år för att vänta in det som det beror på)"
                found.append(error(self.graph.objects[m].source.at("driftsattning"),
                                   f'förseningen gör att "{m}" {what}{moved}, efter {LAST_YEAR} (det sista år '
                                   "verktyget räknar med); välj en kortare försening"))
        return found

    def delay(self, oid: str, years: int) -> DelayResult:
        self.check(oid, years)
        moves, warnings = self.moves(oid, years)
        if beyond := self.beyond_last_year(moves):
            raise InputError(beyond)
        life, life_warnings, longer = self.whole_life(moves)
        delta = {k: v[:self.calc.region.table.height] for k, v in longer.items()}
        after = with_change(self.calc, delta)
        t = self.calc.region.table
        before = t["andel"].to_numpy().astype(float)  # null (no Region sheet) becomes nan
        table = pl.DataFrame({
            "ar": t["ar"], "delta_investeringar": delta["investeringar"], "delta_avskrivningar": delta["avskrivningar"],
            "delta_rantekostnader": delta["rantekostnader"], "delta_kapitalkostnader": delta["kapitalkostnader"],
            "delta_andel": after["andel"] - before, "andel_fore": before, "andel_efter": after["andel"],
            "delta_intaktsford_medfinansiering": delta["intaktsford_medfinansiering"],
        }).with_columns(pl.col(pl.Float64).fill_nan(None))
        moved = tuple(Move(m, n, self._opening_text(m, 0), self._opening_text(m, n)) for m, n in moves.items())
        return DelayResult(oid, years, self.from_year, self.index, moved, table, tuple(warnings + life_warnings), life)

    def _opening_text(self, oid: str, years: int) -> str:
        d = self.graph.objects[oid].driftsattning
        if not d.lopande:
            return str(type(d)(d.year + years, d.month))
        opens = self._shifted_open(oid, years)
        return f"{d} (första aktivering {month_text(opens)})" if opens is not None else str(d)

    def rank(self, years: int = 1) -> tuple[pl.DataFrame, list[str]]:
        """Every movable object delayed `years` on its own (with what follows it), in one engine run: the change
        in the highest share of the plan period and in total kapitalkostnader over it, largest effect first."""
        candidates, skipped = [], []
        for oid in self.graph.objects:
            (skipped if self.movable(oid) else candidates).append(oid)
        scenarios = [self.moves(oid, years)[0] for oid in candidates]
        delta = self.effect(scenarios)
        after = with_change(self.calc, delta)
        t = self.calc.region.table
        in_period = np.isin(t["ar"].to_numpy(), self.calc.plan.plan_years)
        peak_before, peak_after = np.nan, np.full(len(candidates), np.nan)  # no Region sheet: no share
        if self.calc.region.has_share:
            peak_before = np.nanmax(t["andel"].to_numpy().astype(float)[in_period])
            peak_after = np.nanmax(after["andel"][:, in_period], axis=1)
        ranking = pl.DataFrame({
            "id": candidates, "namn": [self.graph.objects[o].namn for o in candidates],
            "flyttade": [", ".join(s) for s in scenarios],
            "hogsta_andel_fore": np.full(len(candidates), peak_before), "hogsta_andel_efter": peak_after,
            "delta_hogsta_andel": peak_after - peak_before,
            "delta_kapitalkostnader_planperioden": delta["kapitalkostnader"][:, in_period].sum(axis=1),
        }).with_columns(pl.col(pl.Float64).fill_nan(None))
        ranking = ranking.sort([pl.col("delta_hogsta_andel").abs(), pl.col("delta_kapitalkostnader_planperioden").abs()],
                               descending=True, nulls_last=True)
        return ranking, skipped


def _last_active_year(grid: ObjectGrid, rows: np.ndarray) -> int:
    """The last year of `grid` in which any of `rows` spends, activates, receives or releases co-financing or
    depreciates (float residue after full depreciation is not activity)."""
    flows = sum(np.abs(getattr(grid, a)[rows]) for a in ("spend", "activated", "received", "release", "depreciation"))
    scale = max(1.0, float(np.abs(grid.spend[rows]).sum()))
    cols = np.nonzero((flows > 1e-9 * scale).any(axis=0))[0]
    return int(grid.years[cols[-1]]) if len(cols) else int(grid.years[0])
