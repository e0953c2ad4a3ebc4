"""The output contract of `invest berakna`: tabell, csv or json, region level or per object."""

from __future__ import annotations

import json

import polars as pl

from invest.engine.calculation import Calculation
from invest.engine.object_grid import PER_OBJECT_COLUMNS
from invest.engine.region_model import REGION_COLUMNS
from invest.base import swedish

TABLE_LABELS = {
    "ar": "År", "investeringar": "Investeringar", "medfinansiering_mottagen": "Medfin. mottagen",
    "avskrivningar": "Avskrivningar", "intaktsford_medfinansiering": "Intäktsförd medfin.",
    "rantekostnader": "Räntekostnader", "kapitalkostnader": "Kapitalkostnader", "totala_intakter": "Totala intäkter",
    "andel": "Andel", "riktvarde": "Riktvärde", "marginal": "Marginal",
    "id": "Id", "utgift": "Utgift", "avskrivning": "Avskrivning", "pagaende": "Pågående",
    "bokfort_varde": "Bokfört värde", "medfinansieringsskuld": "Medfin.skuld", "bidragsskuld": "Bidragsskuld",
    "bundet_kapital": "Bundet kapital",
    "ranta": "Ränta", "kapitalkostnad": "Kapitalkostnad",
}
SHARE_COLUMNS = {"andel", "riktvarde", "skuldandel", "gransvarde_skuld", "sjalvfinansieringsgrad", "andel_omsatt_skuld"}


def frame(calc: Calculation, per_object: bool) -> pl.DataFrame:
    """Contract columns first, then the extra ones."""
    if per_object:
        df = calc.per_object
        return df.select([*PER_OBJECT_COLUMNS, *[c for c in df.columns if c not in PER_OBJECT_COLUMNS]])
    df = calc.region.table
    return df.select([*REGION_COLUMNS, *[c for c in df.columns if c not in REGION_COLUMNS]])


def to_csv(df: pl.DataFrame) -> str:
    return df.write_csv(float_precision=None)


def to_json(calc: Calculation, df: pl.DataFrame, per_object: bool) -> str:
    payload = {
        "plan": calc.plan.file, "modeller": calc.models.label, "enhet": "mnkr",
        "ranta": calc.models.flat_rate, "riktvarde": calc.conventions.riktvarde,
        "noteringar": list(calc.region.notes),
    }
    if per_object:
        payload["objekt"] = df.to_dicts()
    else:
        payload["ar"] = df.to_dicts()
        payload["overskridande_ar"] = calc.breach_years()
        payload["genomsnittlig_andel"] = calc.average_share()
    return json.dumps(payload, ensure_ascii=False, indent=2)


def to_table(calc: Calculation, df: pl.DataFrame, per_object: bool) -> str:
    columns = list(PER_OBJECT_COLUMNS if per_object else REGION_COLUMNS)
    if not per_object and not calc.region.has_share:
        columns = [c for c in columns if c not in ("totala_intakter", "andel", "marginal")]
    rows = [[_cell(c, record[c]) for c in columns] for record in df.select(columns).iter_rows(named=True)]
    lines = text_table([TABLE_LABELS[c] for c in columns], rows, left=2 if per_object else 1)
    head = [f"Plan: {calc.plan.file}   Belopp i mnkr   Riktvärde: kapitalkostnader under "
            f"{swedish.percent(calc.conventions.riktvarde, 0)} av totala intäkter"]
    tail = []
    if not per_object and calc.region.has_share:
        breach = calc.breach_years()
        tail.append(f"Genomsnittlig andel {calc.plan.plan_years[0]}–{calc.plan.plan_years[-1]}: "
                    f"{swedish.percent(calc.average_share())}")
        tail.append("Över riktvärdet: " + (", ".join(map(str, breach)) if breach else "inget år"))
    tail.extend(calc.region.notes)
    return "\n".join(head + [""] + lines + [""] + tail) + "\n"


def text_table(header: list[str], rows: list[list[str]], left: int = 1) -> list[str]:
    """Aligned plain-text table: the first `left` columns left-aligned, the rest (numbers) right-aligned."""
    rows = [header] + rows
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = ["  ".join(v.ljust(w) if i < left else v.rjust(w) for i, (v, w) in enumerate(zip(r, widths))).rstrip()
             for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return lines


def _cell(column: str, value) -> str:
    if column in ("ar", "id"):
        return str(value)
    if column in SHARE_COLUMNS:
        return swedish.percent(value)
    return swedish.number(value)
