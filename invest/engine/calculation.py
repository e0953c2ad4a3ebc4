"""One full calculation: plan + models/ -> object grid and region table, with everything needed to trace it."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import polars as pl

from invest.analyses.calibration import comparison
from invest.engine.object_grid import ObjectGrid, compute_objects, per_object_frame
from invest.params.parameters import Conventions, Models
from invest.plan.records import Plan
from invest.engine.plan_arrays import PlanArrays, plan_arrays
from invest.excel.mapping import load_mapping
from invest.excel.reader import read_plan
from invest.engine.region_model import RegionResult, compute_region, region_years


@dataclass
class Calculation:
    plan: Plan
    plan_path: Path
    models: Models
    conventions: Conventions
    arrays: PlanArrays
    grid: ObjectGrid
    region: RegionResult

    @cached_property
    def per_object(self) -> pl.DataFrame:
        return per_object_frame(self.grid)

    @cached_property
    def calibration(self) -> pl.DataFrame:
        """The model beside the plan's Budgetjämförelse figures (calibration.comparison)."""
        return comparison(self.plan.published, self.region.table)

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
    """The rate on the objects' bundet kapital (§4): the internränta path, or --ranta."""
    return lambda years: models.rate_path("ranta/internranta", years)


def calculate(plan: Plan, plan_path: Path, models: Models, until_year: int | None = None) -> Calculation:
    conv = models.conventions(plan.plan_years[0])
    years = region_years(plan, until_year)
    arrays = plan_arrays(plan, models)
    grid = compute_objects(arrays, conv, object_rate(models), from_year=int(years[0]), until_year=int(years[-1]))
    return Calculation(plan, plan_path, models, conv, arrays, grid, compute_region(plan, grid, models, conv, years))


def run(plan_path: Path, models_dir: Path, flat_rate: float | None = None, until_year: int | None = None,
        mapping_path: Path | None = None) -> Calculation:
    models = Models.load(models_dir, flat_rate)
    plan = read_plan(plan_path, models, load_mapping(mapping_path))
    return calculate(plan, plan_path, models, until_year)
