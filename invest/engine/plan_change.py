"""A change to the plan on top of a computed baseline (docs/berakningsmodell.md §8), for delays and proposals.

The changed objects are computed on their own and their difference is added to the baseline's region table:
Δ räntekostnader is the interest on their Δ bundet kapital at the object rate, r · (ΔK_{t−1} + ΔK_t)/2 — also in
years where the baseline's interest is a fixed published figure — and released co-financing adds to totala
intäkter (it is part of verksamhetens intäkter), so the share with the change follows §5 under either method."""

from __future__ import annotations

import numpy as np

from invest.engine.calculation import Calculation, object_rate
from invest.engine.object_grid import compute_objects
from invest.engine.plan_arrays import PlanArrays
from invest.engine.region_model import share_terms

DELTA_FIELDS = {"investeringar": "spend", "medfinansiering_mottagen": "received", "avskrivningar": "depreciation",
                "intaktsford_medfinansiering": "release", "rantekostnader": "interest", "bundet_kapital": "bundet_kapital"}


def deltas(calc: Calculation, added: PlanArrays, added_group: np.ndarray, removed_rows: np.ndarray,
           removed_group: np.ndarray, groups: int) -> dict[str, np.ndarray]:
    """Per group of changes (rows) and region year (columns): the added objects' figures minus those of the
    baseline objects `removed_rows` (rows of calc.grid). One engine run for every group together."""
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
            "kapitalkostnader": dep + interest, "totala_intakter": revenue}
