"""The active guideline rules as `invest kontroll` and `invest optimera` show them: each rule with the change (all
proposals together, or the chosen set), the years it is missed and those it newly misses, and the rule that binds
first and where — as JSON keys and as text lines."""

from __future__ import annotations

from invest.analyses.guidelines import RuleCheck, RuleResult, binding
from invest.analyses.riktvarde import SAYS
from invest.base import swedish
from invest.outputs.calculation_output import text_table


def _when(result: RuleResult, year: int | None) -> str:
    return "perioden" if result.rule.shape.judged == "genomsnitt" else str(year)


def _percent(value: float) -> str:
    """A threshold with the decimals it needs (8 %, 7,5 %, 0,25 %)."""
    return swedish.percent(value, swedish.fewest_decimals([value * 100]))


def binding_json(results: list[RuleResult]) -> dict | None:
    tie = binding(results)
    return None if tie is None else {"regel": tie.result.rule.id, "namn": tie.result.rule.name, "ar": tie.year,
                                     "marginal_mnkr": tie.margin, "utanfor": tie.failed}


def rules_json(check: RuleCheck) -> dict:
    return {"regler": [{"regel": r.rule.id, "namn": r.rule.name, "fil": r.rule.file, "klarar": r.passed,
                        "forsta_ar_utanfor": r.first_failure, "nya_ar_utanfor": check.newly_missed(r)}
                       for r in check.changed],
            "bindande_regel": binding_json(check.changed)}


def binding_line(results: list[RuleResult]) -> list[str]:
    tie = binding(results)
    if tie is None:
        return []
    r = tie.result
    k = list(r.years).index(tie.year)
    state = "klaras inte" if tie.failed else "närmast gränsen"
    return [f"Bindande regel: {r.rule.name} {_when(r, tie.year)} ({state}: {swedish.percent(r.ratio[k])} mot "
            f"{SAYS[r.rule.shape.comparison]} {_percent(r.threshold[k])}, marginal "
            f"{swedish.number(tie.margin, 0)} mnkr)"]


def rule_lines(check: RuleCheck) -> list[str]:
    """A table of the rules with the change, then the binding rule."""
    rows = [[r.rule.name, f"{SAYS[r.rule.shape.comparison]} {_percent(float(r.threshold.min()))}"
             if len(set(r.threshold)) == 1 else "trappa", "ja" if r.passed else "nej",
             _when(r, r.first_failure) if r.first_failure is not None else "—",
             _when(r, None) if r.rule.shape.judged == "genomsnitt" and check.newly_missed(r)
             else ", ".join(map(str, check.newly_missed(r))) or "—"] for r in check.changed]
    return (["Riktlinjerna med förslagen:"]
            + text_table(["Regel", "Gräns", "Klaras", "Första år utanför", "Nya år utanför"], rows, left=3)
            + binding_line(check.changed) + [""])
