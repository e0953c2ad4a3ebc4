"""`invest risk` as a text table and JSON: per plan year the probability of being at or over the riktvärde, the
share's P10 / P50 / P90 beside the base plan's share, kapitalkostnader P50 and P85; the probability that some year
breaches; the objects that drive the breach risk."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from invest.analyses.risk import RiskResult
from invest.base import swedish
from invest.outputs.calculation_output import text_table

def figures(result: RiskResult) -> dict[str, np.ndarray]:
    """Per plan year what the chart and the Risk sheet show: the probability, the share's quantiles, the plan's
    share and kapitalkostnader."""
    p10, p50, p90 = result.share_quantiles([0.10, 0.50, 0.90])
    c50, c85 = result.cost_quantiles([0.50, 0.85])
    base = result.calculation.plan_period()
    base = base.filter(base["ar"].is_in([int(y) for y in result.years]))
    return {"p": result.breach_probability, "p10": p10, "p50": p50, "p90": p90, "bas": base["andel"].to_numpy(),
            "k50": c50, "k85": c85, "kbas": base["kapitalkostnader"].to_numpy()}


def probability_text(p: float) -> str:
    """A probability in whole percent that never reads as certain or impossible when it is not ("<1 %", ">99 %")."""
    text = swedish.percent(p, 0)
    if p > 0 and text == swedish.percent(0, 0):
        return "<1 %"
    return ">99 %" if p < 1 and text == swedish.percent(1, 0) else text


def risk_table(result: RiskResult) -> str:
    f, years = figures(result), [int(y) for y in result.years]
    header = ["År", "Sannolikhet över riktvärdet", "Andel P10", "Andel P50", "Andel P90", "Andel i planen",
              "Kapitalkostnader P50 (mnkr)", "P85 (mnkr)", "I planen (mnkr)"]
    rows = [[str(y), probability_text(f["p"][k]), swedish.percent(f["p10"][k]), swedish.percent(f["p50"][k]),
             swedish.percent(f["p90"][k]), swedish.percent(f["bas"][k]), swedish.number(f["k50"][k], 0),
             swedish.number(f["k85"][k], 0), swedish.number(f["kbas"][k], 0)] for k, y in enumerate(years)]
    names = {o.id: o.namn for o in result.calculation.plan.objects}
    drivers = [[oid, names.get(oid, ""), swedish.number(bidrag, 2)] for oid, bidrag in result.drivers]
    first, last = years[0], years[-1]
    lines = [f"Risk — andel av totala intäkter mot riktvärdet {swedish.percent(result.riktvarde, 0)} "
             f"({Path(result.calculation.plan.file).name}), {swedish.number(result.draws, 0)} dragningar, "
             f"frö {result.seed}",
             f"Sannolikhet att något år {first}–{last} är på eller över riktvärdet: "
             f"{swedish.percent(result.any_year_probability, 1)}", "", *text_table(header, rows, left=1), "",
             "Objekt som driver risken (förväntat antal år över riktvärdet som försvinner utan objektets egen "
             "osäkerhet):", *text_table(["Id", "Namn", "Färre år över"], drivers, left=2)]
    if result.rules:
        rules = [[r.name, probability_text(r.any_year), probability_text(r.binding)] for r in result.rules]
        lines += ["", "Riktlinjerna i dragningarna (bindande: den regel som först inte klaras):",
                  *text_table(["Regel", "Något år utanför", "Binder först"], rules, left=1)]
    return "\n".join(lines) + "\n"


def risk_json(result: RiskResult) -> str:
    f = figures(result)
    years = [{"ar": int(y), "sannolikhet_over_riktvarde": float(f["p"][k]), "andel_p10": float(f["p10"][k]),
              "andel_p50": float(f["p50"][k]), "andel_p90": float(f["p90"][k]), "andel_bas": float(f["bas"][k]),
              "kapitalkostnader_p50": float(f["k50"][k]), "kapitalkostnader_p85": float(f["k85"][k])}
             for k, y in enumerate(result.years)]
    return json.dumps({"plan": Path(result.calculation.plan.file).name, "riktvarde": result.riktvarde,
                       "dragningar": result.draws, "fro": result.seed, "ar": years,
                       "sannolikhet_nagot_ar_over": result.any_year_probability,
                       "drivande_objekt": [{"id": oid, "bidrag": b} for oid, b in result.drivers],
                       "regler": [{"regel": r.id, "namn": r.name, "sannolikhet_nagot_ar_utanfor": r.any_year,
                                   "sannolikhet_bindande": r.binding,
                                   "sannolikhet_per_ar": [{"ar": int(y), "sannolikhet_utanfor": float(p)}
                                                          for y, p in zip(result.years, r.missed)]}
                                  for r in result.rules]},
                      ensure_ascii=False, indent=2)
