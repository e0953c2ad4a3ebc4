"""The plan as columnar arrays for the engine: one row per object, per spend entry, per component."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .parameters import Models
from .plan import Plan


@dataclass(frozen=True)
class PlanArrays:
    ids: tuple[str, ...]
    # per object
    drift_year: np.ndarray  # int; ignored where lopande
    drift_month: np.ndarray  # int 1-12; 0 = no month given
    lopande: np.ndarray  # bool
    lopande_lag: np.ndarray  # int years from spend to activation, löpande only
    medfinansiering: np.ndarray  # total M per object
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
    start = plan.plan_years[0] if plan.plan_years else 2026
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
        spend_obj=s_obj.astype(np.int64), spend_year=s_year.astype(np.int64), spend_amount=s_amount.astype(float),
        comp_obj=c_obj.astype(np.int64), comp_share=c_share.astype(float),
        comp_months=np.rint(c_life.astype(float) * 12).astype(np.int64),
        sched_obj=m_obj.astype(np.int64), sched_year=m_year.astype(np.int64), sched_amount=m_amount.astype(float),
    )
