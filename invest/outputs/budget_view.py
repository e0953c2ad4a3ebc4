"""A calculation's figures for the four budget charts (budget_figures.BudgetFigures): the region table over the plan
period and the investments per verksamhetsområde, taken out of polars once, in the report's process."""

from __future__ import annotations

import math

import polars as pl

from invest.analyses.breakdown import area_order, by
from invest.engine.calculation import Calculation
from invest.outputs.budget_figures import AreaSpend, BudgetFigures
from invest.outputs.dependency_layout import OTHER_COLOUR, area_colours
from invest.outputs.labels import source_line

REGION_COLUMNS = ("andel", "marginal", "avskrivningar", "rantekostnader", "kapitalkostnader", "totala_intakter",
                  "skuldandel", "rantebarande_skuld")


def _values(frame: pl.DataFrame, column: str) -> tuple[float, ...]:
    """The column's figures, NaN where one is missing (or the whole column, as a plan without a Region sheet has
    no debt share)."""
    if column not in frame.columns:
        return (math.nan,) * frame.height
    return tuple(math.nan if v is None else float(v) for v in frame[column].to_list())


def _areas(calc: Calculation) -> tuple[AreaSpend, ...]:
    years = list(calc.plan.plan_years)
    frame = by(calc, "verksamhetsomrade").filter(pl.col("ar").is_in(years))
    colours = area_colours(calc.models.areas(years[0]))
    areas = []
    for area in area_order(calc, frame["verksamhetsomrade"].unique().to_list()):
        rows = {r["ar"]: r for r in frame.filter(pl.col("verksamhetsomrade") == area).iter_rows(named=True)}
        areas.append(AreaSpend(area, colours.get(area, OTHER_COLOUR),
                               tuple(float(rows[y]["utgift"]) if y in rows else 0.0 for y in years),
                               tuple(float(rows[y]["medfinansiering_mottagen"]) if y in rows else 0.0
                                     for y in years)))
    return tuple(areas)


def budget_figures(calc: Calculation) -> BudgetFigures:
    """What the budget charts of this plan show."""
    t = calc.plan_period()
    conv = calc.conventions
    return BudgetFigures(
        years=tuple(t["ar"].to_list()), **{c: _values(t, c) for c in REGION_COLUMNS},
        riktvarde=conv.riktvarde, riktvardesmetod=conv.riktvardesmetod, gransvarde=conv.gransvarde,
        has_share=calc.region.has_share, breach_years=tuple(calc.breach_years()), average_share=calc.average_share(),
        plan_years=tuple(calc.plan.plan_years), areas=_areas(calc), source=source_line(calc))
