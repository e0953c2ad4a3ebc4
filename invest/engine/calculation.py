"""One full calculation, pure: a plan and its models in, the object grid and region table out (no file is read)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np
import polars as pl

from invest.engine.object_grid import ObjectGrid, compute_objects, per_object_frame
from invest.engine.plan_arrays import PlanArrays, plan_arrays
from invest.engine.region_model import RegionResult, compute_region, region_years
from invest.params.parameters import Conventions, Models
from invest.plan.records import Plan


@dataclass
class Calculation:
    plan: Plan
    models: Models
    conventions: Conventions
    arrays: PlanArrays
    grid: ObjectGrid
    region: RegionResult

    @cached_property
    def per_object(self) -> pl.DataFrame:
        return per_object_frame(self.grid)

    def breach_years(self) -> list[int]:
        t = self.region.table
        if not self.region.has_share:
            return []
        return t.filter(pl.col("andel") >= pl.col("riktvarde"))["ar"].to_list()

    def plan_period(self) -> pl.DataFrame:
        return self.region.table.filter(pl.col("ar").is_in(list(self.plan.plan_years)))

    def average_share(self) -> float | None:
        if not self.region.has_share:
            return None
        return self.plan_period()["andel"].mean()


def object_rate(models: Models):
    """The rate on the objects' bundet kapital (docs/berakningsmodell.md §4): the internränta path."""
    return lambda years: models.yearly("ranta/internranta", years)


def calculate(plan: Plan, models: Models, until_year: int | None = None) -> Calculation:
    """The plan computed. A Region sheet's totala intäkter become övriga intäkter (the total minus this plan's
    intäktsförd medfinansiering) on the Calculation's plan, so that every change computed on top of it, and every
    recompute of it with objects added or moved, holds them (docs/berakningsmodell.md §5)."""
    conv = models.conventions(plan.plan_years[0])
    years = region_years(plan, until_year)
    arrays = plan_arrays(plan, models)
    grid = compute_objects(arrays, conv, object_rate(models), from_year=int(years[0]), until_year=int(years[-1]))
    region = compute_region(plan, grid, models, conv, years)
    return Calculation(_with_other_revenue(plan, region), models, conv, arrays, grid, region)


def with_region(calc: Calculation, models: Models, revenue_change: np.ndarray | None = None) -> Calculation:
    """`calc` with its region recomputed under `models` — other rate paths or revenue growth — and övriga intäkter
    moved by `revenue_change` (mnkr per region year); the objects stay as computed, so `models` may differ from
    calc's only in what the objects do not use (not the internränta, lives or conventions)."""
    conv = models.conventions(calc.plan.plan_years[0])
    years = calc.region.table["ar"].to_numpy()
    return replace(calc, models=models, conventions=conv,
                   region=compute_region(calc.plan, calc.grid, models, conv, years, revenue_change))


def _with_other_revenue(plan: Plan, region: RegionResult) -> Plan:
    """The plan with övriga intäkter set wherever the Region sheet gives only totala intäkter."""
    if plan.region is None or all(r.totala_intakter is None or r.ovriga_intakter is not None for r in plan.region.years):
        return plan
    other = dict(zip(region.table["ar"].to_list(), region.table["ovriga_intakter"].to_list()))
    years = tuple(replace(r, ovriga_intakter=other[r.year])
                  if r.ovriga_intakter is None and r.totala_intakter is not None and r.year in other else r
                  for r in plan.region.years)
    return replace(plan, region=replace(plan.region, years=years))
