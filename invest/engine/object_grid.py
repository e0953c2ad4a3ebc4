"""Object level of docs/berakningsmodell.md §1–4: tranches, component depreciation by month, medfinansiering,
pågående arbete, book value and interest, on an (object × year) grid without Python loops over object-years."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from invest.params.parameters import Conventions
from invest.engine.plan_arrays import PlanArrays, entries_of

PER_OBJECT_COLUMNS = ("id", "ar", "utgift", "avskrivning", "intaktsford_medfinansiering", "pagaende", "bokfort_varde",
                      "medfinansieringsskuld", "bidragsskuld", "bundet_kapital", "ranta", "kapitalkostnad")


@dataclass(frozen=True)
class ObjectGrid:
    """Yearly values per object; rows follow PlanArrays.ids, columns follow `years`."""

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


def _grid(obj: np.ndarray, col: np.ndarray, weights: np.ndarray, n: int, width: int) -> np.ndarray:
    counts = np.bincount(obj * width + col, weights=weights, minlength=n * width)
    return counts.astype(float, copy=False).reshape(n, width)  # bincount of nothing is int


def activation(arrays: PlanArrays, conv: Conventions) -> tuple[np.ndarray, np.ndarray]:
    """Activation year and month of each spend entry (§1): the driftsättning date for spend up to and
    including its year, 1 July (a parameter) of the spend year after it and for löpande pots
    (of the spend year + N for `löpande +N`). A bidrag till statlig infrastruktur is recognised in full at its
    decision (the driftsättning date), also the payments after it (docs/berakningsmodell.md §1)."""
    o = arrays.spend_obj
    own_year = arrays.lopande[o] | ((arrays.spend_year > arrays.drift_year[o]) & ~arrays.bidrag[o])
    drift_month = np.where(arrays.drift_month[o] > 0, arrays.drift_month[o], conv.standardmanad)
    year = np.where(own_year, arrays.spend_year + arrays.lopande_lag[o], arrays.drift_year[o])
    month = np.where(own_year, conv.efter_driftsattning_manad, drift_month)
    return year, month


def _component_rows(arrays: PlanArrays) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (spend entry, component) of the same object, as two index arrays."""
    comp_idx, spend_idx = entries_of(arrays.comp_obj, len(arrays.ids), arrays.spend_obj)
    return spend_idx, comp_idx


def compute_objects(arrays: PlanArrays, conv: Conventions, rate_path, from_year: int | None = None,
                    until_year: int | None = None, ratios: tuple[np.ndarray, np.ndarray] | None = None) -> ObjectGrid:
    """`rate_path(years) -> rates` gives the internränta per year; the grid covers at least from_year–until_year.
    `ratios` (per object: the released share of depreciation, the pro-rata receipt per krona spent) replaces what
    the objects' own medfinansiering and spend give: with them fixed, every figure is linear in the spend and the
    scheduled receipts (analyses/risk.py builds its per-object tables so)."""
    n = len(arrays.ids)
    act_year, act_month = activation(arrays, conv)
    spend_idx, comp_idx = _component_rows(arrays)

    start = act_year[spend_idx] * 12 + act_month[spend_idx] - 1  # absolute month of activation
    if conv.avskrivningsstart == "nasta_manad":
        start = start + 1
    elif conv.avskrivningsstart == "nasta_ar":
        start = (act_year[spend_idx] + 1) * 12
    decided = arrays.bidrag[arrays.spend_obj[spend_idx]]  # LKBR: dissolved from the month of the decision
    start = np.where(decided, act_year[spend_idx] * 12 + act_month[spend_idx] - 1, start)
    months = arrays.comp_months[comp_idx]
    dep_rows = months > 0
    start, months = start[dep_rows], months[dep_rows]
    dep_obj = arrays.spend_obj[spend_idx][dep_rows]
    monthly = arrays.spend_amount[spend_idx][dep_rows] * arrays.comp_share[comp_idx][dep_rows] / months

    candidates = [arrays.spend_year, act_year, (start + months - 1) // 12, arrays.sched_year]
    bounds = [y for y in (from_year, until_year) if y is not None]
    first_year = int(min([c.min() for c in (arrays.spend_year, act_year, arrays.sched_year) if len(c)] + bounds
                         or [2026]))  # a bidrag is recognised at its decision, which may come before its payments
    last_year = int(max([c.max() for c in candidates if len(c)] + bounds + [first_year]))
    years = np.arange(first_year, last_year + 1)
    width = len(years)

    spend = _grid(arrays.spend_obj, arrays.spend_year - first_year, arrays.spend_amount, n, width)
    activated = _grid(arrays.spend_obj, act_year - first_year, arrays.spend_amount, n, width)

    # Depreciation of a tranche component: a partial first year, full years, a partial last year (§2).
    y_start, m_start = start // 12 - first_year, start % 12
    y_end, m_end = (start + months - 1) // 12 - first_year, (start + months - 1) % 12 + 1
    single = y_start == y_end
    point_cols = np.concatenate([y_start, y_end[~single]])
    point_vals = np.concatenate([monthly * np.where(single, months, 12 - m_start), monthly[~single] * m_end[~single]])
    point_objs = np.concatenate([dep_obj, dep_obj[~single]])
    depreciation = _grid(point_objs, point_cols, point_vals, n, width)
    middle = ~single  # full years between: +12·monthly from the year after the start, −12·monthly from the end year
    rate_diff = _grid(np.concatenate([dep_obj[middle], dep_obj[middle]]),
                      np.concatenate([y_start[middle] + 1, y_end[middle]]),
                      np.concatenate([12 * monthly[middle], -12 * monthly[middle]]), n, width + 1)[:, :width]
    depreciation += np.cumsum(rate_diff, axis=1)

    total_spend = spend.sum(axis=1)
    per_krona = np.where(total_spend > 0, 1 / np.where(total_spend > 0, total_spend, 1.0), 0.0)  # 0 for no spend
    scheduled = _grid(arrays.sched_obj, arrays.sched_year - first_year, arrays.sched_amount, n, width)
    if ratios is None:
        release_ratio = arrays.medfinansiering * per_krona
        receipt_ratio = (arrays.medfinansiering - scheduled.sum(axis=1)) * per_krona
    else:
        release_ratio, receipt_ratio = ratios
    received = scheduled + spend * receipt_ratio[:, None]
    release = depreciation * release_ratio[:, None]

    unactivated = np.cumsum(spend - activated, axis=1)  # spend to date − activated to date
    # a bidrag recognised before it is paid: the unpaid part is a liability without interest, not negative pågående
    commitment = np.where(arrays.bidrag[:, None], np.maximum(-unactivated, 0.0), 0.0)
    pagaende = unactivated + commitment
    book_value = np.cumsum(activated - depreciation, axis=1)
    liability = np.cumsum(received - release, axis=1)
    bundet = pagaende + book_value
    bundet -= liability
    bundet -= commitment
    if conv.rantebas == "bundet_kapital":
        base = bundet
    elif conv.rantebas == "bokfort_varde":
        base = book_value
    else:
        base = book_value - liability
    rates = np.asarray(rate_path(years), dtype=float)
    if conv.rantetidpunkt == "genomsnitt":  # r_t · (K_{t−1} + K_t) / 2
        interest = base * (rates / 2)
        interest[:, 1:] += base[:, :-1] * (rates[1:] / 2)
    else:  # r_t · K_{t−1}
        interest = np.zeros_like(base)
        interest[:, 1:] = base[:, :-1] * rates[1:]
    return ObjectGrid(arrays.ids, years, spend, activated, depreciation, received, release, pagaende, book_value,
                      liability, commitment, bundet, base, interest)


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
