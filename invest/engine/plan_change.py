"""A change to the plan on top of a computed baseline (docs/berakningsmodell.md §8), for delays and proposals.

The changed objects are computed on their own and their difference goes through the region's own model, as a full
recompute of the changed plan would: with result and other items held, the change borrows its Δ investments − Δ
received co-financing − Δ självfinansiering (Δ avskrivningar − Δ intäktsförd medfinansiering), and the debt model
charges that Δ debt as new tranches at the market rate + margin of its years (engine/debt.py, linear in the flows).
Released co-financing moves totala intäkter by exactly itself (övriga intäkter are held). Without a Region sheet the
region's interest is the objects' internränta, and so is the change's."""

from __future__ import annotations

import numpy as np

from invest.engine.calculation import Calculation, object_rate
from invest.engine.debt import change_interest
from invest.engine.object_grid import compute_objects
from invest.engine.plan_arrays import PlanArrays
from invest.engine.region_model import market_rates, share_terms

DELTA_FIELDS = {"investeringar": "spend", "medfinansiering_mottagen": "received", "avskrivningar": "depreciation",
                "intaktsford_medfinansiering": "release", "objektens_ranta": "interest",
                "bundet_kapital": "bundet_kapital"}


def deltas(calc: Calculation, added: PlanArrays, added_group: np.ndarray, removed_rows: np.ndarray,
           removed_group: np.ndarray, groups: int) -> dict[str, np.ndarray]:
    """Per group of changes (rows) and region year (columns): the added objects' figures minus those of the
    baseline objects `removed_rows` (rows of calc.grid), and the region's Δ borrowing, debt and räntekostnader.
    One engine run for every group together."""
    return region_deltas(calc, object_deltas(calc, added, added_group, removed_rows, removed_group, groups))


def object_deltas(calc: Calculation, added: PlanArrays, added_group: np.ndarray, removed_rows: np.ndarray,
                  removed_group: np.ndarray, groups: int) -> dict[str, np.ndarray]:
    """The objects' part of `deltas`: per group and region year of `calc`, the added objects' sums minus those of
    the removed rows. Independent of the region's rates, so one run serves changes on different region models."""
    years = calc.region.table["ar"].to_numpy()
    out = {}
    grid = compute_objects(added, calc.conventions, object_rate(calc.models), int(years[0]), int(years[-1])) \
        if len(added.ids) else None
    for name, attr in DELTA_FIELDS.items():
        total = np.zeros((groups, len(years)))
        if grid is not None:
            np.add.at(total, np.asarray(added_group, dtype=np.int64), getattr(grid, attr)[:, years - grid.years[0]])
        old = getattr(calc.grid, attr)[:, years - calc.grid.years[0]]
        np.subtract.at(total, np.asarray(removed_group, dtype=np.int64), old[np.asarray(removed_rows, dtype=np.int64)])
        out[name] = total
    return out


def region_deltas(calc: Calculation, objects: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The region's part of `deltas` on `calc`'s region model: with result and other items held, the change borrows
    Δ investments − Δ received co-financing − Δ självfinansiering, charged by the debt model at calc's rates."""
    out = dict(objects)
    out["lanebehov"] = (out["investeringar"] - out["medfinansiering_mottagen"]
                        - (out["avskrivningar"] - out["intaktsford_medfinansiering"]))
    out["rantebarande_skuld"] = np.cumsum(out["lanebehov"], axis=1)
    if calc.plan.region is None:
        out["rantekostnader"] = out["objektens_ranta"]
    else:
        years = calc.region.table["ar"].to_numpy()
        out["rantekostnader"] = change_interest(out["lanebehov"], market_rates(calc.models, years),
                                                calc.conventions.bindningstid)
    out["kapitalkostnader"] = out["avskrivningar"] + out["rantekostnader"]
    return out


def with_change(calc: Calculation, delta: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Share, marginal and the share's parts with each group's change (rows), beside the baseline's."""
    t = calc.region.table
    col = lambda name: t[name].to_numpy().astype(float)  # noqa: E731 - nulls (no Region sheet) become nan
    dep = col("avskrivningar") + delta["avskrivningar"]
    release = col("intaktsford_medfinansiering") + delta["intaktsford_medfinansiering"]
    interest = col("rantekostnader") + delta["rantekostnader"]
    revenue = col("totala_intakter") + delta["intaktsford_medfinansiering"]
    numerator, denominator = share_terms(dep, release, interest, revenue, calc.conventions.riktvardesmetod)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = numerator / denominator
    return {"andel": share, "marginal": calc.conventions.riktvarde * denominator - numerator,
            "kapitalkostnader": dep + interest, "totala_intakter": revenue, "avskrivningar": dep,
            "rantekostnader": interest}
