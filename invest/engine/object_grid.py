"""Object level of docs/berakningsmodell.md §1–4: tranches, component depreciation by month, medfinansiering,
pågående arbete, book value and interest, on an (object × year) grid without Python loops over object-years.

The grid is as wide as the latest depreciation of any object. It is held year-major (a year's values of all
objects lie side by side), so that a running total down the years is one contiguous add per year rather than a walk
along each object's years; ObjectGrid shows it the other way round (objects × years) without copying. The objects
are computed a chunk at a time (a chunk's temporaries stay a fraction of the grid), chunks side by side on up to
ENGINE_THREADS threads, straight into one block that holds every figure; spend sharing an object and activation
year is one tranche, and the tranches and their depreciation steps come from engine/tranches.py."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, fields, replace

import numpy as np
import polars as pl

from invest.base.memory import usable_cores
from invest.params.parameters import Conventions
from invest.engine.plan_arrays import PlanArrays
from invest.engine.tranches import (ActivationSpan, activation, activation_span, depreciated_components,
                                    depreciation_steps, grid_sums, last_depreciation_month, tranches)

PER_OBJECT_COLUMNS = ("id", "ar", "utgift", "avskrivning", "intaktsford_medfinansiering", "pagaende", "bokfort_varde",
                      "medfinansieringsskuld", "bidragsskuld", "bundet_kapital", "ranta", "kapitalkostnad")


@dataclass(frozen=True)
class ObjectGrid:
    """Yearly values per object; rows follow PlanArrays.ids, columns follow `years` (views of year-major arrays:
    a year's column is contiguous)."""

    ids: tuple[str, ...]
    years: np.ndarray
    spend: np.ndarray
    activated: np.ndarray
    depreciation: np.ndarray
    received: np.ndarray  # medfinansiering received in cash
    release: np.ndarray  # intäktsförd medfinansiering
    pagaende: np.ndarray
    book_value: np.ndarray
    liability: np.ndarray  # medfinansieringsskuld
    commitment: np.ndarray  # bidragsskuld: a decided bidrag till statlig infrastruktur not yet paid (no interest)
    bundet_kapital: np.ndarray
    rate_base: np.ndarray  # the capital interest is computed on (ranta.bas)
    interest: np.ndarray

    def column(self, year: int) -> int:
        return int(year - self.years[0])

    def active_range(self) -> tuple[np.ndarray, np.ndarray]:
        """First and last column per object with any non-zero value (last = -1 for an object with nothing)."""
        stacked = (np.abs(self.spend) + np.abs(self.depreciation) + np.abs(self.pagaende) + np.abs(self.book_value)
                   + np.abs(self.liability) + np.abs(self.commitment) + np.abs(self.interest) + np.abs(self.received))
        scale = np.maximum(1.0, np.abs(self.spend).sum(axis=1, keepdims=True))
        nonzero = stacked > 1e-9 * scale  # float residue after full depreciation is not activity
        any_ = nonzero.any(axis=1)
        first = np.where(any_, nonzero.argmax(axis=1), 0)
        last = np.where(any_, nonzero.shape[1] - 1 - nonzero[:, ::-1].argmax(axis=1), -1)
        return first, last


def _year_bounds(arrays: PlanArrays, span: ActivationSpan, last_month: int | None, from_year: int | None,
                 until_year: int | None) -> tuple[int, int]:
    """First and last year of the grid: spend, activation, scheduled receipts, depreciation and the asked bounds
    (a bidrag is recognised at its decision, which may come before its payments)."""
    bounds = [y for y in (from_year, until_year) if y is not None]
    early = [int(c.min()) for c in (arrays.spend_year, span.earliest // 12, arrays.sched_year) if len(c)]
    first_year = min(early + bounds or [2026])
    late = [int(c.max()) for c in (arrays.spend_year, span.latest // 12, arrays.sched_year) if len(c)]
    if last_month is not None:
        late.append(last_month // 12)
    return first_year, max(late + bounds + [first_year])


def _by_object(arrays: PlanArrays) -> PlanArrays:
    """The arrays with spend entries and scheduled receipts in object order (components are so already)."""
    def ordered(obj: np.ndarray) -> bool:
        return bool((obj[1:] >= obj[:-1]).all())

    if ordered(arrays.spend_obj) and ordered(arrays.sched_obj):
        return arrays
    spend, sched = np.argsort(arrays.spend_obj, kind="stable"), np.argsort(arrays.sched_obj, kind="stable")
    return replace(arrays, spend_obj=arrays.spend_obj[spend], spend_year=arrays.spend_year[spend],
                   spend_amount=arrays.spend_amount[spend], sched_obj=arrays.sched_obj[sched],
                   sched_year=arrays.sched_year[sched], sched_amount=arrays.sched_amount[sched])


def _chunk(arrays: PlanArrays, lo: int, hi: int) -> PlanArrays:
    """The objects lo…hi−1 as a plan of their own (objects numbered from 0); entries are in object order."""
    def entries(obj: np.ndarray) -> slice:
        return slice(*np.searchsorted(obj, [lo, hi]))

    s, c, m = entries(arrays.spend_obj), entries(arrays.comp_obj), entries(arrays.sched_obj)
    return PlanArrays(
        ids=arrays.ids[lo:hi], drift_year=arrays.drift_year[lo:hi], drift_month=arrays.drift_month[lo:hi],
        lopande=arrays.lopande[lo:hi], lopande_lag=arrays.lopande_lag[lo:hi],
        medfinansiering=arrays.medfinansiering[lo:hi], bidrag=arrays.bidrag[lo:hi],
        spend_obj=arrays.spend_obj[s] - lo, spend_year=arrays.spend_year[s], spend_amount=arrays.spend_amount[s],
        comp_obj=arrays.comp_obj[c] - lo, comp_share=arrays.comp_share[c], comp_months=arrays.comp_months[c],
        sched_obj=arrays.sched_obj[m] - lo, sched_year=arrays.sched_year[m], sched_amount=arrays.sched_amount[m],
    )


# Grid cells of the objects computed together: a chunk's temporaries stay a fraction of the grid, and a year's add
# in a running total still spans thousands of objects (2^17 … 2^21 measured; 2^19 was fastest on 10 000 objects).
CHUNK_CELLS = 1 << 19
# Chunks computed at once on this many threads (at most the machine's cores): numpy releases the GIL in the grid
# operations, and chunks write disjoint objects, so the result is the same whatever the number
# (tests/test_properties.py). benchmarks/bench_engine.py reports one thread beside them.
ENGINE_THREADS = 4


def compute_objects(arrays: PlanArrays, conv: Conventions, rate_path, from_year: int | None = None,
                    until_year: int | None = None, ratios: tuple[np.ndarray, np.ndarray] | None = None) -> ObjectGrid:
    """`rate_path(years) -> rates` gives the internränta per year; the grid covers at least from_year–until_year.
    `ratios` (per object: the released share of depreciation, the pro-rata receipt per krona spent) replaces what
    the objects' own medfinansiering and spend give: with them fixed, every figure is linear in the spend and the
    scheduled receipts (analyses/risk.py builds its per-object tables so). The grid's width is set by the latest
    depreciation; the objects are computed a chunk at a time, into one block for all figures."""
    n = len(arrays.ids)
    arrays = _by_object(arrays)
    span = activation_span(arrays, conv)
    first_year, last_year = _year_bounds(arrays, span, last_depreciation_month(arrays, conv, span), from_year,
                                         until_year)
    years = np.arange(first_year, last_year + 1)
    width = len(years)
    # spend, activation and scheduled receipts end at column `plan_cols`; later only depreciation moves anything
    plan_cols = 1 + max([int(c.max()) - first_year for c in (arrays.spend_year, span.latest // 12, arrays.sched_year)
                         if len(c)] + [0])
    rates = np.asarray(rate_path(years), dtype=float)

    figures = _Figures.zeros(n, width, own_base=conv.rantebas not in ("bundet_kapital", "bokfort_varde"))
    per_chunk = max(1, CHUNK_CELLS // width)

    def compute(lo: int) -> None:
        hi = min(n, lo + per_chunk)
        part_ratios = None if ratios is None else (ratios[0][lo:hi], ratios[1][lo:hi])
        _compute_chunk(_chunk(arrays, lo, hi), conv, first_year, plan_cols, rates, part_ratios, figures.chunk(lo, hi))

    starts = range(0, n, per_chunk)
    threads = min(ENGINE_THREADS, usable_cores(), len(starts))
    if threads > 1:
        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(compute, starts))  # list: a chunk's exception is raised here
    else:
        for lo in starts:
            compute(lo)
    base = {"bundet_kapital": figures.bundet_kapital, "bokfort_varde": figures.book_value}.get(conv.rantebas,
                                                                                             figures.rate_base)
    return ObjectGrid(arrays.ids, years, figures.spend.T, figures.activated.T, figures.depreciation.T,
                      figures.received.T, figures.release.T, figures.pagaende.T, figures.book_value.T,
                      figures.liability.T, figures.commitment.T, figures.bundet_kapital.T, base.T, figures.interest.T)


@dataclass(frozen=True)
class _Figures:
    """The grid figures of some objects, as year-major (years × objects) views to be filled (zeros to start)."""

    spend: np.ndarray
    activated: np.ndarray
    depreciation: np.ndarray
    received: np.ndarray
    release: np.ndarray
    pagaende: np.ndarray
    book_value: np.ndarray
    liability: np.ndarray
    commitment: np.ndarray
    bundet_kapital: np.ndarray
    interest: np.ndarray
    rate_base: np.ndarray | None  # only where it is none of the figures above (bokfört värde netto)

    @classmethod
    def zeros(cls, n: int, width: int, own_base: bool) -> "_Figures":
        """All figures as layers of one zeroed block (one fresh allocation costs less than a dozen); a layer for
        the rate base only if `own_base`."""
        figures = len(fields(cls)) - 1
        block = np.zeros((figures + own_base, width, n))
        return cls(*block[:figures], rate_base=block[figures] if own_base else None)

    def chunk(self, lo: int, hi: int) -> "_Figures":
        """The figures of objects lo…hi−1 (views; each year's values contiguous)."""
        views = (getattr(self, f.name) for f in fields(self))
        return _Figures(*(None if a is None else a[:, lo:hi] for a in views))


def _compute_chunk(arrays: PlanArrays, conv: Conventions, first_year: int, plan_cols: int, rates: np.ndarray,
                   ratios: tuple[np.ndarray, np.ndarray] | None, out: _Figures) -> None:
    """Every figure of the objects of `arrays` into `out` (§1–4), year-major."""
    width, n = out.spend.shape
    plan = np.s_[:plan_cols]
    act_year, act_month = activation(arrays, conv)
    spend = grid_sums((arrays.spend_year - first_year) * n + arrays.spend_obj, arrays.spend_amount, plan_cols, n)
    activated = grid_sums((act_year - first_year) * n + arrays.spend_obj, arrays.spend_amount, plan_cols, n)
    out.spend[plan] = spend
    out.activated[plan] = activated

    comp_obj, comp_months, comp_share = depreciated_components(arrays)
    parts = tranches(arrays, conv, act_year, act_month, activated, first_year)
    depreciation_steps(parts, comp_obj, comp_months, comp_share, first_year, out=out.depreciation)
    running_total(out.depreciation)

    total_spend = np.bincount(arrays.spend_obj, weights=arrays.spend_amount, minlength=n)  # entry order: chunks agree
    per_krona = np.where(total_spend > 0, 1 / np.where(total_spend > 0, total_spend, 1.0), 0.0)  # 0 for no spend
    if ratios is None:
        scheduled_total = np.bincount(arrays.sched_obj, weights=arrays.sched_amount, minlength=n)
        release_ratio = arrays.medfinansiering * per_krona
        receipt_ratio = (arrays.medfinansiering - scheduled_total) * per_krona
    else:
        release_ratio, receipt_ratio = ratios
    np.multiply(spend, receipt_ratio, out=out.received[plan])
    if len(arrays.sched_obj):
        out.received[plan] += grid_sums((arrays.sched_year - first_year) * n + arrays.sched_obj, arrays.sched_amount,
                                        plan_cols, n)
    np.multiply(out.depreciation, release_ratio, out=out.release)

    unactivated = out.pagaende  # spend to date − activated to date, constant after the plan columns
    np.subtract(spend, activated, out=unactivated[plan])
    running_total(unactivated[plan])
    unactivated[plan_cols:] = unactivated[plan_cols - 1]
    # a bidrag recognised before it is paid: the unpaid part is a liability without interest, not negative pågående
    decided = np.flatnonzero(arrays.bidrag)
    if len(decided):
        out.commitment[:, decided] = np.maximum(-unactivated[:, decided], 0.0)
        out.pagaende[:, decided] = np.maximum(unactivated[:, decided], 0.0)

    np.subtract(out.activated, out.depreciation, out=out.book_value)
    running_total(out.book_value)
    np.subtract(out.received, out.release, out=out.liability)
    running_total(out.liability)
    bundet = out.bundet_kapital
    np.add(out.pagaende, out.book_value, out=bundet)
    bundet -= out.liability
    if len(decided):
        bundet[:, decided] -= out.commitment[:, decided]
    if conv.rantebas == "bundet_kapital":
        base = bundet
    elif conv.rantebas == "bokfort_varde":
        base = out.book_value
    else:
        base = out.rate_base
        np.subtract(out.book_value, out.liability, out=base)
    _interest(base, rates, conv, out=out.interest)


# A chunk of fewer objects sums its years with np.cumsum: a year's add over so few costs more in calls than in work.
LOOP_FROM_OBJECTS = 64


def running_total(grid: np.ndarray) -> None:
    """The cumulative sum down the years of a year-major grid, in place, a year at a time: each year is one
    contiguous add over the objects, where np.cumsum along an axis walks each object's years with a stride and costs
    several times more. The additions are the same, in the same order."""
    if grid.shape[1] < LOOP_FROM_OBJECTS:
        np.cumsum(grid, axis=0, out=grid)
        return
    for year in range(1, len(grid)):  # years, not object-years
        np.add(grid[year - 1], grid[year], out=grid[year])


def _interest(base: np.ndarray, rates: np.ndarray, conv: Conventions, out: np.ndarray) -> None:
    """The interest of each year on the rate base (§4), into `out` (zeros); year-major."""
    if conv.rantetidpunkt == "genomsnitt":  # r_t · (K_{t−1} + K_t) / 2
        np.multiply(base[:1], rates[:1, None] / 2, out=out[:1])
        np.add(base[:-1], base[1:], out=out[1:])
        out[1:] *= rates[1:, None] / 2
    else:  # r_t · K_{t−1}
        np.multiply(base[:-1], rates[1:, None], out=out[1:])


def per_object_frame(grid: ObjectGrid) -> pl.DataFrame:
    """Long table per object and year, from each object's first to last year with a non-zero value."""
    first, last = grid.active_range()
    n, width = grid.spend.shape
    cols = np.arange(width)[None, :]
    mask = (cols >= first[:, None]) & (cols <= last[:, None])
    obj_idx, col_idx = np.nonzero(mask)
    ids = pl.Series("id", list(grid.ids), dtype=pl.Utf8)
    return pl.DataFrame({
        "id": ids.gather(obj_idx),
        "ar": grid.years[col_idx].astype(np.int64),
        "utgift": grid.spend[mask],
        "avskrivning": grid.depreciation[mask],
        "intaktsford_medfinansiering": grid.release[mask],
        "pagaende": grid.pagaende[mask],
        "bokfort_varde": grid.book_value[mask],
        "medfinansieringsskuld": grid.liability[mask],
        "bidragsskuld": grid.commitment[mask],
        "bundet_kapital": grid.bundet_kapital[mask],
        "ranta": grid.interest[mask],
        "kapitalkostnad": grid.depreciation[mask] + grid.interest[mask],
        "medfinansiering_mottagen": grid.received[mask],
        "aktiverat": grid.activated[mask],
        "rantebas": grid.rate_base[mask],
    })
