"""Yearly figures per organisation, verksamhetsområde or object, and the plan in the budget's table shape."""

from __future__ import annotations

import polars as pl

from invest.engine.calculation import Calculation
from invest.plan.vocabulary import NO_AREA

MEASURES = ("utgift", "medfinansiering_mottagen", "avskrivning", "intaktsford_medfinansiering", "ranta", "kapitalkostnad")


def attributes(calc: Calculation) -> pl.DataFrame:
    return pl.DataFrame({
        "id": [o.id for o in calc.plan.objects],
        "namn": [o.namn for o in calc.plan.objects],
        "organisation": [o.organisation or "(ej angiven)" for o in calc.plan.objects],
        "verksamhetsomrade": [o.verksamhetsomrade or NO_AREA for o in calc.plan.objects],
        "tillgangsklass": [o.tillgangsklass or "komponenter" for o in calc.plan.objects],
        "driftsattning": [str(o.driftsattning) for o in calc.plan.objects],
    })


def schedule(calc: Calculation) -> pl.DataFrame:
    """Per object and year with its attributes."""
    return attributes(calc).join(calc.per_object, on="id", how="inner", maintain_order="right")


def by(calc: Calculation, key: str) -> pl.DataFrame:
    """Sums per `key` and year over the region table's years."""
    years = calc.region.table["ar"].to_list()
    return (schedule(calc).filter(pl.col("ar").is_in(years))
            .group_by(key, "ar").agg([pl.col(m).sum() for m in MEASURES]).sort(key, "ar"))


def budget_shape(calc: Calculation, key: str = "verksamhetsomrade") -> tuple[list[str], list[list]]:
    """Headers and rows like Budget 2026 Tabell 19/20: the budget's own figures for the years before the plan
    (sheet Budgetjämförelse; else the plan's outturn column), the first plan year (Budget), the next four (Plan),
    the rest summed, and the total; medfinansiering and the region's own financing as varav rows."""
    plan = calc.plan
    years = list(plan.plan_years)
    single, rest = years[:5], years[5:]
    before = sorted({(f.year, f.uppgiftstyp) for f in plan.published
                     if f.post == "investeringar" and f.year < years[0]})
    headers = [key.replace("verksamhetsomrade", "Verksamhetsområde").capitalize()]
    if before:
        headers += [f"{kind.capitalize()} {year}" for year, kind in before]
    elif plan.outturn_year:
        headers.append(f"Utfall t.o.m. {plan.outturn_year}")
    headers += [f"{'Budget' if i == 0 else 'Plan'} {y}" for i, y in enumerate(single)]
    headers += [f"Plan {rest[0]}–{rest[-1]}"] if rest else []
    headers.append(f"Totalt {years[0]}–{years[-1]}")
    spend = schedule(calc).select(key, "ar", "utgift", "medfinansiering_mottagen")

    def published(post: str, area: str | None) -> list:
        values = {(f.year, f.uppgiftstyp): f.value for f in plan.published if f.post == post
                  and (f.verksamhetsomrade or None) == area}
        return [values.get(b) for b in before]

    def row(label: str, frame: pl.DataFrame, measure: str, prior: list) -> list:
        values = {r["ar"]: r[measure] for r in frame.group_by("ar").agg(pl.col(measure).sum()).iter_rows(named=True)}
        outturn = [] if before or not plan.outturn_year else [values.get(plan.outturn_year, 0.0)]
        grouped = [values.get(y, 0.0) for y in single] + ([sum(values.get(y, 0.0) for y in rest)] if rest else [])
        return [label] + prior + outturn + grouped + [sum(values.get(y, 0.0) for y in years)]

    names = spend[key].unique().to_list()
    order = area_order(calc, names) if key == "verksamhetsomrade" else sorted(names)
    rows = [row(name, spend.filter(pl.col(key) == name), "utgift", published("investeringar", name)) for name in order]
    rows.append(row("TOTALT", spend, "utgift", published("investeringar", None)))
    rows.append(row("  varav medfinansiering", spend, "medfinansiering_mottagen", published("medfinansiering", None)))
    total, medfin = rows[-2], rows[-1]
    rows.append(["  varav regionens finansieringsansvar"]
                + [None if a is None or b is None else a - b for a, b in zip(total[1:], medfin[1:])])
    return headers, rows


def area_order(calc: Calculation, names: list[str]) -> list[str]:
    """The models' verksamhetsområden in their order, then other names, objects without an area last (the order of
    the budget's tables)."""
    known = calc.models.areas(calc.plan.plan_years[0])
    return ([n for n in known if n in names] + sorted(n for n in names if n not in known and n != NO_AREA)
            + [NO_AREA] * (NO_AREA in names))
