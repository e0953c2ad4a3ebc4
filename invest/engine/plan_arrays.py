"""The plan as columnar arrays for the engine: one row per object, per spend entry, per component."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from invest.params.parameters import Models
from invest.plan.records import Plan


@dataclass(frozen=True)
class PlanArrays:
    ids: tuple[str, ...]
    # per object
    drift_year: np.ndarray  # int; ignored where lopande
    drift_month: np.ndarray  # int 1-12; 0 = no month given
    lopande: np.ndarray  # bool
    lopande_lag: np.ndarray  # int years from spend to activation, löpande only
    medfinansiering: np.ndarray  # total M per object
    bidrag: np.ndarray  # bool: a bidrag till statlig infrastruktur, recognised in full at its decision (LKBR)
    # per spend entry
    spend_obj: np.ndarray
    spend_year: np.ndarray
    spend_amount: np.ndarray
    # per component, sorted by object
    comp_obj: np.ndarray
    comp_share: np.ndarray
    comp_months: np.ndarray  # life in months; 0 = not depreciated
    # scheduled co-financing receipts (the rest is received pro rata to spend)
    sched_obj: np.ndarray
    sched_year: np.ndarray
    sched_amount: np.ndarray


def plan_arrays(plan: Plan, models: Models) -> PlanArrays:
    """Columnar form of a validated plan; asset classes are looked up in models/ as in force at the plan's start."""
    start = plan.first_year
    bidragsklasser = models.conventions(start).bidragsklasser
    objs = plan.objects
    spend = [(i, y, a) for i, o in enumerate(objs) for y, a in o.utgifter]
    comps = []
    for i, o in enumerate(objs):
        for c in o.komponenter or ():
            comps.append((i, c.share, c.life))
        if not o.komponenter:
            comps.extend((i, share, life) for _, share, life in models.asset_class_at(o.tillgangsklass, start))
    sched = [(i, c.year, c.amount) for i, o in enumerate(objs) for c in o.medfinansiering if c.year is not None]

    def cols(rows, n):
        return [np.array([r[k] for r in rows]) if rows else np.zeros(0) for k in range(n)]

    s_obj, s_year, s_amount = cols(spend, 3)
    c_obj, c_share, c_life = cols(comps, 3)
    m_obj, m_year, m_amount = cols(sched, 3)
    return PlanArrays(
        ids=tuple(o.id for o in objs),
        drift_year=np.array([o.driftsattning.year or 0 for o in objs], dtype=np.int64),
        drift_month=np.array([o.driftsattning.month or 0 for o in objs], dtype=np.int64),
        lopande=np.array([o.driftsattning.lopande for o in objs], dtype=bool),
        lopande_lag=np.array([o.driftsattning.lag for o in objs], dtype=np.int64),
        medfinansiering=np.array([o.total_medfinansiering for o in objs], dtype=float),
        bidrag=np.array([o.tillgangsklass in bidragsklasser for o in objs], dtype=bool),
        spend_obj=s_obj.astype(np.int64), spend_year=s_year.astype(np.int64), spend_amount=s_amount.astype(float),
        comp_obj=c_obj.astype(np.int64), comp_share=c_share.astype(float),
        comp_months=np.rint(c_life.astype(float) * 12).astype(np.int64),
        sched_obj=m_obj.astype(np.int64), sched_year=m_year.astype(np.int64), sched_amount=m_amount.astype(float),
    )


def entries_of(owner: np.ndarray, n: int, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For entries sorted by owning object: the entries of each of `rows` in turn, and the position in `rows`."""
    counts = np.bincount(owner, minlength=n)
    starts = np.cumsum(counts) - counts
    reps = counts[rows]
    new_owner = np.repeat(np.arange(len(rows)), reps)
    first_new = np.cumsum(reps) - reps  # where each row's entries begin among the new ones
    return np.repeat(starts[rows] - first_new, reps) + np.arange(len(new_owner)), new_owner


def take_objects(arrays: PlanArrays, rows: np.ndarray, shift: np.ndarray, from_year: int,
                 cost_factor=None) -> PlanArrays:
    """The objects `rows` (repeats allowed) as a plan of their own, each moved `shift[k]` whole years: a dated
    driftsättning moves, and so do spend and scheduled co-financing in years ≥ from_year (earlier years never
    move); `cost_factor(from_years, to_years)` scales moved spend (None = unchanged)."""
    rows, shift = np.asarray(rows, dtype=np.int64), np.asarray(shift, dtype=np.int64)
    n = len(arrays.ids)
    s_idx, s_new = entries_of(arrays.spend_obj, n, rows)
    c_idx, c_new = entries_of(arrays.comp_obj, n, rows)
    m_idx, m_new = entries_of(arrays.sched_obj, n, rows)
    spend_year, amount = arrays.spend_year[s_idx], arrays.spend_amount[s_idx]
    moved_to = spend_year + np.where(spend_year >= from_year, shift[s_new], 0)
    if cost_factor is not None:
        amount = amount * cost_factor(spend_year, moved_to)
    sched_year = arrays.sched_year[m_idx]
    lopande = arrays.lopande[rows]
    return PlanArrays(
        ids=tuple(arrays.ids[r] for r in rows),
        drift_year=arrays.drift_year[rows] + np.where(lopande, 0, shift),
        drift_month=arrays.drift_month[rows], lopande=lopande, lopande_lag=arrays.lopande_lag[rows],
        medfinansiering=arrays.medfinansiering[rows], bidrag=arrays.bidrag[rows],
        spend_obj=s_new, spend_year=moved_to, spend_amount=amount,
        comp_obj=c_new, comp_share=arrays.comp_share[c_idx], comp_months=arrays.comp_months[c_idx],
        sched_obj=m_new, sched_year=sched_year + np.where(sched_year >= from_year, shift[m_new], 0),
        sched_amount=arrays.sched_amount[m_idx],
    )


def concat_arrays(parts: list[PlanArrays]) -> PlanArrays:
    """Several objects' arrays as one plan of arrays, in order (object numbers of the entries renumbered)."""
    offsets = np.cumsum([0] + [len(p.ids) for p in parts])
    per_object = ("drift_year", "drift_month", "lopande", "lopande_lag", "medfinansiering", "bidrag")
    entries = ("spend_year", "spend_amount", "comp_share", "comp_months", "sched_year", "sched_amount")
    owners = ("spend_obj", "comp_obj", "sched_obj")
    dtypes = {"lopande": bool, "bidrag": bool, "medfinansiering": float, "spend_amount": float, "comp_share": float,
              "sched_amount": float}

    def cat(name: str, shift: bool = False) -> np.ndarray:
        arrays = [getattr(p, name) + (offsets[k] if shift else 0) for k, p in enumerate(parts)]
        return np.concatenate(arrays).astype(dtypes.get(name, np.int64)) if arrays else \
            np.zeros(0, dtype=dtypes.get(name, np.int64))

    return PlanArrays(ids=tuple(i for p in parts for i in p.ids), **{n: cat(n) for n in per_object + entries},
                      **{n: cat(n, shift=True) for n in owners})
