"""Tranches and component depreciation on the object grid (docs/berakningsmodell.md §1–2): when each spend entry is
activated, each object's span of activations, the tranches (spend sharing an object and an activation month) and the
year-on-year steps whose cumulative sum along the years is the depreciation — without loops over object-years."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from invest.engine.plan_arrays import PlanArrays, entries_of
from invest.params.parameters import Conventions


def activation(arrays: PlanArrays, conv: Conventions) -> tuple[np.ndarray, np.ndarray]:
    """Activation year and month of each spend entry (§1): the driftsättning date for spend up to and
    including its year, 1 July (a parameter) of the spend year after it and for löpande pots
    (of the spend year + N for `löpande +N`). A bidrag till statlig infrastruktur is recognised in full at its
    decision (the driftsättning date), also the payments after it (docs/berakningsmodell.md §1)."""
    o = arrays.spend_obj
    never, always = np.iinfo(np.int64).max, np.iinfo(np.int64).min
    own_year_after = np.where(arrays.lopande, always, np.where(arrays.bidrag, never, arrays.drift_year))
    own_year = arrays.spend_year > own_year_after[o]
    year = np.where(own_year, arrays.spend_year + arrays.lopande_lag[o], arrays.drift_year[o])
    month = np.where(own_year, conv.efter_driftsattning_manad, driftsattning_month(arrays, conv)[o])
    return year, month


def driftsattning_month(arrays: PlanArrays, conv: Conventions) -> np.ndarray:
    """Per object: the month of its driftsättning, the standard month where none is given."""
    return np.where(arrays.drift_month > 0, arrays.drift_month, conv.standardmanad)


def depreciation_start(obj: np.ndarray, activated: np.ndarray, arrays: PlanArrays, conv: Conventions) -> np.ndarray:
    """First depreciation month of tranches of `obj` activated in the month `activated` (absolute months, year · 12
    + month − 1) by avskrivningsstart; a bidrag is dissolved from the month of its decision (LKBR)."""
    if conv.avskrivningsstart == "nasta_manad":
        start = activated + 1
    elif conv.avskrivningsstart == "nasta_ar":
        start = (activated // 12 + 1) * 12
    else:
        return activated
    return np.where(arrays.bidrag[obj], activated, start)


def _per_object(reduce: np.ufunc, values: np.ndarray, owner: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The objects that own any of `values` (entries in object order) and `reduce` (np.minimum, np.maximum) over
    each one's values."""
    counts = np.bincount(owner, minlength=n)
    owners = np.flatnonzero(counts)
    if not len(owners):
        return owners, values[:0]
    return owners, reduce.reduceat(values, (np.cumsum(counts) - counts)[owners])


@dataclass(frozen=True)
class ActivationSpan:
    """Per object with spend: the absolute months (year · 12 + month − 1) of its earliest and latest activation."""

    obj: np.ndarray
    earliest: np.ndarray
    latest: np.ndarray


def activation_span(arrays: PlanArrays, conv: Conventions) -> ActivationSpan:
    """Activation never moves earlier as the spend year grows while the lag is non-negative (a lag is for löpande
    pots only), so each object's first and last spend year give its span; otherwise every entry is looked at.
    Entries are in object order."""
    n = len(arrays.ids)
    entries = arrays
    if (arrays.lopande_lag[~arrays.lopande] >= 0).all():
        owners, first_spend = _per_object(np.minimum, arrays.spend_year, arrays.spend_obj, n)
        _, last_spend = _per_object(np.maximum, arrays.spend_year, arrays.spend_obj, n)
        entries = replace(arrays, spend_obj=np.repeat(owners, 2),
                          spend_year=np.column_stack([first_spend, last_spend]).ravel())
    year, month = activation(entries, conv)
    activated = year * 12 + month - 1
    owners, earliest = _per_object(np.minimum, activated, entries.spend_obj, n)
    return ActivationSpan(owners, earliest, _per_object(np.maximum, activated, entries.spend_obj, n)[1])


def last_depreciation_month(arrays: PlanArrays, conv: Conventions, span: ActivationSpan) -> int | None:
    """The last month any spend depreciates in: each object's latest activation on its longest-lived component
    (None: nothing depreciates)."""
    comp_obj, comp_months, _ = depreciated_components(arrays)
    longest = np.zeros(len(arrays.ids), dtype=np.int64)
    with_life, life = _per_object(np.maximum, comp_months, comp_obj, len(arrays.ids))
    longest[with_life] = life
    life = longest[span.obj]
    depreciated = life > 0
    if not depreciated.any():
        return None
    return int((depreciation_start(span.obj, span.latest, arrays, conv) + life - 1)[depreciated].max())


@dataclass(frozen=True)
class Tranches:
    """Amounts activated at one date of one object: per (object, activation year) when each such pair has a single
    activation month, else per spend entry (the engine's result is the same, the first is fewer rows)."""

    obj: np.ndarray
    start: np.ndarray  # absolute month depreciation starts
    amount: np.ndarray


def tranches(arrays: PlanArrays, conv: Conventions, act_year: np.ndarray, act_month: np.ndarray,
             activated: np.ndarray, first_year: int) -> Tranches:
    """The non-zero cells of the year-major `activated` grid (years × objects) as tranches. An object's spend up to
    its driftsättning year activates on the driftsättning date, later spend (and all of a löpande pot's) in the
    month after driftsättning of its activation year; the two never share a year while the lag is non-negative (a
    lag is for löpande pots only), so a cell has one activation month. Otherwise the spend entries are the
    tranches."""
    if (arrays.lopande_lag[~arrays.lopande] < 0).any():
        obj = arrays.spend_obj
        return Tranches(obj, depreciation_start(obj, act_year * 12 + act_month - 1, arrays, conv),
                        arrays.spend_amount)
    n = activated.shape[1]
    cells = np.flatnonzero(activated != 0)
    col = cells // n
    obj = cells - col * n
    year = col + first_year
    on_driftsattning = (year == arrays.drift_year[obj]) & ~arrays.lopande[obj]
    month = np.where(on_driftsattning, driftsattning_month(arrays, conv)[obj], conv.efter_driftsattning_manad)
    return Tranches(obj, depreciation_start(obj, year * 12 + month - 1, arrays, conv), activated.ravel()[cells])


def depreciated_components(arrays: PlanArrays) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Components with a life (object, months, share), still sorted by object."""
    keep = arrays.comp_months > 0
    return arrays.comp_obj[keep], arrays.comp_months[keep], arrays.comp_share[keep]


def depreciation_steps(tranches: Tranches, comp_obj: np.ndarray, comp_months: np.ndarray, comp_share: np.ndarray,
                       first_year: int, out: np.ndarray) -> None:
    """Year-on-year changes of the depreciation (§2) into the year-major (years × objects) grid `out` (zeros): its
    cumulative sum down the years is the depreciation. A tranche component depreciates `monthly` a month from its
    start month s for L months: the year of s has 12 − s%12 of them, the year after a full 12; the end month
    e = s + L − 1 makes the year of e have e%12 + 1 of them and the year after none. The steps at the start are the
    same for every component of a tranche but for the monthly amount. A life of whole years ends with the steps of
    its start turned round, that many years later. A step after the grid's last year changes none of its years and
    is left out."""
    start_col, start_month = _year_and_month(tranches.start - first_year * 12)
    whole = comp_months % 12 == 0
    _whole_year_steps(tranches.obj, tranches.amount, start_col, start_month, comp_obj[whole],
                      comp_months[whole] // 12, comp_share[whole] / comp_months[whole], out)
    if not whole.all():
        part = ~whole
        out += _component_steps(tranches, start_col, start_month, comp_obj[part], comp_months[part],
                                comp_share[part], *out.shape)[:len(out)]  # (width, n)


# A life's end steps are gathered for the objects with it when the chunk has at least GATHER_FROM_OBJECTS objects
# and at most GATHER_SHARE of them have it; otherwise one contiguous pass over all objects costs less. Both give the
# same figures (tests/test_properties.py).
GATHER_FROM_OBJECTS = 64
GATHER_SHARE = 1 / 8


def _whole_year_steps(obj: np.ndarray, amount: np.ndarray, start_col: np.ndarray, start_month: np.ndarray,
                      comp_obj: np.ndarray, comp_years: np.ndarray, comp_per_month: np.ndarray,
                      out: np.ndarray) -> None:
    """The steps of components whose life is whole years (`comp_per_month`: share / months) into `out` (zeros).
    Per object, the tranches' start steps at one krona a month, `starts`, times the sum of its components' monthly
    shares; each component subtracts `starts` shifted by its life — once per distinct life and the objects with it,
    so the work grows with tranches plus objects × distinct lives, not with tranches × components."""
    width, n = out.shape
    if not len(start_col):
        return
    cells = start_col * n + obj
    starts = grid_sums(np.concatenate([cells, cells + n]),
                       np.concatenate([amount * (12 - start_month), amount * start_month]), int(start_col.max()) + 2, n)
    used = min(len(starts), width)
    np.multiply(starts[:used], np.bincount(comp_obj, weights=comp_per_month, minlength=n), out=out[:used])
    lives = np.flatnonzero(np.bincount(comp_years))  # the distinct lives (whole years, so small numbers)
    per_life = np.bincount(np.searchsorted(lives, comp_years) * n + comp_obj, weights=comp_per_month,
                           minlength=len(lives) * n).reshape(len(lives), n)
    for life, weight in zip(lives.tolist(), per_life):  # distinct lives, not objects
        span = min(used, width - life)
        if span <= 0:  # ends after the grid's last year
            continue
        if n >= GATHER_FROM_OBJECTS and np.count_nonzero(weight) <= n * GATHER_SHARE:
            objects = np.flatnonzero(weight)
            out[life:life + span, objects] -= starts[:span, objects] * weight[objects]
        else:
            out[life:life + span] -= starts[:span] * weight


def _component_steps(tranches: Tranches, start_col: np.ndarray, start_month: np.ndarray, comp_obj: np.ndarray,
                     comp_months: np.ndarray, comp_share: np.ndarray, width: int, n: int) -> np.ndarray:
    """The steps of components whose life is not whole years, per tranche and component, on (width + 2) years: the
    year after a start or an end in the last year still has a row."""
    start_cell = start_col * n + tranches.obj
    comp_idx, tranche_idx = entries_of(comp_obj, n, tranches.obj)
    months = comp_months[comp_idx]
    monthly = tranches.amount[tranche_idx] * comp_share[comp_idx] / months
    start_monthly = np.bincount(tranche_idx, weights=monthly, minlength=len(start_cell))
    years_to_end, end_month = _year_and_month(start_month[tranche_idx] + months - 1)
    end_cell = start_cell[tranche_idx] + years_to_end * n
    cells = np.concatenate([start_cell, start_cell + n, end_cell, end_cell + n])
    amounts = np.concatenate([start_monthly * (12 - start_month), start_monthly * start_month,
                              monthly * (end_month - 11), monthly * -(end_month + 1)])
    return grid_sums(cells, amounts, width + 2, n)


def _year_and_month(months: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Whole years and the month left (0–11) of non-negative month counts (np.divmod costs twice as much)."""
    years = months // 12
    return years, months - years * 12


def grid_sums(flat: np.ndarray, weights: np.ndarray, rows: int, columns: int) -> np.ndarray:
    """The sum of `weights` in each cell of a (rows × columns) grid, cells given flat (row · columns + column), in
    the order given."""
    counts = np.bincount(flat, weights=weights, minlength=rows * columns)
    return counts.astype(float, copy=False).reshape(rows, columns)  # bincount of nothing is int
