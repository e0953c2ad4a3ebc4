"""The model beside the region's own budget (sheet Budgetjämförelse): avskrivningar, räntekostnader, materiella
anläggningstillgångar, the kapitalkostnad share and more, per year of the plan, with the tolerance each must meet
for a plan that claims to reproduce its budget (issue: Region Stockholm's plan calibrated to Budget 2026)."""

from __future__ import annotations

from dataclasses import replace

import polars as pl

from invest.plan.records import PublishedFigure

# post -> (column in the region table, tolerance, kind): "relativ" = |model/budget − 1|, "pp" = |model − budget|
COMPARED = {
    "avskrivningar": ("avskrivningar", 0.02, "relativ"),
    "rantekostnader": ("rantekostnader", 0.03, "relativ"),
    "materiella_anlaggningstillgangar": ("materiella_anlaggningstillgangar", 0.01, "relativ"),
    "kapitalkostnadsandel": ("andel", 0.001, "pp"),
    "pagaende_arbete": ("pagaende_arbete", None, "relativ"),
    "rantebarande_skuld": ("rantebarande_skuld", None, "relativ"),
}
LABELS = {"avskrivningar": "Avskrivningar", "rantekostnader": "Räntekostnader",
          "materiella_anlaggningstillgangar": "Materiella anläggningstillgångar",
          "kapitalkostnadsandel": "Kapitalkostnadsandel", "pagaende_arbete": "Pågående arbete",
          "rantebarande_skuld": "Räntebärande skuld (lån och leasing)"}


def comparison(published: tuple[PublishedFigure, ...], region_table: pl.DataFrame) -> pl.DataFrame:
    """One row per compared post and plan year the budget gives; empty when the plan has no budget figures."""
    figures = {(f.post, f.year): f for f in published}
    table = {r["ar"]: r for r in region_table.iter_rows(named=True)}
    for (post, year) in [(p, y) for p, y in figures if p == "avskrivningar"]:
        parts = [figures.get((name, year)) for name in ("avskrivningar", "rantekostnader", "totala_intakter")]
        if all(parts):
            figures[("kapitalkostnadsandel", year)] = replace(
                parts[0], post="kapitalkostnadsandel", value=(parts[0].value + parts[1].value) / parts[2].value,
                kalla="(avskrivningar + räntekostnader) / totala intäkter, " + "; ".join(p.kalla for p in parts))
    rows = []
    for (post, year), f in sorted(figures.items(), key=lambda kv: (list(COMPARED).index(kv[0][0])
                                                                   if kv[0][0] in COMPARED else 99, kv[0][1])):
        if post not in COMPARED or year not in table:
            continue
        column, tolerance, kind = COMPARED[post]
        model = table[year].get(column)
        if model is None:
            continue
        deviation = model - f.value if kind == "pp" else model / f.value - 1
        rows.append({"post": LABELS[post], "ar": year, "uppgiftstyp": f.uppgiftstyp, "budget": f.value, "modell": model,
                     "avvikelse": deviation, "tolerans": tolerance,
                     "inom_tolerans": None if tolerance is None else abs(deviation) <= tolerance, "kalla": f.kalla})
    schema = {"post": pl.Utf8, "ar": pl.Int64, "uppgiftstyp": pl.Utf8, "budget": pl.Float64, "modell": pl.Float64,
              "avvikelse": pl.Float64, "tolerans": pl.Float64, "inom_tolerans": pl.Boolean, "kalla": pl.Utf8}
    return pl.DataFrame(rows, schema=schema)
