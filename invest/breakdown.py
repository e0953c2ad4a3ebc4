"""Yearly figures per organisation, verksamhetsområde or object, and the plan in the budget's table shape."""

from __future__ import annotations

import polars as pl

from .calculation import Calculation

MEASURES = ("utgift", "medfinansiering_mottagen", "avskrivning", "intaktsford_medfinansiering", "ranta", "kapitalkostnad")


def attributes(calc: Calculation) -> pl.DataFrame:
    return pl.DataFrame({
        "id": [o.id for o in calc.plan.objects],
        "namn": [o.namn for o in calc.plan.objects],
        "organisation": [o.organisation or "(ej angiven)" for o in calc.plan.objects],
        "verksamhetsomrade": [o.verksamhetsomrade or "(ej angivet)" for o in calc.plan.objects],
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
    """Headers and rows like Budget 2026 Tabell 19/20: outturn, each plan year, total; medfinansiering as varav."""
    plan = calc.plan
    years = list(plan.plan_years)
    headers = [key.replace("verksamhetsomrade", "Verksamhetsområde").capitalize()]
    headers += ([f"Utfall t.o.m. {plan.outturn_year}"] if plan.outturn_year else []) + [str(y) for y in years]
    headers.append(f"Totalt {years[0]}–{years[-1]}")
    spend = schedule(calc).select(key, "ar", "utgift", "medfinansiering_mottagen")
    cols = ([plan.outturn_year] if plan.outturn_year else []) + years

    def row(label: str, frame: pl.DataFrame, measure: str) -> list:
        values = {r["ar"]: r[measure] for r in frame.group_by("ar").agg(pl.col(measure).sum()).iter_rows(named=True)}
        return [label] + [values.get(y, 0.0) for y in cols] + [sum(values.get(y, 0.0) for y in years)]

    rows = [row(name, spend.filter(pl.col(key) == name), "utgift") for name in sorted(spend[key].unique().to_list())]
    rows.append(row("TOTALT", spend, "utgift"))
    rows.append(row("  varav medfinansiering", spend, "medfinansiering_mottagen"))
    total, medfin = rows[-2], rows[-1]
    rows.append(["  varav regionens finansieringsansvar"] + [a - b for a, b in zip(total[1:], medfin[1:])])
    return headers, rows
