"""`invest scenario`: named scenarios side by side on one computed plan — per scenario and plan year the share,
kapitalkostnader, their parts, totala intäkter, the marginal and the Δ against the base; the first year over the
riktvärde and the average share. All scenarios are evaluated together (analyses/changes.py)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from invest.analyses.changes import OUTCOMES, Change, Changes
from invest.analyses.guidelines import RuleResult, judge_all
from invest.engine.calculation import Calculation

SCENARIO_COLUMNS = ("ar", *OUTCOMES, "delta_andel", "delta_kapitalkostnader")


@dataclass(frozen=True)
class Scenario:
    """One scenario's figures in the plan period: `table` has SCENARIO_COLUMNS (the base has no delta columns)."""

    name: str
    table: pl.DataFrame
    first_breach: int | None
    average_share: float
    warnings: tuple[str, ...] = ()
    rules: tuple[RuleResult, ...] = ()  # every active guideline judged on the scenario

    @property
    def peak(self) -> tuple[int, float]:
        """The year with the highest share, and the share."""
        row = self.table.sort("andel", descending=True).row(0, named=True)
        return row["ar"], row["andel"]


@dataclass(frozen=True)
class ScenarioResult:
    calculation: Calculation
    base: Scenario
    scenarios: tuple[Scenario, ...]

    @property
    def riktvarde(self) -> float:
        return self.calculation.conventions.riktvarde


def _scenario(name: str, years: np.ndarray, values: dict[str, np.ndarray], base: dict[str, np.ndarray] | None,
              limit: float, warnings: tuple[str, ...] = (), rules=()) -> Scenario:
    columns = {"ar": years, **values}
    if base is not None:
        columns["delta_andel"] = values["andel"] - base["andel"]
        columns["delta_kapitalkostnader"] = values["kapitalkostnader"] - base["kapitalkostnader"]
    table = pl.DataFrame(columns)
    over = years[values["andel"] >= limit]
    return Scenario(name, table, int(over[0]) if len(over) else None, float(values["andel"].mean()), warnings,
                    tuple(rules))


def run_scenarios(calc: Calculation, changes: list[Change]) -> ScenarioResult:
    """Every change as a named scenario beside the base, plan-period years only."""
    engine = Changes(calc)
    outcomes = engine.evaluate(changes, rules=True)
    period = np.isin(outcomes.years, calc.plan.plan_years)
    years = outcomes.years[period]
    limit = calc.conventions.riktvarde
    base_values = {name: outcomes.base[name][period] for name in OUTCOMES}
    base = _scenario("Bas", years, base_values, None, limit, rules=judge_all(calc))
    scenarios = tuple(_scenario(change.name, years, {name: outcomes.values[name][k][period] for name in OUTCOMES},
                                base_values, limit, outcomes.warnings[k], outcomes.rules[k])
                      for k, change in enumerate(changes))
    return ScenarioResult(calc, base, scenarios)
