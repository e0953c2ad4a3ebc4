"""The guidelines as findings (`invest validera`): one message per year at or above the riktvärde, with gap and
source, and one per year (or for the period) that another active rule (models/riktlinjer/, --riktlinjer) misses."""

from __future__ import annotations

from invest.analyses.guidelines import RuleResult, judge_all
from invest.base import swedish
from invest.base.findings import Finding, warning
from invest.engine.calculation import Calculation
from invest.params.parameters import RIKTVARDE_RULE

SOURCE = "models/riktlinjer/kapitalkostnadsandel.yaml"
SAYS = {"<": "under", "<=": "högst", ">": "över", ">=": "minst"}


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


def rule_sentence(result: RuleResult, k: int) -> str:
    """What a missed year of a rule says: the ratio against the threshold and the gap in mnkr."""
    rule, shape = result.rule, result.rule.shape
    when = "perioden" if shape.judged == "genomsnitt" else str(result.years[k])
    return (f"{rule.name} är {swedish.percent(result.ratio[k])} {when}, mot {SAYS[shape.comparison]} "
            f"{swedish.percent(result.threshold[k])}: {swedish.number(-result.margin[k])} mnkr från riktlinjen "
            f"({rule.file}).")


def guideline_findings(calc: Calculation, make=warning) -> list[Finding]:
    """Every active rule's missed years: the riktvärde as breach_findings says it, the other rules by their ratio."""
    if not calc.region.has_share:
        return []
    found = breach_findings(calc, make) if any(r.id == RIKTVARDE_RULE for r in calc.models.rules) else []
    for result in judge_all(calc):
        if result.rule.id == RIKTVARDE_RULE or result.passed:
            continue
        missed = [0] if result.rule.shape.judged == "genomsnitt" else [k for k, ok in enumerate(result.passes) if not ok]
        found += [make(f"{calc.plan.file}:Region!{result.years[k]}", rule_sentence(result, k)) for k in missed]
    return found
