"""The riktvärde check as findings: one message per year at or above the guideline, with gap and source."""

from __future__ import annotations

from invest.engine.calculation import Calculation
from invest.base.findings import Finding, warning
from invest.base import swedish

SOURCE = "models/riktlinjer/kapitalkostnadsandel.yaml"


def breach_findings(calc: Calculation, make=warning) -> list[Finding]:
    if not calc.region.has_share:
        return []
    limit = calc.conventions.riktvarde
    found = []
    for row in calc.region.table.iter_rows(named=True):
        if row["andel"] is not None and row["andel"] >= limit:
            found.append(make(f"{calc.plan.file}:Region!{row['ar']}",
                              f"Kapitalkostnaderna är {swedish.percent(row['andel'])} av totala intäkter {row['ar']}, "
                              f"{swedish.points(row['andel'] - limit)} ({swedish.number(-row['marginal'])} mnkr) över "
                              f"riktvärdet {swedish.percent(limit, 0)} ({SOURCE})."))
    return found
