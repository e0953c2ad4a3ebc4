"""`invest jamfor` as a text table and JSON: per year the share in A and B and the change split into its causes (in
percentage points and in mnkr of kapitalkostnader), one Swedish sentence per year a planner can paste, and the
objects behind each cause."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from invest.analyses.plan_versions import CAUSES, Comparison
from invest.base import swedish
from invest.outputs.calculation_output import text_table

CAUSE_LABELS = {"nya_objekt": "nya objekt", "borttagna_objekt": "borttagna objekt", "belopp": "ändrade belopp",
                "tidpunkt": "ändrad tidpunkt", "nyttjandeperiod": "ändrade nyttjandeperioder",
                "medfinansiering": "ändrad medfinansiering", "ranta": "räntan och skulden",
                "intakter": "intäkterna", "befintliga": "befintliga tillgångar och övriga regionposter"}
SHOWN = 0.005e-2  # a cause under 0,005 procentenheter is left out of the sentence
TOP = 5  # objects shown per cause in the text
SHOWN_MNKR = 0.05  # an object whose Δ over the compared years rounds to 0,0 mnkr is not listed in the text or workbook


def pe(share: float) -> str:
    """A difference of shares in procentenheter, signed: "+0,25 pe"."""
    return f"{swedish.signed(share * 100, 2)} pe"


def sentence(c: Comparison, k: int) -> str:
    """'Andelen 2031 steg från 7,9 % till 8,3 %: nya objekt +0,25 pe, ändrad tidpunkt +0,12 pe, …'."""
    year, a, b = int(c.years[k]), float(c.share_a[k]), float(c.share_b[k])
    shown_a, shown_b = swedish.percent(a), swedish.percent(b)  # the verb follows the shares as written
    verb = "var oförändrad" if shown_a == shown_b else "steg" if b > a else "sjönk"
    parts = sorted(((cause, float(c.causes_share[cause][k])) for cause in CAUSES
                    if abs(c.causes_share[cause][k]) >= SHOWN), key=lambda cv: -abs(cv[1]))
    listed = ", ".join(f"{CAUSE_LABELS[cause]} {pe(v)}" for cause, v in parts)
    head = (f"Andelen {year} {verb} från {shown_a} till {shown_b}" if verb != "var oförändrad"
            else f"Andelen {year} var oförändrad, {shown_a}")
    return f"{head}: {listed}." if listed else f"{head}."


def objects_in_order(c: Comparison, every: bool = False) -> list:
    """The objects behind the causes, by cause and then largest |Δ| over the compared years first; without `every`,
    only those whose Δ shows (SHOWN_MNKR)."""
    return [o for o in sorted(c.objects, key=lambda o: (CAUSES.index(o.cause), -abs(o.total)))
            if every or abs(o.total) >= SHOWN_MNKR]


def comparison_json(c: Comparison) -> str:
    years = []
    for k, y in enumerate(c.years):
        years.append({"ar": int(y), "andel_a": float(c.share_a[k]), "andel_b": float(c.share_b[k]),
                      "kapitalkostnader_a": float(c.cost_a[k]), "kapitalkostnader_b": float(c.cost_b[k]),
                      "delta_kapitalkostnader": float(c.cost_b[k] - c.cost_a[k]),
                      "delta_andel": float(c.share_b[k] - c.share_a[k]),
                      "orsaker": {cause: float(c.causes_cost[cause][k]) for cause in CAUSES},
                      "orsaker_andel": {cause: float(c.causes_share[cause][k]) for cause in CAUSES},
                      "mening": sentence(c, k)})
    return json.dumps({
        "plan_a": Path(c.a.plan.file).name, "plan_b": Path(c.b.plan.file).name,
        "planperiod_a": [c.a.plan.plan_years[0], c.a.plan.plan_years[-1]],
        "planperiod_b": [c.b.plan.plan_years[0], c.b.plan.plan_years[-1]], "ar": years,
        "objekt": [{"id": o.id, "orsak": o.cause, "delta_kapitalkostnader_perioden": o.total}
                   for o in objects_in_order(c, every=True)],
        "namnmatchningar": [{"id_a": a, "id_b": b, "namn": name} for a, b, name in c.renamed],
        "noteringar": list(c.notes),
    }, ensure_ascii=False, indent=2)


def comparison_table(c: Comparison) -> str:
    years = [str(int(y)) for y in c.years]
    share_rows = [["Andel A", *(swedish.percent(v) for v in c.share_a)],
                  ["Andel B", *(swedish.percent(v) for v in c.share_b)],
                  ["Förändring (pe)", *(swedish.signed(v * 100, 2) for v in c.share_b - c.share_a)]]
    share_rows += [[f"  {CAUSE_LABELS[cause]}", *(swedish.signed(v * 100, 2) for v in c.causes_share[cause])]
                   for cause in CAUSES if np.abs(c.causes_share[cause]).max() >= SHOWN]
    cost_rows = [["Förändring (mnkr)", *(swedish.signed(v, 0) for v in c.cost_b - c.cost_a)]]
    cost_rows += [[f"  {CAUSE_LABELS[cause]}", *(swedish.signed(v, 0) for v in c.causes_cost[cause])]
                  for cause in CAUSES if np.abs(c.causes_cost[cause]).max() >= 0.5]
    lines = [f"Jämförelse av planversioner: A = {Path(c.a.plan.file).name}, B = {Path(c.b.plan.file).name}",
             "Förändringen är fördelad på orsaker med Shapleyvärden: varje orsaks genomsnittliga effekt över alla "
             "ordningar, så att orsakerna summerar till hela förändringen varje år.", *c.notes, "",
             "Andel av totala intäkter:", *text_table(["", *years], share_rows, left=1), "",
             "Kapitalkostnader:", *text_table(["", *years], cost_rows, left=1), ""]
    lines += [sentence(c, k) for k in range(len(c.years))]
    by_cause: dict[str, list] = {}
    for o in objects_in_order(c):  # a change outside the compared years moves nothing shown here
        by_cause.setdefault(o.cause, []).append(o)
    if by_cause:
        lines += ["", f"Objekt per orsak (Δ kapitalkostnader {years[0]}–{years[-1]}, objektets ändring ensam på A):"]
    for cause in CAUSES:
        shown = by_cause.get(cause, [])
        if shown:
            rows = [[o.id, swedish.signed(o.total, 1)] for o in shown[:TOP]]
            more = f" (och {len(shown) - TOP} objekt till)" if len(shown) > TOP else ""
            lines += [f"{CAUSE_LABELS[cause].capitalize()}{more}:", *text_table(["Id", "Δ mnkr"], rows, left=1)]
    if c.renamed:
        lines += ["", "Troligen samma objekt med nytt id (namnen stämmer):"]
        lines += [f"  {a} → {b} ({name})" for a, b, name in c.renamed]
    return "\n".join(lines) + "\n"
