"""The model beside the region's own budget (sheet Budgetjämförelse): avskrivningar, räntekostnader, materiella
anläggningstillgångar, the kapitalkostnad share and more, per year of the plan, with the tolerance each must meet
and its role: a figure the plan was fitted to (anpassad), one the model equals by an identity (identitet), one
derived from other rows (härledd), an input (indata), or a genuine test (prövning) — only tests count."""

from __future__ import annotations

from dataclasses import replace

import polars as pl

from invest.base import swedish
from invest.plan.records import PublishedFigure
from invest.plan.vocabulary import CALIBRATION_ROLES

# post -> (column in the region table, tolerance, kind): "relativ" = |model/budget − 1|, "pp" = |model − budget|
COMPARED = {
    "avskrivningar": ("avskrivningar", 0.02, "relativ"),
    "rantekostnader": ("rantekostnader", 0.03, "relativ"),
    "materiella_anlaggningstillgangar": ("materiella_anlaggningstillgangar", 0.01, "relativ"),
    "kapitalkostnadsandel": ("andel", 0.001, "pp"),
    "pagaende_arbete": ("pagaende_arbete", None, "relativ"),
    "rantebarande_skuld": ("rantebarande_skuld", 0.06, "relativ"),
}
# Roles that follow from the model itself, whatever the plan says: the assets roll forward by the plan's own
# investments and depreciation, and the share is computed from the other rows.
MODEL_ROLES = {"materiella_anlaggningstillgangar": "identitet", "kapitalkostnadsandel": "harledd"}
TESTED = "provning"
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
                kalla="(avskrivningar + räntekostnader) / totala intäkter, " + "; ".join(p.kalla for p in parts),
                roll="harledd")
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
        role = MODEL_ROLES.get(post) or f.roll or TESTED
        rows.append({"post": LABELS[post], "ar": year, "uppgiftstyp": f.uppgiftstyp, "roll": CALIBRATION_ROLES[role],
                     "budget": f.value, "modell": model, "avvikelse": deviation, "tolerans": tolerance,
                     "inom_tolerans": None if tolerance is None else abs(deviation) <= tolerance, "kalla": f.kalla})
    schema = {"post": pl.Utf8, "ar": pl.Int64, "uppgiftstyp": pl.Utf8, "roll": pl.Utf8, "budget": pl.Float64,
              "modell": pl.Float64, "avvikelse": pl.Float64, "tolerans": pl.Float64, "inom_tolerans": pl.Boolean,
              "kalla": pl.Utf8}
    return pl.DataFrame(rows, schema=schema)


def headline(frame: pl.DataFrame) -> str | None:
    """The calibration in one sentence: how many genuine tests hold, and what was fitted to what (None: no rows)."""
    if not frame.height:
        return None
    tests = frame.filter((pl.col("roll") == CALIBRATION_ROLES[TESTED]) & pl.col("inom_tolerans").is_not_null())
    failed = tests.filter(~pl.col("inom_tolerans"))
    text = f"{tests.height - failed.height} av {tests.height} prövningar inom tolerans"
    if failed.height:
        text += " (utanför: " + ", ".join(f"{r['post']} {r['ar']}" for r in failed.iter_rows(named=True)) + ")"
    fitted = frame.filter(pl.col("roll") == CALIBRATION_ROLES["anpassad"])
    if fitted.height:
        by_post: dict[str, list[int]] = {}
        for r in fitted.iter_rows(named=True):
            by_post.setdefault(r["post"], []).append(r["ar"])
        text += "; planen är anpassad till " + ", ".join(
            f"{post.lower()} {swedish.years(years)}" for post, years in by_post.items())
    others = frame.filter(pl.col("roll") != CALIBRATION_ROLES[TESTED]).height - fitted.height
    if others:
        text += f"; {others} rader är identiteter, härledda eller indata (bladet Kalibrering)"
    return text

