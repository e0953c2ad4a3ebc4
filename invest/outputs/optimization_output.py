"""`invest optimera` as a text table and JSON: the optimum (status, MIP gap, value, the chosen proposals and their
start years), the greedy order's set beside it, every rejected proposal with the rule, year and shortfall that
keep it out, the share per year with the chosen set, the rules with it, and the frontier per riktvärde."""

from __future__ import annotations

import json
from pathlib import Path

from invest.analyses.optimizer import OptimisationResult
from invest.base import swedish
from invest.outputs.calculation_output import text_table
from invest.outputs.rules_output import binding_json, binding_line

STATUS = {"optimal": "optimal", "time limit reached": "tidsgränsen nådd", "infeasible": "ingen lösning",
          "girig": "girig"}


def _status(text: str) -> str:
    return STATUS.get(text, text)


def _year(year) -> str:
    return "perioden" if year is None else str(year)


def optimization_json(result: OptimisationResult) -> str:
    return json.dumps({
        "plan": Path(result.calc.plan.file).name,
        "status": _status(result.solution.status), "gap": result.solution.gap, "malvarde": result.solution.value,
        "valda": [{"id": oid, "startar": start} for oid, start in result.object_starts],
        "forslag": [{"id": result.proposals[k].name, "startar": s} for k, s in sorted(result.starts.items())],
        "girig": {"malvarde": result.greedy.value,
                  "valda": [{"id": oid, "startar": start} for oid, start in result.greedy_object_starts]},
        "avvisade": [{"id": r.proposal.name, "regel": r.rule, "ar": r.year, "brist_mnkr": r.shortfall,
                      "storsta_skala": r.max_scale, "passar_med_start": r.fits_from, "utesluts_av": r.excluded_by}
                     for r in result.rejected],
        "ar": [{"ar": int(y), "andel": None if s != s else float(s)} for y, s in zip(result.years, result.shares)],
        "regler": [{"regel": r.rule.id, "namn": r.rule.name, "klarar": r.passed, "forsta_ar_utanfor": r.first_failure}
                   for r in result.rules],
        "bindande_regel": binding_json(result.rules),
        "grans": [{"riktvarde": v, "malvarde": s.value, "status": _status(s.status), "gap": s.gap}
                  for v, s in result.frontier],
    }, ensure_ascii=False, indent=2)


def optimization_table(result: OptimisationResult) -> str:
    s, g = result.solution, result.greedy
    chosen = [[result.proposals[k].name, str(start), swedish.number(_value(result, k), 0)]
              for k, start in sorted(result.starts.items(), key=lambda ks: (ks[1], ks[0]))]
    greedy = [[result.proposals[k].name, str(start)] for k, start in sorted(result.greedy_starts.items(),
                                                                             key=lambda ks: (ks[1], ks[0]))]
    rejected = [[r.proposal.name, r.rule_name or "—", _year(r.year), swedish.number(r.shortfall, 1),
                 swedish.percent(r.max_scale, 0), str(r.fits_from or "—"), r.excluded_by or ""]
                for r in result.rejected]
    years = [[str(y), swedish.percent(v) if v == v else "—"] for y, v in zip(result.years, result.shares)]
    lines = [f"Optimering av förslagen mot riktlinjerna ({Path(result.calc.plan.file).name})",
             f"Status: {_status(s.status)}, MIP-gap {swedish.percent(s.gap, 2)}; målvärde {swedish.number(s.value, 0)} "
             f"(girig ordning: {swedish.number(g.value, 0)})", "",
             "Valda förslag och startår:", *text_table(["Förslag", "Start", "Värde"], chosen, left=1), ""]
    if greedy != [[c[0], c[1]] for c in chosen]:
        lines += ["Girig ordning:", *text_table(["Förslag", "Start"], greedy, left=1), ""]
    if rejected:
        lines += ["Avvisade förslag (vid tidigaste start, bredvid de valda):",
                  *text_table(["Förslag", "Bindande regel", "År", "Brist (mnkr)", "Största skala", "Ryms med start",
                               "Utesluts av"], rejected, left=2), ""]
    lines += ["Andel av totala intäkter med de valda förslagen:", *text_table(["År", "Andel"], years, left=1)]
    lines += [""] + binding_line(result.rules)
    if result.frontier:
        lines += ["", "Målvärde per riktvärde (övriga regler oförändrade):",
                  *text_table(["Riktvärde", "Målvärde", "Skillnad mot 8,0 %"],
                              _frontier_rows(result), left=1)]
    return "\n".join(lines) + "\n"


def _value(result: OptimisationResult, k: int) -> float:
    return float(result.values[k])


def _frontier_rows(result: OptimisationResult) -> list[list[str]]:
    at = {round(v, 3): s.value for v, s in result.frontier}
    middle = at.get(0.08)
    return [[swedish.percent(v, 1), swedish.number(s.value, 0),
             "" if middle is None else swedish.number(s.value - middle, 0)] for v, s in result.frontier]
